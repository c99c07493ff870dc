/** `/api/datastores*`. */
import { requireDatastoreView, requirePermission, requireRole, seesDatastore } from "../auth.ts";
import { buildDatastore, DFS_TYPES, enrichmentPrefix, sentKeys } from "../build.ts";
import {
  type Ctx,
  type FakeRoute,
  hasAnyTag,
  idParam,
  noContent,
  ok,
  paged,
  sortBy,
  tagNames,
} from "../context.ts";
import {
  badRequest,
  conflict,
  invalid,
  invalidOne,
  notFound,
  type ValidationIssue,
  valueError,
} from "../errors.ts";
import { startOperation } from "../operations.ts";
import { renderDatastore, renderDatastoreListing } from "../render.ts";
import type { Rec } from "../state.ts";
import { type BodySchema, validateBody } from "../validate.ts";
import { createConnection } from "./connections.ts";

const SCHEMA: BodySchema = {
  name: { type: "str", required: true, maxLength: 255 },
  connection_id: { type: "int" },
  connection: { type: "dict" },
  database: { type: "str" },
  schema: { type: "str" },
  root_path: { type: "str" },
  description: { type: "str", maxLength: 255 },
  teams: { type: "list[str]" },
  tags: { type: "list[str]" },
  group_id: { type: "int" },
  trigger_sync: { type: "bool" },
  trigger_catalog: { type: "bool" },
  enrichment_only: { type: "bool" },
  enrichment_datastore_id: { type: "int" },
  enrichment_prefix: { type: "str", maxLength: 60 },
  enrichment_source_record_limit: { type: "int", ge: 1, le: 1_000_000_000 },
  enrichment_remediation_strategy: { type: "str", enum: ["none", "append", "overwrite"] },
  high_count_rollup_threshold: { type: "int", ge: 1, le: 1000 },
};
const PLAIN = [
  "name",
  "description",
  "database",
  "schema",
  "root_path",
  "enrichment_only",
  "enrichment_source_record_limit",
  "enrichment_remediation_strategy",
  "high_count_rollup_threshold",
];

function teamNames(ctx: Ctx, teams: unknown): string[] | undefined {
  if (!Array.isArray(teams)) return undefined;
  return teams.map((name: string, i: number) => {
    if (!ctx.state.teamByName(name)) {
      throw invalidOne(
        "value_error",
        ["body", "teams", i],
        `Value error, Team '${name}' not found`,
        name,
      );
    }
    return name;
  });
}

function resolveConnection(ctx: Ctx, data: Rec, current?: Rec): Rec {
  if (typeof data.connection_id === "number") return ctx.state.connection(data.connection_id);
  const inline = data.connection as Rec | undefined;
  if (inline && typeof inline.id === "number") return ctx.state.connection(inline.id);
  if (inline && current && Object.keys(inline).every((k) => k === "type")) {
    return ctx.state.connection(current.connection_id);
  }
  if (inline) return createConnection(ctx, inline);
  if (current) {
    throw invalidOne("missing", ["body", "connection_id"], "Field required", data);
  }
  throw valueError(["body"], "Either connection or connection_id must be provided", data);
}

/**
 * The writable fields a `PUT` must send back (body key → stored key): partial payloads fail on
 * the real API (api/endpoints.md §10 item 5; the CLI sends the GET's writable fields merged with
 * the changes). Only fields the datastore has (as its GET shows them) are required.
 */
const PUT_FIELDS: [string, string][] = [
  ...PLAIN.map((key): [string, string] => [key, key]),
  ["enrichment_prefix", "enrichment_prefix"],
  ["tags", "global_tags"],
  ["teams", "teams"],
];

/** 422 for each writable field of `ds` that a PUT body leaves out. */
function requireFullBody(ds: Rec, data: Rec): void {
  const issues: ValidationIssue[] = PUT_FIELDS
    .filter(([key, stored]) => stored in ds && (!(key in data) || data[key] === undefined))
    .map(([key]) => ({ type: "missing", loc: ["body", key], msg: "Field required", input: data }));
  if (issues.length) throw invalid(issues);
}

/**
 * The rules of the (source) datastore body of api/entities.md §2.2: `root_path` is required for
 * DFS datastores, and the `append`/`overwrite` remediation strategies require a linked
 * enrichment datastore. (That table is the source body's; the spec's own worked example,
 * original/config-as-code.md §16, has a DFS enrichment datastore without `root_path`.)
 */
function checkDatastoreRules(connectionType: unknown, data: Rec, linked: boolean): void {
  const source = data.enrichment_only !== true;
  if (source && DFS_TYPES.has(String(connectionType)) && (data.root_path ?? null) === null) {
    throw valueError(["body"], "root_path is required for DFS datastores", data);
  }
  const strategy = data.enrichment_remediation_strategy;
  if ((strategy === "append" || strategy === "overwrite") && !linked) {
    throw valueError(
      ["body"],
      `enrichment_remediation_strategy '${strategy}' requires a linked enrichment datastore`,
      data,
    );
  }
}

function linkEnrichment(ctx: Ctx, ds: Rec, enrichId: number): void {
  const target = ctx.state.datastore(enrichId);
  if (!target.enrichment_only) {
    throw conflict(`The datastore id: ${enrichId} is not an enrichment store`);
  }
  ds.enrich_datastore = enrichId;
}

function checkUniqueName(ctx: Ctx, name: string, self?: number): void {
  if (ctx.state.datastores.values().some((d) => d.name === name && d.id !== self)) {
    throw conflict(`A datastore with the name '${name}' already exists`);
  }
}

/** The datastore routes. */
export const datastoreRoutes: FakeRoute[] = [
  {
    method: "GET",
    path: "/api/datastores",
    handler(ctx) {
      const ids = ctx.query.intList("id");
      const name = ctx.query.str("name");
      const search = ctx.query.str("search")?.toLowerCase();
      const types = ctx.query.list("datastore_type");
      const tags = ctx.query.list("tag");
      // The real API lists only source datastores unless `enrichment_only=true` is sent.
      const enrichmentOnly = ctx.query.bool("enrichment_only") ?? false;
      let items = ctx.state.datastores.values().filter((d) =>
        (!ids.length || ids.includes(d.id)) &&
        (name === undefined || d.name === name) &&
        (search === undefined || String(d.name).toLowerCase().includes(search) ||
          String(d.id) === search) &&
        (!types.length || types.includes(d.type)) &&
        hasAnyTag(d, tags) &&
        Boolean(d.enrichment_only) === enrichmentOnly &&
        seesDatastore(ctx.state, ctx.caller, d)
      );
      items = sortBy(ctx, items, {
        sort_name: (d) => d.name,
        sort_created: (d) => d.created,
        sort_favorite: (d) => (d.favorite ? 1 : 0),
      });
      return paged(ctx, items, (d) => renderDatastore(ctx.state, d));
    },
  },
  {
    method: "GET",
    path: "/api/datastores/listing",
    handler(ctx) {
      const only = ctx.query.bool("enrich_only");
      return ok(
        ctx.state.datastores.values()
          .filter((d) => only === undefined || Boolean(d.enrichment_only) === only)
          .filter((d) => seesDatastore(ctx.state, ctx.caller, d))
          .map(renderDatastoreListing),
      );
    },
  },
  {
    method: "POST",
    path: "/api/datastores",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      const data = validateBody(ctx.body, SCHEMA);
      checkUniqueName(ctx, data.name);
      // Checked before an inline connection is created.
      const inline = data.connection as Rec | undefined;
      const connectionType = typeof data.connection_id === "number"
        ? ctx.state.connection(data.connection_id).type
        : typeof inline?.id === "number"
        ? ctx.state.connection(inline.id).type
        : inline?.type;
      checkDatastoreRules(connectionType, data, typeof data.enrichment_datastore_id === "number");
      const connection = resolveConnection(ctx, data);
      const input: Rec = {
        id: ctx.state.nextId(ctx.state.datastores),
        connection_id: connection.id,
      };
      for (const key of PLAIN) if (key in data && data[key] !== null) input[key] = data[key];
      input.type = connection.type;
      if (data.enrichment_prefix) {
        input.enrichment_prefix = enrichmentPrefix(data.enrichment_prefix);
      }
      input.global_tags = tagNames(ctx, data.tags);
      input.teams = teamNames(ctx, data.teams) ?? [];
      const ds = buildDatastore(input, ctx.state.nowIso(), connection, sentKeys(data));
      if (typeof data.enrichment_datastore_id === "number") {
        linkEnrichment(ctx, ds, data.enrichment_datastore_id);
      }
      ctx.state.datastores.insert(ds);
      if (data.trigger_sync === true || data.trigger_catalog === true) {
        startOperation(ctx, { type: "sync", datastore_id: ds.id });
      }
      return ok(renderDatastore(ctx.state, ds));
    },
  },
  {
    method: "POST",
    path: "/api/datastores/connection",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      const data = validateBody(ctx.body, SCHEMA);
      const inline = data.connection as Rec | undefined;
      const host = String(
        inline?.host ??
          (typeof data.connection_id === "number"
            ? ctx.state.connection(data.connection_id).host
            : ""),
      );
      if (host.includes("unreachable")) {
        return { status: 400, body: { message: `Connection refused: ${host}` } };
      }
      return noContent();
    },
  },
  {
    method: "GET",
    path: "/api/datastores/{id}",
    handler(ctx) {
      const ds = ctx.state.datastore(idParam(ctx));
      requireDatastoreView(ctx.state, ctx.caller, ds);
      return ok(renderDatastore(ctx.state, ds));
    },
  },
  {
    method: "PUT",
    path: "/api/datastores/{id}",
    handler(ctx) {
      const ds = ctx.state.datastore(idParam(ctx));
      requirePermission(ctx.state, ctx.caller, ds, "Editor");
      const data = validateBody(ctx.body, SCHEMA);
      checkUniqueName(ctx, data.name, ds.id);
      requireFullBody(ds, data);
      const connection = resolveConnection(ctx, data, ds);
      const linked = typeof data.enrichment_datastore_id === "number" ||
        (ds.enrich_datastore ?? null) !== null;
      checkDatastoreRules(connection.type, data, linked);
      ds.connection_id = connection.id;
      for (const key of PLAIN) if (key in data) ds[key] = data[key];
      if ("enrichment_prefix" in data) {
        ds.enrichment_prefix = data.enrichment_prefix === null
          ? null
          : enrichmentPrefix(data.enrichment_prefix);
      }
      if ("tags" in data) ds.global_tags = tagNames(ctx, data.tags);
      if ("teams" in data) ds.teams = teamNames(ctx, data.teams) ?? [];
      if (typeof data.enrichment_datastore_id === "number") {
        linkEnrichment(ctx, ds, data.enrichment_datastore_id);
      }
      return ok(renderDatastore(ctx.state, ds));
    },
  },
  {
    method: "DELETE",
    path: "/api/datastores/{id}",
    handler(ctx) {
      requireRole(ctx.caller, "Admin");
      const ds = ctx.state.datastore(idParam(ctx));
      for (const c of ctx.state.containersOf(ds.id, true)) ctx.state.deleteContainer(c.id);
      for (const a of ctx.state.anomalies.values()) {
        if (a.datastore === ds.id) ctx.state.anomalies.delete(a.id);
      }
      for (const other of ctx.state.datastores.values()) {
        if (other.enrich_datastore === ds.id) other.enrich_datastore = null;
      }
      ctx.state.datastores.delete(ds.id);
      return noContent();
    },
  },
  {
    method: "POST",
    path: "/api/datastores/{id}/connection",
    handler(ctx) {
      const ds = ctx.state.datastore(idParam(ctx));
      requireDatastoreView(ctx.state, ctx.caller, ds);
      const connection = ctx.state.connections.get(ds.connection_id);
      const host = String(connection?.host ?? connection?.uri ?? "");
      if (host.includes("unreachable")) {
        return ok({ connected: false, message: `Connection refused: ${host}` });
      }
      return ok({ connected: true });
    },
  },
  {
    method: "PATCH",
    path: "/api/datastores/{id}/enrichment/{enrichment_id}",
    handler(ctx) {
      const ds = ctx.state.datastore(idParam(ctx));
      requirePermission(ctx.state, ctx.caller, ds, "Editor");
      const enrichId = idParam(ctx, "enrichment_id");
      if (enrichId === ds.id) throw badRequest("A datastore cannot be its own enrichment store");
      linkEnrichment(ctx, ds, enrichId);
      return ok(renderDatastore(ctx.state, ds));
    },
  },
  {
    method: "DELETE",
    path: "/api/datastores/{id}/enrichment",
    handler(ctx) {
      requireRole(ctx.caller, "Admin");
      const ds = ctx.state.datastore(idParam(ctx));
      if ("enrich_datastore" in ds) ds.enrich_datastore = null;
      if ("enrichment_remediation_strategy" in ds) ds.enrichment_remediation_strategy = "none";
      return noContent();
    },
  },
  {
    method: "PATCH",
    path: "/api/datastores/{id}/favorite",
    handler(ctx) {
      const ds = ctx.state.datastore(idParam(ctx));
      requireDatastoreView(ctx.state, ctx.caller, ds);
      const data = validateBody(ctx.body, { favorite: { type: "bool", required: true } });
      ds.favorite = data.favorite;
      return ok(renderDatastore(ctx.state, ds));
    },
  },
  {
    method: "GET",
    path: "/api/datastores/{id}/catalog",
    handler(ctx) {
      const ds = ctx.state.datastore(idParam(ctx));
      requirePermission(ctx.state, ctx.caller, ds, "Reporter");
      return ok({
        id: ds.id,
        name: ds.name,
        type: ds.type,
        store_type: ds.store_type,
        containers: ctx.state.containersOf(ds.id).map((c) => ({
          id: c.id,
          name: c.name,
          container_type: c.container_type,
          table_type: c.table_type ?? null,
          fields: ctx.state.fieldsOf(c.id).map((f) => ({ name: f.name, type: f.type })),
        })),
      });
    },
  },
];

export { notFound };
