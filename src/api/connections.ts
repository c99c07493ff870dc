/**
 * `/connections` endpoints.
 *
 * @module
 */
import type { QualyticsClient } from "../client/http_client.ts";
import type { ApiObject, Connection } from "./types.ts";

/**
 * A connection's secret settings: the server never returns them, exports replace them with
 * `${<CONNECTION>_<FIELD>}` placeholders, and `${VAR}` values in them are resolved.
 */
export const CONNECTION_SECRET_KEYS: readonly string[] = [
  "password",
  "passphrase",
  "secret_key",
  "credentials_payload",
  "access_key",
];

/** Filters of {@link listConnections}. */
export interface ConnectionFilters {
  name?: string;
  type?: string[];
}

/** Every connection matching the filters (all pages). */
export function listConnections(
  client: QualyticsClient,
  filters: ConnectionFilters = {},
): Promise<Connection[]> {
  return client.paginate<Connection>("connections", { name: filters.name, type: filters.type });
}

/** One connection. */
export function getConnection(client: QualyticsClient, id: number): Promise<Connection> {
  return client.get<Connection>(`connections/${id}`);
}

/** Creates a connection. */
export function createConnection(client: QualyticsClient, body: ApiObject): Promise<Connection> {
  return client.post<Connection>("connections", { body });
}

/** Replaces a connection (the API wants the full body: name and type at least). */
export function updateConnection(
  client: QualyticsClient,
  id: number,
  body: ApiObject,
): Promise<Connection> {
  return client.put<Connection>(`connections/${id}`, { body });
}

/** Deletes a connection (409 while datastores use it). */
export function deleteConnection(client: QualyticsClient, id: number): Promise<unknown> {
  return client.delete(`connections/${id}`);
}

/** Tests a connection, optionally with overriding settings. */
export function testConnection(
  client: QualyticsClient,
  id: number,
  body?: ApiObject,
): Promise<ApiObject | null> {
  return client.post<ApiObject | null>(`connections/${id}/test`, { body, idempotent: true });
}
