/**
 * The plan of a config import: the target's state is read once (lists, not per-item GETs), every
 * file is compared with what an export of the matching server object would write, and each
 * resource gets create / update / delete / unchanged with a field-level diff. Nothing is written
 * here; {@link ImportPlan} is what `config plan` prints and what the apply executes.
 *
 * @module
 */
import { listConnections } from "../../api/connections.ts";
import { getContainer, listContainers } from "../../api/containers.ts";
import { listAllDatastores } from "../../api/datastores.ts";
import { listRuleSpecifications } from "../../api/quality_checks.ts";
import type { ApiObject } from "../../api/types.ts";
import type { QualyticsClient } from "../../client/http_client.ts";
import { yieldToEventLoop } from "../../util/event_loop.ts";
import { isJsonFloat, mayHoldLongIntegers, parseJson } from "../../util/json.ts";
import { slug } from "../../util/slug.ts";
import type {
  FoundDatastore,
  LoadedCheck,
  LoadedComputedField,
  LoadedConnection,
  LoadedContainer,
  LoadedDatastoreFolder,
  LoadedFolder,
  Problem,
} from "./load.ts";
import { assignCheckUids, CHECK_UID_KEY, isManaged, storedCheckUid } from "./naming.ts";
import { CONNECTION_SECRET_KEYS } from "../../api/connections.ts";
import type { ExportResource } from "./plan.ts";
import {
  checkContainerName,
  checkDescription,
  checkFieldNames,
  checkStatus,
  exportCheck,
  exportComputedField,
  exportConnection,
  exportContainer,
  exportDatastore,
  type ExportLookups,
  INTERNAL_METADATA_KEYS,
  isComputedContainer,
  REFERENCE_RULE_TYPES,
} from "./transform.ts";

/** What happens to one resource. */
export type PlanAction = "create" | "update" | "delete" | "unchanged";

/** Resource kinds in dependency order. */
export const PLAN_KINDS = [
  "connection",
  "datastore",
  "container",
  "computed_field",
  "check",
] as const;

/** One resource kind. */
export type PlanKind = typeof PLAN_KINDS[number];

/** One changed field of an update (dotted path inside mappings). */
export interface FieldChange {
  field: string;
  /** The server's value (`undefined`: not set). */
  before: unknown;
  /** The folder's value (`undefined`: removed). */
  after: unknown;
}

/** One resource of the plan. */
export interface PlanItem {
  kind: PlanKind;
  action: PlanAction;
  /** The resource's natural key: name, or UID for checks. */
  name: string;
  /** The datastore (name) the resource belongs to. */
  datastore?: string;
  /** The container (name) of a computed field or check. */
  container?: string;
  /** The file, relative to the input root. */
  file?: string;
  /** The server id when the resource exists. */
  id?: number;
  /** Field-level changes of an update (for a create: every field of the file). */
  changes: FieldChange[];
}

/** A sync the apply will run and wait for. */
export interface PlannedSync {
  /** Datastore name (or `#<id>`). */
  datastore: string;
  /** Server id, when the datastore already exists. */
  id?: number;
  reason: string;
}

/** Internal links of a plan item (what the apply needs), not part of the printed plan. */
export interface PlanEntry extends PlanItem {
  folder?: LoadedDatastoreFolder;
  connection?: LoadedConnection;
  container_?: LoadedContainer;
  field?: LoadedComputedField;
  check?: LoadedCheck;
  /** The server object (for updates and deletes). */
  server?: ApiObject;
  /** For datastores: whether the enrichment link changes (apply PATCHes it). */
  link?: string;
  /** For datastores: whether anything but the enrichment link changes. */
  bodyChanged?: boolean;
}

/** The target's state, read once per run. */
export interface TargetState {
  connections: ApiObject[];
  datastores: ApiObject[];
  /** Datastore id → its (non-archived) containers, full objects. */
  containers: Map<number, ApiObject[]>;
  /** Every container seen, by id (also ones fetched because something references them). */
  containerById: Map<number, ApiObject>;
  /** Datastore id → its checks (archived ones included). */
  checks: Map<number, ApiObject[]>;
  /** Container id → its computed fields. */
  computedFields: Map<number, ApiObject[]>;
  /**
   * A check of `checks` read exactly (`1.0` a float), where it was read for comparing only (see
   * `CheckPages`): what is shown and sent back of a check that differs.
   */
  exactCheck?: (check: ApiObject) => ApiObject;
  /**
   * The rule types the target knows (its rule specifications), read only when the folder has
   * checks of a rule type that none of the target's checks has; undefined when not read, or
   * when the answer was not understood (then nothing is checked against it).
   */
  ruleTypes?: ReadonlySet<string>;
  /**
   * What {@link checkUnchanged} answers for these arguments, where it was worked out while the
   * target's pages were still arriving (see `ChecksComparedAhead`); undefined where it was not.
   */
  comparedAhead?: (doc: ApiObject, server: ApiObject, uid: string) => boolean | undefined;
}

/** `--sync` mode. */
export type SyncMode = "auto" | "always" | "never";

/** Options of {@link planImport}. */
export interface PlanOptions {
  include?: ReadonlySet<ExportResource>;
  prune?: boolean;
  sync?: SyncMode;
}

/** The plan. */
export interface ImportPlan {
  /** Every resource (unchanged ones too), deletes of a kind listed first. */
  items: PlanEntry[];
  syncs: PlannedSync[];
  /** Problems of the folder and of its name references; the apply refuses to run with any. */
  problems: Problem[];
  target: TargetState;
}

const isObject = (value: unknown): value is ApiObject =>
  value !== null && typeof value === "object" && !Array.isArray(value);

function normalize(value: unknown): unknown {
  if (isJsonFloat(value)) return value.value;
  // Integers beyond 2^53 (JSON has no text for them in JavaScript): tagged digits.
  if (typeof value === "bigint") return `\u0000bigint:${value}`;
  if (Array.isArray(value)) return value.map(normalize);
  if (isObject(value)) {
    const out: ApiObject = {};
    for (const key of Object.keys(value).sort()) out[key] = normalize(value[key]);
    return out;
  }
  return value === undefined ? null : value;
}

/**
 * Deep equality of API/YAML values: key order ignored, `1.0` equals `1`, missing equals null,
 * integers beyond 2^53 (bigints) by value.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  return surelySame(a, b) || JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

/** How {@link surelySame} treats a value: compared directly, element-wise, key-wise, or not. */
function kindOf(value: unknown): "scalar" | "array" | "object" | "other" {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "bigint":
      return "scalar";
    case "number":
      // Non-finite numbers print as null in JSON.
      return Number.isFinite(value) ? "scalar" : "other";
    case "object": {
      if (value === null) return "scalar";
      if (Array.isArray(value)) return "array";
      const proto = Object.getPrototypeOf(value);
      return proto === Object.prototype || proto === null ? "object" : "other";
    }
    default:
      return "other";
  }
}

/**
 * True when {@link sameValue} certainly holds, found without building normalised copies and
 * their JSON (a plan compares tens of thousands of values): for the null, booleans, finite
 * numbers, strings, {@link JsonFloat}s, arrays and plain objects that files and replies hold.
 * False means "not shown": a difference, or a value outside those (a `__proto__` key, a
 * function...), which the JSON text comparison decides exactly as before.
 */
function surelySame(a: unknown, b: unknown): boolean {
  if (isJsonFloat(a)) a = a.value;
  if (isJsonFloat(b)) b = b.value;
  a ??= null;
  b ??= null;
  const kind = kindOf(a);
  if (kind === "other" || kind !== kindOf(b)) return false;
  if (kind === "scalar") return a === b;
  if (kind === "array") {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!surelySame(x[i], y[i])) return false;
    return true;
  }
  const x = a as ApiObject;
  const y = b as ApiObject;
  // `for in` over plain objects (no enumerable inherited keys) rather than two key arrays each.
  let count = 0;
  for (const key in x) {
    // normalize() assigns keys, and assigning `__proto__` sets the prototype instead.
    if (key === "__proto__" || !Object.hasOwn(y, key) || !surelySame(x[key], y[key])) return false;
    count++;
  }
  for (const _ in y) if (--count < 0) return false;
  return count === 0;
}

const SET_KEYS = new Set(["tags", "teams"]);
const NOTHING_IGNORED: ReadonlySet<string> = new Set();

function sortedSet(value: unknown): unknown {
  return Array.isArray(value) ? [...value].map(String).sort() : value;
}

/**
 * The field-level differences between a file and the document an export of the server object
 * would write. Only keys in the file count (a partial file leaves the rest alone); mappings are
 * compared key by key and reported with dotted paths; tags and teams are compared as sets.
 */
export function diffDocuments(
  file: ApiObject,
  server: ApiObject,
  ignore: ReadonlySet<string> = NOTHING_IGNORED,
  prefix = "",
): FieldChange[] {
  const changes: FieldChange[] = [];
  // `for in` rather than Object.entries: no pair arrays, for every field of thousands of checks.
  for (const key in file) {
    if (!Object.hasOwn(file, key)) continue;
    const after = file[key];
    if (ignore.size && ignore.has(prefix + key)) continue;
    const before = server[key];
    // The common case (an unchanged field) without the walk below; tags and teams, compared as
    // sets of strings, are left to it (`[1.0]` and `[1]` are the same values, not strings).
    if ((prefix || !SET_KEYS.has(key)) && surelySame(after, before)) continue;
    if (isObject(after) && isObject(before)) {
      const nested = diffDocuments(after, before, ignore, `${prefix}${key}.`);
      for (const extra of Object.keys(before)) {
        if (!(extra in after) && !ignore.has(`${prefix}${key}.${extra}`)) {
          nested.push({
            field: `${prefix}${key}.${extra}`,
            before: before[extra],
            after: undefined,
          });
        }
      }
      changes.push(...nested);
      continue;
    }
    const equal = SET_KEYS.has(key) && !prefix
      ? sameValue(sortedSet(after), sortedSet(before))
      : sameValue(after, before);
    if (!equal) changes.push({ field: prefix + key, before, after });
  }
  return changes;
}

/**
 * `additional_metadata: {}` read as `null` for comparing computed containers and fields: an
 * imported `{}` is stored with the managed marker only, which exports as `null`, and must not
 * look changed on the next import.
 */
function emptyMetadataAsNull(doc: ApiObject): ApiObject {
  const value = doc.additional_metadata;
  return isObject(value) && !Object.keys(value).length
    ? { ...doc, additional_metadata: null }
    : doc;
}

function creationChanges(
  doc: ApiObject,
  ignore: ReadonlySet<string> = NOTHING_IGNORED,
): FieldChange[] {
  return Object.entries(doc).filter(([key]) => !ignore.has(key)).map(([field, after]) => ({
    field,
    before: undefined,
    after,
  }));
}

const byName = (items: ApiObject[]) => {
  const map = new Map<string, ApiObject>();
  for (const item of items) {
    if (typeof item.name === "string" && !map.has(item.name)) map.set(item.name, item);
  }
  return map;
};

/** Names of datastores that files reference besides their own (`ref_datastore_name`, joins). */
function referencedDatastoreNames(folder: LoadedFolder): Set<string> {
  const names = new Set<string>();
  for (const ds of folder.datastores) {
    for (const c of ds.containers) {
      for (const key of ["left_datastore_name", "right_datastore_name"]) {
        if (typeof c.doc[key] === "string") names.add(c.doc[key] as string);
      }
    }
    for (const doc of [...ds.checks.map((c) => c.doc), ...ds.computedFields.map((f) => f.doc)]) {
      const props = doc.properties;
      if (isObject(props) && typeof props.ref_datastore_name === "string") {
        names.add(props.ref_datastore_name);
      }
    }
  }
  return names;
}

/**
 * Reads the target's state for a folder: all connections and datastores (one paged list each),
 * and for every datastore the folder covers or references its containers and checks (paged
 * lists). Computed fields need `GET /containers/{id}`, done only for containers the folder has
 * computed fields for (all containers of covered datastores with `prune`).
 */
export function fetchTarget(
  client: QualyticsClient,
  folder: LoadedFolder,
  options: PlanOptions = {},
): Promise<TargetState> {
  return new TargetReader(client, options).read(folder);
}

/** A promise whose rejection is reported only to whoever awaits it (if anyone does). */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * {@link fetchTarget} begun before the folder is loaded: the connection and datastore lists
 * start at once, and each datastore's containers and checks as soon as the load announces it
 * ({@link datastore}), so the reads overlap the rest of the load. Only reads: nothing is written
 * before the plan, which needs the whole folder. {@link read} gives the same state as
 * {@link fetchTarget}; a read started for a datastore that turns out to need none is dropped.
 */
export class TargetReader {
  readonly #client: QualyticsClient;
  readonly #options: PlanOptions;
  readonly #connections: Promise<ApiObject[]>;
  readonly #datastores: Promise<ApiObject[]>;
  readonly #containers = new Map<number, Promise<ApiObject[]>>();
  readonly #checks = new Map<number, Promise<ApiObject[]>>();
  readonly #checkPages = new CheckPages();
  readonly #compared = new ChecksComparedAhead();

  constructor(client: QualyticsClient, options: PlanOptions = {}) {
    this.#client = client;
    this.#options = options;
    // Failures surface in read(), or nowhere when the run stops before it (e.g. a load error).
    // The datastores go first: every other read of the target waits for their ids.
    this.#datastores = quiet(listAllDatastores(client));
    this.#connections = quiet(listConnections(client));
  }

  /** A datastore of the folder (by name or id): starts reading its containers (and checks). */
  datastore(found: FoundDatastore): void {
    // Its reads wait for the datastores (their ids), not for the connections.
    quiet(this.#datastores.then((datastores) => {
      const server = found.id !== undefined
        ? datastores.find((d) => d.id === found.id)
        : found.name !== undefined
        ? datastores.find((d) => d.name === found.name)
        : undefined;
      if (!server) return;
      this.#containersOf(server.id as number);
      if (found.checks || this.#options.prune) this.#checksOf(server.id as number, found.checks);
    }));
  }

  #containersOf(id: number): Promise<ApiObject[]> {
    let listing = this.#containers.get(id);
    if (!listing) {
      listing = quiet(listContainers(this.#client, { datastore: [id] }));
      this.#containers.set(id, listing);
    }
    return listing;
  }

  /** A datastore's checks; `expected`: how many the folder has (see {@link FoundDatastore}). */
  #checksOf(id: number, expected: number): Promise<ApiObject[]> {
    let listing = this.#checks.get(id);
    if (!listing) {
      listing = quiet(this.#client.paginate<ApiObject>(
        "quality-checks",
        { datastore: id, archived: "include" },
        100,
        expected,
        (text) => {
          const page = this.#checkPages.parse(text);
          if (isObject(page) && Array.isArray(page.items)) {
            this.#compared.arrived(id, page.items as ApiObject[]);
          }
          return page;
        },
      ));
      this.#checks.set(id, listing);
    }
    return listing;
  }

  /** The target's state for the loaded folder (see {@link fetchTarget}). */
  async read(folder: LoadedFolder): Promise<TargetState> {
    const [connections, datastores] = await Promise.all([this.#connections, this.#datastores]);
    this.#compared.start(coveredDatastores(folder, datastores));
    const target: TargetState = {
      connections,
      datastores,
      containers: new Map(),
      containerById: new Map(),
      checks: new Map(),
      exactCheck: this.#checkPages.exact,
      computedFields: new Map(),
      comparedAhead: this.#compared.answer,
    };
    await this.#extend(target, folder);
    await this.#compared.settled();
    return target;
  }

  /** Adds containers, checks and computed fields of the folder's datastores to `target`. */
  async #extend(target: TargetState, folder: LoadedFolder): Promise<void> {
    const client = this.#client;
    const options = this.#options;
    const dsByName = byName(target.datastores);
    const covered = coveredDatastores(folder, target.datastores);
    const wanted = new Set<number>(covered.keys());
    for (const name of referencedDatastoreNames(folder)) {
      const server = dsByName.get(name);
      if (server) wanted.add(server.id as number);
    }
    const lists = await Promise.all([...wanted].map((id) =>
      Promise.all([
        this.#containersOf(id),
        covered.has(id) && covered.get(id)!.checks.length + (options.prune ? 1 : 0) > 0
          ? this.#checksOf(id, covered.get(id)!.checks.length)
          : [],
      ])
    ));
    for (const [index, id] of [...wanted].entries()) {
      const [containers, checks] = lists[index];
      target.containers.set(id, containers);
      for (const c of containers) target.containerById.set(c.id as number, c);
      target.checks.set(id, checks);
    }
    // Containers referenced by server checks that live in datastores not listed above.
    const missing = new Set<number>();
    for (const checks of target.checks.values()) {
      for (const check of checks) {
        const ref = (check.properties as ApiObject | undefined)?.ref_container_id;
        if (typeof ref === "number" && !target.containerById.has(ref)) missing.add(ref);
      }
    }
    const details: number[] = [];
    const pruneFields = options.prune &&
      (!options.include || options.include.has("computed_fields"));
    for (const [id, ds] of covered) {
      const containers = target.containers.get(id) ?? [];
      const names = new Set(ds.computedFields.map((f) => fieldContainerName(f, containers)));
      for (const c of containers) {
        if (pruneFields || names.has(c.name as string)) details.push(c.id as number);
      }
    }
    const unseen = ruleTypesUnseen(folder, target);
    await Promise.all([
      unseen.size
        ? knownRuleTypes(client).then((known) => {
          target.ruleTypes = known;
        })
        : undefined,
      ...[...missing].map(async (id) => {
        try {
          target.containerById.set(id, await getContainer(client, id));
        } catch {
          // An unresolvable reference is exported as an id; nothing to resolve.
        }
      }),
      ...details.map(async (id) => {
        const detail = await getContainer(client, id);
        target.computedFields.set(
          id,
          Array.isArray(detail.computed_fields) ? detail.computed_fields as ApiObject[] : [],
        );
      }),
    ]);
  }
}

/** The folder's datastores that exist on the target, by the target's id. */
function coveredDatastores(
  folder: LoadedFolder,
  datastores: ApiObject[],
): Map<number, LoadedDatastoreFolder> {
  const dsByName = byName(datastores);
  const dsById = new Map(datastores.map((d) => [d.id as number, d]));
  const covered = new Map<number, LoadedDatastoreFolder>();
  for (const ds of folder.datastores) {
    const server = ds.id !== undefined ? dsById.get(ds.id) : dsByName.get(ds.name ?? "");
    if (server) covered.set(server.id as number, ds);
  }
  return covered;
}

/** Server checks compared with the folder per slice, between two returns to the event loop. */
const COMPARE_SLICE = 25;

/**
 * {@link checkUnchanged} worked out for each server check that carries a UID as soon as both it
 * and the folder are in, while the target's last pages are still on their way, so that the plan
 * only looks the answers up: a no-change import of thousands of checks otherwise compares them
 * all after the last answer, when nothing else is left to do. Between slices the event loop
 * runs, so replies are taken and requests sent meanwhile. Each answer is kept with the document
 * and UID it was computed for, and given only for those (see {@link answer}).
 */
class ChecksComparedAhead {
  /** Server checks not compared yet, by datastore id. */
  readonly #waiting = new Map<number, ApiObject[]>();
  /** The folder's checks by UID, by datastore id, once the folder is loaded. */
  #folder?: Map<number, Map<string, LoadedCheck>>;
  readonly #answers = new WeakMap<ApiObject, { doc: ApiObject; uid: string; unchanged: boolean }>();
  #comparing?: Promise<void>;

  /** A page of a datastore's checks has arrived. */
  arrived(datastoreId: number, checks: ApiObject[]): void {
    const waiting = this.#waiting.get(datastoreId);
    if (waiting) waiting.push(...checks);
    else this.#waiting.set(datastoreId, [...checks]);
    this.#compare();
  }

  /** The folder is loaded: `covered` are its datastores on the target, by id. */
  start(covered: ReadonlyMap<number, LoadedDatastoreFolder>): void {
    this.#folder = new Map(
      [...covered].map(([id, ds]) => [id, new Map(ds.checks.map((check) => [check.uid, check]))]),
    );
    this.#compare();
  }

  /** Resolves once every check that has arrived is compared. */
  async settled(): Promise<void> {
    while (this.#comparing) await this.#comparing;
  }

  /** {@link checkUnchanged}'s answer for these arguments, if it was worked out already. */
  readonly answer = (doc: ApiObject, server: ApiObject, uid: string): boolean | undefined => {
    const answer = this.#answers.get(server);
    return answer && answer.doc === doc && answer.uid === uid ? answer.unchanged : undefined;
  };

  #compare(): void {
    const folder = this.#folder;
    if (this.#comparing || !folder) return;
    const compare = async () => {
      for (let more = true; more;) {
        more = false;
        for (const [id, waiting] of this.#waiting) {
          const checks = folder.get(id);
          if (!checks || !waiting.length) continue;
          // The request that follows a page goes out before that page is compared.
          await yieldToEventLoop();
          for (const server of waiting.splice(0, COMPARE_SLICE)) {
            const uid = storedCheckUid(server.additional_metadata);
            const check = uid === undefined ? undefined : checks.get(uid);
            if (!check || server.deleted_at) continue;
            this.#answers.set(server, {
              doc: check.doc,
              uid: check.uid,
              unchanged: checkUnchanged(check.doc, server, check.uid),
            });
          }
          more = true;
        }
      }
    };
    // `finally` runs after this assignment even when there was nothing to compare.
    this.#comparing = quiet(compare().finally(() => this.#comparing = undefined));
  }
}

/** A page of checks read by {@link CheckPages.parse}: its text, and its items as parsed. */
interface CheckPage {
  text: string;
  items: unknown[];
  /** Its items as {@link parseJson} reads them, once a check of the page has asked. */
  exact?: unknown[];
}

/**
 * The target's checks for the plan, read with `JSON.parse`: twice as fast as {@link parseJson}
 * on the pages a plan reads by the dozen (every check has a `coverage` of `1.0`), and the one
 * difference, integral floats read as integers, is none to the comparison ({@link surelySame}).
 * What the plan keeps of a check that differs is read again exactly ({@link exact}). A page
 * that may hold integers beyond 2^53 is read exactly at once.
 */
class CheckPages {
  readonly #pages: CheckPage[] = [];
  #index?: WeakMap<ApiObject, { page: CheckPage; index: number }>;

  readonly parse = (text: string): unknown => {
    if (mayHoldLongIntegers(text)) return parseJson(text);
    const page = JSON.parse(text);
    if (isObject(page) && Array.isArray(page.items)) this.#pages.push({ text, items: page.items });
    return page;
  };

  /**
   * A check as {@link parseJson} reads it (`1.0` a float): what the plan shows of a check that
   * differs and what an update sends back of it. The check itself when it was read so.
   */
  readonly exact = (check: ApiObject): ApiObject => {
    // Built for the first check that differs: a plan without one never needs it.
    if (!this.#index) {
      const index = new WeakMap<ApiObject, { page: CheckPage; index: number }>();
      for (const page of this.#pages) {
        page.items.forEach((item, at) => {
          if (isObject(item)) index.set(item, { page, index: at });
        });
      }
      this.#index = index;
    }
    const source = this.#index.get(check);
    if (!source) return check;
    source.page.exact ??= (parseJson(source.page.text) as { items: unknown[] }).items;
    const exact = source.page.exact[source.index];
    return isObject(exact) ? exact : check;
  };
}

/**
 * The name of the target container a computed field belongs to. A folder without
 * `_container.yaml` names its table by the folder's name, which an export by the original makes
 * the table's slug (config-as-code.md §8.4): when no container of the datastore has that exact
 * name, the one container whose slug it is (`CUSTOMERS` for `customers/`, `Order Items` for
 * `order_items/`), so that such folders import as the original meant them to.
 */
export function fieldContainerName(
  field: LoadedComputedField,
  containers: readonly ApiObject[],
): string {
  const name = field.containerName;
  if (!field.folderNamed || containers.some((c) => c.name === name)) return name;
  const bySlug = containers.filter((c) => typeof c.name === "string" && slug(c.name) === name);
  return bySlug.length === 1 ? bySlug[0].name as string : name;
}

/** Rule types of the folder's checks that none of the target's checks has. */
function ruleTypesUnseen(folder: LoadedFolder, target: TargetState): Set<string> {
  const unseen = new Set<string>();
  for (const ds of folder.datastores) {
    for (const check of ds.checks) {
      const rule = check.doc.rule_type;
      if (typeof rule === "string") unseen.add(rule);
    }
  }
  // The folder's few rule types are usually all seen among the target's first checks.
  for (const checks of target.checks.values()) {
    for (const check of checks) {
      if (unseen.delete(check.rule_type as string) && !unseen.size) return unseen;
    }
  }
  return unseen;
}

/**
 * The rule types of the target's rule specifications, or undefined when they cannot be read or
 * are not the list of `{rule, …}` this expects: then the server alone judges a rule type.
 */
async function knownRuleTypes(client: QualyticsClient): Promise<Set<string> | undefined> {
  try {
    const specs = await listRuleSpecifications(client);
    if (!Array.isArray(specs) || !specs.every((s) => isObject(s) && typeof s.rule === "string")) {
      return undefined;
    }
    return new Set(specs.map((s) => s.rule as string));
  } catch {
    return undefined;
  }
}

/** The problem of a check whose rule type the target does not know. */
function unknownRuleType(rule: string, known: ReadonlySet<string>): string {
  const lower = rule.toLowerCase();
  const like = [...known].find((k) => k.toLowerCase() === lower);
  return `unknown rule_type '${rule}'` +
    (like
      ? `: did you mean '${like}'?`
      : ` (the target's rule types: ${[...known].sort().join(", ")})`);
}

/** Lookups of the export transformations over the target's state. */
export function lookupsOf(target: TargetState): ExportLookups {
  return {
    containers: target.containerById,
    datastores: new Map(target.datastores.map((d) => [d.id as number, d])),
  };
}

/** The UIDs of a datastore's checks on the target (see {@link serverCheckUids}). */
export interface ServerCheckUids {
  /** UID → check: stored, else computed with the export's `__k` rule. */
  byUid: Map<string, ApiObject>;
  /**
   * Stored UIDs that more than one active check carries (copied with the rest of the metadata,
   * say), with those checks' ids: no folder check can tell which of them it is.
   */
  shared: Map<string, number[]>;
}

/** The UIDs of a datastore's checks on the target. */
export function serverCheckUids(checks: ApiObject[]): ServerCheckUids {
  const byUid = new Map<string, ApiObject>();
  const shared = new Map<string, number[]>();
  // One pass: a stored UID is the answer (the last of its active holders keeps it); the rest are
  // computed afterwards, numbered around every stored one, in list order.
  const computed: ApiObject[] = [];
  const archived: Array<[string, ApiObject]> = [];
  for (const check of checks) {
    const storedUid = storedCheckUid(check.additional_metadata);
    if (check.deleted_at) {
      if (storedUid) archived.push([storedUid, check]);
    } else if (!storedUid) {
      computed.push(check);
    } else {
      const holder = byUid.get(storedUid);
      if (holder) {
        const ids = shared.get(storedUid);
        if (ids) ids.push(check.id as number);
        else shared.set(storedUid, [holder.id as number, check.id as number]);
      }
      byUid.set(storedUid, check);
    }
  }
  if (computed.length) {
    const stored = [...byUid.keys()].map((storedUid) => ({
      containerName: "",
      ruleType: "",
      fieldNames: [],
      storedUid,
    }));
    const uids = assignCheckUids([
      ...stored,
      ...computed.map((check) => ({
        containerName: checkContainerName(check),
        ruleType: check.rule_type as string,
        fieldNames: checkFieldNames(check),
      })),
    ]);
    computed.forEach((check, i) => byUid.set(uids[stored.length + i], check));
  }
  // An archived check that carries a UID can be restored instead of duplicated.
  for (const [uid, check] of archived) if (!byUid.has(uid)) byUid.set(uid, check);
  return { byUid, shared };
}

/**
 * The shared stored UID (see {@link ServerCheckUids.shared}) a folder check's UID stands for: its own,
 * or the one a repeat of it in the folder was numbered from (`<uid>__<k>`, when no server
 * check has that numbered UID itself).
 */
function sharedUidOf(
  uid: string,
  shared: ReadonlyMap<string, number[]>,
  byUid: ReadonlyMap<string, ApiObject>,
): string | undefined {
  if (shared.has(uid)) return uid;
  const numberedFrom = uid.replace(/__\d+$/, "");
  return !byUid.has(uid) && shared.has(numberedFrom) ? numberedFrom : undefined;
}

/**
 * The value of a {@link FieldChange.field} (a dotted path of mapping keys, as
 * {@link diffDocuments} writes it; keys that contain dots are matched too) in `doc`.
 */
export function valueAtField(doc: unknown, field: string): unknown {
  if (!isObject(doc)) return undefined;
  if (Object.hasOwn(doc, field)) return doc[field];
  for (const key of Object.keys(doc)) {
    if (field.startsWith(`${key}.`)) {
      const found = valueAtField(doc[key], field.slice(key.length + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const CONNECTION_IGNORE = new Set([
  ...CONNECTION_SECRET_KEYS,
  "secrets_manager.credentials_payload",
]);
const DATASTORE_IGNORE = new Set(["trigger_sync", "connection_id"]);
const CHECK_IGNORE = new Set(["container_id"]);

/** The field-level changes of a check file's document against the server check (for `uid`). */
export function checkChanges(
  doc: ApiObject,
  server: ApiObject,
  uid: string,
  lookups: ExportLookups,
): FieldChange[] {
  return diffDocuments(doc, exportCheck(server, uid, lookups), CHECK_IGNORE);
}

const NO_ITEMS: readonly unknown[] = [];
const NO_PROPERTIES: ApiObject = {};

/**
 * Whether `value` lists, in order and as strings, the names an export writes for `list`
 * (`fields`; `global_tags` as `tags`, which the full comparison takes as a set of strings).
 */
function sameNames(value: unknown, list: unknown): boolean {
  if (!Array.isArray(value)) return false;
  const items = Array.isArray(list) ? list : NO_ITEMS;
  if (value.length !== items.length) return false;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (value[i] !== String(isObject(item) ? item.name : item)) return false;
  }
  return true;
}

/** Whether `value` is the `additional_metadata` {@link exportCheck} writes for `stored`. */
function sameCheckMetadata(value: unknown, stored: unknown, uid: string): boolean {
  if (kindOf(value) !== "object") return false;
  const written = value as ApiObject;
  let source: ApiObject | undefined;
  if (isObject(stored)) {
    if (kindOf(stored) !== "object") return false;
    source = stored;
  }
  const expectedUid = storedCheckUid(source) ?? uid;
  let expectedKeys = 1;
  for (const key in source) {
    if (key !== CHECK_UID_KEY && !INTERNAL_METADATA_KEYS.includes(key)) expectedKeys++;
  }
  let keys = 0;
  for (const key in written) {
    if (key === "__proto__") return false;
    keys++;
    if (key === CHECK_UID_KEY) {
      if (written[key] !== expectedUid) return false;
    } else if (
      !source || !Object.hasOwn(source, key) || INTERNAL_METADATA_KEYS.includes(key) ||
      !surelySame(written[key], source[key])
    ) {
      return false;
    }
  }
  return keys === expectedKeys;
}

/**
 * True when {@link checkChanges} would find no change, decided without building the server
 * check's export (a plan meets thousands of unchanged checks, and that export is most of the
 * cost of comparing one).
 * False means "compare in full": a difference, a rule type whose export resolves references, or
 * anything else out of the ordinary. Kept honest by tests/config/check_unchanged_test.ts.
 */
export function checkUnchanged(doc: ApiObject, server: ApiObject, uid: string): boolean {
  const ruleType = server.rule_type;
  if (REFERENCE_RULE_TYPES.includes(ruleType as string)) return false;
  for (const key in doc) {
    if (!Object.hasOwn(doc, key)) continue;
    // Where the runtime has the `__proto__` accessor, the full comparison reads it.
    if (key === "__proto__") return false;
    const value = doc[key];
    let same: boolean;
    switch (key) {
      case "container_id": // CHECK_IGNORE
        same = true;
        break;
      case "description":
        same = surelySame(value, checkDescription(server));
        break;
      case "container":
        same = value === checkContainerName(server);
        break;
      case "fields":
        same = sameNames(value, server.fields);
        break;
      case "properties": {
        const properties = server.properties ?? NO_PROPERTIES;
        same = kindOf(properties) === "object" && surelySame(value, properties);
        break;
      }
      case "tags":
        same = sameNames(value, server.global_tags);
        break;
      case "status":
        same = surelySame(value, checkStatus(server));
        break;
      case "additional_metadata":
        same = sameCheckMetadata(value, server.additional_metadata, uid);
        break;
      case "rule_type":
      case "coverage":
      case "filter":
      case "anomaly_message_field":
        same = surelySame(value, server[key]);
        break;
      default:
        same = surelySame(value, undefined);
    }
    if (!same) return false;
  }
  return true;
}

/** Why a container of a datastore created in this run cannot be referenced with `--sync never`. */
const UNDISCOVERED_IN_NEW =
  " (the datastore is created in this run: only a sync discovers its containers, and --sync never)";

/** The problem of a reference to a container that `--prune` would delete. */
function prunedReference(name: string, what: string, datastore: string): string {
  return `Referenced container '${name}' (${what}) in datastore '${datastore}' would be deleted ` +
    `by --prune (its folder in containers/ is gone): restore its _container.yaml, or remove ` +
    `the files that still refer to it`;
}

/** Builds the plan of importing `folder` into `target`. */
export function planImport(
  folder: LoadedFolder,
  target: TargetState,
  options: PlanOptions = {},
): ImportPlan {
  const has = (kind: ExportResource) => !options.include || options.include.has(kind);
  const sync = options.sync ?? "auto";
  const problems: Problem[] = [...folder.problems];
  const items: PlanEntry[] = [];
  const syncs: PlannedSync[] = [];
  const lookups = lookupsOf(target);
  const connByName = byName(target.connections);
  const connById = new Map(target.connections.map((c) => [c.id as number, c]));
  const dsByName = byName(target.datastores);
  const dsById = new Map(target.datastores.map((d) => [d.id as number, d]));
  const folderConnections = new Set(folder.connections.map((c) => c.name));
  const folderDatastores = new Map(
    folder.datastores.filter((d) => d.name).map((d) => [d.name!, d]),
  );
  const prunes = new Map<LoadedDatastoreFolder, Map<string, ApiObject>>();
  /**
   * The computed containers `--prune` deletes from a datastore, by name: those config import
   * manages (a computed container made in the UI is never the folder's to delete) that are no
   * longer in the datastore's folder.
   */
  const pruneOf = (ds: LoadedDatastoreFolder, server: ApiObject | undefined) => {
    let out = prunes.get(ds);
    if (out) return out;
    out = new Map();
    if (options.prune && has("containers") && server) {
      const kept = new Set(ds.containers.map((c) => c.name));
      for (const existing of target.containers.get(server.id as number) ?? []) {
        const name = existing.name as string;
        if (
          isComputedContainer(existing) && !kept.has(name) &&
          isManaged(existing.additional_metadata)
        ) {
          out.set(name, existing);
        }
      }
    }
    prunes.set(ds, out);
    return out;
  };

  // --- connections
  for (const conn of folder.connections) {
    const server = connByName.get(conn.name);
    if (!server) {
      items.push({
        kind: "connection",
        action: "create",
        name: conn.name,
        file: conn.file,
        changes: creationChanges(conn.doc),
        connection: conn,
      });
      continue;
    }
    // The resolved values are compared (a `${PROD_HOST}` equal to the server's host is no
    // change); the folder's text (placeholders, never values) is what the plan shows.
    const changes = diffDocuments(conn.resolved, exportConnection(server), CONNECTION_IGNORE)
      .map((change) => ({ ...change, after: valueAtField(conn.doc, change.field) }));
    items.push({
      kind: "connection",
      action: changes.length ? "update" : "unchanged",
      name: conn.name,
      file: conn.file,
      id: server.id as number,
      changes,
      connection: conn,
      server,
    });
  }

  // --- datastores and everything below them
  for (const ds of folder.datastores) {
    const label = ds.name ?? ds.dir;
    const server = ds.id !== undefined ? dsById.get(ds.id) : dsByName.get(ds.name ?? "");
    if (ds.id !== undefined && !server) {
      problems.push({ file: "--datastore-id", message: `Datastore ${ds.id} not found` });
      continue;
    }
    const willExist = !!server || (has("datastores") && !!ds.datastore);
    const isNew = !server;
    if (ds.datastore && has("datastores")) {
      const doc = ds.datastore.doc;
      const connName = doc.connection_name;
      if (
        typeof connName === "string" && !folderConnections.has(connName) &&
        !connByName.has(connName)
      ) {
        const broken = folder.brokenConnections;
        // A connection file with problems of its own has been reported already.
        if (!broken?.names.includes(connName)) {
          problems.push({
            file: ds.datastore.file,
            message: `Connection '${connName}' not found for datastore '${label}' ` +
              (broken?.unreadable
                ? `(not on the target; it may be in a connections/ file that could not be read)`
                : `(neither in connections/ nor on the target)`),
          });
        }
      } else if (!server && connName === undefined && typeof doc.connection_id !== "number") {
        problems.push({
          file: ds.datastore.file,
          message: `Connection '(not specified)' not found for datastore '${label}'`,
        });
      }
      const enrich = doc.enrich_datastore_name;
      if (
        typeof enrich === "string" && enrich !== "" && !folderDatastores.has(enrich) &&
        !dsByName.has(enrich)
      ) {
        problems.push({
          file: ds.datastore.file,
          message:
            `Enrichment datastore '${enrich}' not found (neither in datastores/ nor on the target)`,
        });
      }
      if (!server) {
        items.push({
          kind: "datastore",
          action: "create",
          name: label,
          file: ds.datastore.file,
          changes: creationChanges(doc),
          folder: ds,
          link: typeof enrich === "string" && enrich ? enrich : undefined,
          bodyChanged: true,
        });
      } else {
        const current = exportDatastore(server, connById.get(server.connection_id as number));
        const changes = diffDocuments(doc, current, DATASTORE_IGNORE);
        const link = changes.some((c) => c.field === "enrich_datastore_name") && enrich
          ? enrich as string
          : undefined;
        items.push({
          kind: "datastore",
          action: changes.length ? "update" : "unchanged",
          name: label,
          file: ds.datastore.file,
          id: server.id as number,
          changes,
          folder: ds,
          server,
          link,
          bodyChanged: changes.some((c) => c.field !== "enrich_datastore_name"),
        });
      }
    } else if (
      // Without a usable _datastore.yaml, the folder's own problem has been reported already.
      ds.datastore && !server &&
      (ds.containers.length || ds.computedFields.length || ds.checks.length)
    ) {
      problems.push({
        file: ds.datastore.file,
        message:
          `Datastore '${label}' does not exist on the target (and --include leaves out datastores)`,
      });
      continue;
    }
    if (!willExist) continue;

    const dsName = (server?.name as string | undefined) ?? label;
    const serverContainers = server ? target.containers.get(server.id as number) ?? [] : [];
    const containerByName = byName(serverContainers);
    const folderContainers = new Set(ds.containers.map((c) => c.name));
    const pruned = pruneOf(ds, server);
    const pendingNames = new Set<string>();

    /**
     * Whether a container name will resolve in a datastore; records a problem (or a needed
     * sync) when it cannot.
     */
    const resolveContainer = (
      name: string,
      datastoreName: string | undefined,
      file: string,
      what: string,
    ): boolean => {
      const otherName = datastoreName && datastoreName !== dsName ? datastoreName : undefined;
      if (!otherName) {
        if (pruned.has(name)) {
          problems.push({ file, message: prunedReference(name, what, dsName) });
          return false;
        }
        if (folderContainers.has(name) || containerByName.has(name)) return true;
        if (sync !== "never") {
          // A new datastore is synced anyway; an existing one only when it has to be.
          if (!isNew) pendingNames.add(name);
          return true;
        }
        problems.push({
          file,
          message: `Referenced container '${name}' (${what}) not found in datastore '${dsName}'` +
            (isNew ? UNDISCOVERED_IN_NEW : " (and --sync never)"),
        });
        return false;
      }
      const other = dsByName.get(otherName);
      const otherFolder = folderDatastores.get(otherName);
      if (!other && !otherFolder) {
        problems.push({ file, message: `Referenced datastore '${otherName}' not found` });
        return false;
      }
      if (otherFolder && pruneOf(otherFolder, other).has(name)) {
        problems.push({ file, message: prunedReference(name, what, otherName) });
        return false;
      }
      if (otherFolder?.containers.some((c) => c.name === name)) return true;
      const found = !!other &&
        (target.containers.get(other.id as number) ?? []).some((c) => c.name === name);
      if (found || sync !== "never") return true;
      problems.push({
        file,
        message: `Referenced container '${name}' (${what}) not found in datastore '${otherName}'` +
          (other ? "" : UNDISCOVERED_IN_NEW),
      });
      return false;
    };
    const resolveRefProperties = (props: unknown, file: string): boolean => {
      if (!isObject(props)) return true;
      const refDs = props.ref_datastore_name;
      if (typeof refDs === "string" && !dsByName.has(refDs) && !folderDatastores.has(refDs)) {
        problems.push({ file, message: `Referenced datastore '${refDs}' not found` });
        return false;
      }
      if (typeof props.ref_container_name === "string") {
        return resolveContainer(
          props.ref_container_name,
          typeof refDs === "string" ? refDs : undefined,
          file,
          "ref_container_name",
        );
      }
      return true;
    };

    // --- computed containers
    const containerDeletes: PlanEntry[] = [];
    if (has("containers")) {
      for (const c of ds.containers) {
        const doc = c.doc;
        if (typeof doc.source_container_name === "string") {
          resolveContainer(doc.source_container_name, undefined, c.file, "source_container_name");
        }
        for (const side of ["left", "right"]) {
          const name = doc[`${side}_container_name`];
          if (typeof name === "string") {
            resolveContainer(
              name,
              doc[`${side}_datastore_name`] as string | undefined,
              c.file,
              `${side}_container_name`,
            );
          }
        }
        if (Array.isArray(doc.sources)) {
          for (const source of doc.sources) {
            if (isObject(source) && typeof source.container_name === "string") {
              resolveContainer(
                source.container_name,
                source.datastore_name as string | undefined,
                c.file,
                "sources",
              );
            }
          }
        }
        const existing = containerByName.get(c.name);
        if (!existing) {
          items.push({
            kind: "container",
            action: "create",
            name: c.name,
            datastore: dsName,
            file: c.file,
            changes: creationChanges(doc, new Set(["datastore_name"])),
            folder: ds,
            container_: c,
          });
          continue;
        }
        if (existing.container_type !== doc.container_type) {
          problems.push({
            file: c.file,
            message: `container '${c.name}' is a ${existing.container_type} on the target; ` +
              `its container_type cannot change to ${doc.container_type}`,
          });
          continue;
        }
        const changes = diffDocuments(
          emptyMetadataAsNull(doc),
          emptyMetadataAsNull(exportContainer(existing, dsName, lookups)),
          new Set(["datastore_name"]),
        );
        items.push({
          kind: "container",
          action: changes.length ? "update" : "unchanged",
          name: c.name,
          datastore: dsName,
          file: c.file,
          id: existing.id as number,
          changes,
          folder: ds,
          container_: c,
          server: existing,
        });
      }
      for (const existing of pruned.values()) {
        containerDeletes.push({
          kind: "container",
          action: "delete",
          name: existing.name as string,
          datastore: dsName,
          id: existing.id as number,
          changes: [],
          folder: ds,
          server: existing,
        });
      }
    }
    const deletedContainers = new Set(containerDeletes.map((d) => d.id));

    // --- tables named by a _container.yaml, for their computed fields: never written
    for (const table of ds.tables ?? []) {
      const existing = containerByName.get(table.name);
      if (existing && isComputedContainer(existing)) {
        problems.push({
          file: table.file,
          message: `container '${table.name}' is a ${existing.container_type} on the target, ` +
            `not a ${table.doc.container_type}: a computed container needs its own ` +
            `_container.yaml (its query, source or join)`,
        });
      }
    }

    // --- computed fields
    if (has("computed_fields")) {
      const fieldNamesByContainer = new Map<string, Set<string>>();
      for (const f of ds.computedFields) {
        const containerName = fieldContainerName(f, serverContainers);
        const set = fieldNamesByContainer.get(containerName) ?? new Set();
        set.add(f.name);
        fieldNamesByContainer.set(containerName, set);
        resolveContainer(containerName, undefined, f.file, "the computed field's container");
        resolveRefProperties(f.doc.properties, f.file);
        const container = containerByName.get(containerName);
        const existing = container
          ? (target.computedFields.get(container.id as number) ?? []).find((x) => x.name === f.name)
          : undefined;
        if (!existing) {
          items.push({
            kind: "computed_field",
            action: "create",
            name: f.name,
            datastore: dsName,
            container: containerName,
            file: f.file,
            changes: creationChanges(f.doc),
            folder: ds,
            field: f,
          });
          continue;
        }
        const changes = diffDocuments(
          emptyMetadataAsNull(f.doc),
          emptyMetadataAsNull(exportComputedField(existing, lookups)),
        );
        items.push({
          kind: "computed_field",
          action: changes.length ? "update" : "unchanged",
          name: f.name,
          datastore: dsName,
          container: containerName,
          file: f.file,
          id: existing.id as number,
          changes,
          folder: ds,
          field: f,
          server: existing,
        });
      }
      if (options.prune) {
        for (const container of serverContainers) {
          if (deletedContainers.has(container.id as number)) continue;
          const keep = fieldNamesByContainer.get(container.name as string) ?? new Set();
          for (const existing of target.computedFields.get(container.id as number) ?? []) {
            if (keep.has(existing.name as string)) continue;
            if (!isManaged(existing.additional_metadata)) continue;
            items.push({
              kind: "computed_field",
              action: "delete",
              name: existing.name as string,
              datastore: dsName,
              container: container.name as string,
              id: existing.id as number,
              changes: [],
              folder: ds,
              server: existing,
            });
          }
        }
      }
    }

    // --- checks
    if (has("checks")) {
      const serverChecks = server ? target.checks.get(server.id as number) ?? [] : [];
      const { byUid, shared } = serverCheckUids(serverChecks);
      const matched = new Set<number>();
      for (const check of ds.checks) {
        const doc = check.doc;
        const sharedUid = shared.size ? sharedUidOf(check.uid, shared, byUid) : undefined;
        if (sharedUid !== undefined) {
          const ids = shared.get(sharedUid)!;
          problems.push({
            file: check.file,
            message: `checks ${ids.join(", ")} on the target all store the UID '${sharedUid}', ` +
              `so which of them this file is cannot be told: give each its own ` +
              `additional_metadata._qualytics_check_uid on the target (or remove all but one), ` +
              `then import again`,
          });
          // None of them is the folder's to delete (--prune) either.
          for (const id of ids) matched.add(id);
          continue;
        }
        let containerOk = true;
        if (typeof doc.container_id === "number") {
          if (!serverContainers.some((c) => c.id === doc.container_id)) {
            problems.push({
              file: check.file,
              message: `Container ID ${doc.container_id} not found in datastore ${dsName}`,
            });
            containerOk = false;
          }
        } else {
          containerOk = resolveContainer(check.containerName, undefined, check.file, "container");
        }
        const refsOk = resolveRefProperties(doc.properties, check.file);
        const existing = byUid.get(check.uid);
        if (!existing && target.ruleTypes && !target.ruleTypes.has(doc.rule_type as string)) {
          problems.push({
            file: check.file,
            message: unknownRuleType(doc.rule_type as string, target.ruleTypes),
          });
          continue;
        }
        if (!existing) {
          items.push({
            kind: "check",
            action: "create",
            name: check.uid,
            datastore: dsName,
            container: check.containerName,
            file: check.file,
            changes: creationChanges(doc),
            folder: ds,
            check,
          });
          continue;
        }
        matched.add(existing.id as number);
        if (!containerOk || !refsOk) continue;
        let changes: FieldChange[] = [];
        let serverCheck = existing;
        if (
          existing.deleted_at ||
          !(target.comparedAhead?.(doc, existing, check.uid) ??
            checkUnchanged(doc, existing, check.uid))
        ) {
          serverCheck = target.exactCheck?.(existing) ?? existing;
          const container = checkContainerName(serverCheck);
          if (typeof doc.container === "string" && doc.container !== container) {
            problems.push({
              file: check.file,
              message: `check ${check.uid} is on container '${container}' on the target; ` +
                `a check cannot move to '${doc.container}' (delete it there first)`,
            });
            continue;
          }
          changes = checkChanges(doc, serverCheck, check.uid, lookups);
          if (existing.deleted_at) {
            changes.push({ field: "archived", before: true, after: false });
          }
        }
        items.push({
          kind: "check",
          action: changes.length ? "update" : "unchanged",
          name: check.uid,
          datastore: dsName,
          container: check.containerName,
          file: check.file,
          id: existing.id as number,
          changes,
          folder: ds,
          check,
          server: serverCheck,
        });
      }
      if (options.prune) {
        for (const existing of serverChecks) {
          const uid = storedCheckUid(existing.additional_metadata);
          if (!uid || existing.deleted_at || matched.has(existing.id as number)) continue;
          items.push({
            kind: "check",
            action: "delete",
            name: uid,
            datastore: dsName,
            container: checkContainerName(existing),
            id: existing.id as number,
            changes: [],
            folder: ds,
            server: target.exactCheck?.(existing) ?? existing,
          });
        }
      }
    }
    items.push(...containerDeletes);

    // --- sync
    const created = items.some((i) =>
      i.kind === "datastore" && i.folder === ds && i.action === "create"
    );
    if (sync === "always" || (sync === "auto" && created)) {
      syncs.push({
        datastore: dsName,
        id: server?.id as number | undefined,
        reason: sync === "always" ? "--sync always" : "created in this run",
      });
    } else if (sync === "auto" && pendingNames.size) {
      syncs.push({
        datastore: dsName,
        id: server?.id as number | undefined,
        reason: `containers not discovered yet: ${[...pendingNames].sort().join(", ")}`,
      });
    }
  }
  return { items: orderItems(items), syncs, problems, target };
}

/** Dependency order of kinds, deletes of each kind first (so they are seen first). */
function orderItems(items: PlanEntry[]): PlanEntry[] {
  const rank = (item: PlanEntry) =>
    PLAN_KINDS.indexOf(item.kind) * 2 + (item.action === "delete" ? 0 : 1);
  return items.map((item, index) => ({ item, index }))
    .sort((a, b) => rank(a.item) - rank(b.item) || a.index - b.index)
    .map(({ item }) => item);
}

/** Counts per kind and action. */
export function planCounts(
  plan: { items: PlanItem[] },
): Record<PlanKind, Record<PlanAction, number>> {
  const out = {} as Record<PlanKind, Record<PlanAction, number>>;
  for (const kind of PLAN_KINDS) out[kind] = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const item of plan.items) out[item.kind][item.action]++;
  return out;
}

/** Whether the plan changes anything (creates, updates, deletes or syncs). */
export function planHasChanges(plan: ImportPlan): boolean {
  return plan.syncs.length > 0 || plan.items.some((i) => i.action !== "unchanged");
}

/** The plan as plain data (what `--format json` prints): no internal links, no secrets. */
export function planToData(plan: ImportPlan): ApiObject {
  const counts = planCounts(plan);
  return {
    changes: planHasChanges(plan),
    summary: counts,
    items: plan.items.map((item) => {
      const out: ApiObject = { kind: item.kind, action: item.action, name: item.name };
      if (item.datastore !== undefined) out.datastore = item.datastore;
      if (item.container !== undefined) out.container = item.container;
      if (item.file !== undefined) out.file = item.file;
      if (item.id !== undefined) out.id = item.id;
      if (item.action === "update") {
        out.changes = item.changes.map((c) => ({
          field: c.field,
          before: c.before ?? null,
          after: c.after ?? null,
        }));
      }
      return out;
    }),
    syncs: plan.syncs,
    problems: plan.problems,
  };
}
