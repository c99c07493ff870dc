/**
 * `/computed-fields` endpoints.
 *
 * @module
 */
import type { QualyticsClient } from "../client/http_client.ts";
import type { ApiObject, ComputedField } from "./types.ts";

/** Creates a computed field. */
export function createComputedField(
  client: QualyticsClient,
  body: ApiObject,
): Promise<ComputedField> {
  return client.post<ComputedField>("computed-fields", { body });
}

/** Replaces a computed field. */
export function updateComputedField(
  client: QualyticsClient,
  id: number,
  body: ApiObject,
): Promise<ComputedField> {
  return client.put<ComputedField>(`computed-fields/${id}`, { body });
}

/** Deletes a computed field. */
export function deleteComputedField(client: QualyticsClient, id: number): Promise<unknown> {
  return client.delete(`computed-fields/${id}`);
}
