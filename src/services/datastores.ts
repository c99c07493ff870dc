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
  listDatastores,
  unlinkEnrichment,
  updateDatastore,
  verifyDatastoreConnection,
} from "../api/datastores.ts";
import type { ApiObject, Datastore } from "../api/types.ts";
import { NotFoundError } from "../client/errors.ts";
import type { QualyticsClient } from "../client/http_client.ts";
import { deleteResult, findConnectionByName } from "./connections.ts";
import { InvalidInputError, ResourceNotFoundError } from "./resource_errors.ts";

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
  if (selector.connectionId !== undefined && selector.connectionName !== undefined) {
    throw new InvalidInputError(
      "Cannot specify both --connection-name and --connection-id. Please use only one.",
    );
  }
  if (selector.connectionId !== undefined) return selector.connectionId;
  if (selector.connectionName === undefined) {
    throw new InvalidInputError("Must specify either --connection-name or --connection-id.");
  }
  if (!client) throw new Error("A client is needed to look a connection up by name.");
  const found = await findConnectionByName(client, selector.connectionName);
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
export async function getDatastoreById(client: QualyticsClient, id: number): Promise<Datastore> {
  try {
    return await getDatastore(client, id);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new ResourceNotFoundError(`Datastore with ID ${id} not found.`);
    }
    throw error;
  }
}

/** A datastore by id or exact name (exactly one of them); a name costs one filtered listing. */
export async function getDatastoreBy(
  client: QualyticsClient,
  selector: { id?: number; name?: string },
): Promise<Datastore> {
  if (selector.id !== undefined && selector.name !== undefined) {
    throw new InvalidInputError("Cannot specify both --id and --name. Please use only one.");
  }
  if (selector.id !== undefined) return await getDatastoreById(client, selector.id);
  if (selector.name === undefined) {
    throw new InvalidInputError("Must specify either --id or --name.");
  }
  const candidates = await listDatastores(client, { name: selector.name });
  const found = candidates.find((datastore) => datastore.name === selector.name);
  if (!found) throw new ResourceNotFoundError(`Datastore with name '${selector.name}' not found.`);
  return found;
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
  try {
    return deleteResult(await deleteDatastore(client, id), "Datastore deleted successfully");
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new ResourceNotFoundError(`Datastore with ID ${id} not found.`);
    }
    throw error;
  }
}

/** The outcome of verifying a datastore's connection. */
export interface VerifyOutcome {
  passed: boolean;
  message: string;
  result: ApiObject;
}

/** Asks the server to connect to the datastore. */
export async function verifyDatastore(client: QualyticsClient, id: number): Promise<VerifyOutcome> {
  let response: ApiObject | null;
  try {
    response = await verifyDatastoreConnection(client, id);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new ResourceNotFoundError(`Datastore with ID ${id} not found.`);
    }
    throw error;
  }
  const result: ApiObject = response && typeof response === "object"
    ? response
    : { connected: true };
  const passed = Boolean(result.connected ?? result.success);
  const message = typeof result.message === "string" && result.message
    ? result.message
    : "Unknown error";
  return { passed, message, result };
}

/** Links (`link` = the enrichment datastore's id) or unlinks (`link` undefined) enrichment. */
export async function setEnrichment(
  client: QualyticsClient,
  id: number,
  link: number | undefined,
): Promise<ApiObject> {
  try {
    if (link !== undefined) {
      const response = await linkEnrichment(client, id, link);
      return response ?? { success: true };
    }
    return deleteResult(await unlinkEnrichment(client, id), "Enrichment disconnected successfully");
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new ResourceNotFoundError(
        link === undefined
          ? `Datastore with ID ${id} not found.`
          : `Datastore ${id} or enrichment datastore ${link} not found.`,
      );
    }
    throw error;
  }
}
