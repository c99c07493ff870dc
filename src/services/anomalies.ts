/**
 * Anomalies: the status rules (open statuses are updated, archive statuses archive), list
 * filters, and single-or-bulk update, archive and delete. Nothing here prints.
 *
 * @module
 */
import type { QualyticsClient, Query } from "../client/http_client.ts";
import {
  bulkDeleteAnomalies,
  bulkUpdateAnomalies,
  deleteAnomaly,
  updateAnomaly,
} from "../api/anomalies.ts";
import type { ApiObject } from "../api/types.ts";

/** Statuses of open anomalies. */
export const OPEN_STATUSES = ["Active", "Acknowledged"] as const;
/** Statuses an anomaly is archived with. */
export const ARCHIVE_STATUSES = ["Resolved", "Invalid", "Duplicate", "Discarded"] as const;
/** Anomaly types. */
export const ANOMALY_TYPES = ["shape", "record"] as const;

/** A status or option the API would refuse. */
export class AnomalyInputError extends Error {
  override name = "AnomalyInputError";
}

function canonical(value: string, allowed: readonly string[]): string | undefined {
  return allowed.find((item) => item.toLowerCase() === value.trim().toLowerCase());
}

/** An open status (any case) in the API's spelling, else {@link AnomalyInputError}. */
export function openStatus(value: string): string {
  const status = canonical(value, OPEN_STATUSES);
  if (!status) {
    throw new AnomalyInputError(
      `Invalid status '${value}'. Use 'Active' or 'Acknowledged'. For archived statuses, use ` +
        `'anomalies archive'.`,
    );
  }
  return status;
}

/** An archive status (any case) in the API's spelling, else {@link AnomalyInputError}. */
export function archiveStatus(value: string): string {
  const status = canonical(value, ARCHIVE_STATUSES);
  if (!status) {
    throw new AnomalyInputError(
      `Invalid archive status '${value}'. Must be one of: ${
        [...ARCHIVE_STATUSES].sort().join(", ")
      }.`,
    );
  }
  return status;
}

/** Filters of `anomalies list`. */
export interface AnomalyListFilters {
  datastoreId: number;
  containerId?: number;
  checkId?: number;
  statuses?: string[];
  type?: string;
  tags?: string[];
  startDate?: string;
  endDate?: string;
  sourceEnriched?: boolean;
}

/**
 * The `GET /anomalies` query: only archive statuses → `archived=only`; a mix of open and archive
 * statuses → `archived=include`; open statuses alone need no `archived`.
 */
export function anomalyListQuery(filters: AnomalyListFilters): Query {
  const statuses = (filters.statuses ?? []).map((status) =>
    canonical(status, [...OPEN_STATUSES, ...ARCHIVE_STATUSES]) ?? status
  );
  const archived = statuses.filter((status) =>
    (ARCHIVE_STATUSES as readonly string[]).includes(status)
  );
  let archivedParam: string | undefined;
  if (archived.length && archived.length === statuses.length) archivedParam = "only";
  else if (archived.length) archivedParam = "include";
  return {
    datastore: filters.datastoreId,
    container: filters.containerId || undefined,
    quality_check: filters.checkId || undefined,
    status: statuses.length ? statuses : undefined,
    archived: archivedParam,
    anomaly_type: filters.type,
    tag: filters.tags?.length ? filters.tags : undefined,
    start_date: filters.startDate,
    end_date: filters.endDate,
    source_enriched: filters.sourceEnriched === undefined
      ? undefined
      : String(filters.sourceEnriched),
  };
}

/** A change to open anomalies. */
export interface AnomalyChange {
  status: string;
  description?: string;
  tags?: string[];
  /** `[]` clears the assignees. */
  assigneeIds?: number[];
}

function changeBody(change: AnomalyChange): ApiObject {
  const body: ApiObject = { status: openStatus(change.status) };
  if (change.description !== undefined) body.description = change.description;
  if (change.tags?.length) body.tags = change.tags;
  if (change.assigneeIds !== undefined) body.assignee_ids = change.assigneeIds;
  return body;
}

/**
 * Updates anomalies to an open status: `PUT /anomalies/{id}` for one, `PATCH /anomalies` for
 * several (`bulk`). Returns the updated anomaly for a single update.
 */
export async function updateAnomalies(
  client: QualyticsClient,
  ids: number[],
  change: AnomalyChange,
  bulk = ids.length > 1,
): Promise<ApiObject | null> {
  const body = changeBody(change);
  if (!bulk) return await updateAnomaly(client, ids[0], body);
  await bulkUpdateAnomalies(client, ids.map((id) => ({ id, ...body })));
  return null;
}

/** Archives anomalies with an archive status (default Resolved). */
export async function archiveAnomalies(
  client: QualyticsClient,
  ids: number[],
  status = "Resolved",
  bulk = ids.length > 1,
): Promise<void> {
  const archived = archiveStatus(status);
  if (!bulk) {
    await deleteAnomaly(client, ids[0], { archive: true, status: archived });
    return;
  }
  await bulkDeleteAnomalies(client, ids.map((id) => ({ id, archive: true, status: archived })));
}

/**
 * Deletes anomalies for good. Unlike the original, a single delete sends no archive status
 * (it has no meaning for a hard delete).
 */
export async function deleteAnomalies(
  client: QualyticsClient,
  ids: number[],
  bulk = ids.length > 1,
): Promise<void> {
  if (!bulk) {
    await deleteAnomaly(client, ids[0], { archive: false });
    return;
  }
  await bulkDeleteAnomalies(client, ids.map((id) => ({ id, archive: false })));
}

/** `--id` and `--ids` together, without duplicates and without the "not given" id 0. */
export function anomalyIds(id?: number, ids?: number[]): number[] {
  return [...new Set([id, ...(ids ?? [])].filter((value): value is number => !!value))];
}
