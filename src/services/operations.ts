/**
 * Operations (sync, profile, scan, materialize, export): run payloads, starting one operation
 * per datastore concurrently, and polling each until it finishes, fails, is aborted or times
 * out. Nothing here prints; progress is reported through callbacks.
 *
 * @module
 */
import type { QualyticsClient, Query } from "../client/http_client.ts";
import { getOperation, runOperation } from "../api/operations.ts";
import type { ApiObject, Operation } from "../api/types.ts";

/** The operation types a datastore can run. */
export type OperationType = "sync" | "profile" | "scan" | "materialize" | "export";

/** Display names of operation types, as the original prints them. */
export const OPERATION_TITLES: Readonly<Record<OperationType, string>> = {
  sync: "Sync",
  profile: "Profile",
  scan: "Scan",
  materialize: "Materialize",
  export: "Export",
};

/** An operation option the server would reject or the original refuses. */
export class OperationOptionError extends Error {
  override name = "OperationOptionError";
}

/** Accepted `ai_effort` levels; the legacy `0..5` inference thresholds map onto them. */
export const AI_EFFORT_LEVELS = ["off", "low", "medium", "high", "xhigh", "max"] as const;

/** `High` → `high`, `3` → `high`; anything else is an {@link OperationOptionError}. */
export function normalizeAiEffort(value: string | number): string {
  const text = String(value).trim().toLowerCase();
  if (/^[0-5]$/.test(text)) return AI_EFFORT_LEVELS[Number(text)];
  if ((AI_EFFORT_LEVELS as readonly string[]).includes(text)) return text;
  throw new OperationOptionError(`--ai-effort must be one of: ${AI_EFFORT_LEVELS.join(", ")}`);
}

/** Asset types of an export operation. */
export const EXPORT_ASSET_TYPES = ["anomalies", "checks", "profiles"] as const;

/**
 * Parses `--greater-than-time` (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DD HH:MM:SS`)
 * into the API's `YYYY-MM-DDTHH:MM:SS.000Z`.
 */
export function formatGreaterThanTime(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2}))?$/.exec(value.trim());
  const date = match && new Date(`${match[1]}T${match[2] ?? "00:00:00"}Z`);
  if (!match || !date || Number.isNaN(date.getTime())) {
    throw new OperationOptionError(
      `'${value}' is not a valid date; use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or ` +
        `'YYYY-MM-DD HH:MM:SS'.`,
    );
  }
  return `${match[1]}T${match[2] ?? "00:00:00"}.000Z`;
}

/** Drops keys whose value is `undefined` or `null`, as the original does before sending. */
export function dropNulls(payload: ApiObject): ApiObject {
  return Object.fromEntries(
    Object.entries(payload).filter(([, value]) => value !== undefined && value !== null),
  );
}

/** Options of a sync. */
export interface SyncOptions {
  include?: string[];
  prune?: boolean;
  recreate?: boolean;
}

/** Payload of a sync (`prune` and `recreate` are always sent). */
export function syncPayload(datastoreId: number, options: SyncOptions = {}): ApiObject {
  return dropNulls({
    datastore_id: datastoreId,
    type: "sync",
    include: options.include,
    prune: options.prune ?? false,
    recreate: options.recreate ?? false,
  });
}

/** Options of a profile. */
export interface ProfileOptions {
  containerNames?: string[];
  containerTags?: string[];
  aiEffort?: string;
  inferAsDraft?: boolean;
  maxRecordsAnalyzedPerPartition?: number;
  maxCountTestingSample?: number;
  percentTestingThreshold?: number;
  highCorrelationThreshold?: number;
  greaterThanTime?: string;
  greaterThanBatch?: number;
  histogramMaxDistinctValues?: number;
}

function checkMaxRecords(value: number | undefined): void {
  if (value !== undefined && value < -1) {
    throw new OperationOptionError(
      `--max-records-analyzed-per-partition must be -1 (all records) or more, got ${value}.`,
    );
  }
}

/** Payload of a profile; validates `ai_effort` and the record limit. */
export function profilePayload(datastoreId: number, options: ProfileOptions = {}): ApiObject {
  checkMaxRecords(options.maxRecordsAnalyzedPerPartition);
  return dropNulls({
    datastore_id: datastoreId,
    type: "profile",
    container_names: options.containerNames,
    container_tags: options.containerTags,
    ai_effort: options.aiEffort === undefined ? undefined : normalizeAiEffort(options.aiEffort),
    infer_as_draft: options.inferAsDraft ? true : undefined,
    max_records_analyzed_per_partition: options.maxRecordsAnalyzedPerPartition,
    max_count_testing_sample: options.maxCountTestingSample,
    percent_testing_threshold: options.percentTestingThreshold,
    high_correlation_threshold: options.highCorrelationThreshold,
    greater_than_time: options.greaterThanTime === undefined
      ? undefined
      : formatGreaterThanTime(options.greaterThanTime),
    greater_than_batch: options.greaterThanBatch,
    histogram_max_distinct_values: options.histogramMaxDistinctValues,
  });
}

/** Options of a scan. */
export interface ScanOptions {
  containerNames?: string[];
  containerTags?: string[];
  incremental?: boolean;
  autoResolvePassedAnomalies?: boolean;
  maxRecordsAnalyzedPerPartition?: number;
  enrichmentSourceRecordLimit?: number;
  greaterThanTime?: string;
  greaterThanBatch?: number;
}

/** Payload of a scan (`incremental` is always sent). */
export function scanPayload(datastoreId: number, options: ScanOptions = {}): ApiObject {
  checkMaxRecords(options.maxRecordsAnalyzedPerPartition);
  if (
    options.enrichmentSourceRecordLimit !== undefined && options.enrichmentSourceRecordLimit < 1
  ) {
    throw new OperationOptionError("--enrichment-source-record-limit must be >= 1.");
  }
  return dropNulls({
    datastore_id: datastoreId,
    type: "scan",
    incremental: options.incremental ?? false,
    auto_resolve_passed_anomalies: options.autoResolvePassedAnomalies,
    max_records_analyzed_per_partition: options.maxRecordsAnalyzedPerPartition,
    enrichment_source_record_limit: options.enrichmentSourceRecordLimit,
    greater_than_time: options.greaterThanTime === undefined
      ? undefined
      : formatGreaterThanTime(options.greaterThanTime),
    greater_than_batch: options.greaterThanBatch,
    container_names: options.containerNames?.length ? options.containerNames : undefined,
    container_tags: options.containerTags?.length ? options.containerTags : undefined,
  });
}

/** Options of a materialize. */
export interface MaterializeOptions {
  containerNames?: string[];
  containerTags?: string[];
  maxRecordsPerPartition?: number;
}

/** Payload of a materialize. */
export function materializePayload(
  datastoreId: number,
  options: MaterializeOptions = {},
): ApiObject {
  return dropNulls({
    datastore_id: datastoreId,
    type: "materialize",
    container_names: options.containerNames,
    container_tags: options.containerTags,
    max_records_per_partition: options.maxRecordsPerPartition,
  });
}

/** Options of an export operation. */
export interface ExportOperationOptions {
  assetType: string;
  containerIds?: number[];
  containerTags?: string[];
  includeDeleted?: boolean;
}

/** Payload of an export operation; validates the asset type. */
export function exportPayload(datastoreId: number, options: ExportOperationOptions): ApiObject {
  if (!(EXPORT_ASSET_TYPES as readonly string[]).includes(options.assetType)) {
    throw new OperationOptionError(
      `--asset-type must be one of: ${EXPORT_ASSET_TYPES.join(", ")}.`,
    );
  }
  return dropNulls({
    datastore_id: datastoreId,
    type: "export",
    asset_type: options.assetType,
    container_ids: options.containerIds,
    container_tags: options.containerTags,
    include_deleted: options.includeDeleted ?? false,
  });
}

/** How an operation ended (or did not). */
export type OperationOutcome = "success" | "warning" | "failure" | "aborted" | "timeout";

/** Progress counters of a running operation. */
export interface OperationProgress {
  id: number;
  totalContainers?: number;
  containersAnalyzed?: number;
  recordsProcessed?: number;
  elapsedMs: number;
}

/** Options of {@link waitForOperation}. */
export interface WaitOptions {
  /** Pause between polls (the first poll is immediate). */
  pollIntervalMs: number;
  /** Give up after this long; the operation keeps running on the server. */
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  /** Called after every poll of a still-running operation. */
  onProgress?: (progress: OperationProgress, operation: Operation) => void;
}

/** The end of a wait. */
export interface WaitResult {
  outcome: OperationOutcome;
  /** The last state seen (the finished operation, or the running one on time-out). */
  operation: Operation;
  elapsedMs: number;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === "number" ? value : value == null ? undefined : Number(value);
}

/** Classifies a finished operation: success (no message), warning (a message), failure, aborted. */
export function operationOutcome(operation: Operation): OperationOutcome {
  if (operation.result === "success") return operation.message ? "warning" : "success";
  if (operation.result === "aborted") return "aborted";
  return "failure";
}

function isFinished(operation: Operation): boolean {
  return !!operation.end_time ||
    (!!operation.result && operation.result !== "running" && operation.result !== "pending");
}

/**
 * Polls `GET /operations/{id}` (at once, then every `pollIntervalMs`) until `end_time` is set or
 * `timeoutMs` has passed. Reusable wherever an operation must be awaited (config import syncs).
 *
 * @example
 * ```ts
 * const { outcome } = await waitForOperation(client, 42, {
 *   pollIntervalMs: 10_000, timeoutMs: 1_800_000,
 *   sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: () => new Date(),
 * });
 * ```
 */
export async function waitForOperation(
  client: QualyticsClient,
  id: number,
  options: WaitOptions,
): Promise<WaitResult> {
  const started = options.now().getTime();
  for (;;) {
    const operation = await getOperation(client, id);
    const elapsedMs = options.now().getTime() - started;
    if (isFinished(operation)) {
      return { outcome: operationOutcome(operation), operation, elapsedMs };
    }
    const status = (operation.status ?? {}) as Record<string, unknown>;
    options.onProgress?.({
      id,
      totalContainers: numberOrUndefined(status.total_containers),
      containersAnalyzed: numberOrUndefined(status.containers_analyzed),
      recordsProcessed: numberOrUndefined(status.records_processed),
      elapsedMs,
    }, operation);
    if (elapsedMs >= options.timeoutMs) return { outcome: "timeout", operation, elapsedMs };
    await options.sleep(Math.min(options.pollIntervalMs, options.timeoutMs - elapsedMs));
  }
}

/** What happened to one datastore's operation. */
export interface OperationRun {
  datastoreId: number;
  /** Set once the operation was started. */
  operation?: Operation;
  /** `undefined` in background mode (not waited for). */
  outcome?: OperationOutcome | "error";
  /** The failure to start or to poll, or the operation's message/detail. */
  error?: string;
}

/** Options of {@link runOperations}. */
export interface RunOperationsOptions {
  /** The payload of each datastore's operation. */
  payloadFor: (datastoreId: number) => ApiObject;
  datastoreIds: number[];
  /** Return right after starting. */
  background: boolean;
  wait: Omit<WaitOptions, "onProgress">;
  onStarted?: (run: OperationRun) => void;
  onProgress?: (progress: OperationProgress, run: OperationRun) => void;
  onFinished?: (run: OperationRun) => void;
}

function errorText(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}

/**
 * Starts one operation per datastore (concurrently, bounded by the client) and, unless
 * `background`, waits for each. Failures to start or poll are reported per datastore, never
 * thrown, so one datastore's problem does not hide the others' results.
 */
export function runOperations(
  client: QualyticsClient,
  options: RunOperationsOptions,
): Promise<OperationRun[]> {
  const payloads = options.datastoreIds.map((id) => options.payloadFor(id));
  return Promise.all(options.datastoreIds.map(async (datastoreId, index) => {
    const run: OperationRun = { datastoreId };
    try {
      run.operation = await runOperation(client, payloads[index]);
    } catch (error) {
      run.outcome = "error";
      run.error = errorText(error);
      options.onFinished?.(run);
      return run;
    }
    options.onStarted?.(run);
    if (options.background) return run;
    try {
      const result = await waitForOperation(client, run.operation.id, {
        ...options.wait,
        onProgress: (progress, operation) => {
          run.operation = operation;
          options.onProgress?.(progress, run);
        },
      });
      run.operation = result.operation;
      run.outcome = result.outcome;
      if (result.outcome !== "success") {
        const detail = result.operation.detail ?? result.operation.message;
        if (typeof detail === "string" && detail) run.error = detail;
      }
    } catch (error) {
      run.outcome = "error";
      run.error = errorText(error);
    }
    options.onFinished?.(run);
    return run;
  }));
}

/** Result values of operations (`--status` of `operations list`). */
export const OPERATION_RESULTS = ["running", "success", "failure", "aborted"] as const;

/** Filters of `operations list`. */
export interface OperationListFilters {
  datastoreIds?: number[];
  type?: string;
  results?: string[];
  startDate?: string;
  endDate?: string;
}

/** The query of `GET /operations` for the filters (newest first, as the original). */
export function operationListQuery(filters: OperationListFilters): Query {
  return {
    datastore: filters.datastoreIds?.length ? filters.datastoreIds : undefined,
    operation_type: filters.type,
    result: filters.results?.length ? filters.results : undefined,
    start_date: filters.startDate,
    end_date: filters.endDate,
    sort_created: "desc",
  };
}

/** The original's sentence for the answer to an abort request. */
export function describeAbort(id: number, operation: Operation | null): string {
  const result = operation?.result ?? "unknown";
  if (result === "aborted") return `Operation ${id} aborted.`;
  if (result === "success" || result === "failure") {
    return `Operation ${id} already finished with result: ${result}.`;
  }
  return `Abort requested for operation ${id} (result: ${result}).`;
}
