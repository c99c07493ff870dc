/** `/api/containers*`. */
import { dataVisibility, requirePermission } from "../auth.ts";
import { buildContainer, COMPUTED_TYPES, CONTAINER_TYPES, sentKeys } from "../build.ts";
import {
  archivedFilter,
  type Ctx,
  type FakeRoute,
  hasAnyTag,
  idParam,
  noContent,
  ok,
  paged,
  pagedJson,
  sortBy,
  tagNames,
} from "../context.ts";
import { badRequest, conflict, invalidOne, pyChoices, pyRepr, valueError } from "../errors.ts";
import { renderContainer, renderContainerListing, renderField } from "../render.ts";
import { looksLikeQuery, producedFields } from "../sql.ts";
import type { Rec } from "../state.ts";
import { type BodySchema, validateArray, validateBody } from "../validate.ts";

const JOIN_TYPES = ["inner", "left", "right", "outer", "left_semi", "left_anti", "full"];

const COMMON: BodySchema = {
  container_type: { type: "str", required: true },
  name: { type: "str", maxLength: 255 },
  description: { type: "str" },
  tags: { type: "list[str]" },
  additional_metadata: { type: "dict" },
  exclude_fields: { type: "list[str]" },
  group_by_fields: { type: "list[str]" },
  volumetric_tracking_enabled: { type: "bool" },
  freshness_tracking_enabled: { type: "bool" },
  force_drop_fields: { type: "bool" },
};

const BY_TYPE: Record<string, BodySchema> = {
  computed_table: {
    datastore_id: { type: "int", required: true },
    name: { type: "str", required: true, maxLength: 255 },
    query: { type: "str", required: true },
    incremental_field_name: { type: "str" },
    incremental_identifier_type: { type: "str", enum: ["last-modified", "batch-value"] },
  },
  computed_file: {
    datastore_id: { type: "int", required: true },
    name: { type: "str", required: true, maxLength: 255 },
    source_container_id: { type: "int", required: true },
    select_clause: { type: "str", required: true },
    where_clause: { type: "str" },
    group_by_clause: { type: "str" },
    lateral_views: { type: "any" },
  },
  computed_join: {
    name: { type: "str", required: true, maxLength: 255 },
    left_container_id: { type: "int", required: true },
    right_container_id: { type: "int", required: true },
    left_join_field_name: { type: "str", required: true },
    right_join_field_name: { type: "str", required: true },
    select_clause: { type: "str", required: true },
    join_type: { type: "str", enum: JOIN_TYPES },
    left_prefix: { type: "str" },
    right_prefix: { type: "str" },
    where_clause: { type: "str" },
    group_by_clause: { type: "str" },
    incremental_field_name: { type: "str" },
    incremental_identifier_type: { type: "str", enum: ["last-modified", "batch-value"] },
  },
};

const DEFINING: Record<string, string[]> = {
  computed_table: ["query", "incremental_field_name", "incremental_identifier_type"],
  computed_file: ["source_container_id", "select_clause", "where_clause", "group_by_clause"],
  computed_join: [
    "left_container_id",
    "right_container_id",
    "left_join_field_name",
    "right_join_field_name",
    "join_type",
    "select_clause",
    "where_clause",
    "group_by_clause",
    "left_prefix",
    "right_prefix",
  ],
};
/** Keys reset to null when a PUT omits them. */
const RESET_ON_PUT = ["where_clause", "group_by_clause"];
/**
 * Body keys `POST /containers` accepts but ignores (endpoints.md §3: clients follow the create
 * with a PUT or PATCH): the created container has `description: null` and no global tags.
 */
const IGNORED_ON_CREATE = ["description", "tags"];
const COMMON_WRITABLE = [
  "description",
  "additional_metadata",
  "exclude_fields",
  "group_by_fields",
  "volumetric_tracking_enabled",
  "freshness_tracking_enabled",
];

function computedType(body: unknown, loc: (string | number)[]): string {
  const type = (body as Rec | undefined)?.container_type;
  if (typeof type !== "string" || !(COMPUTED_TYPES as readonly string[]).includes(type)) {
    if (type === undefined && body && typeof body === "object") {
      throw invalidOne("missing", [...loc, "container_type"], "Field required", body);
    }
    const expected = pyChoices(COMPUTED_TYPES);
    throw invalidOne(
      "union_tag_invalid",
      loc,
      `Input tag '${type}' found using 'container_type' does not match any of the expected tags: ${expected}`,
      body ?? null,
      { discriminator: "'container_type'", tag: String(type), expected_tags: expected },
    );
  }
  return type;
}

/** The fields a computed definition produces (undefined when it cannot be told). */
function definitionFields(rec: Rec): string[] | undefined {
  if (rec.container_type === "computed_table" && typeof rec.query === "string") {
    return producedFields(rec.query, false);
  }
  if (typeof rec.select_clause === "string") return producedFields(rec.select_clause, true);
  return undefined;
}

function sqlOf(rec: Rec): string {
  return String(rec.container_type === "computed_table" ? rec.query : rec.select_clause);
}

/** Validates a computed container create body; returns the stored record (not inserted). */
function prepareCreate(ctx: Ctx, body: unknown, loc: (string | number)[] = ["body"]): Rec {
  const type = computedType(body, loc);
  const data = validateBody(body, { ...COMMON, ...BY_TYPE[type] }, { loc });
  if (data.join_type === "full") data.join_type = "full";
  let datastoreId: number;
  if (type === "computed_join") {
    const left = ctx.state.container(data.left_container_id);
    ctx.state.container(data.right_container_id);
    datastoreId = ctx.state.datastoreIdOf(left)!;
  } else {
    datastoreId = data.datastore_id;
    if (type === "computed_file") {
      const source = ctx.state.container(data.source_container_id);
      if (source.container_type !== "file" && source.container_type !== "computed_file") {
        throw badRequest(`Container id: ${source.id} is not a file container`);
      }
    }
  }
  const ds = ctx.state.datastore(datastoreId);
  requirePermission(ctx.state, ctx.caller, ds, "Editor");
  if (type === "computed_table" && !looksLikeQuery(data.query)) {
    throw badRequest(
      `Invalid query: expected a SELECT statement but got '${String(data.query).slice(0, 40)}'`,
    );
  }
  if (ctx.state.containersOf(ds.id, true).some((c) => c.name === data.name)) {
    throw conflict(
      `A container with the name '${data.name}' already exists in datastore id: ${ds.id}`,
    );
  }
  const input: Rec = { name: data.name, container_type: type, datastore: ds.id };
  for (const key of [...DEFINING[type], ...COMMON_WRITABLE]) {
    if (key in data && !IGNORED_ON_CREATE.includes(key)) input[key] = data[key];
  }
  return input;
}

function syncFields(ctx: Ctx, rec: Rec): void {
  const names = definitionFields(rec);
  if (!names) return;
  const keep = new Set(names);
  for (const field of ctx.state.fieldsOf(rec.id)) {
    if (!field.is_computed_field && !keep.has(field.name)) ctx.state.removeField(field);
  }
  for (const name of names) {
    if (name.includes("_") && names.some((n) => name.endsWith(`_${n}`))) continue;
    ctx.state.ensureField(rec.id, name);
  }
}

function checkedFieldNames(ctx: Ctx, containerId: number): Set<string> {
  const out = new Set<string>();
  for (const check of ctx.state.checks.values()) {
    if (check.container !== containerId || check.deleted_at) continue;
    for (const name of check.fields ?? []) if (typeof name === "string") out.add(name);
  }
  return out;
}

/** The container of the path's `id`; 403 unless the caller may see its datastore's data. */
function readableContainer(ctx: Ctx): Rec {
  const rec = ctx.state.container(idParam(ctx));
  const ds = ctx.state.datastores.get(ctx.state.datastoreIdOf(rec)!);
  requirePermission(ctx.state, ctx.caller, ds, "Reporter");
  return rec;
}

/** The container routes. */
export const containerRoutes: FakeRoute[] = [
  {
    method: "GET",
    path: "/api/containers",
    handler(ctx) {
      const datastores = ctx.query.intList("datastore");
      const types = ctx.query.enumList("container_type", CONTAINER_TYPES);
      const name = ctx.query.str("name");
      const tags = ctx.query.list("tag");
      const search = ctx.query.str("search")?.toLowerCase();
      const archived = archivedFilter(ctx, (c) => Boolean(c.deleted_at));
      const visible = dataVisibility(ctx.state, ctx.caller);
      let items = ctx.state.containers.values().filter((c) =>
        visible(ctx.state.datastoreIdOf(c)) &&
        (!datastores.length || datastores.includes(ctx.state.datastoreIdOf(c)!)) &&
        (!types.length || types.includes(c.container_type) ||
          (types.includes("view") && c.container_type === "table" && c.table_type === "view")) &&
        (name === undefined || c.name === name) &&
        (search === undefined || String(c.name).toLowerCase().includes(search)) &&
        hasAnyTag(c, tags) && archived(c)
      );
      items = sortBy(ctx, items, { sort_created: (c) => c.created, sort_name: (c) => c.name });
      return pagedJson(ctx, items, "container", (c) => renderContainer(ctx.state, c));
    },
  },
  {
    method: "GET",
    path: "/api/containers/listing",
    handler(ctx) {
      const datastores = ctx.query.intList("datastore");
      const visible = dataVisibility(ctx.state, ctx.caller);
      return ok(
        ctx.state.containers.values()
          .filter((c) =>
            !c.deleted_at && visible(ctx.state.datastoreIdOf(c)) &&
            (!datastores.length || datastores.includes(ctx.state.datastoreIdOf(c)!))
          )
          .map((c) => renderContainerListing(ctx.state, c)),
      );
    },
  },
  {
    method: "POST",
    path: "/api/containers",
    handler(ctx) {
      const input = prepareCreate(ctx, ctx.body);
      input.id = ctx.state.nextId(ctx.state.containers);
      // An ignored key still takes the place the body gave it, with the server's default.
      const sent = sentKeys(ctx.body, { tags: "global_tags" });
      const rec = ctx.state.containers.insert(buildContainer(input, ctx.state.nowIso(), sent));
      syncFields(ctx, rec);
      return ok(renderContainer(ctx.state, rec, true));
    },
  },
  {
    method: "PATCH",
    path: "/api/containers",
    handler(ctx) {
      const items = validateArray(ctx.body, {
        id: { type: "int", required: true },
        tags: { type: "list[str]" },
        description: { type: "str" },
        additional_metadata: { type: "dict" },
      });
      const recs = items.map((item) => ctx.state.container(item.id));
      recs.forEach((rec) => {
        const ds = ctx.state.datastores.get(ctx.state.datastoreIdOf(rec)!);
        requirePermission(ctx.state, ctx.caller, ds, "Editor");
      });
      return ok(items.map((item, i) => {
        const rec = recs[i];
        if ("tags" in item) rec.global_tags = tagNames(ctx, item.tags);
        if ("description" in item) rec.description = item.description;
        if ("additional_metadata" in item) rec.additional_metadata = item.additional_metadata;
        return renderContainer(ctx.state, rec);
      }));
    },
  },
  {
    method: "POST",
    path: "/api/containers/validate",
    handler(ctx) {
      ctx.query.int("timeout_seconds", { ge: 1, le: 600 });
      const data = validateBody(ctx.body, { container: { type: "dict", required: true } });
      const input = { ...data.container };
      // Validation of a definition must not fail because the container already exists.
      const probe = { ...input, name: `${input.name ?? ""}\u0000validate` };
      const type = computedType(probe, ["body", "container"]);
      const prepared = prepareCreate(ctx, probe, ["body", "container"]);
      if (type !== "computed_table" && typeof prepared.select_clause === "string") {
        if (!prepared.select_clause.trim()) throw badRequest("select_clause must not be empty");
      }
      return noContent();
    },
  },
  {
    method: "GET",
    path: "/api/containers/{id}",
    handler(ctx) {
      return ok(renderContainer(ctx.state, readableContainer(ctx), true));
    },
  },
  {
    method: "PUT",
    path: "/api/containers/{id}",
    handler(ctx) {
      const rec = ctx.state.container(idParam(ctx));
      const ds = ctx.state.datastores.get(ctx.state.datastoreIdOf(rec)!);
      requirePermission(ctx.state, ctx.caller, ds, "Editor");
      const bodyType = (ctx.body as Rec | undefined)?.container_type;
      const currentType = rec.container_type === "table" && rec.table_type === "view"
        ? ["table", "view"]
        : [rec.container_type];
      const computed = (COMPUTED_TYPES as readonly string[]).includes(rec.container_type);
      const schema: BodySchema = computed
        ? {
          ...COMMON,
          ...BY_TYPE[rec.container_type],
          datastore_id: { type: "int" },
          left_container_id: { type: "int" },
          right_container_id: { type: "int" },
          source_container_id: { type: "int" },
        }
        : { ...COMMON, partition_field: { type: "str" }, incremental_field_name: { type: "str" } };
      if (rec.container_type === "computed_join") {
        for (const key of ["left_join_field_name", "right_join_field_name"]) {
          schema[key] = { ...schema[key], required: false };
        }
      }
      const data = validateBody(ctx.body, schema);
      if (!currentType.includes(bodyType)) {
        throw valueError(
          ["body", "container_type"],
          `container_type '${bodyType}' does not match the container's type '${rec.container_type}'`,
          bodyType,
        );
      }
      if (data.name && data.name !== rec.name) {
        const siblings = ctx.state.containersOf(ctx.state.datastoreIdOf(rec)!, true);
        if (siblings.some((c) => c.name === data.name && c.id !== rec.id)) {
          throw conflict(
            `A container with the name '${data.name}' already exists in datastore id: ${ds?.id}`,
          );
        }
      }
      if (computed) {
        if (rec.container_type === "computed_table" && !looksLikeQuery(data.query)) {
          throw badRequest(
            `Invalid query: expected a SELECT statement but got '${
              String(data.query).slice(0, 40)
            }'`,
          );
        }
        const next: Rec = { ...rec };
        for (const key of DEFINING[rec.container_type]) {
          if (key in data) next[key] = data[key];
          else if (RESET_ON_PUT.includes(key)) next[key] = null;
        }
        const newFields = definitionFields(next);
        if (sqlOf(next) !== sqlOf(rec) && newFields) {
          const produced = new Set(newFields);
          const dropped = [...checkedFieldNames(ctx, rec.id)].filter((f) => !produced.has(f));
          if (dropped.length && data.force_drop_fields !== true) {
            throw conflict(
              `The update would drop fields that have quality checks or anomalies: [${
                dropped.map(pyRepr).join(", ")
              }]. Send force_drop_fields=true to drop them.`,
            );
          }
          for (const check of ctx.state.checks.values()) {
            if (
              check.container === rec.id && !check.deleted_at &&
              (check.fields ?? []).some((f: string) => dropped.includes(f))
            ) {
              check.deleted_at = ctx.state.nowIso();
              check.status = "Discarded";
            }
          }
        }
        for (const key of DEFINING[rec.container_type]) {
          if (key in rec || key in data || RESET_ON_PUT.includes(key)) rec[key] = next[key];
        }
        rec.name = data.name;
        syncFields(ctx, rec);
      } else if (typeof data.name === "string") {
        rec.name = data.name;
      }
      for (const key of COMMON_WRITABLE) if (key in data) rec[key] = data[key];
      for (const key of ["partition_field", "incremental_field_name"]) {
        if (!computed && key in data) rec[key] = data[key];
      }
      if ("tags" in data) rec.global_tags = tagNames(ctx, data.tags);
      return ok(renderContainer(ctx.state, rec, true));
    },
  },
  {
    method: "DELETE",
    path: "/api/containers/{id}",
    handler(ctx) {
      const rec = ctx.state.container(idParam(ctx));
      const ds = ctx.state.datastores.get(ctx.state.datastoreIdOf(rec)!);
      requirePermission(ctx.state, ctx.caller, ds, "Editor");
      ctx.state.deleteContainer(rec.id);
      return noContent();
    },
  },
  {
    method: "GET",
    path: "/api/containers/{id}/field-profiles",
    handler(ctx) {
      const rec = readableContainer(ctx);
      const name = ctx.query.str("name");
      let fields = ctx.state.fieldsOf(rec.id).filter((f) => name === undefined || f.name === name);
      fields = sortBy(ctx, fields, { sort_name: (f) => f.name, sort_created: (f) => f.created });
      return paged(ctx, fields, (f) => profileOf(ctx, rec, f));
    },
  },
  {
    method: "GET",
    path: "/api/containers/{id}/fields",
    handler(ctx) {
      const rec = readableContainer(ctx);
      return paged(ctx, ctx.state.fieldsOf(rec.id), (f) => renderField(ctx.state, f));
    },
  },
];

function profileOf(ctx: Ctx, container: Rec, field: Rec): Rec {
  const checks = ctx.state.checks.values().filter((c) =>
    c.container === container.id && !c.deleted_at && (c.fields ?? []).includes(field.name)
  );
  const records = Number(container.record_count) || 0;
  const numeric = field.type === "Integral" || field.type === "Fractional";
  return {
    id: field.id,
    created: field.created,
    name: field.name,
    field_type: field.type,
    type_declared: true,
    completeness: field.completeness ?? 1,
    approximate_distinct_values: Math.max(1, Math.floor(records / ((field.id % 7) + 1))),
    min: numeric ? 0 : null,
    max: numeric ? 1000 + field.id : null,
    min_length: numeric ? null : 1,
    max_length: numeric ? null : 32,
    quality_check_count: checks.length,
    anomaly_count: 0,
  };
}
