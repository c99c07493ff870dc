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
  computedFieldStem,
  connectionStem,
  containerDirName,
  datastoreDirName,
  datastoreDisplayName,
  numberStems,
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

/**
 * The server's whole lists of connections and datastores, which the paths of an export are
 * numbered over ({@link numberStems}): a resource gets the same path whatever subset of them
 * an export writes.
 */
export interface ExportListings {
  /** Every connection (`GET /connections`, all pages). */
  connections?: readonly ApiObject[];
  /** Every datastore, source and enrichment ones (`listAllDatastores`). */
  datastores?: readonly ApiObject[];
}

/**
 * A resource written under a numbered path (`<stem>_<k>`) because an earlier one of its kind
 * (lower id) has a name with the same stem: rename one of them to get a path of its own.
 */
export interface NumberedPath {
  kind: "connection" | "datastore" | "container" | "computed_field";
  /** The resource's name. */
  name: string;
  /** The file or folder written, relative to the output folder. */
  path: string;
  /** The stem its name shares with another resource's (`orders`). */
  stem: string;
  /** The datastore of a container or computed field. */
  datastore?: string;
  /** The container of a computed field. */
  container?: string;
}

/** The files of an export and the numbers of its summary table ("exported", not "changed"). */
export interface ExportPlan {
  files: PlannedFile[];
  counts: Record<ExportResource, number>;
  /** Resources written under a numbered path, in plan order. */
  numbered: NumberedPath[];
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
  /** Number of distinct paths. */
  get size(): number {
    return this.byPath.size;
  }
  addAll(prefix: string, files: PlannedFile[]): void {
    for (const file of files) this.add(prefix + file.path, file.content);
  }
  toArray(): PlannedFile[] {
    return [...this.byPath].map(([path, content]) => ({ path, content }));
  }
}

/**
 * Stems of `items`, numbered over `all` (the server's whole list of the kind) with `items`
 * standing in for their entries there (matched by id) and added when `all` lacks them.
 */
function numberedOver(
  items: readonly ApiObject[],
  all: readonly ApiObject[],
  stemOf: (item: ApiObject) => string,
): string[] {
  const own = new Map<number, ApiObject>();
  for (const item of items) if (typeof item.id === "number") own.set(item.id, item);
  const listed = new Set<number>();
  const pool: ApiObject[] = [];
  for (const item of all) {
    if (typeof item.id === "number") {
      if (listed.has(item.id)) continue;
      listed.add(item.id);
    }
    pool.push(typeof item.id === "number" ? own.get(item.id) ?? item : item);
  }
  for (const item of items) {
    if (typeof item.id !== "number" || !listed.has(item.id)) pool.push(item);
  }
  const stems = numberStems(pool, stemOf, (item) => item.id);
  const byItem = new Map(pool.map((item, index) => [item, stems[index]]));
  const byId = new Map<number, string>();
  for (const [index, item] of pool.entries()) {
    if (typeof item.id === "number" && !byId.has(item.id)) byId.set(item.id, stems[index]);
  }
  return items.map((item) =>
    byItem.get(item) ?? (typeof item.id === "number" ? byId.get(item.id) : undefined) ??
      stemOf(item)
  );
}

/**
 * The folder names (`datastores/<dir>/`) of exported datastores, in their order: their
 * {@link datastoreDirName}, numbered over `all` (the server's datastores, enrichment ones too).
 */
export function datastoreDirs(
  datastores: readonly ApiObject[],
  all: readonly ApiObject[] = [],
): string[] {
  return numberedOver(datastores, all, datastoreDirName);
}

/**
 * The file stems (`connections/<stem>.yaml`) of connections by name: one per name (the one
 * with the lowest id stands for a name several connections have), numbered over `all` (the
 * server's connections) plus `connections`.
 */
export function connectionStems(
  connections: readonly ApiObject[],
  all: readonly ApiObject[] = [],
): Map<string, string> {
  const byName = new Map<string, ApiObject>();
  for (const connection of [...all, ...connections]) {
    const name = connection.name;
    if (typeof name !== "string" || name === "") continue;
    const known = byName.get(name);
    const id = connection.id, knownId = known?.id;
    const lower = typeof id === "number" && (typeof knownId !== "number" || id < knownId);
    if (!known || lower) byName.set(name, connection);
  }
  const unique = [...byName.values()];
  const stems = numberStems(unique, connectionStem, (connection) => connection.id);
  return new Map(unique.map((connection, index) => [connection.name as string, stems[index]]));
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
 * files (once per connection name), `_datastore.yaml`, `_container.yaml` of computed containers
 * (and one naming a table with computed fields whose folder is not its name), computed field
 * files and check files, with the summary counts. Names that share a stem are numbered
 * (`<stem>_<k>`, listed in `numbered`), names that slug to nothing get `<kind>_<hash>`.
 *
 * @param lookups containers and datastores referenced from elsewhere (other datastores); the
 *   exported datastores and their listed containers are added automatically
 * @param options.include the resource kinds to export (all when absent)
 * @param options.checks the check plan of each datastore (by index), when already made
 * @param options.listings the instance's connections and datastores, numbered over (else the
 *   exported ones alone are)
 */
export function planConfigExport(
  datastores: readonly DatastoreExport[],
  lookups: ExportLookups = { containers: new Map(), datastores: new Map() },
  options: {
    include?: Iterable<ExportResource>;
    checks?: readonly ChecksPlan[];
    listings?: ExportListings;
  } = {},
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
  const numbered: NumberedPath[] = [];
  const seenConnections = new Set<string>();
  const exportedConnections: ApiObject[] = [];
  for (const entry of datastores) {
    for (const connection of [entry.connection, entry.datastore.connection]) {
      if (isPlainObject(connection)) exportedConnections.push(connection);
    }
    if (entry.enrichmentConnection) exportedConnections.push(entry.enrichmentConnection);
  }
  const connectionStemOf = include.has("connections")
    ? connectionStems(exportedConnections, options.listings?.connections)
    : new Map<string, string>();
  const dirs = datastoreDirs(
    datastores.map((entry) => entry.datastore),
    options.listings?.datastores,
  );

  const writeConnection = (connection: ApiObject | null | undefined) => {
    if (!connection || typeof connection.name !== "string" || !connection.name) return;
    if (seenConnections.has(connection.name)) return;
    seenConnections.add(connection.name);
    const base = connectionStem(connection);
    const stem = connectionStemOf.get(connection.name) ?? base;
    const path = `connections/${stem}.yaml`;
    files.add(path, dumpYaml(exportConnection(connection, stem)));
    if (stem !== base) {
      numbered.push({ kind: "connection", name: connection.name, path, stem: base });
    }
    counts.connections++;
  };

  for (const [index, entry] of datastores.entries()) {
    const { datastore } = entry;
    const name = datastoreDisplayName(datastore);
    const dirName = dirs[index];
    const root = `datastores/${dirName}`;
    const connection = entry.connection ??
      (isPlainObject(datastore.connection) ? datastore.connection : null);

    if (include.has("connections")) {
      writeConnection(connection);
      if (isPlainObject(datastore.enrich_datastore)) writeConnection(entry.enrichmentConnection);
    }
    // The datastore's own warning comes first, when anything is written into its folder.
    const [datastoreMark, datastoreFiles] = [numbered.length, files.size];
    if (include.has("datastores")) {
      files.add(`${root}/_datastore.yaml`, dumpYaml(exportDatastore(datastore, connection)));
      counts.datastores++;
    }
    if (include.has("containers") || include.has("computed_fields")) {
      const containerDirs = numberStems(entry.containers, containerDirName, (c) => c.id);
      for (const [at, container] of entry.containers.entries()) {
        const dirName = containerDirs[at];
        const dir = `${root}/containers/${dirName}`;
        const containerName = typeof container.name === "string" ? container.name : "";
        const [containerMark, containerFiles] = [numbered.length, files.size];
        if (include.has("containers") && isComputedContainer(container)) {
          files.add(`${dir}/_container.yaml`, dumpYaml(exportContainer(container, name, all)));
          counts.containers++;
        }
        const fields = include.has("computed_fields")
          ? computedFieldsOf(container, entry.computedFields)
          : [];
        // Config import finds the table of `containers/<dir>/computed_fields/` by the folder's
        // name when there is no `_container.yaml` (§8.4): when that is not its name, a file
        // naming it (never imported as a container itself) tells which table it is.
        if (
          fields.length && !isComputedContainer(container) && containerName &&
          dirName !== containerName
        ) {
          files.add(
            `${dir}/_container.yaml`,
            dumpYaml({ name: containerName, container_type: container.container_type ?? null }),
          );
        }
        const fieldStems = numberStems(fields, computedFieldStem, (field) => field.id);
        for (const [k, field] of fields.entries()) {
          const path = `${dir}/computed_fields/${fieldStems[k]}.yaml`;
          files.add(path, dumpYaml(exportComputedField(field, all)));
          counts.computed_fields++;
          if (fieldStems[k] !== computedFieldStem(field)) {
            numbered.push({
              kind: "computed_field",
              name: typeof field.name === "string" ? field.name : "",
              path,
              stem: computedFieldStem(field),
              datastore: name,
              container: containerName,
            });
          }
        }
        if (files.size > containerFiles && dirName !== containerDirName(container)) {
          numbered.splice(containerMark, 0, {
            kind: "container",
            name: containerName,
            path: `${dir}/`,
            stem: containerDirName(container),
            datastore: name,
          });
        }
      }
    }
    if (include.has("checks") && entry.checks.length) {
      const checks = options.checks?.[index] ?? planChecksExport(entry.checks, all);
      files.addAll(`${root}/checks/`, checks.files);
      counts.checks += checks.exported;
    }
    if (files.size > datastoreFiles && dirName !== datastoreDirName(datastore)) {
      numbered.splice(datastoreMark, 0, {
        kind: "datastore",
        name,
        path: `${root}/`,
        stem: datastoreDirName(datastore),
      });
    }
  }
  return { files: files.toArray(), counts, numbered };
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
