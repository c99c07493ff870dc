/** `/api/quality-checks*` and `/api/quality-check-templates`. */
import { dataVisibility, requirePermission, requireRole } from "../auth.ts";
import { buildCheck, deepCopy } from "../build.ts";
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
import { conflict, valueError } from "../errors.ts";
import { renderCheck } from "../render.ts";
import type { Rec } from "../state.ts";
import { type BodySchema, validateArray, validateBody } from "../validate.ts";
import { RULE_TYPES, RULES } from "./rules.ts";

const ARCHIVE_STATUSES = ["Discarded", "Invalid"] as const;

const CREATE: BodySchema = {
  container_id: { type: "int", required: true },
  rule: { type: "str", required: true, enum: RULE_TYPES },
  description: { type: "str" },
  fields: { type: "list[str]" },
  coverage: { type: "float", ge: 0, le: 1 },
  filter: { type: "str" },
  properties: { type: "dict" },
  tags: { type: "list[str]" },
  additional_metadata: { type: "dict" },
  status: { type: "str", enum: ["Active", "Draft"] },
  template_id: { type: "int" },
  owner_id: { type: "int", ge: 1 },
  default_anomaly_assignee_id: { type: "int", ge: 1 },
  anomaly_message_field: { type: "str" },
};
const UPDATE: BodySchema = (() => {
  const { container_id: _c, rule: _r, ...rest } = CREATE;
  return {
    ...rest,
    description: { type: "str", required: true },
    fields: { type: "list[str]", required: true },
  };
})();
const TEMPLATE: BodySchema = {
  rule: { type: "str", required: true, enum: RULE_TYPES },
  description: { type: "str" },
  coverage: { type: "float", ge: 0, le: 1 },
  filter: { type: "str" },
  properties: { type: "dict" },
  tags: { type: "list[str]" },
  additional_metadata: { type: "dict" },
  template_locked: { type: "bool" },
  anomaly_message_field: { type: "str" },
  status: { type: "str", enum: ["Active", "Draft"] },
};
const UPDATABLE = [
  "description",
  "coverage",
  "filter",
  "properties",
  "additional_metadata",
  "status",
  "owner_id",
  "default_anomaly_assignee_id",
  "anomaly_message_field",
  "template_locked",
];

/** Rule-specific checks of fields and properties (422 `value_error`). */
function checkRule(rule: string, fields: unknown[], properties: Rec): void {
  const spec = RULES[rule];
  if (!spec) return;
  if (spec.fields === "single" && fields.length !== 1) {
    throw valueError(["body", "fields"], `Rule ${rule} requires exactly one field`, fields);
  }
  if ((spec.fields === "multi" || spec.fields === "calculated") && fields.length === 0) {
    throw valueError(["body", "fields"], `Rule ${rule} requires at least one field`, fields);
  }
  for (const group of spec.required ?? []) {
    const names = group.split("|");
    if (!names.some((name) => properties[name] !== undefined && properties[name] !== null)) {
      throw valueError(
        ["body", "properties"],
        `Rule ${rule} requires the propert${names.length > 1 ? "ies" : "y"} ${names.join(" or ")}`,
        properties,
      );
    }
  }
}

/** Properties as comparable text (`1.0` as `1`, as Python compares them; big ints by value). */
const propertiesText = (r: Rec) =>
  JSON.stringify(r.properties ?? {}, (_key, v) => typeof v === "bigint" ? `${v}n` : v);

function sameCheck(a: Rec, b: Rec): boolean {
  const fields = (r: Rec) => [...(r.fields ?? [])].sort().join("\u0000");
  return a.container === b.container && a.rule_type === b.rule_type && fields(a) === fields(b) &&
    (a.filter ?? null) === (b.filter ?? null) && propertiesText(a) === propertiesText(b);
}

function datastoreOfCheck(ctx: Ctx, check: Rec): Rec | undefined {
  const container = ctx.state.containers.get(check.container);
  return container ? ctx.state.datastores.get(ctx.state.datastoreIdOf(container)!) : undefined;
}

function archive(ctx: Ctx, check: Rec, status: string, deleteAnomalies: boolean): void {
  check.deleted_at = ctx.state.nowIso();
  check.status = status;
  if (!deleteAnomalies) return;
  for (const a of ctx.state.anomalies.values()) {
    if ((a.failed_checks ?? []).some((f: Rec) => f.quality_check === check.id)) {
      a.archived = true;
      a.status = "Discarded";
    }
  }
}

function remove(ctx: Ctx, check: Rec): void {
  ctx.state.checks.delete(check.id);
  for (const a of ctx.state.anomalies.values()) {
    if ((a.failed_checks ?? []).some((f: Rec) => f.quality_check === check.id)) {
      ctx.state.anomalies.delete(a.id);
    }
  }
}

function deleteOne(ctx: Ctx, check: Rec, item: Rec): void {
  requirePermission(ctx.state, ctx.caller, datastoreOfCheck(ctx, check), "Author");
  if (item.archive === false) remove(ctx, check);
  else archive(ctx, check, item.status ?? "Discarded", item.delete_anomalies === true);
}

/** The quality check routes. */
export const checkRoutes: FakeRoute[] = [
  {
    method: "GET",
    path: "/api/quality-checks",
    handler(ctx) {
      const datastore = ctx.query.int("datastore");
      const containers = ctx.query.intList("container");
      const tags = ctx.query.list("tag");
      const statuses = ctx.query.enumList("status", ["Active", "Draft"] as const);
      const templateOnly = ctx.query.bool("template_only", false);
      const templateLocked = ctx.query.bool("template_locked");
      const ruleTypes = ctx.query.list("rule_type");
      const archived = archivedFilter(ctx, (c) => Boolean(c.deleted_at));
      // A datastore narrows the scan to its checks (the index keeps collection order).
      const candidates = datastore === undefined
        ? ctx.state.checks.values()
        : ctx.state.index().checksByDatastore.get(datastore) ?? [];
      // Templates belong to the library (no datastore); the rest to the caller's datastores.
      const visible = dataVisibility(ctx.state, ctx.caller);
      let items = candidates.filter((c) =>
        (c.is_template || visible(datastoreOfCheck(ctx, c)?.id)) &&
        Boolean(c.is_template) === templateOnly &&
        (!containers.length || containers.includes(c.container)) &&
        (!statuses.length || statuses.includes(c.status)) &&
        (templateLocked === undefined || Boolean(c.template_locked) === templateLocked) &&
        (!ruleTypes.length || ruleTypes.includes(c.rule_type)) &&
        hasAnyTag(c, tags) && archived(c)
      );
      items = sortBy(ctx, items, { sort_created: (c) => c.created });
      return pagedJson(ctx, items, "check", (c) => renderCheck(ctx.state, c));
    },
  },
  {
    method: "POST",
    path: "/api/quality-checks",
    handler(ctx) {
      const data = validateBody(ctx.body, CREATE);
      const container = ctx.state.container(data.container_id);
      const ds = ctx.state.datastores.get(ctx.state.datastoreIdOf(container)!);
      const status = data.status ?? "Active";
      requirePermission(ctx.state, ctx.caller, ds, status === "Active" ? "Author" : "Drafter");
      const fields: string[] = data.fields ?? [];
      checkRule(data.rule, fields, data.properties ?? {});
      for (const ref of ["ref_container_id", "ref_datastore_id"]) {
        const id = data.properties?.[ref];
        if (typeof id === "number") {
          if (ref === "ref_container_id") ctx.state.container(id);
          else ctx.state.datastore(id);
        }
      }
      const input: Rec = {
        rule_type: data.rule,
        description: data.description ?? null,
        container: container.id,
        fields,
        coverage: data.coverage ?? null,
        filter: data.filter ?? null,
        properties: data.properties ?? {},
        global_tags: tagNames(ctx, data.tags),
        additional_metadata: data.additional_metadata ?? null,
        status,
      };
      for (
        const key of [
          "owner_id",
          "default_anomaly_assignee_id",
          "anomaly_message_field",
          "template_id",
        ]
      ) {
        if (key in data) input[key] = data[key];
      }
      const twin = ctx.state.checks.values().find((c) =>
        !c.deleted_at && !c.is_template && sameCheck(c, input)
      );
      if (twin) throw conflict(`The existing check with id: ${twin.id} conflicts`);
      input.id = ctx.state.nextId(ctx.state.checks);
      const rec = ctx.state.checks.insert(buildCheck(input, ctx.state.nowIso()));
      for (const name of fields) ctx.state.ensureField(container.id, name);
      return ok(renderCheck(ctx.state, rec));
    },
  },
  {
    method: "DELETE",
    path: "/api/quality-checks",
    handler(ctx) {
      const items = validateArray(ctx.body, {
        id: { type: "int", required: true },
        archive: { type: "bool" },
        status: { type: "str", enum: ARCHIVE_STATUSES },
        delete_anomalies: { type: "bool" },
      });
      const checks = items.map((item) => ctx.state.check(item.id));
      checks.forEach((check, i) => deleteOne(ctx, check, items[i]));
      return noContent();
    },
  },
  {
    method: "GET",
    path: "/api/quality-checks/{id}",
    handler(ctx) {
      const check = ctx.state.check(idParam(ctx));
      if (!check.is_template) {
        requirePermission(ctx.state, ctx.caller, datastoreOfCheck(ctx, check), "Reporter");
      }
      return ok(renderCheck(ctx.state, check));
    },
  },
  {
    method: "PUT",
    path: "/api/quality-checks/{id}",
    handler(ctx) {
      const check = ctx.state.check(idParam(ctx));
      const data = validateBody(ctx.body, UPDATE, { forbidden: ["container_id", "rule"] });
      requirePermission(ctx.state, ctx.caller, datastoreOfCheck(ctx, check), "Author");
      const next: Rec = { ...check, ...deepCopy(data), global_tags: check.global_tags };
      checkRule(check.rule_type, data.fields, next.properties ?? {});
      next.fields = data.fields;
      const twin = ctx.state.checks.values().find((c) =>
        c.id !== check.id && !c.deleted_at && !c.is_template && sameCheck(c, next)
      );
      if (twin) throw conflict(`The existing check with id: ${twin.id} conflicts`);
      check.fields = data.fields;
      for (const key of UPDATABLE) if (key in data) check[key] = data[key];
      if ("tags" in data) check.global_tags = tagNames(ctx, data.tags);
      if (data.status === "Active" || data.status === "Draft") {
        if (check.deleted_at) check.deleted_at = null;
      }
      if ("last_updated" in check) check.last_updated = ctx.state.nowIso();
      for (const name of data.fields) ctx.state.ensureField(check.container, name);
      return ok(renderCheck(ctx.state, check));
    },
  },
  {
    method: "DELETE",
    path: "/api/quality-checks/{id}",
    handler(ctx) {
      const check = ctx.state.check(idParam(ctx));
      deleteOne(ctx, check, {
        archive: ctx.query.bool("archive", true),
        status: ctx.query.enumOf("status", ARCHIVE_STATUSES, "Discarded"),
        delete_anomalies: ctx.query.bool("delete_anomalies", false),
      });
      return noContent();
    },
  },
  {
    method: "GET",
    path: "/api/quality-checks/specifications/rules",
    handler(ctx) {
      const name = ctx.query.str("name");
      return ok(
        Object.entries(RULES)
          .filter(([rule]) => name === undefined || rule === name)
          .map(([rule, spec]) => ({
            rule,
            rule_description: spec.description,
            deprecated: false,
            author: "Qualytics",
            fields: spec.fields,
            fields_type_filter: spec.types ?? null,
            filterable: spec.fields !== "none",
            supports_coverage: spec.coverage,
            properties: (spec.properties ?? []).map((field) => ({
              field,
              required: (spec.required ?? []).some((g) => g.split("|").includes(field)),
            })),
          })),
      );
    },
  },
  {
    method: "POST",
    path: "/api/quality-check-templates",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      const data = validateBody(ctx.body, TEMPLATE);
      const input: Rec = {
        id: ctx.state.nextId(ctx.state.checks),
        rule_type: data.rule,
        description: data.description ?? null,
        container: null,
        fields: [],
        coverage: data.coverage ?? null,
        filter: data.filter ?? null,
        properties: data.properties ?? {},
        global_tags: tagNames(ctx, data.tags),
        additional_metadata: data.additional_metadata ?? null,
        status: data.status ?? "Active",
        anomaly_message_field: data.anomaly_message_field ?? null,
        is_template: true,
        template_locked: data.template_locked ?? false,
      };
      const rec = ctx.state.checks.insert(buildCheck(input, ctx.state.nowIso()));
      return ok(renderCheck(ctx.state, rec));
    },
  },
];

export { sortBy };
