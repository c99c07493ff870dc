/**
 * `/datastores` endpoints.
 *
 * @module
 */
import type { QualyticsClient } from "../client/http_client.ts";
import type { ApiObject, Datastore } from "./types.ts";

/** Filters of {@link listDatastores}. */
export interface DatastoreFilters {
  name?: string;
  datastore_type?: string[];
  /** Sent as `True` / `False`, as the original does. */
  enrichment_only?: boolean;
  tag?: string;
  search?: string;
}

/** Every datastore matching the filters (all pages). */
export function listDatastores(
  client: QualyticsClient,
  filters: DatastoreFilters = {},
): Promise<Datastore[]> {
  return client.paginate<Datastore>("datastores", {
    name: filters.name,
    datastore_type: filters.datastore_type,
    enrichment_only: filters.enrichment_only === undefined
      ? undefined
      : filters.enrichment_only
      ? "True"
      : "False",
    tag: filters.tag,
    search: filters.search,
  });
}

/**
 * Every datastore matching the filters, source and enrichment alike. The API lists only source
 * datastores unless `enrichment_only=True` is sent, so both listings are requested at once and
 * merged by id (sources first). For lookups that must find any datastore (by name, or as an
 * enrichment link); `datastores list` keeps the API's own default instead.
 */
export async function listAllDatastores(
  client: QualyticsClient,
  filters: Omit<DatastoreFilters, "enrichment_only"> = {},
): Promise<Datastore[]> {
  const [sources, enrichment] = await Promise.all([
    listDatastores(client, filters),
    listDatastores(client, { ...filters, enrichment_only: true }),
  ]);
  const byId = new Map<unknown, Datastore>();
  for (const datastore of [...sources, ...enrichment]) byId.set(datastore.id, datastore);
  return [...byId.values()];
}

/** One datastore. */
export function getDatastore(client: QualyticsClient, id: number): Promise<Datastore> {
  return client.get<Datastore>(`datastores/${id}`);
}

/** Creates a datastore. */
export function createDatastore(client: QualyticsClient, body: ApiObject): Promise<Datastore> {
  return client.post<Datastore>("datastores", { body });
}

/** Replaces a datastore (full body). */
export function updateDatastore(
  client: QualyticsClient,
  id: number,
  body: ApiObject,
): Promise<Datastore> {
  return client.put<Datastore>(`datastores/${id}`, { body });
}

/** Deletes a datastore. */
export function deleteDatastore(client: QualyticsClient, id: number): Promise<unknown> {
  return client.delete(`datastores/${id}`);
}

/** Checks that the datastore's connection works. */
export function verifyDatastoreConnection(
  client: QualyticsClient,
  id: number,
): Promise<ApiObject | null> {
  return client.post<ApiObject | null>(`datastores/${id}/connection`, { idempotent: true });
}

/** Links an enrichment datastore. */
export function linkEnrichment(
  client: QualyticsClient,
  id: number,
  enrichmentId: number,
): Promise<ApiObject | null> {
  return client.patch<ApiObject | null>(`datastores/${id}/enrichment/${enrichmentId}`, {
    idempotent: true,
  });
}

/** Unlinks the enrichment datastore. */
export function unlinkEnrichment(client: QualyticsClient, id: number): Promise<unknown> {
  return client.delete(`datastores/${id}/enrichment`);
}
