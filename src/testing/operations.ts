/**
 * Operations (sync, profile, scan, materialize, export) that run over simulated time: no
 * timers; every request advances running operations from the clock, so a test controls them
 * with `now` and `operationDurationMs`.
 */
import { requirePermission } from "./auth.ts";
import { buildAnomaly, buildContainer, buildOperation, deepCopy } from "./build.ts";
import type { Ctx } from "./context.ts";
import { conflict, notFound, valueError } from "./errors.ts";
import type { FakeState, OperationRuntime, Rec } from "./state.ts";
import { type BodySchema, validateBody } from "./validate.ts";

/** Operation types (`catalog` is the deprecated alias of `sync`). */
export const OPERATION_TYPES = [
  "sync",
  "catalog",
  "profile",
  "scan",
  "materialize",
  "export",
] as const;
/** Operation results. */
export const OPERATION_RESULTS = ["running", "success", "failure", "aborted"] as const;

const RUN_SCHEMA: BodySchema = {
  type: { type: "str", required: true, enum: OPERATION_TYPES },
  datastore_id: { type: "int", required: true },
  name: { type: "str" },
  container_names: { type: "list[str]" },
  container_tags: { type: "list[str]" },
  include: { type: "list[str]" },
  prune: { type: "bool" },
  recreate: { type: "bool" },
  incremental: { type: "bool" },
  ai_effort: { type: "str", enum: ["off", "low", "medium", "high", "xhigh", "max"] },
  infer_as_draft: { type: "bool" },
  max_records_analyzed_per_partition: { type: "int", ge: -1, le: 1_000_000_000 },
  max_count_testing_sample: { type: "int", ge: 1, le: 100_000 },
  percent_testing_threshold: { type: "float", ge: 0, le: 1 },
  high_correlation_threshold: { type: "float", ge: 0, le: 1 },
  histogram_max_distinct_values: { type: "int", ge: 1 },
  greater_than_time: { type: "str" },
  greater_than_batch: { type: "float" },
  enrichment_source_record_limit: { type: "int", ge: 1 },
  high_count_rollup_threshold: { type: "int", ge: 1, le: 1000 },
  archive_overlapping_anomalies: { type: "bool" },
  archive_duplicate_anomalies: { type: "bool" },
  reactivate_recurring_anomalies: { type: "bool" },
  auto_resolve_passed_anomalies: { type: "bool" },
  check_categories: { type: "list[str]" },
  check_variables: { type: "dict" },
  max_records_per_partition: { type: "int", ge: -1, le: 1_000_000_000 },
  asset_type: { type: "str", enum: ["anomalies", "checks", "profiles"] },
  container_ids: { type: "list[int]" },
  include_deleted: { type: "bool" },
  include_masked: { type: "bool" },
};

/** Validates a run body, checks permissions and starts the operation. */
export function runOperation(ctx: Ctx): Rec {
  const body = validateBody(ctx.body, RUN_SCHEMA, { forbidden: ["remediation"] });
  if (body.container_names && body.container_tags) {
    throw valueError(
      ["body"],
      "container_names and container_tags are mutually exclusive",
      body,
    );
  }
  if (body.type === "export" && !body.asset_type) {
    throw valueError(["body", "asset_type"], "asset_type is required for export operations", null);
  }
  const ds = ctx.state.datastore(body.datastore_id);
  requirePermission(ctx.state, ctx.caller, ds, "Editor");
  if ((body.type === "export" || body.type === "materialize") && !ds.enrich_datastore) {
    throw conflict(`The datastore id: ${ds.id} does not have an enrichment datastore`);
  }
  return startOperation(ctx, body);
}

function counters(type: string): Rec {
  switch (type) {
    case "profile":
      return {
        total_containers: 0,
        containers_analyzed: 0,
        partitions_analyzed: 0,
        records_processed: 0,
        fields_profiled: 0,
        checks_synchronized: 0,
        checks_added: 0,
        checks_updated: 0,
      };
    case "scan":
      return {
        total_containers: 0,
        containers_analyzed: 0,
        partitions_scanned: 0,
        records_processed: 0,
        anomalies_identified: 0,
      };
    default:
      return { total_containers: 0, containers_analyzed: 0 };
  }
}

function targetContainers(state: FakeState, ds: Rec, body: Rec): Rec[] {
  const all = state.containersOf(ds.id);
  if (Array.isArray(body.container_names)) {
    return body.container_names.map((name: string) =>
      all.find((c) => c.name === name) ??
        (() => {
          throw notFound(`Container name: ${name} not found in datastore id: ${ds.id}`);
        })()
    );
  }
  if (Array.isArray(body.container_ids)) {
    return body.container_ids.map((id: number) => state.container(id));
  }
  if (Array.isArray(body.container_tags)) {
    return all.filter((c) =>
      (c.global_tags ?? []).some((t: unknown) => body.container_tags.includes(t))
    );
  }
  return all;
}

/** Starts an operation from a validated run body (also used by `trigger_sync`). */
export function startOperation(ctx: Ctx, body: Rec): Rec {
  const state = ctx.state;
  const ds = state.datastore(body.datastore_id);
  const type = body.type === "catalog" ? "sync" : body.type;
  const targets = type === "sync"
    ? (state.catalog[ds.name] ?? []).map(() => 0)
    : targetContainers(state, ds, body).map((c) => c.id);
  const records = type === "sync" ? 0 : targets.reduce(
    (sum, id) => sum + (Number(state.containers.get(id)?.record_count) || 1000),
    0,
  );
  const { type: _t, datastore_id: _d, ...params } = body;
  const status = counters(type);
  status.total_containers = type === "sync"
    ? Math.max(targets.length, state.containersOf(ds.id).length)
    : targets.length;
  const op = buildOperation({
    id: state.nextId(state.operations),
    type,
    triggered_by: ctx.caller.user.email ?? null,
    datastore: ds.id,
    containers: type === "sync" ? [] : targets,
    status,
    ...deepCopy(params),
  }, state.nowIso());
  state.operations.insert(op);
  state.running.set(op.id, {
    startMs: state.clock().getTime(),
    durationMs: ctx.settings.operationDurationMs,
    targets,
    records,
  });
  advanceOperation(state, op);
  return op;
}

/** Advances every running operation to the current time. */
export function advanceOperations(state: FakeState): void {
  if (!state.running.size) return;
  // Progress and finishing (scan anomalies, counters) change records in place.
  state.touch();
  for (const id of [...state.running.keys()]) {
    const op = state.operations.get(id);
    if (op) advanceOperation(state, op);
    else state.running.delete(id);
  }
}

function advanceOperation(state: FakeState, op: Rec): void {
  const rt = state.running.get(op.id);
  if (!rt) return;
  const elapsed = state.clock().getTime() - rt.startMs;
  const fraction = rt.durationMs <= 0 ? 1 : Math.min(1, elapsed / rt.durationMs);
  if (fraction >= 1) {
    finish(state, op, rt);
    return;
  }
  const s = op.status;
  s.containers_analyzed = Math.floor(fraction * s.total_containers);
  if ("records_processed" in s) s.records_processed = Math.floor(fraction * rt.records);
  if ("partitions_scanned" in s) s.partitions_scanned = s.containers_analyzed;
  if ("partitions_analyzed" in s) s.partitions_analyzed = s.containers_analyzed;
  if ("fields_profiled" in s) {
    const fields = rt.targets.reduce((n, id) => n + state.fieldsOf(id).length, 0);
    s.fields_profiled = Math.floor(fraction * fields);
  }
}

/** Aborts a running operation (finished ones are returned unchanged). */
export function abortOperation(state: FakeState, op: Rec): Rec {
  advanceOperation(state, op);
  if (!state.running.has(op.id)) return op;
  state.running.delete(op.id);
  op.result = "aborted";
  op.end_time = state.nowIso();
  op.message = "Operation aborted by user";
  return op;
}

function finish(state: FakeState, op: Rec, rt: OperationRuntime): void {
  state.running.delete(op.id);
  const ds = state.datastores.get(op.datastore);
  const s = op.status;
  const connection = ds ? state.connections.get(ds.connection_id) : undefined;
  const unreachable = String(connection?.host ?? connection?.uri ?? "").includes("unreachable");
  op.end_time = state.nowIso();
  if (!ds || unreachable) {
    op.result = "failure";
    op.message = ds
      ? `Connection refused: ${connection?.host ?? connection?.uri}`
      : "Datastore no longer exists";
    op.detail = op.message;
    return;
  }
  s.containers_analyzed = s.total_containers;
  if ("records_processed" in s) s.records_processed = rt.records;
  if ("partitions_scanned" in s) s.partitions_scanned = s.total_containers;
  if ("partitions_analyzed" in s) s.partitions_analyzed = s.total_containers;
  if (op.type === "sync") sync(state, ds, op);
  if (op.type === "profile") {
    s.fields_profiled = rt.targets.reduce((n, id) => n + state.fieldsOf(id).length, 0);
  }
  if (op.type === "scan") s.anomalies_identified = scan(state, ds, op, rt.targets);
  op.result = "success";
}

function sync(state: FakeState, ds: Rec, op: Rec): void {
  const entries = state.catalog[ds.name] ?? [];
  const include: string[] | undefined = Array.isArray(op.include) ? op.include : undefined;
  const existing = state.containersOf(ds.id, true);
  const found = new Set<string>();
  let created = 0;
  for (const entry of entries) {
    const kind = entry.container_type === "table"
      ? (entry.table_type ?? "table")
      : entry.container_type;
    if (include && !include.includes(kind)) continue;
    found.add(entry.name);
    if (existing.some((c) => c.name === entry.name)) continue;
    const { fields, ...rest } = deepCopy(entry);
    const container = buildContainer(
      { id: state.nextId(state.containers), ...rest, datastore: ds.id, created: state.nowIso() },
      state.nowIso(),
    );
    state.containers.insert(container);
    for (const tag of container.global_tags ?? []) state.ensureTag(tag);
    for (const field of Array.isArray(fields) ? fields : []) {
      state.ensureField(container.id, field.name, { type: field.type ?? "String" });
    }
    created++;
  }
  if (op.prune === true) {
    for (const c of existing) {
      if (!c.container_type?.startsWith("computed") && !found.has(c.name)) {
        state.deleteContainer(c.id);
      }
    }
  }
  op.status.total_containers = entries.length;
  op.status.containers_analyzed = entries.length;
  op.status.containers_discovered = created;
}

/** Whether a check fails in a scan: metadata `fake_result` wins, else a fixed hash of the id. */
export function checkFails(check: Rec): boolean {
  const forced = check.additional_metadata?.fake_result;
  if (forced === "fail") return true;
  if (forced === "pass") return false;
  return (Math.imul(check.id, 2654435761) >>> 0) % 4 === 0;
}

function scan(state: FakeState, ds: Rec, op: Rec, targets: number[]): number {
  const inScope = new Set(targets);
  let identified = 0;
  for (const check of state.checks.values()) {
    if (!inScope.has(check.container) || check.deleted_at || check.is_template) continue;
    if (check.status !== "Active") continue;
    const open = state.anomalies.values().filter((a) =>
      !a.archived && (a.failed_checks ?? []).some((f: Rec) => f.quality_check === check.id)
    );
    if (!checkFails(check)) {
      if (op.auto_resolve_passed_anomalies === true) {
        for (const a of open) {
          a.status = "Resolved";
          a.archived = true;
        }
      }
      continue;
    }
    if (open.length) continue;
    const id = state.nextId(state.anomalies);
    const fields: string[] = check.fields ?? [];
    const container = state.containers.get(check.container);
    state.anomalies.insert(buildAnomaly({
      id,
      type: fields.length ? "record" : "shape",
      message: `${check.rule_type} check failed on ${container?.name ?? check.container}` +
        (fields.length ? ` (${fields.join(", ")})` : ""),
      weight: 5,
      datastore: ds.id,
      container: check.container,
      failed_checks: [{ quality_check: check.id, message: check.description ?? null }],
      global_tags: [...(check.global_tags ?? [])],
      anomalous_records_count: fields.length ? 1 + (check.id % 17) : 0,
      operation_id: op.id,
    }, state.nowIso()));
    if (typeof check.anomaly_count === "number") check.anomaly_count++;
    identified++;
  }
  return identified;
}
