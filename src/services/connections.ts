/**
 * Connections: payloads from flags (secrets from `${VAR}` placeholders, `--parameters` JSON
 * merged last), GET-merge-PUT updates, lookups by name, deletes that explain a 409 and tests.
 *
 * @module
 */
import {
  CONNECTION_SECRET_KEYS,
  deleteConnection,
  getConnection,
  listConnections,
  testConnection,
  updateConnection,
} from "../api/connections.ts";
import type { ApiObject, Connection } from "../api/types.ts";
import type { QualyticsClient } from "../client/http_client.ts";
import { ConflictError, NotFoundError } from "../client/errors.ts";
import { PlaceholderResolver } from "../util/env_placeholders.ts";
import { parseJson, stringifyJson } from "../util/json.ts";
import { type SecretSink, secretValues } from "../util/redact.ts";
import {
  findByIdOrName,
  InvalidInputError,
  notFoundAs,
  ResourceNotFoundError,
} from "./resource_errors.ts";

/** Keys of a connection body that live at the top level; every other key is a parameter. */
export const CONNECTION_SCHEMA_KEYS: ReadonlySet<string> = new Set([
  "name",
  "type",
  "secrets_manager",
  "host",
  "port",
  "username",
  "password",
  "passphrase",
  "uri",
  "access_key",
  "secret_key",
  "catalog",
  "catalog_type",
  "jdbc_fetch_size",
  "max_parallelization",
]);

/** Secret keys whose string values are `${VAR}`-resolved inside `--parameters`. */
const PARAMETER_SECRET_KEYS = new Set(CONNECTION_SECRET_KEYS);

/** Secrets the server never returns; they are not carried over from a GET into a PUT. */
const SERVER_MASKED_KEYS = new Set(["password", "passphrase", "access_key", "secret_key"]);

/** Connection settings given as flags (every one optional). */
export interface ConnectionFields {
  name?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  uri?: string;
  accessKey?: string;
  secretKey?: string;
  catalog?: string;
  jdbcFetchSize?: number;
  maxParallelization?: number;
  /** `SHARED_KEY`, `BASIC` or `IAM_ROLE` (goes under `parameters`). */
  authenticationType?: string;
  roleArn?: string;
  externalId?: string;
  /** Raw JSON object text of `--parameters`. */
  parameters?: string;
}

/** Options of {@link buildConnectionCreatePayload}. */
export interface ConnectionCreateFields extends ConnectionFields {
  type?: string;
}

function resolveParameterSecrets(value: ApiObject, resolver: PlaceholderResolver): ApiObject {
  const out: ApiObject = {};
  for (const [key, member] of Object.entries(value)) {
    if (member && typeof member === "object" && !Array.isArray(member)) {
      out[key] = resolveParameterSecrets(member as ApiObject, resolver);
    } else if (PARAMETER_SECRET_KEYS.has(key) && typeof member === "string") {
      out[key] = resolver.resolve(member);
    } else out[key] = member;
  }
  return out;
}

/** Parses `--parameters` (a JSON object) and resolves the secrets inside it. */
export function parseParametersJson(
  text: string | undefined,
  resolver: PlaceholderResolver,
): ApiObject | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = parseJson(text);
  } catch (error) {
    throw new InvalidInputError(`Invalid JSON in --parameters: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidInputError("--parameters must be a JSON object");
  }
  return resolveParameterSecrets(parsed as ApiObject, resolver);
}

/**
 * The top-level keys and the `parameters` object of a set of flags: IAM settings first, then
 * the `--parameters` keys that are not connection fields, then its nested `parameters`.
 */
function splitFields(
  fields: ConnectionFields,
  resolver: PlaceholderResolver,
): { top: ApiObject; parameters: ApiObject } {
  const top: ApiObject = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) top[key] = value;
  };
  set("name", fields.name);
  set("host", resolver.resolve(fields.host));
  set("port", fields.port);
  set("username", resolver.resolve(fields.username));
  set("password", resolver.resolve(fields.password));
  set("uri", resolver.resolve(fields.uri));
  set("access_key", resolver.resolve(fields.accessKey));
  set("secret_key", resolver.resolve(fields.secretKey));
  set("catalog", fields.catalog);
  set("jdbc_fetch_size", fields.jdbcFetchSize);
  set("max_parallelization", fields.maxParallelization);
  const parameters: ApiObject = {};
  if (fields.authenticationType !== undefined) {
    parameters.authentication_type = fields.authenticationType;
  }
  if (fields.roleArn !== undefined) parameters.role_arn = fields.roleArn;
  if (fields.externalId !== undefined) parameters.external_id = fields.externalId;
  if (fields.authenticationType?.toUpperCase() === "IAM_ROLE" && !fields.roleArn) {
    throw new InvalidInputError("--role-arn is required when --authentication-type is IAM_ROLE.");
  }
  const extra = parseParametersJson(fields.parameters, resolver);
  let nested: ApiObject | undefined;
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (key === "parameters" && value && typeof value === "object" && !Array.isArray(value)) {
      nested = value as ApiObject;
    } else if (CONNECTION_SCHEMA_KEYS.has(key)) top[key] = value;
    else parameters[key] = value;
  }
  Object.assign(parameters, nested);
  return { top, parameters };
}

/**
 * Registers what a connection body carries that must never be printed: every value of a secret
 * key (resolved from a `${VAR}` or literal). A host or user name resolved from the environment
 * is no secret.
 */
function registerSecrets(secrets: SecretSink | undefined, body: ApiObject): void {
  secrets?.add(...secretValues(body));
}

/**
 * The body of `POST /connections` from flags. Throws {@link InvalidInputError} for a missing
 * type, bad `--parameters` or an IAM role without ARN, and `UnresolvedVariablesError` when a
 * `${VAR}` is not set in `env`. With `env` null, placeholders are sent as written (MCP).
 * `secrets` receives the values to scrub from all output (resolved values, secret keys).
 */
export function buildConnectionCreatePayload(
  fields: ConnectionCreateFields,
  env: Record<string, string | undefined> | null,
  secrets?: SecretSink,
): ApiObject {
  if (!fields.type) throw new InvalidInputError("--type is required.");
  const resolver = new PlaceholderResolver(env);
  const { top, parameters } = splitFields(fields, resolver);
  const payload: ApiObject = { type: fields.type, ...top };
  if (Object.keys(parameters).length) {
    payload.parameters = { ...(payload.parameters as ApiObject | undefined), ...parameters };
  }
  registerSecrets(secrets, payload);
  resolver.assertResolved();
  return payload;
}

/**
 * The changes an update makes, from flags (top-level keys plus a `parameters` object). Throws
 * {@link InvalidInputError} when there is nothing to change. `env` and `secrets` as for
 * {@link buildConnectionCreatePayload}.
 */
export function buildConnectionChanges(
  fields: ConnectionFields,
  env: Record<string, string | undefined> | null,
  secrets?: SecretSink,
): ApiObject {
  const resolver = new PlaceholderResolver(env);
  const { top, parameters } = splitFields(fields, resolver);
  const changes: ApiObject = { ...top };
  if (Object.keys(parameters).length) {
    changes.parameters = { ...(changes.parameters as ApiObject | undefined), ...parameters };
  }
  registerSecrets(secrets, changes);
  resolver.assertResolved();
  if (!Object.keys(changes).length) {
    throw new InvalidInputError("No fields to update. Provide at least one option.");
  }
  return changes;
}

/**
 * The full PUT body: the server's connection (its name, type and every non-secret setting,
 * since the API replaces the whole object) overlaid with the changes; `parameters` merged.
 */
export function mergeConnectionUpdate(existing: ApiObject, changes: ApiObject): ApiObject {
  const body: ApiObject = {};
  for (const key of CONNECTION_SCHEMA_KEYS) {
    if (SERVER_MASKED_KEYS.has(key)) continue;
    const value = existing[key];
    if (value !== undefined && value !== null) body[key] = value;
  }
  const existingParameters = existing.parameters && typeof existing.parameters === "object"
    ? existing.parameters as ApiObject
    : undefined;
  if (existingParameters) body.parameters = { ...existingParameters };
  for (const [key, value] of Object.entries(changes)) {
    if (key === "parameters" && value && typeof value === "object") {
      body.parameters = { ...(body.parameters as ApiObject | undefined), ...(value as ApiObject) };
    } else body[key] = value;
  }
  return body;
}

/** GET the connection, merge the changes, PUT the whole body; returns the server's answer. */
export async function updateConnectionById(
  client: QualyticsClient,
  id: number,
  changes: ApiObject,
): Promise<Connection> {
  const existing = await getConnectionById(client, id);
  return await updateConnection(client, id, mergeConnectionUpdate(existing, changes));
}

/** One connection by id; a 404 becomes {@link ResourceNotFoundError}. */
export function getConnectionById(client: QualyticsClient, id: number): Promise<Connection> {
  return notFoundAs(connectionNotFound(id), () => getConnection(client, id));
}

function connectionNotFound(id: number): string {
  return `Connection with ID ${id} not found.`;
}

/** The connection named exactly `name`, asked of the server with one filtered listing. */
export async function findConnectionByName(
  client: QualyticsClient,
  name: string,
): Promise<Connection | undefined> {
  const candidates = await listConnections(client, { name });
  return candidates.find((connection) => connection.name === name);
}

/** A connection by id or by name (exactly one of them). */
export function getConnectionBy(
  client: QualyticsClient,
  selector: { id?: number; name?: string },
): Promise<Connection> {
  return findByIdOrName(
    selector,
    "Connection",
    (id) => getConnectionById(client, id),
    (name) => findConnectionByName(client, name),
  );
}

/** A delete refused because datastores still use the connection. */
export class ConnectionInUseError extends Error {
  override name = "ConnectionInUseError";
  constructor(
    readonly id: number,
    readonly datastores: ReadonlyArray<{ id: number; name: string }>,
    readonly detail: string,
  ) {
    const users = datastores.length
      ? ` Datastores using it: ${datastores.map((ds) => `${ds.name} (ID ${ds.id})`).join(", ")}.`
      : detail
      ? ` Server said: ${detail}`
      : "";
    super(
      `Cannot delete connection ${id}: datastores still reference it.${users} ` +
        `Remove or reassign those datastores first.`,
    );
  }
}

/**
 * Deletes a connection. A 409 (datastores use it) becomes {@link ConnectionInUseError} naming
 * those datastores; a 404 becomes {@link ResourceNotFoundError}.
 */
export async function deleteConnectionById(
  client: QualyticsClient,
  id: number,
): Promise<{ success: boolean; message: string }> {
  try {
    const response = await deleteConnection(client, id);
    return deleteResult(response, "Connection deleted successfully");
  } catch (error) {
    if (error instanceof NotFoundError) throw new ResourceNotFoundError(connectionNotFound(id));
    if (!(error instanceof ConflictError)) throw error;
    let datastores: Array<{ id: number; name: string }> = [];
    try {
      const connection = await getConnection(client, id);
      if (Array.isArray(connection.datastores)) {
        datastores = (connection.datastores as ApiObject[])
          .filter((ds) => ds && typeof ds === "object")
          .map((ds) => ({ id: Number(ds.id), name: String(ds.name) }));
      }
    } catch {
      // The server's own detail still explains the conflict.
    }
    throw new ConnectionInUseError(id, datastores, detailText(error.detail));
  }
}

function detailText(detail: unknown): string {
  if (typeof detail === "string") return detail;
  return detail === undefined || detail === null ? "" : stringifyJson(detail);
}

/** What a delete endpoint answered, as the original reports it (empty → a success message). */
export function deleteResult(response: unknown, fallback: string): {
  success: boolean;
  message: string;
} {
  if (response && typeof response === "object" && !Array.isArray(response)) {
    const record = response as ApiObject;
    return {
      ...record,
      success: record.success === undefined ? true : Boolean(record.success),
      message: typeof record.message === "string" ? record.message : fallback,
    };
  }
  return { success: true, message: fallback };
}

/** Overrides of `connections test`. */
export interface ConnectionTestOverrides {
  host?: string;
  username?: string;
  password?: string;
}

/** The outcome of a connection test. */
export interface ConnectionTestOutcome {
  passed: boolean;
  message: string;
  result: ApiObject;
}

/**
 * Tests a connection as it is, or (with overrides) as it would be: then the stored connection
 * is fetched and sent back with the overriding host/username/password. `env` and `secrets` as
 * for {@link buildConnectionCreatePayload}.
 */
export async function testConnectionById(
  client: QualyticsClient,
  id: number,
  overrides: ConnectionTestOverrides,
  env: Record<string, string | undefined> | null,
  secrets?: SecretSink,
): Promise<ConnectionTestOutcome> {
  const resolver = new PlaceholderResolver(env);
  const changes: ApiObject = {};
  if (overrides.host !== undefined) changes.host = resolver.resolve(overrides.host);
  if (overrides.username !== undefined) changes.username = resolver.resolve(overrides.username);
  if (overrides.password !== undefined) changes.password = resolver.resolve(overrides.password);
  registerSecrets(secrets, changes);
  resolver.assertResolved();
  const response = await notFoundAs(connectionNotFound(id), async () => {
    if (!Object.keys(changes).length) return await testConnection(client, id);
    const existing = await getConnection(client, id);
    return await testConnection(client, id, mergeConnectionUpdate(existing, changes));
  });
  return connectionCheckOutcome(response);
}

/**
 * What a connection test or datastore verification answered: an empty answer means connected;
 * otherwise `connected` (or `success`) says so and `message` why not.
 */
export function connectionCheckOutcome(response: ApiObject | null): ConnectionTestOutcome {
  const result: ApiObject = response && typeof response === "object"
    ? response
    : { connected: true };
  const passed = Boolean(result.connected ?? result.success);
  const message = typeof result.message === "string" && result.message
    ? result.message
    : "Unknown error";
  return { passed, message, result };
}
