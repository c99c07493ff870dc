/**
 * `/anomalies` endpoints.
 *
 * @module
 */
import type { QualyticsClient, Query } from "../client/http_client.ts";
import type { Anomaly, ApiObject } from "./types.ts";

/** Every anomaly matching the query (all pages). */
export function listAnomalies(client: QualyticsClient, query: Query = {}): Promise<Anomaly[]> {
  return client.paginate<Anomaly>("anomalies", query);
}

/** One anomaly. */
export function getAnomaly(client: QualyticsClient, id: number): Promise<Anomaly> {
  return client.get<Anomaly>(`anomalies/${id}`);
}

/** Updates one anomaly's status, description, tags or assignees. */
export function updateAnomaly(
  client: QualyticsClient,
  id: number,
  body: ApiObject,
): Promise<Anomaly> {
  return client.put<Anomaly>(`anomalies/${id}`, { body });
}

/** Updates several anomalies in one request. */
export function bulkUpdateAnomalies(client: QualyticsClient, items: ApiObject[]): Promise<unknown> {
  return client.patch("anomalies", { body: items, idempotent: true });
}

/** Archives (with a status) or deletes one anomaly. */
export function deleteAnomaly(
  client: QualyticsClient,
  id: number,
  options: { archive: boolean; status?: string },
): Promise<unknown> {
  return client.delete(`anomalies/${id}`, {
    query: { archive: String(options.archive), status: options.status },
  });
}

/** Archives or deletes several anomalies in one request. */
export function bulkDeleteAnomalies(client: QualyticsClient, items: ApiObject[]): Promise<unknown> {
  return client.delete("anomalies", { body: items });
}
