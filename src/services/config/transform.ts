/**
 * Pure transformations from API objects (as the controlplane serves them) to the documents
 * config-as-code writes (`config-as-code.md` §7), with ids replaced by names and secrets by
 * `${...}` placeholders. Key order matters: the YAML emitter writes keys in insertion order, and
 * these functions insert them exactly where the original does.
 *
 * @module
 */

import {
  CHECK_UID_KEY,
  MANAGED_KEY,
  MANAGED_WITHOUT_METADATA,
  secretPlaceholder,
} from "./naming.ts";
import { CONNECTION_SECRET_KEYS } from "../../api/connections.ts";
import { setOwn } from "../../util/json.ts";

/** A JSON object as the API returns it (key order preserved). */
export type ApiObject = Record<string, unknown>;

/**
 * Name lookups the transformations need. Container ids are global, so one map serves every
 * datastore of an export; the caller fills it from the container listings plus the containers
 * fetched because something references them.
 */
export interface ExportLookups {
  /** Container id → container object (at least `name` and `datastore: {id, name}`). */
  containers: ReadonlyMap<number, ApiObject>;
  /** Datastore id → datastore object (at least `name`). */
  datastores: ReadonlyMap<number, ApiObject>;
}

function isObject(value: unknown): value is ApiObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isInt(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

/** Tag, team and field references as names: objects → `.name`, strings kept. */
export function namesOf(list: unknown): unknown[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => isObject(item) ? item.name : item);
}

function nameIn(map: ReadonlyMap<number, ApiObject>, id: unknown): string | undefined {
  if (!isInt(id)) return undefined;
  const name = map.get(id)?.name;
  return typeof name === "string" ? name : undefined;
}

function datastoreNameOf(container: ApiObject | undefined): string | undefined {
  const datastore = container?.datastore;
  return isObject(datastore) && typeof datastore.name === "string" ? datastore.name : undefined;
}

// --- §7.1 connection -------------------------------------------------------------------------

const CONNECTION_DROP = new Set([
  "id",
  "created",
  "connection_type",
  "datastores",
  "product_name",
  "product_version",
  "driver_name",
  "driver_version",
]);

/**
 * The `connections/<slug>.yaml` document: server-only keys dropped, secrets replaced by
 * `${<SLUG>_<FIELD>}` placeholders, and the placeholder a JDBC connection (`password`) or a DFS
 * connection with an access key (`secret_key`) needs appended when the server did not return it.
 * `stem`: the connection's file stem, which the placeholders then follow (see
 * `secretPlaceholder`).
 */
export function exportConnection(connection: ApiObject, stem?: string): ApiObject {
  const name = typeof connection.name === "string" ? connection.name : "";
  const out: ApiObject = {};
  for (const [key, value] of Object.entries(connection)) {
    if (CONNECTION_DROP.has(key)) continue;
    if (key === "secrets_manager" && isObject(value)) {
      const manager: ApiObject = { ...value };
      if (!("credentials_payload" in manager)) {
        manager.credentials_payload = secretPlaceholder(name, "credentials_payload", stem);
      }
      out[key] = manager;
    } else if (CONNECTION_SECRET_KEYS.includes(key)) {
      out[key] = secretPlaceholder(name, key, stem);
    } else {
      setOwn(out, key, value);
    }
  }
  const type = typeof connection.connection_type === "string"
    ? connection.connection_type.toLowerCase()
    : "";
  const hasManager = isObject(connection.secrets_manager);
  if (type === "jdbc" && connection.username && !hasManager && !("password" in out)) {
    out.password = secretPlaceholder(name, "password", stem);
  }
  if (type === "dfs" && connection.access_key && !hasManager && !("secret_key" in out)) {
    out.secret_key = secretPlaceholder(name, "secret_key", stem);
  }
  return out;
}

// --- §7.2 datastore --------------------------------------------------------------------------

const DATASTORE_DROP = new Set([
  "id",
  "created",
  "connected",
  "favorite",
  "latest_operation",
  "metrics",
  "anomaly_count",
  "check_count",
  "container_count",
  "field_count",
  "record_count",
  "score",
  "overall_score",
  "completeness_score",
  "conformity_score",
  "consistency_score",
  "precision_score",
  "timeliness_score",
  "volume_score",
  "accuracy_score",
  "uniqueness_score",
  "containers",
  "connection",
  "connection_id",
  "product_name",
  "product_version",
  "driver_name",
  "driver_version",
  // Connection-level keys the datastore endpoint echoes back (read-only there).
  "jdbc_url",
  "host",
  "port",
  "username",
  "parameters",
  "jdbc_fetch_size",
  "max_parallelization",
  "secrets_manager",
  "store_type",
  "type",
  "group",
  "linked_datastores",
  "has_scheduled_operations",
  "enrich_datastore",
]);

/**
 * The `_datastore.yaml` document: `connection_name` (from the resolved connection) and
 * `enrich_datastore_name` first, then the datastore's own keys minus server-only and
 * connection-level ones, with `global_tags` written as `tags` and teams/tags as names.
 *
 * @param connection the datastore's connection (`GET /connections/{connection_id}`), if known
 */
export function exportDatastore(datastore: ApiObject, connection?: ApiObject | null): ApiObject {
  const out: ApiObject = {};
  const resolved = isObject(connection)
    ? connection
    : isObject(datastore.connection)
    ? datastore.connection
    : undefined;
  if (resolved && resolved.name) out.connection_name = resolved.name;
  else if (resolved) out.connection_id = resolved.id ?? null;
  else if (isInt(datastore.connection)) out.connection_id = datastore.connection;
  else if (datastore.connection_id !== undefined && datastore.connection_id !== null) {
    out.connection_id = datastore.connection_id;
  }
  if (isObject(datastore.enrich_datastore)) {
    out.enrich_datastore_name = datastore.enrich_datastore.name || "";
  }
  for (const [key, value] of Object.entries(datastore)) {
    if (DATASTORE_DROP.has(key)) continue;
    if (key === "teams" && Array.isArray(value)) out.teams = namesOf(value);
    else if (key === "global_tags" && Array.isArray(value)) out.tags = namesOf(value);
    else if (key === "tags" && Array.isArray(value)) out.tags = namesOf(value);
    else setOwn(out, key, value);
  }
  return out;
}

// --- §7.3 computed container -----------------------------------------------------------------

/**
 * Sets `additional_metadata` on `out` without config import's {@link MANAGED_KEY} marker: the
 * file gets back what it had (a marker alone → `null`, or no key when the file had none).
 */
function putMetadata(out: ApiObject, value: unknown): void {
  if (!isObject(value) || !(MANAGED_KEY in value)) {
    out.additional_metadata = value;
    return;
  }
  const rest: ApiObject = {};
  for (const [key, member] of Object.entries(value)) {
    if (key !== MANAGED_KEY) setOwn(rest, key, member);
  }
  if (Object.keys(rest).length) out.additional_metadata = rest;
  else if (value[MANAGED_KEY] !== MANAGED_WITHOUT_METADATA) out.additional_metadata = null;
}

/** Container types that have a `_container.yaml`. */
export const COMPUTED_CONTAINER_TYPES: readonly string[] = [
  "computed_table",
  "computed_file",
  "computed_join",
];

/**
 * Types of the containers a sync discovers. Such a container's `_container.yaml` (written only
 * when its folder name is not its name) just names the table its computed fields belong to.
 */
export const PLAIN_CONTAINER_TYPES: readonly string[] = ["table", "view", "file"];

/** True for a container that config-as-code writes a `_container.yaml` for. */
export function isComputedContainer(container: ApiObject): boolean {
  return COMPUTED_CONTAINER_TYPES.includes(container.container_type as string);
}

const CONTAINER_DROP = new Set([
  "id",
  "created",
  "status",
  "metrics",
  "computed_fields",
  "field_count",
  "anomaly_count",
  "check_count",
  "record_count",
  "score",
  "cataloged",
  "datastore",
  "favorite",
  "deleted_at",
  "last_editor",
  "latest_observability_measurement",
  "incremental_checkpoint",
  "datastore_id",
  "right_datastore_id",
]);

const CONTAINER_REFERENCES: [idKey: string, nameKey: string, side: string | null][] = [
  ["source_container_id", "source_container_name", null],
  ["left_container_id", "left_container_name", "left"],
  ["right_container_id", "right_container_name", "right"],
];

const EMBEDDED_CONTAINERS: Record<string, string> = {
  source_container: "source_container_name",
  left_container: "left_container_name",
  right_container: "right_container_name",
};

function exportSources(
  sources: unknown[],
  datastoreName: string,
  containers: ReadonlyMap<number, ApiObject>,
): unknown[] {
  return sources.map((source) => {
    if (!isObject(source)) return source;
    const referenced = isInt(source.container_id) ? containers.get(source.container_id) : undefined;
    const resolved = referenced !== undefined && typeof referenced.name === "string";
    const out: ApiObject = {};
    for (const [key, value] of Object.entries(source)) {
      if (key === "datastore_id" || key === "ordinal") continue;
      if (key === "container_id" && resolved) continue;
      setOwn(out, key, value);
    }
    if (resolved) {
      out.container_name = referenced.name;
      const otherDatastore = datastoreNameOf(referenced);
      if (otherDatastore && otherDatastore !== datastoreName) out.datastore_name = otherDatastore;
    }
    return out;
  });
}

/**
 * The `_container.yaml` document of a computed container: names of the containers it reads
 * first (with `<side>_datastore_name` when a join side lives in another datastore), then its own
 * keys minus server-only ones, `global_tags` as `tags`, and `datastore_name` last.
 *
 * @param datastoreName name of the datastore being exported
 */
export function exportContainer(
  container: ApiObject,
  datastoreName: string,
  lookups: Pick<ExportLookups, "containers">,
): ApiObject {
  const out: ApiObject = {};
  const resolvedIds = new Set<string>();
  for (const [idKey, nameKey, side] of CONTAINER_REFERENCES) {
    const id = container[idKey];
    const referenced = isInt(id) ? lookups.containers.get(id) : undefined;
    if (!referenced || !referenced.name) continue;
    out[nameKey] = referenced.name;
    resolvedIds.add(idKey);
    const otherDatastore = datastoreNameOf(referenced);
    if (side && otherDatastore && otherDatastore !== datastoreName) {
      out[`${side}_datastore_name`] = otherDatastore;
    }
  }
  for (const [key, value] of Object.entries(container)) {
    if (CONTAINER_DROP.has(key) || resolvedIds.has(key)) continue;
    if (key === "global_tags" || key === "tags") out.tags = namesOf(value);
    else if (key in EMBEDDED_CONTAINERS && isObject(value)) {
      out[EMBEDDED_CONTAINERS[key]] = value.name || "";
    } else if (key === "sources" && Array.isArray(value)) {
      out.sources = exportSources(value, datastoreName, lookups.containers);
    } else if (key === "additional_metadata") putMetadata(out, value);
    else setOwn(out, key, value);
  }
  out.datastore_name = datastoreName;
  return out;
}

// --- §7.4 computed field ---------------------------------------------------------------------

// `created` is not dropped by the original, but it is server-assigned: keeping it would make every
// promoted computed field differ from its source forever (no golden file carries it).
const COMPUTED_FIELD_DROP = new Set([
  "id",
  "container_id",
  "last_editor_id",
  "last_editor",
  "created",
]);

/** Moves `ref_container_id` / `ref_datastore_id` to the end of `properties`, as names if known. */
function resolvePropertyReferences(properties: ApiObject, lookups: ExportLookups): ApiObject {
  const out: ApiObject = {};
  for (const [key, value] of Object.entries(properties)) {
    if (key !== "ref_container_id" && key !== "ref_datastore_id") setOwn(out, key, value);
  }
  if ("ref_container_id" in properties) {
    const id = properties.ref_container_id;
    const name = nameIn(lookups.containers, id);
    if (name !== undefined) out.ref_container_name = name;
    else out.ref_container_id = id;
  }
  if ("ref_datastore_id" in properties) {
    const id = properties.ref_datastore_id;
    const name = nameIn(lookups.datastores, id);
    if (name !== undefined) out.ref_datastore_name = name;
    else out.ref_datastore_id = id;
  }
  return out;
}

/**
 * The `computed_fields/<slug>.yaml` document: `transformation_type` renamed `transformation`,
 * source fields as names, property references as names, editor and ids dropped.
 */
export function exportComputedField(field: ApiObject, lookups: ExportLookups): ApiObject {
  const out: ApiObject = {};
  for (const [key, value] of Object.entries(field)) {
    if (COMPUTED_FIELD_DROP.has(key)) continue;
    if (key === "transformation_type") out.transformation = value;
    else if (key === "source_fields") {
      out.source_fields = Array.isArray(value) ? namesOf(value) : value;
    } else if (key === "properties" && isObject(value)) {
      out.properties = resolvePropertyReferences(value, lookups);
    } else if (key === "additional_metadata") putMetadata(out, value);
    else setOwn(out, key, value);
  }
  return out;
}

// --- §7.5 quality check ----------------------------------------------------------------------

/** Rule types whose `properties` reference another container / datastore by id. */
export const REFERENCE_RULE_TYPES: readonly string[] = [
  "existsIn",
  "notExistsIn",
  "isReplicaOf",
  "dataDiff",
];

/** `additional_metadata` keys the server adds internally; never exported. */
export const INTERNAL_METADATA_KEYS: readonly string[] = [
  "from quality check id",
  "main datastore id",
];

/** The container name of a check (`check.container.name`), `""` without one. */
export function checkContainerName(check: ApiObject): string {
  const container = check.container;
  return isObject(container) && typeof container.name === "string" ? container.name : "";
}

/** The field names of a check in API order (`fields[].name`; plain strings kept). */
export function checkFieldNames(check: ApiObject): string[] {
  return Array.isArray(check.fields) ? namesOf(check.fields).map((name) => String(name)) : [];
}

/** A check's exported `description`: its own, else `<rule_type> quality check`. */
export function checkDescription(check: ApiObject): unknown {
  return check.description || `${check.rule_type || "Quality"} quality check`;
}

/** A check's exported `status`: its own, else `Active`. */
export function checkStatus(check: ApiObject): unknown {
  return check.status || "Active";
}

/**
 * The portable check document (the original's `strip_for_export`): always exactly `rule_type,
 * description, container, fields, coverage, filter, anomaly_message_field, properties, tags,
 * status, additional_metadata`, with the UID first in `additional_metadata`.
 *
 * @param uid the UID to write (see `assignCheckUids`); a UID stored on the server is written
 *   instead when present, at the same place
 */
export function exportCheck(check: ApiObject, uid: string, lookups: ExportLookups): ApiObject {
  const ruleType = check.rule_type;
  const properties = isObject(check.properties) ? { ...check.properties } : {};
  const metadata: ApiObject = { [CHECK_UID_KEY]: uid };
  if (isObject(check.additional_metadata)) {
    for (const [key, value] of Object.entries(check.additional_metadata)) {
      if (INTERNAL_METADATA_KEYS.includes(key)) continue;
      // A stored UID keeps the first position; an unusable one (null, "") is replaced.
      if (key === CHECK_UID_KEY && (typeof value !== "string" || value === "")) continue;
      setOwn(metadata, key, value);
    }
  }
  return {
    rule_type: ruleType ?? null,
    description: checkDescription(check),
    container: checkContainerName(check),
    fields: checkFieldNames(check),
    coverage: check.coverage ?? null,
    filter: check.filter ?? null,
    anomaly_message_field: check.anomaly_message_field ?? null,
    properties: REFERENCE_RULE_TYPES.includes(ruleType as string)
      ? resolvePropertyReferences(properties, lookups)
      : properties,
    tags: namesOf(check.global_tags),
    status: checkStatus(check),
    additional_metadata: metadata,
  };
}
