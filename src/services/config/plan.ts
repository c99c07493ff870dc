/**
 * The files `config export` and `checks export` write, computed from already fetched API objects
 * (`config-as-code.md` §1, §6, §10.1, §10.4). Pure: the caller fetches, then writes the planned
 * `{path, content}` list below its output folder.
 *
 * @module
 */

import { dumpYaml } from "../../util/yaml.ts";
import {
  assignCheckUids,
  checkContainerDirName,
  CheckFileNamer,
  checkFileStem,
  computedFieldFileName,
  connectionFileName,
  containerDirName,
  datastoreDirName,
  datastoreDisplayName,
  storedCheckUid,
} from "./naming.ts";
import {
  type ApiObject,
  checkContainerName,
  checkFieldNames,
  exportCheck,
  exportComputedField,
  exportConnection,
  exportContainer,
  exportDatastore,
  type ExportLookups,
  isComputedContainer,
} from "./transform.ts";

/** Resource kinds of `config export --include`, in the order of the summary table. */
export const EXPORT_RESOURCES = [
  "connections",
  "datastores",
  "containers",
  "computed_fields",
  "checks",
] as const;

/** One resource kind of `config export` / `config import`. */
export type ExportResource = typeof EXPORT_RESOURCES[number];

/** A file to write: `path` is relative to the output folder and uses `/`. */
export interface PlannedFile {
  path: string;
  content: string;
}

/** Everything `config export` fetched for one `--datastore-id`. */
export interface DatastoreExport {
  /** `GET /datastores/{id}`. */
  datastore: ApiObject;
  /** `GET /connections/{datastore.connection_id}` (or the embedded `connection` object). */
  connection?: ApiObject | null;
  /** The connection of the datastore's enrichment datastore, when it has one. */
  enrichmentConnection?: ApiObject | null;
  /** `GET /containers?datastore=ID` (not archived), API order. */
  containers: readonly ApiObject[];
  /**
   * Container id → `computed_fields` of `GET /containers/{id}`, used for containers whose
   * listing item has none (the listing never has them).
   */
  computedFields?: ReadonlyMap<number, readonly ApiObject[]>;
  /** `GET /quality-checks?datastore=ID` (server default filter), API order. */
  checks: readonly ApiObject[];
}

/** The files of an export and the numbers of its summary table ("exported", not "changed"). */
export interface ExportPlan {
  files: PlannedFile[];
  counts: Record<ExportResource, number>;
}

/** The files of one checks export and the numbers `checks export` prints. */
export interface ChecksPlan {
  files: PlannedFile[];
  /** Number of checks written. */
  exported: number;
  /** Number of distinct container directories. */
  containers: number;
}

/** Keeps the last content for a path written twice (slug collisions overwrite, as on disk). */
class FileList {
  private readonly byPath = new Map<string, string>();
  add(path: string, content: string): void {
    this.byPath.set(path, content);
  }
  addAll(prefix: string, files: PlannedFile[]): void {
    for (const file of files) this.add(prefix + file.path, file.content);
  }
  toArray(): PlannedFile[] {
    return [...this.byPath].map(([path, content]) => ({ path, content }));
  }
}

/** `lookups` plus the exported datastores and their listed containers. */
export function withOwnObjects(
  lookups: ExportLookups,
  datastores: readonly DatastoreExport[],
): ExportLookups {
  const containers = new Map(lookups.containers);
  const datastoreMap = new Map(lookups.datastores);
  for (const entry of datastores) {
    for (const container of entry.containers) {
      if (typeof container.id === "number" && !containers.has(container.id)) {
        containers.set(container.id, container);
      }
    }
    const id = entry.datastore.id;
    if (typeof id === "number" && !datastoreMap.has(id)) datastoreMap.set(id, entry.datastore);
  }
  return { containers, datastores: datastoreMap };
}

/**
 * The check files of one datastore, relative to the checks folder: `<container dir>/<file>`,
 * duplicates numbered `_2`, `_3` … in API order, each check with its UID (a stored UID wins;
 * the k-th check sharing a computed UID gets `<uid>__<k>`). Rendered one at a time, as the
 * caller takes them.
 *
 * @param checks the checks in API order
 * @param lookups names for `ref_container_id` / `ref_datastore_id` of reference rules
 * @param numbering when `checks` is a filtered part of the datastore's checks: the checks of
 *   the unfiltered export, in API order. UIDs and file names are then numbered over these, so
 *   each check gets the UID and file it has in the unfiltered export; checks that are not among
 *   them (archived ones) are numbered after them, in their order.
 */
export function* checkFiles(
  checks: readonly ApiObject[],
  lookups: ExportLookups,
  numbering?: readonly ApiObject[],
): Generator<PlannedFile> {
  const { order, positions } = numbering
    ? numberingOrder(checks, numbering)
    : { order: checks, positions: undefined };
  const uids = assignCheckUids(order.map((check) => ({
    containerName: checkContainerName(check),
    ruleType: typeof check.rule_type === "string" ? check.rule_type : "",
    fieldNames: checkFieldNames(check),
    storedUid: storedCheckUid(check.additional_metadata),
  })));
  const namer = new CheckFileNamer();
  const pathOf = (check: ApiObject) =>
    namer.next(
      checkContainerDirName(checkContainerName(check)),
      checkFileStem(
        typeof check.rule_type === "string" ? check.rule_type : "",
        checkFieldNames(check),
      ),
    );
  const paths = positions && order.map(pathOf);
  for (const [index, check] of checks.entries()) {
    const at = positions ? positions[index] : index;
    yield {
      path: paths ? paths[at] : pathOf(check),
      content: dumpYaml(exportCheck(check, uids[at], lookups)),
    };
  }
}

/**
 * The order a filtered export numbers its checks in (the unfiltered checks, then the given
 * checks they lack) and the position of each given check in it (matched by `id`).
 */
function numberingOrder(
  checks: readonly ApiObject[],
  numbering: readonly ApiObject[],
): { order: readonly ApiObject[]; positions: number[] } {
  const order = [...numbering];
  const byId = new Map<unknown, number>();
  for (const [index, check] of numbering.entries()) {
    if (check.id !== undefined && check.id !== null && !byId.has(check.id)) {
      byId.set(check.id, index);
    }
  }
  const positions = checks.map((check) => {
    const at = check.id === undefined || check.id === null ? undefined : byId.get(check.id);
    return at ?? order.push(check) - 1;
  });
  return { order, positions };
}

/**
 * The check files of one datastore ({@link checkFiles}, all of them) and the numbers
 * `checks export` prints; `numbering` as for {@link checkFiles}.
 */
export function planChecksExport(
  checks: readonly ApiObject[],
  lookups: ExportLookups,
  numbering?: readonly ApiObject[],
): ChecksPlan {
  return checksPlanOf(checkFiles(checks, lookups, numbering), checks.length);
}

/** A {@link ChecksPlan} of rendered check files (a path written twice keeps its last content). */
export function checksPlanOf(rendered: Iterable<PlannedFile>, exported: number): ChecksPlan {
  const files = new FileList();
  const directories = new Set<string>();
  for (const file of rendered) {
    directories.add(file.path.slice(0, file.path.indexOf("/")));
    files.add(file.path, file.content);
  }
  return { files: files.toArray(), exported, containers: directories.size };
}

/**
 * The files of `config export` for the given datastores (in `--datastore-id` order): connection
 * files (once per connection name), `_datastore.yaml`, `_container.yaml` of computed containers,
 * computed field files and check files, with the summary counts.
 *
 * @param lookups containers and datastores referenced from elsewhere (other datastores); the
 *   exported datastores and their listed containers are added automatically
 * @param options.include the resource kinds to export (all when absent)
 * @param options.checks the check plan of each datastore (by index), when already made
 */
export function planConfigExport(
  datastores: readonly DatastoreExport[],
  lookups: ExportLookups = { containers: new Map(), datastores: new Map() },
  options: { include?: Iterable<ExportResource>; checks?: readonly ChecksPlan[] } = {},
): ExportPlan {
  const include = new Set<ExportResource>(options.include ?? EXPORT_RESOURCES);
  const all = withOwnObjects(lookups, datastores);
  const counts: Record<ExportResource, number> = {
    connections: 0,
    datastores: 0,
    containers: 0,
    computed_fields: 0,
    checks: 0,
  };
  const files = new FileList();
  const seenConnections = new Set<string>();

  const writeConnection = (connection: ApiObject | null | undefined) => {
    if (!connection || typeof connection.name !== "string" || !connection.name) return;
    if (seenConnections.has(connection.name)) return;
    seenConnections.add(connection.name);
    files.add(
      `connections/${connectionFileName(connection)}`,
      dumpYaml(exportConnection(connection)),
    );
    counts.connections++;
  };

  for (const [index, entry] of datastores.entries()) {
    const { datastore } = entry;
    const name = datastoreDisplayName(datastore);
    const root = `datastores/${datastoreDirName(datastore)}`;
    const connection = entry.connection ??
      (isPlainObject(datastore.connection) ? datastore.connection : null);

    if (include.has("connections")) {
      writeConnection(connection);
      if (isPlainObject(datastore.enrich_datastore)) writeConnection(entry.enrichmentConnection);
    }
    if (include.has("datastores")) {
      files.add(`${root}/_datastore.yaml`, dumpYaml(exportDatastore(datastore, connection)));
      counts.datastores++;
    }
    if (include.has("containers") || include.has("computed_fields")) {
      for (const container of entry.containers) {
        const dir = `${root}/containers/${containerDirName(container)}`;
        if (include.has("containers") && isComputedContainer(container)) {
          files.add(`${dir}/_container.yaml`, dumpYaml(exportContainer(container, name, all)));
          counts.containers++;
        }
        if (include.has("computed_fields")) {
          for (const field of computedFieldsOf(container, entry.computedFields)) {
            files.add(
              `${dir}/computed_fields/${computedFieldFileName(field)}`,
              dumpYaml(exportComputedField(field, all)),
            );
            counts.computed_fields++;
          }
        }
      }
    }
    if (include.has("checks") && entry.checks.length) {
      const checks = options.checks?.[index] ?? planChecksExport(entry.checks, all);
      files.addAll(`${root}/checks/`, checks.files);
      counts.checks += checks.exported;
    }
  }
  return { files: files.toArray(), counts };
}

function isPlainObject(value: unknown): value is ApiObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function computedFieldsOf(
  container: ApiObject,
  fetched: ReadonlyMap<number, readonly ApiObject[]> | undefined,
): readonly ApiObject[] {
  const own = container.computed_fields;
  if (Array.isArray(own) && own.length) return own.filter(isPlainObject);
  const id = container.id;
  return (typeof id === "number" ? fetched?.get(id) : undefined) ?? [];
}
