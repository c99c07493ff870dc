/**
 * Check templates: exporting them (to a file, or server-side into an enrichment datastore) and
 * creating templates from a file. Nothing here prints.
 *
 * @module
 */
import type { QualyticsClient } from "../client/http_client.ts";
import {
  createCheckTemplate,
  exportCheckTemplates,
  listQualityChecks,
} from "../api/quality_checks.ts";
import type { ApiObject, QualityCheck } from "../api/types.ts";
import { names } from "./checks.ts";

/** Filters of a template export. */
export interface TemplateExportFilters {
  /** Only these template ids (filtered after listing, as the original). */
  templateIds?: number[];
  /** `true`: only locked templates; `false`: only unlocked ones. */
  locked?: boolean;
  rules?: string[];
  tags?: string[];
}

/** Lists the templates matching the filters. */
export async function listCheckTemplates(
  client: QualyticsClient,
  filters: TemplateExportFilters = {},
): Promise<QualityCheck[]> {
  const templates = await listQualityChecks(client, {
    template_only: true,
    template_locked: filters.locked,
    rule_type: filters.rules?.length ? filters.rules : undefined,
    tag: filters.tags?.length ? filters.tags : undefined,
  });
  if (!filters.templateIds?.length) return templates;
  const wanted = new Set(filters.templateIds);
  return templates.filter((template) => wanted.has(template.id));
}

/** Asks the server to write the templates into an enrichment datastore's table. */
export async function exportTemplatesToEnrichment(
  client: QualyticsClient,
  enrichmentDatastoreId: number,
  templateIds?: number[],
): Promise<void> {
  await exportCheckTemplates(
    client,
    enrichmentDatastoreId,
    templateIds?.length ? templateIds : undefined,
  );
}

/** The create body of a template from an exported template (or check). */
export function templatePayload(template: ApiObject): ApiObject {
  const metadata = { ...(template.additional_metadata as ApiObject | null ?? {}) };
  metadata["from quality check id"] = String(template.id ?? "None");
  const payload: ApiObject = {
    description: template.description ??
      `${template.rule_type ?? template.rule} quality check template`,
    rule: template.rule_type ?? template.rule,
    coverage: template.coverage ?? null,
    filter: template.filter ?? null,
    properties: template.properties ?? {},
    tags: template.tags !== undefined ? names(template.tags) : names(template.global_tags),
    template_locked: template.template_locked ?? false,
    additional_metadata: metadata,
  };
  if ("anomaly_message_field" in template) {
    payload.anomaly_message_field = template.anomaly_message_field;
  }
  // A Draft template stays Draft (the original sends no status: every template came back Active).
  if (template.status === "Active" || template.status === "Draft") payload.status = template.status;
  return payload;
}

/** The outcome of creating one template. */
export interface TemplateImportResult {
  /** The id the template had where it was exported from. */
  source_id: unknown;
  status: "created" | "failed";
  id?: number;
  error?: string;
}

/**
 * Creates one template per entry (only creates, never updates — as the original), one at a time
 * in the file's order, as the original: the server numbers templates as they arrive and lists
 * them by number, so concurrent creates would reorder them on the target.
 */
export async function importCheckTemplates(
  client: QualyticsClient,
  templates: ApiObject[],
): Promise<TemplateImportResult[]> {
  const results: TemplateImportResult[] = [];
  for (const template of templates) {
    const source = template.id ?? null;
    try {
      const created = await createCheckTemplate(client, templatePayload(template));
      results.push({ source_id: source, status: "created", id: Number(created?.id) });
    } catch (error) {
      results.push({ source_id: source, status: "failed", error: (error as Error).message });
    }
  }
  return results;
}
