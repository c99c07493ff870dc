/**
 * `/quality-checks` and `/quality-check-templates` endpoints.
 *
 * @module
 */
import type { QualyticsClient } from "../client/http_client.ts";
import type { ApiObject, QualityCheck } from "./types.ts";

/** Filters of {@link listQualityChecks}. */
export interface QualityCheckFilters {
  datastore?: number;
  container?: number[];
  status?: string;
  /** `only` or `include`; archived checks are left out by default. */
  archived?: string;
  tag?: string[];
  rule_type?: string[];
  template_only?: boolean;
  template_locked?: boolean;
}

/** Every check matching the filters (all pages). */
export function listQualityChecks(
  client: QualyticsClient,
  filters: QualityCheckFilters = {},
): Promise<QualityCheck[]> {
  return client.paginate<QualityCheck>("quality-checks", {
    ...filters,
    template_only: filters.template_only === undefined ? undefined : String(filters.template_only),
    template_locked: filters.template_locked === undefined
      ? undefined
      : String(filters.template_locked),
  });
}

/** The rule specifications (`GET /quality-checks/specifications/rules`): one per rule type. */
export function listRuleSpecifications(client: QualyticsClient): Promise<unknown> {
  return client.get("quality-checks/specifications/rules");
}

/** One check. */
export function getQualityCheck(client: QualyticsClient, id: number): Promise<QualityCheck> {
  return client.get<QualityCheck>(`quality-checks/${id}`);
}

/** Creates a check. */
export function createQualityCheck(
  client: QualyticsClient,
  body: ApiObject,
): Promise<QualityCheck> {
  return client.post<QualityCheck>("quality-checks", { body });
}

/** Replaces a check's definition. */
export function updateQualityCheck(
  client: QualyticsClient,
  id: number,
  body: ApiObject,
): Promise<QualityCheck> {
  return client.put<QualityCheck>(`quality-checks/${id}`, { body });
}

/** Deletes or archives one check. */
export function deleteQualityCheck(
  client: QualyticsClient,
  id: number,
  options: { archive: boolean; status?: string; deleteAnomalies?: boolean },
): Promise<unknown> {
  return client.delete(`quality-checks/${id}`, {
    query: {
      archive: String(options.archive),
      status: options.status,
      delete_anomalies: options.deleteAnomalies ? "true" : undefined,
    },
  });
}

/** Deletes or archives several checks in one request. */
export function bulkDeleteQualityChecks(
  client: QualyticsClient,
  items: ApiObject[],
): Promise<unknown> {
  return client.delete("quality-checks", { body: items });
}

/** Creates a check template. */
export function createCheckTemplate(client: QualyticsClient, body: ApiObject): Promise<ApiObject> {
  return client.post<ApiObject>("quality-check-templates", { body });
}

/** Asks the server to export templates into an enrichment datastore. */
export function exportCheckTemplates(
  client: QualyticsClient,
  enrichDatastoreId: number,
  templateIds?: number[],
): Promise<unknown> {
  return client.post("export/check-templates", {
    query: { enrich_datastore_id: enrichDatastoreId, template_ids: templateIds },
    once: true,
  });
}
