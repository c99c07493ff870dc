/**
 * Option parsing shared by `config export/import --include` and `checks export`
 * (`config-as-code.md` §10.4, §11). Pure: errors are returned, not printed.
 *
 * @module
 */

import { EXPORT_RESOURCES, type ExportResource } from "./plan.ts";

/** Thrown for an `--include` value that names no resource kind. */
export class InvalidIncludeError extends Error {
  constructor(readonly invalid: string[]) {
    super(
      `Invalid --include value(s): ${invalid.join(", ")}. Valid: ${
        [...EXPORT_RESOURCES].sort().join(", ")
      }`,
    );
    this.name = "InvalidIncludeError";
  }
}

/**
 * `--include a,b`: split on `,`, trimmed, lower-cased, empties dropped; `undefined` (all kinds)
 * when the option is absent.
 *
 * @throws {InvalidIncludeError} listing the unknown values, sorted
 */
export function parseInclude(text: string | undefined): Set<ExportResource> | undefined {
  if (text === undefined) return undefined;
  const values = new Set(
    text.split(",").map((item) => item.trim().toLowerCase()).filter((item) => item !== ""),
  );
  const valid = new Set<string>(EXPORT_RESOURCES);
  const invalid = [...values].filter((value) => !valid.has(value)).sort();
  if (invalid.length) throw new InvalidIncludeError(invalid);
  return values as Set<ExportResource>;
}

/** A comma list option such as `--containers "[1, 2]"`: brackets stripped, items trimmed. */
export function parseListOption(text: string | undefined): string[] {
  if (text === undefined) return [];
  let body = text.trim();
  if (body.startsWith("[")) body = body.slice(1);
  if (body.endsWith("]")) body = body.slice(0, -1);
  return body.split(",").map((item) => item.trim()).filter((item) => item !== "");
}

/** Filters of `checks export`. */
export interface ChecksExportFilters {
  datastoreId: number;
  /** `--containers`, already parsed to ids. */
  containers?: readonly number[];
  /** `--tags`. */
  tags?: readonly string[];
  /** `--status` as given (`archived` in any case means archived checks only). */
  status?: string;
}

/** Whether `checks export` filters make the export partial. */
export function isFilteredChecksExport(filters: ChecksExportFilters): boolean {
  return Boolean(filters.containers?.length || filters.tags?.length || filters.status);
}

/**
 * The query of `GET /quality-checks` for `checks export` (without paging): `datastore`, one
 * `container` and `tag` per value, then `status=<Capitalized>` or `archived=only`.
 */
export function checksExportQuery(filters: ChecksExportFilters): [string, string][] {
  const query: [string, string][] = [["datastore", String(filters.datastoreId)]];
  for (const id of filters.containers ?? []) query.push(["container", String(id)]);
  for (const tag of filters.tags ?? []) query.push(["tag", tag]);
  if (filters.status !== undefined && filters.status !== "") {
    if (filters.status.toLowerCase() === "archived") query.push(["archived", "only"]);
    else {
      const status = filters.status;
      query.push(["status", status.charAt(0).toUpperCase() + status.slice(1).toLowerCase()]);
    }
  }
  return query;
}
