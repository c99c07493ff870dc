/** `/api/anomalies*`. */
import { dataVisibility, requirePermission } from "../auth.ts";
import {
  archivedFilter,
  type Ctx,
  type FakeRoute,
  hasAnyTag,
  idParam,
  noContent,
  ok,
  pagedJson,
  sortBy,
  tagNames,
} from "../context.ts";
import { conflict } from "../errors.ts";
import { renderAnomaly } from "../render.ts";
import type { Rec } from "../state.ts";
import { type BodySchema, validateArray, validateBody } from "../validate.ts";

const OPEN = ["Active", "Acknowledged"] as const;
const ARCHIVED = ["Resolved", "Invalid", "Duplicate", "Discarded"] as const;
const ALL = [...OPEN, ...ARCHIVED] as const;

const UPDATE: BodySchema = {
  status: { type: "str", required: true, enum: OPEN },
  description: { type: "str" },
  tags: { type: "list[str]" },
  assignee_ids: { type: "list[int]" },
};

function update(ctx: Ctx, anomaly: Rec, data: Rec): void {
  requirePermission(ctx.state, ctx.caller, ctx.state.datastores.get(anomaly.datastore), "Author");
  if (anomaly.archived) {
    throw conflict(
      `Anomaly id: ${anomaly.id} is archived (${anomaly.status}) and cannot be updated`,
    );
  }
  for (const id of data.assignee_ids ?? []) ctx.state.user(id);
  anomaly.status = data.status;
  if ("description" in data) anomaly.description = data.description;
  if ("tags" in data) anomaly.global_tags = tagNames(ctx, data.tags);
  if ("assignee_ids" in data) anomaly.assignee_ids = data.assignee_ids ?? [];
  anomaly.is_new = false;
}

function remove(ctx: Ctx, anomaly: Rec, archive: boolean, status: string): void {
  requirePermission(ctx.state, ctx.caller, ctx.state.datastores.get(anomaly.datastore), "Author");
  if (!archive) {
    ctx.state.anomalies.delete(anomaly.id);
    return;
  }
  anomaly.archived = true;
  anomaly.status = status;
}

/** The anomaly routes. */
export const anomalyRoutes: FakeRoute[] = [
  {
    method: "GET",
    path: "/api/anomalies",
    handler(ctx) {
      const datastore = ctx.query.int("datastore");
      const container = ctx.query.int("container");
      const check = ctx.query.int("quality_check");
      const statuses = ctx.query.enumList("status", ALL);
      const type = ctx.query.enumOf("anomaly_type", ["record", "shape"] as const);
      const tags = ctx.query.list("tag");
      const ruleTypes = ctx.query.list("rule_type");
      const start = ctx.query.date("start_date");
      const end = ctx.query.date("end_date");
      const timeframe = ctx.query.int("timeframe", { ge: 1 });
      const sourceEnriched = ctx.query.bool("source_enriched");
      const archived = archivedFilter(ctx, (a) => Boolean(a.archived));
      const since = timeframe === undefined
        ? undefined
        : new Date(ctx.state.clock().getTime() - timeframe * 86_400_000).toISOString();
      // Asking for archived statuses explicitly includes archived anomalies.
      const includeArchived = statuses.some((s) => (ARCHIVED as readonly string[]).includes(s)) &&
        !ctx.query.has("archived");
      // A datastore narrows the scan to its anomalies (the index keeps collection order).
      const candidates = datastore === undefined
        ? ctx.state.anomalies.values()
        : ctx.state.index().anomaliesByDatastore.get(datastore) ?? [];
      const visible = dataVisibility(ctx.state, ctx.caller);
      let items = candidates.filter((a) => {
        if (!visible(a.datastore)) return false;
        if (container !== undefined && a.container !== container) return false;
        const checkIds = (): number[] => (a.failed_checks ?? []).map((f: Rec) => f.quality_check);
        if (check !== undefined && !checkIds().includes(check)) return false;
        if (statuses.length && !statuses.includes(a.status)) return false;
        if (type !== undefined && a.type !== type) return false;
        if (!hasAnyTag(a, tags)) return false;
        if (
          ruleTypes.length &&
          !checkIds().some((id) => ruleTypes.includes(ctx.state.checks.get(id)?.rule_type))
        ) {
          return false;
        }
        if (start !== undefined || end !== undefined) {
          const day = String(a.created).slice(0, 10);
          if (start !== undefined && day < start) return false;
          if (end !== undefined && day > end) return false;
        }
        if (since !== undefined && String(a.created) < since) return false;
        if (sourceEnriched !== undefined && Boolean(a.source_enriched) !== sourceEnriched) {
          return false;
        }
        return includeArchived || archived(a);
      });
      items = sortBy(ctx, items, { sort_created: (a) => a.created, sort_weight: (a) => a.weight });
      return pagedJson(ctx, items, "anomaly", (a) => renderAnomaly(ctx.state, a));
    },
  },
  {
    method: "PATCH",
    path: "/api/anomalies",
    handler(ctx) {
      const items = validateArray(ctx.body, { id: { type: "int", required: true }, ...UPDATE });
      const anomalies = items.map((item) => ctx.state.anomaly(item.id));
      anomalies.forEach((a, i) => update(ctx, a, items[i]));
      return ok(anomalies.map((a) => renderAnomaly(ctx.state, a)));
    },
  },
  {
    method: "DELETE",
    path: "/api/anomalies",
    handler(ctx) {
      const items = validateArray(ctx.body, {
        id: { type: "int", required: true },
        archive: { type: "bool" },
        status: { type: "str", enum: ARCHIVED },
      });
      const anomalies = items.map((item) => ctx.state.anomaly(item.id));
      anomalies.forEach((a, i) =>
        remove(ctx, a, items[i].archive !== false, items[i].status ?? "Resolved")
      );
      return noContent();
    },
  },
  {
    method: "GET",
    path: "/api/anomalies/{id}",
    handler(ctx) {
      const anomaly = ctx.state.anomaly(idParam(ctx));
      requirePermission(
        ctx.state,
        ctx.caller,
        ctx.state.datastores.get(anomaly.datastore),
        "Reporter",
      );
      return ok(renderAnomaly(ctx.state, anomaly));
    },
  },
  {
    method: "PUT",
    path: "/api/anomalies/{id}",
    handler(ctx) {
      const anomaly = ctx.state.anomaly(idParam(ctx));
      update(ctx, anomaly, validateBody(ctx.body, UPDATE));
      return ok(renderAnomaly(ctx.state, anomaly));
    },
  },
  {
    method: "DELETE",
    path: "/api/anomalies/{id}",
    handler(ctx) {
      const anomaly = ctx.state.anomaly(idParam(ctx));
      const archive = ctx.query.bool("archive", true)!;
      const status = ctx.query.enumOf("status", ARCHIVED, "Resolved")!;
      remove(ctx, anomaly, archive, status);
      return noContent();
    },
  },
  {
    method: "GET",
    path: "/api/anomalies/{id}/source-record",
    handler(ctx) {
      const anomaly = ctx.state.anomaly(idParam(ctx));
      // Source records need Viewer (endpoints.md, team permissions table).
      requirePermission(
        ctx.state,
        ctx.caller,
        ctx.state.datastores.get(anomaly.datastore),
        "Viewer",
      );
      const limit = ctx.query.int("limit", { ge: 1, default: 10 })!;
      const rows = Math.min(limit, Math.max(1, Number(anomaly.anomalous_records_count) || 1));
      return ok(
        Array.from({ length: rows }, (_, i) => ({
          source_record: JSON.stringify({ row: i + 1, anomaly_id: anomaly.id }),
          created: anomaly.created,
        })),
      );
    },
  },
];
