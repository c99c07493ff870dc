/**
 * Names of config-as-code files and directories, check UIDs and secret placeholders
 * (`config-as-code.md` §2, §3, §7.1; `PRODUCT.md` "No silent merges, no duplicates").
 *
 * @module
 */

import { sha256Hex } from "../../util/sha256.ts";
import { slug } from "../../util/slug.ts";

/** The key in a check's `additional_metadata` that identifies it across instances. */
export const CHECK_UID_KEY = "_qualytics_check_uid";

/**
 * `additional_metadata` key that marks a computed container or computed field as managed by
 * config import (only marked ones are ever pruned). Never written to files. Its value is `true`,
 * or {@link MANAGED_WITHOUT_METADATA} when the file had no `additional_metadata` at all (so the
 * export can leave the key out again).
 */
export const MANAGED_KEY = "_qualytics_managed";

/** The {@link MANAGED_KEY} value for a file without `additional_metadata`. */
export const MANAGED_WITHOUT_METADATA = "no_metadata";

/** Whether an object's `additional_metadata` carries the {@link MANAGED_KEY} marker. */
export function isManaged(additionalMetadata: unknown): boolean {
  if (additionalMetadata === null || typeof additionalMetadata !== "object") return false;
  const value = (additionalMetadata as Record<string, unknown>)[MANAGED_KEY];
  return value === true || value === MANAGED_WITHOUT_METADATA;
}

/**
 * The `additional_metadata` config import sends for a computed container or field: the file's
 * mapping (or none) with the {@link MANAGED_KEY} marker added.
 *
 * @param present whether the document has an `additional_metadata` key
 */
export function withManagedMarker(additionalMetadata: unknown, present: boolean): unknown {
  const base = additionalMetadata !== null && typeof additionalMetadata === "object" &&
      !Array.isArray(additionalMetadata)
    ? additionalMetadata as Record<string, unknown>
    : {};
  if (!present) return { [MANAGED_KEY]: MANAGED_WITHOUT_METADATA };
  // A non-mapping value (a file may hold anything) is left alone rather than overwritten.
  if (additionalMetadata !== null && base !== additionalMetadata) return additionalMetadata;
  const { [MANAGED_KEY]: _old, ...rest } = base;
  return { ...rest, [MANAGED_KEY]: true };
}

/** Directory of a check whose container is missing or has no name (kept verbatim). */
export const NO_CONTAINER_DIR = "_no_container";

type Named = { name?: unknown; id?: unknown } | null | undefined;

function nameOf(value: Named): string {
  return typeof value?.name === "string" ? value.name : "";
}

/**
 * The stem standing in for a name that slugs to nothing (`売上`, `заказы`, `(±)`), where the
 * original writes `.yaml` or an empty folder name (`config-as-code.md` §2.1): `<kind>_` and the
 * first 8 hex digits of the SHA-256 of the name (UTF-8), e.g. `datastore_1c3e9d2a`. Derived
 * from the name alone, so every instance (Dev, Prod) and every export gives the same path.
 */
export function fallbackStem(kind: string, name: string): string {
  return `${kind}_${sha256Hex(name).slice(0, 8)}`;
}

/** `slug(name)`, or {@link fallbackStem} when that is empty. */
function stemOf(kind: string, name: string): string {
  return slug(name) || fallbackStem(kind, name);
}

/**
 * A connection's file stem before numbering ({@link numberStems}): `slug(name)`, or
 * `connection_<hash>` when that is empty.
 */
export function connectionStem(connection: Named): string {
  return stemOf("connection", nameOf(connection));
}

/** `connections/<file>` of a connection alone: `<stem>.yaml` ({@link connectionStem}). */
export function connectionFileName(connection: Named): string {
  return `${connectionStem(connection)}.yaml`;
}

/** The name the original uses for a datastore: its `name`, or `datastore_<id>` without one. */
export function datastoreDisplayName(datastore: Named): string {
  return nameOf(datastore) || `datastore_${datastore?.id}`;
}

/**
 * `datastores/<dir>/` of a datastore alone (before numbering, {@link numberStems}):
 * `slug(name)`, with `datastore_<id>` standing in for a missing name, and `datastore_<hash>`
 * for a name that slugs to nothing.
 */
export function datastoreDirName(datastore: Named): string {
  return stemOf("datastore", datastoreDisplayName(datastore));
}

/**
 * `containers/<dir>/` of a container alone (before numbering): `slug(name)`, `container_<id>`
 * (not slugged) without a name, `container_<hash>` for a name that slugs to nothing.
 */
export function containerDirName(container: Named): string {
  const name = nameOf(container);
  return name ? stemOf("container", name) : `container_${container?.id}`;
}

/**
 * A computed field's file stem before numbering: `slug(name)`, `unknown` without a name,
 * `field_<hash>` for a name that slugs to nothing.
 */
export function computedFieldStem(field: Named): string {
  return stemOf("field", nameOf(field) || "unknown");
}

/** `computed_fields/<file>` of a computed field alone: `<stem>.yaml`. */
export function computedFieldFileName(field: Named): string {
  return `${computedFieldStem(field)}.yaml`;
}

/**
 * Stems of resources of one kind in one folder, our fix for the original's silent overwrites
 * (`config-as-code.md` §15.6): the first of those sharing a stem, in id order, keeps it; the
 * k-th gets the first free `<stem>_<k>` (k ≥ 2) that no other resource has as its own stem or
 * was given already. Resources without a numeric id come after the others, in list order.
 * Returns the stems in the order of `items`.
 *
 * Number over the server's whole list of the kind (not a subset being exported), so that each
 * resource gets the same path whatever is exported.
 */
export function numberStems<T>(
  items: readonly T[],
  stemOf: (item: T) => string,
  idOf: (item: T) => unknown,
): string[] {
  const stems = items.map(stemOf);
  const taken = new Set(stems);
  const order = items.map((_, index) => index).sort((a, b) => {
    const left = idOf(items[a]), right = idOf(items[b]);
    const l = typeof left === "number" ? left : Infinity;
    const r = typeof right === "number" ? right : Infinity;
    return l === r ? a - b : l - r;
  });
  const out = [...stems];
  const seen = new Set<string>();
  for (const index of order) {
    const stem = stems[index];
    if (!seen.has(stem)) {
      seen.add(stem);
      continue;
    }
    let k = 2;
    while (taken.has(`${stem}_${k}`)) k++;
    out[index] = `${stem}_${k}`;
    taken.add(out[index]);
  }
  return out;
}

/**
 * The `k` of a numbered stem: 1 when `stem` is `base` itself, k for `<base>_<k>` (k ≥ 2), and
 * undefined for anything else (a folder renamed by hand).
 */
export function stemNumber(stem: string, base: string): number | undefined {
  if (stem === base) return 1;
  if (!stem.startsWith(`${base}_`)) return undefined;
  const digits = stem.slice(base.length + 1);
  return /^[1-9][0-9]*$/.test(digits) && Number(digits) >= 2 ? Number(digits) : undefined;
}

/** `checks/<dir>/` of a check: `slug(container.name)`, or `_no_container`. */
export function checkContainerDirName(containerName: string | null | undefined): string {
  return containerName ? slug(containerName) : NO_CONTAINER_DIR;
}

/** Field slugs joined by `_`, raw names sorted by code point first (then slugged). */
function joinedFieldSlugs(fieldNames: readonly string[]): string {
  return [...fieldNames].sort(compareCodePoints).map(slug).join("_");
}

/** Python's default string order (code points), not UTF-16 units or locale order. */
export function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const diff = left[i].codePointAt(0)! - right[i].codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

/**
 * File stem of a check, before duplicate numbering: `slug(rule_type)` plus `__` and the joined
 * field slugs when it has fields (`unique`, `[region, email]` → `unique__email_region`).
 */
export function checkFileStem(
  ruleType: string | null | undefined,
  fieldNames: readonly string[],
): string {
  const rule = slug(ruleType || "unknown");
  return fieldNames.length ? `${rule}__${joinedFieldSlugs(fieldNames)}` : rule;
}

/** `<stem>.yaml` of a check (without duplicate numbering, see {@link CheckFileNamer}). */
export function checkFileName(
  ruleType: string | null | undefined,
  fieldNames: readonly string[],
): string {
  return `${checkFileStem(ruleType, fieldNames)}.yaml`;
}

/**
 * The UID the original computes for a check: `slug(container)__slug(rule)[__fields]`
 * (`("orders", "notNull", ["order_id"])` → `orders__notnull__order_id`).
 */
export function computeCheckUid(
  containerName: string | null | undefined,
  ruleType: string | null | undefined,
  fieldNames: readonly string[],
): string {
  const base = `${slug(containerName ?? "")}__${slug(ruleType ?? "")}`;
  return fieldNames.length ? `${base}__${joinedFieldSlugs(fieldNames)}` : base;
}

/**
 * Numbers duplicate check files within one export run the way the original does: the first
 * `<stem>.yaml`, then the first free `<stem>_<n>.yaml` with n from 2, per directory.
 */
export class CheckFileNamer {
  private readonly used = new Set<string>();

  /** Returns `<dir>/<file>` for the next check and reserves it. */
  next(dir: string, stem: string): string {
    let path = `${dir}/${stem}.yaml`;
    for (let n = 2; this.used.has(path); n++) path = `${dir}/${stem}_${n}.yaml`;
    this.used.add(path);
    return path;
  }
}

/** What {@link assignCheckUids} needs to know about one check. */
export interface CheckUidInput {
  containerName: string | null | undefined;
  ruleType: string | null | undefined;
  fieldNames: readonly string[];
  /** `additional_metadata._qualytics_check_uid` as stored on the server, if any. */
  storedUid?: unknown;
}

/** A stored UID counts when it is a non-empty string (anything else is recomputed). */
export function storedCheckUid(additionalMetadata: unknown): string | undefined {
  if (additionalMetadata === null || typeof additionalMetadata !== "object") return undefined;
  const value = (additionalMetadata as Record<string, unknown>)[CHECK_UID_KEY];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * UIDs of a list of checks in export order (API order), with our fix for the original's silent
 * merges: a UID stored on the server always wins; otherwise the computed UID is used, and when
 * an earlier check (or a stored UID anywhere in the list) already has it, the check gets the
 * first free `<uid>__<k>` with k ≥ 2. Without stored UIDs the k-th check sharing a computed UID
 * gets `<uid>__<k>`, the same k as its file's `_<k>` suffix. Import uses the same function to
 * match server checks that carry no stored UID.
 */
export function assignCheckUids(checks: readonly CheckUidInput[]): string[] {
  const used = new Set<string>();
  for (const check of checks) {
    if (typeof check.storedUid === "string" && check.storedUid) used.add(check.storedUid);
  }
  return checks.map((check) => {
    if (typeof check.storedUid === "string" && check.storedUid) return check.storedUid;
    const base = computeCheckUid(check.containerName, check.ruleType, check.fieldNames);
    let uid = base;
    for (let k = 2; used.has(uid); k++) uid = `${base}__${k}`;
    used.add(uid);
    return uid;
  });
}

/**
 * The placeholder written instead of a connection secret:
 * `${<SLUG(NAME)>_<FIELD>}` upper-cased (`("prod-pg", "password")` → `${PROD_PG_PASSWORD}`).
 *
 * @param stem the connection's file stem, when the export knows it: a numbered (`prod_pg_2`) or
 *   fallback (`connection_1c3e9d2a`) stem then makes a placeholder of its own, where the
 *   original gives two connections one variable (`${PROD_PG_PASSWORD}`, `${_PASSWORD}`)
 */
export function secretPlaceholder(
  connectionName: string | null | undefined,
  field: string,
  stem?: string,
): string {
  const prefix = stem ?? slug(connectionName || "unknown");
  return `\${${prefix.toUpperCase()}_${field.toUpperCase()}}`;
}
