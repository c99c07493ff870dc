/**
 * `/containers` endpoints.
 *
 * @module
 */
import type { QualyticsClient } from "../client/http_client.ts";
import type { TaskPriority } from "../client/pool.ts";
import type { ApiObject, Container } from "./types.ts";

/** Filters of {@link listContainers}. */
export interface ContainerFilters {
  datastore?: number[];
  container_type?: string[];
  name?: string;
  tag?: string[];
  search?: string;
  /** `only` or `include`; archived containers are left out by default. */
  archived?: string;
}

/** Every container matching the filters (all pages). */
export function listContainers(
  client: QualyticsClient,
  filters: ContainerFilters = {},
): Promise<Container[]> {
  return client.paginate<Container>("containers", { ...filters });
}

/** The unpaged `{id, name, container_type}` listing of a datastore's containers. */
export function listContainerListing(
  client: QualyticsClient,
  datastoreId: number,
): Promise<Container[]> {
  return client.get<Container[]>("containers/listing", { query: { datastore: datastoreId } });
}

/** One container, with its computed fields. */
export function getContainer(
  client: QualyticsClient,
  id: number,
  options: { priority?: TaskPriority } = {},
): Promise<Container> {
  return client.get<Container>(`containers/${id}`, options);
}

/** Creates a computed container. */
export function createContainer(client: QualyticsClient, body: ApiObject): Promise<Container> {
  return client.post<Container>("containers", { body });
}

/** Replaces a container (full body; 409 when fields with checks would drop). */
export function updateContainer(
  client: QualyticsClient,
  id: number,
  body: ApiObject,
): Promise<Container> {
  return client.put<Container>(`containers/${id}`, { body });
}

/** Sets tags of several containers at once. */
export function patchContainers(
  client: QualyticsClient,
  items: Array<{ id: number; tags: string[] }>,
): Promise<unknown> {
  return client.patch("containers", { body: items, idempotent: true });
}

/** Deletes a container. */
export function deleteContainer(client: QualyticsClient, id: number): Promise<unknown> {
  return client.delete(`containers/${id}`);
}

/** Validates a computed container definition without creating it. */
export function validateContainer(
  client: QualyticsClient,
  container: ApiObject,
  timeoutSeconds?: number,
): Promise<ApiObject | null> {
  return client.post<ApiObject | null>("containers/validate", {
    query: { timeout_seconds: timeoutSeconds },
    body: { container },
    idempotent: true,
  });
}

/** Field profiles of a container. */
export function getFieldProfiles(client: QualyticsClient, id: number): Promise<ApiObject> {
  return client.get<ApiObject>(`containers/${id}/field-profiles`);
}

/** Every field profile of a container (all pages). */
export function listFieldProfiles(client: QualyticsClient, id: number): Promise<ApiObject[]> {
  return client.paginate<ApiObject>(`containers/${id}/field-profiles`);
}
