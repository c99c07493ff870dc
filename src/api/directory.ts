/**
 * Global tags, teams, users and the server's own status and API description.
 *
 * @module
 */
import type { QualyticsClient } from "../client/http_client.ts";
import type { ApiObject, Tag } from "./types.ts";

/** Every global tag. */
export function listTags(client: QualyticsClient): Promise<Tag[]> {
  return client.paginate<Tag>("global-tags");
}

/**
 * One global tag by name. The name is percent-encoded in the path (the original put it in
 * unencoded, which breaks names with `/`, `?`, `#` or spaces).
 */
export function getTag(client: QualyticsClient, name: string): Promise<Tag> {
  return client.get<Tag>(`global-tags/${encodeURIComponent(name)}`);
}

/** Creates a global tag. */
export function createTag(client: QualyticsClient, body: ApiObject): Promise<Tag> {
  return client.post<Tag>("global-tags", { body: { type: "global", ...body } });
}

/** Deletes a global tag. */
export function deleteTag(client: QualyticsClient, name: string): Promise<unknown> {
  return client.delete(`global-tags/${encodeURIComponent(name)}`);
}

/** Every team. */
export function listTeams(client: QualyticsClient): Promise<ApiObject[]> {
  return client.paginate<ApiObject>("teams");
}

/** One team. */
export function getTeam(client: QualyticsClient, id: number): Promise<ApiObject> {
  return client.get<ApiObject>(`teams/${id}`);
}

/** Every user. */
export function listUsers(client: QualyticsClient): Promise<ApiObject[]> {
  return client.paginate<ApiObject>("users");
}

/** One user. */
export function getUser(client: QualyticsClient, id: number): Promise<ApiObject> {
  return client.get<ApiObject>(`users/${id}`);
}

/** The caller (`GET /users/me`: `role`, `teams`, …). */
export function getCurrentUser(client: QualyticsClient): Promise<ApiObject> {
  return client.get<ApiObject>("users/me");
}

/** The server's status endpoint. */
export function getStatus(client: QualyticsClient, timeoutMs?: number): Promise<unknown> {
  return client.get("status", { timeoutMs });
}

/** The server's OpenAPI document. */
export function getOpenApi(client: QualyticsClient, timeoutMs?: number): Promise<ApiObject> {
  return client.get<ApiObject>("openapi.json", { timeoutMs });
}
