/**
 * Containers: computed container payloads (table, file, join), GET-merge-PUT updates that keep
 * the definition and explain a 409 on dropped fields, listing filters and validation.
 *
 * @module
 */
import {
  createContainer,
  deleteContainer,
  getContainer,
  listContainers,
  listFieldProfiles,
  updateContainer,
  validateContainer,
} from "../api/containers.ts";
import type { ApiObject, Container } from "../api/types.ts";
import { ConflictError, describeDetail, ValidationError } from "../client/errors.ts";
import type { QualyticsClient } from "../client/http_client.ts";
import { deleteResult } from "./connections.ts";
import { InvalidInputError, notFoundAs } from "./resource_errors.ts";

/** Every container type. */
export const CONTAINER_TYPES = [
  "table",
  "view",
  "file",
  "computed_table",
  "computed_file",
  "computed_join",
] as const;

/** The container types that can be created and validated. */
export const COMPUTED_CONTAINER_TYPES = ["computed_table", "computed_file", "computed_join"];

/** Join types of a computed join. */
export const JOIN_TYPES = ["inner", "left", "right", "full"];

const sortedList = (items: readonly string[]) => [...items].sort().join(", ");

/** The definition of a computed container, as flags give it. */
export interface ComputedContainerFields {
  type: string;
  name: string;
  datastoreId?: number;
  query?: string;
  sourceContainerId?: number;
  selectClause?: string;
  whereClause?: string;
  groupByClause?: string;
  leftContainerId?: number;
  rightContainerId?: number;
  leftKeyField?: string;
  rightKeyField?: string;
  leftPrefix?: string;
  rightPrefix?: string;
  joinType?: string;
  description?: string;
  tags?: string[];
}

/**
 * The body of `POST /containers` (and of `containers/validate`). Throws
 * {@link InvalidInputError} for a type that cannot be created, an unknown join type or a flag
 * the type requires.
 */
export function buildContainerCreatePayload(fields: ComputedContainerFields): ApiObject {
  if (!COMPUTED_CONTAINER_TYPES.includes(fields.type)) {
    throw new InvalidInputError(`--type must be one of: ${sortedList(COMPUTED_CONTAINER_TYPES)}.`);
  }
  if (fields.joinType !== undefined && !JOIN_TYPES.includes(fields.joinType)) {
    throw new InvalidInputError(`--join-type must be one of: ${sortedList(JOIN_TYPES)}.`);
  }
  const requireFlag = (value: unknown, flag: string) => {
    if (value === undefined || value === null || value === "") {
      throw new InvalidInputError(`--${flag} is required for ${fields.type}`);
    }
  };
  const payload: ApiObject = { container_type: fields.type, name: fields.name };
  const optional = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) payload[key] = value;
  };
  if (fields.type === "computed_table") {
    requireFlag(fields.datastoreId, "datastore-id");
    requireFlag(fields.query, "query");
    payload.datastore_id = fields.datastoreId;
    payload.query = fields.query;
  } else if (fields.type === "computed_file") {
    requireFlag(fields.datastoreId, "datastore-id");
    requireFlag(fields.sourceContainerId, "source-container-id");
    requireFlag(fields.selectClause, "select-clause");
    payload.datastore_id = fields.datastoreId;
    payload.source_container_id = fields.sourceContainerId;
    payload.select_clause = fields.selectClause;
    optional("where_clause", fields.whereClause);
    optional("group_by_clause", fields.groupByClause);
  } else {
    requireFlag(fields.leftContainerId, "left-container-id");
    requireFlag(fields.rightContainerId, "right-container-id");
    requireFlag(fields.leftKeyField, "left-key-field");
    requireFlag(fields.rightKeyField, "right-key-field");
    requireFlag(fields.selectClause, "select-clause");
    payload.left_container_id = fields.leftContainerId;
    payload.right_container_id = fields.rightContainerId;
    payload.left_join_field_name = fields.leftKeyField;
    payload.right_join_field_name = fields.rightKeyField;
    payload.select_clause = fields.selectClause;
    optional("join_type", fields.joinType);
    optional("left_prefix", fields.leftPrefix);
    optional("right_prefix", fields.rightPrefix);
    optional("where_clause", fields.whereClause);
    optional("group_by_clause", fields.groupByClause);
  }
  optional("description", fields.description);
  optional("tags", fields.tags);
  return payload;
}

/** Settings each container type keeps through an update (the API replaces the definition). */
const PRESERVED: Record<string, string[]> = {
  table: [
    "partition_field",
    "incremental_field_name",
    "incremental_identifier_type",
    "infer_datatypes",
  ],
  view: [
    "partition_field",
    "incremental_field_name",
    "incremental_identifier_type",
    "infer_datatypes",
  ],
  file: ["escape_character", "infer_datatypes", "has_header", "treat_empty_as_null"],
  computed_table: ["incremental_field_name", "incremental_identifier_type"],
  computed_file: ["source_container_id", "where_clause", "group_by_clause", "lateral_views"],
  computed_join: [
    "left_container_id",
    "right_container_id",
    "left_join_field_name",
    "right_join_field_name",
    "join_type",
    "left_prefix",
    "right_prefix",
    "where_clause",
    "group_by_clause",
  ],
};

/** What `containers update` may change. */
export interface ContainerChanges {
  name?: string;
  query?: string;
  selectClause?: string;
  whereClause?: string;
  groupByClause?: string;
  description?: string;
  tags?: string[];
}

/** The changes as API keys; throws {@link InvalidInputError} when there are none. */
export function containerChangesBody(changes: ContainerChanges): ApiObject {
  const body: ApiObject = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) body[key] = value;
  };
  set("name", changes.name);
  set("query", changes.query);
  set("select_clause", changes.selectClause);
  set("where_clause", changes.whereClause);
  set("group_by_clause", changes.groupByClause);
  set("description", changes.description);
  set("tags", changes.tags);
  if (!Object.keys(body).length) {
    throw new InvalidInputError("No fields to update. Provide at least one option.");
  }
  return body;
}

/** A join defined by left/right containers and keys, not by SQL over `sources`. */
function isPairwiseJoin(container: ApiObject): boolean {
  const sqlMode = (typeof container.query === "string" && container.query !== "") ||
    (Array.isArray(container.sources) && container.sources.length > 0);
  return !sqlMode;
}

/**
 * The full PUT body: the container's type, the settings its type keeps, its name and defining
 * SQL (changed or not), then the changes; `force_drop_fields` when asked.
 */
export function buildContainerUpdatePayload(
  existing: ApiObject,
  changes: ApiObject,
  forceDropFields = false,
): ApiObject {
  const type = String(existing.container_type);
  const body: ApiObject = { container_type: type };
  const keep = type === "computed_join" && !isPairwiseJoin(existing) ? [] : PRESERVED[type] ?? [];
  for (const key of keep) {
    if (existing[key] !== undefined && existing[key] !== null) body[key] = existing[key];
  }
  if (COMPUTED_CONTAINER_TYPES.includes(type)) {
    body.name = changes.name ?? existing.name;
    if (type === "computed_table") body.query = changes.query ?? existing.query;
    else if (changes.select_clause !== undefined || existing.select_clause != null) {
      body.select_clause = changes.select_clause ?? existing.select_clause;
    }
  }
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined && value !== null) body[key] = value;
  }
  if (forceDropFields) body.force_drop_fields = true;
  return body;
}

/** One container by id; a 404 becomes {@link ResourceNotFoundError}. */
export function getContainerById(client: QualyticsClient, id: number): Promise<Container> {
  return notFoundAs(containerNotFound(id), () => getContainer(client, id));
}

function containerNotFound(id: number): string {
  return `Container with ID ${id} not found.`;
}

/** A container with its field profiles (every page) under `field_profiles`. */
export async function getContainerWithProfiles(
  client: QualyticsClient,
  id: number,
): Promise<ApiObject> {
  const container = await getContainerById(client, id);
  const profiles = await listFieldProfiles(client, id);
  return { ...container, field_profiles: profiles };
}

/** The body keys `POST /containers` accepts but ignores (endpoints.md §3). */
export const IGNORED_ON_CREATE = ["description", "tags"] as const;

/**
 * The follow-up of a computed container's create: the create endpoint ignores description and
 * tags, so when `payload` (the create body) has either, one PUT built from the created container
 * sets them. Returns the container as it then is (`created` itself when nothing was to set).
 */
export async function completeContainerCreate<T extends ApiObject>(
  client: QualyticsClient,
  created: T,
  payload: ApiObject,
): Promise<T | Container> {
  const extra: ApiObject = {};
  for (const key of IGNORED_ON_CREATE) {
    if (payload[key] !== undefined && payload[key] !== null) extra[key] = payload[key];
  }
  if (!Object.keys(extra).length) return created;
  const body = buildContainerUpdatePayload(created, extra);
  return await updateContainer(client, created.id as number, body);
}

/**
 * Creates a computed container, then sets what the create ignores
 * ({@link completeContainerCreate}).
 */
export async function createComputedContainer(
  client: QualyticsClient,
  payload: ApiObject,
): Promise<Container> {
  return await completeContainerCreate(client, await createContainer(client, payload), payload);
}

/** An update refused because it would drop fields that checks or anomalies use. */
export class DropFieldsConflictError extends Error {
  override name = "DropFieldsConflictError";
  constructor(readonly id: number, readonly detail: string) {
    super(
      "409 Conflict: Updating this container would drop fields that have associated quality " +
        "checks or anomalies. Re-run with --force-drop-fields to proceed." +
        (detail ? ` Details: ${detail}` : ""),
    );
  }
}

/** GET the container, merge the changes, PUT the whole body. */
export async function updateContainerById(
  client: QualyticsClient,
  id: number,
  changes: ApiObject,
  forceDropFields = false,
): Promise<Container> {
  const existing = await getContainerById(client, id);
  const body = buildContainerUpdatePayload(existing, changes, forceDropFields);
  try {
    return await updateContainer(client, id, body);
  } catch (error) {
    if (error instanceof ConflictError) {
      throw new DropFieldsConflictError(id, describeDetail(error.detail));
    }
    throw error;
  }
}

/** Refuses container types the API does not know. */
export function assertContainerTypes(types: readonly string[] | undefined): void {
  const invalid = (types ?? []).filter((type) =>
    !(CONTAINER_TYPES as readonly string[]).includes(type)
  );
  if (invalid.length) {
    throw new InvalidInputError(
      `Invalid container type(s): ${invalid.join(", ")}. Valid: ${sortedList(CONTAINER_TYPES)}.`,
    );
  }
}

/** Filters of {@link listContainersOf}. */
export interface ContainerListFilters {
  datastoreId: number;
  types?: string[];
  name?: string;
  tag?: string;
  search?: string;
  archived?: string;
}

/** Every container of a datastore matching the filters; unknown types are refused. */
export async function listContainersOf(
  client: QualyticsClient,
  filters: ContainerListFilters,
): Promise<Container[]> {
  assertContainerTypes(filters.types);
  return await listContainers(client, {
    datastore: [filters.datastoreId],
    container_type: filters.types?.length ? filters.types : undefined,
    name: filters.name,
    tag: filters.tag === undefined ? undefined : [filters.tag],
    search: filters.search,
    archived: filters.archived,
  });
}

/** Deletes a container (the server cascades to fields, checks and anomalies). */
export async function deleteContainerById(
  client: QualyticsClient,
  id: number,
): Promise<{ success: boolean; message: string }> {
  return deleteResult(
    await notFoundAs(containerNotFound(id), () => deleteContainer(client, id)),
    "Container deleted successfully",
  );
}

/** The outcome of validating a computed container definition. */
export interface ContainerValidation {
  valid: boolean;
  /** The server's objection when the definition is not valid. */
  result?: unknown;
}

/**
 * Asks the server whether a definition would work. An empty answer means valid; a JSON answer,
 * or a 400/422 rejection, means not valid.
 */
export async function validateContainerDefinition(
  client: QualyticsClient,
  payload: ApiObject,
  timeoutSeconds: number,
): Promise<ContainerValidation> {
  try {
    const response = await validateContainer(client, payload, timeoutSeconds);
    if (response === null || response === undefined) return { valid: true };
    if (typeof response === "object" && Object.keys(response).length === 0) return { valid: true };
    return { valid: false, result: response };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { valid: false, result: { status: error.status, detail: error.detail ?? null } };
    }
    throw error;
  }
}
