/**
 * `/operations` endpoints.
 *
 * @module
 */
import type { QualyticsClient, Query } from "../client/http_client.ts";
import type { ApiObject, Operation } from "./types.ts";

/** Starts an operation (`type` is sync, profile, scan, materialize or export). */
export function runOperation(client: QualyticsClient, body: ApiObject): Promise<Operation> {
  return client.post<Operation>("operations/run", { body, once: true });
}

/** One operation with its progress counters. */
export function getOperation(client: QualyticsClient, id: number): Promise<Operation> {
  return client.get<Operation>(`operations/${id}`);
}

/** Every operation matching the query (all pages). */
export function listOperations(client: QualyticsClient, query: Query = {}): Promise<Operation[]> {
  return client.paginate<Operation>("operations", query);
}

/** Aborts a running operation. */
export function abortOperation(client: QualyticsClient, id: number): Promise<Operation> {
  return client.put<Operation>(`operations/abort/${id}`);
}
