/**
 * Datastores: create payloads (connection by name or id), GET-merge-PUT updates that send only
 * writable keys, lookups, verification and enrichment links.
 *
 * @module
 */
import {
  deleteDatastore,
  getDatastore,
  linkEnrichment,
  listAllDatastores,
  unlinkEnrichment,
  updateDatastore,
  verifyDatastoreConnection,
} from "../api/datastores.ts";
import type { ApiObject, Datastore } from "../api/types.ts";
import type { QualyticsClient } from "../client/http_client.ts";
import {
  connectionCheckOutcome,
  type ConnectionTestOutcome,
  deleteResult,
  findConnectionByName,
} from "./connections.ts";
import {
  findByIdOrName,
  InvalidInputError,
  notFoundAs,
  requireOneOf,
  ResourceNotFoundError,
} from "./resource_errors.ts";

/** Remediation strategies of an enrichment datastore. */
export const REMEDIATION_STRATEGIES = ["none", "append", "overwrite"] as const;

/** Settings shared by create and update. */
export interface DatastoreFields {
  name?: string;
  database?: string;
  schema?: string;
  tags?: string[];
  teams?: string[];
  enrichmentOnly?: boolean;
  enrichmentPrefix?: string;
  enrichmentSourceRecordLimit?: number;
  enrichmentRemediationStrategy?: string;
  highCountRollupThreshold?: number;
}

/** Settings of a new datastore. */
export interface DatastoreCreateFields extends DatastoreFields {
  name: string;
  connectionId: number;
  triggerSync?: boolean;
}

/** The body of `POST /datastores`, key order as the original sends it. */
export function buildDatastoreCreatePayload(fields: DatastoreCreateFields): ApiObject {
  const payload: ApiObject = {
    name: fields.name,
    connection_id: fields.connectionId,
    enrichment_only: fields.enrichmentOnly ?? false,
    enrichment_remediation_strategy: fields.enrichmentRemediationStrategy ?? "none",
    trigger_sync: fields.triggerSync ?? true,
    tags: fields.tags ?? null,
    teams: fields.teams ?? null,
    database: fields.database,
    schema: fields.schema,
  };
  if (fields.enrichmentPrefix !== undefined) payload.enrichment_prefix = fields.enrichmentPrefix;
  if (fields.enrichmentSourceRecordLimit !== undefined) {
    payload.enrichment_source_record_limit = fields.enrichmentSourceRecordLimit;
  }
  if (fields.highCountRollupThreshold !== undefined) {
    payload.high_count_rollup_threshold = fields.highCountRollupThreshold;
  }
  return payload;
}

/**
 * The connection id of a new datastore: given, or looked up by exact name with one filtered
 * listing. Exactly one of the two must be given.
 */
export async function resolveConnectionId(
  client: QualyticsClient | undefined,
  selector: { connectionId?: number; connectionName?: string },
): Promise<number> {
  requireOneOf(
    "--connection-name",
    selector.connectionName,
    "--connection-id",
    selector.connectionId,
  );
  if (selector.connectionId !== undefined) return selector.connectionId;
  if (!client) throw new Error("A client is needed to look a connection up by name.");
  const found = await findConnectionByName(client, selector.connectionName!);
  if (!found) {
    throw new ResourceNotFoundError(
      `Connection '${selector.connectionName}' not found. Create it first with: ` +
        `qualytics connections create`,
    );
  }
  return found.id;
}

/** The changes an update makes (only the flags given). */
export function buildDatastoreChanges(
  fields: DatastoreFields & { connectionId?: number },
): ApiObject {
  if (
    fields.enrichmentRemediationStrategy !== undefined &&
    !(REMEDIATION_STRATEGIES as readonly string[]).includes(fields.enrichmentRemediationStrategy)
  ) {
    throw new InvalidInputError(
      "--enrichment-remediation-strategy must be one of: append, none, overwrite.",
    );
  }
  const changes: ApiObject = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) changes[key] = value;
  };
  set("name", fields.name);
  set("connection_id", fields.connectionId);
  set("database", fields.database);
  set("schema", fields.schema);
  set("tags", fields.tags);
  set("teams", fields.teams);
  set("enrichment_only", fields.enrichmentOnly);
  set("enrichment_prefix", fields.enrichmentPrefix);
  set("enrichment_source_record_limit", fields.enrichmentSourceRecordLimit);
  set("enrichment_remediation_strategy", fields.enrichmentRemediationStrategy);
  set("high_count_rollup_threshold", fields.highCountRollupThreshold);
  if (!Object.keys(changes).length) {
    throw new InvalidInputError("No fields to update. Provide at least one option.");
  }
  return changes;
}

/** Keys of a datastore the API accepts back in a PUT (the rest are read-only). */
const WRITABLE_KEYS = [
  "name",
  "description",
  "connection_id",
  "database",
  "schema",
  "root_path",
  "enrichment_only",
  "enrichment_prefix",
  "enrichment_source_record_limit",
  "enrichment_remediation_strategy",
  "high_count_rollup_threshold",
];

function names(list: unknown): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((item) =>
    item && typeof item === "object" ? String((item as ApiObject).name) : String(item)
  );
}

/**
 * The server's datastore as a PUT body: writable keys only (read-only metrics, scores and
 * nested objects are what made the original's PUTs fragile), tags and teams as names, the
 * connection as `connection_id`, and the `connection: {type}` marker of native datastores.
 */
export function flattenDatastore(datastore: ApiObject): ApiObject {
  const body: ApiObject = {};
  for (const key of WRITABLE_KEYS) {
    if (key in datastore && datastore[key] !== undefined) body[key] = datastore[key];
  }
  const connection = datastore.connection as ApiObject | undefined;
  if (body.connection_id === undefined && connection && typeof connection.id === "number") {
    body.connection_id = connection.id;
  }
  const tags = names(datastore.tags ?? datastore.global_tags);
  if (tags) body.tags = tags;
  const teams = names(datastore.teams);
  if (teams) body.teams = teams;
  if (datastore.store_type === "native") body.connection = { type: datastore.type };
  return body;
}

/** One datastore by id; a 404 becomes {@link ResourceNotFoundError}. */
export function getDatastoreById(client: QualyticsClient, id: number): Promise<Datastore> {
  return notFoundAs(datastoreNotFound(id), () => getDatastore(client, id));
}

function datastoreNotFound(id: number): string {
  return `Datastore with ID ${id} not found.`;
}

/**
 * A datastore by id or exact name (exactly one of them), enrichment datastores included; a name
 * costs two filtered listings at once (source and enrichment: the API lists only sources unless
 * asked for enrichment ones).
 */
export function getDatastoreBy(
  client: QualyticsClient,
  selector: { id?: number; name?: string },
): Promise<Datastore> {
  return findByIdOrName(
    selector,
    "Datastore",
    (id) => getDatastoreById(client, id),
    async (name) =>
      (await listAllDatastores(client, { name })).find((datastore) => datastore.name === name),
  );
}

/** GET the datastore, overlay the changes on its writable keys, PUT the whole body. */
export async function updateDatastoreById(
  client: QualyticsClient,
  id: number,
  changes: ApiObject,
): Promise<Datastore> {
  const existing = await getDatastoreById(client, id);
  return await updateDatastore(client, id, { ...flattenDatastore(existing), ...changes });
}

/** Deletes a datastore; a 404 becomes {@link ResourceNotFoundError}. */
export async function deleteDatastoreById(
  client: QualyticsClient,
  id: number,
): Promise<{ success: boolean; message: string }> {
  return deleteResult(
    await notFoundAs(datastoreNotFound(id), () => deleteDatastore(client, id)),
    "Datastore deleted successfully",
  );
}

/** Asks the server to connect to the datastore. */
export async function verifyDatastore(
  client: QualyticsClient,
  id: number,
): Promise<ConnectionTestOutcome> {
  return connectionCheckOutcome(
    await notFoundAs(datastoreNotFound(id), () => verifyDatastoreConnection(client, id)),
  );
}

/** Links (`link` = the enrichment datastore's id) or unlinks (`link` undefined) enrichment. */
export async function setEnrichment(
  client: QualyticsClient,
  id: number,
  link: number | undefined,
): Promise<ApiObject> {
  if (link === undefined) {
    return deleteResult(
      await notFoundAs(datastoreNotFound(id), () => unlinkEnrichment(client, id)),
      "Enrichment disconnected successfully",
    );
  }
  const response = await notFoundAs(
    `Datastore ${id} or enrichment datastore ${link} not found.`,
    () => linkEnrichment(client, id, link),
  );
  return response ?? { success: true };
}
