/** `/api/connections*`. */
import { buildConnection, CONNECTION_TYPES, DFS_TYPES, sentKeys } from "../build.ts";
import { requireRole } from "../auth.ts";
import { type Ctx, type FakeRoute, idParam, noContent, ok, paged, sortBy } from "../context.ts";
import { conflict, valueError } from "../errors.ts";
import { renderConnection } from "../render.ts";
import type { Rec } from "../state.ts";
import { type BodySchema, validateBody } from "../validate.ts";

const SCHEMA: BodySchema = {
  name: { type: "str", required: true, maxLength: 255 },
  type: { type: "str", required: true, enum: CONNECTION_TYPES },
  host: { type: "str" },
  port: { type: "int", ge: 0, le: 65535 },
  username: { type: "str" },
  password: { type: "str" },
  passphrase: { type: "str" },
  uri: { type: "str" },
  access_key: { type: "str" },
  secret_key: { type: "str" },
  catalog: { type: "str" },
  catalog_type: { type: "str" },
  jdbc_fetch_size: { type: "int", ge: 1 },
  max_parallelization: { type: "int", ge: 0, le: 100 },
  parameters: { type: "dict" },
  secrets_manager: { type: "dict" },
};
const WRITABLE = Object.keys(SCHEMA);
/** Keys the API wants under `parameters`, not at the top level. */
const FORBIDDEN = ["authentication_type", "role_arn", "external_id", "role", "warehouse"];

function validate(body: unknown): Rec {
  const data = validateBody(body, SCHEMA, { forbidden: FORBIDDEN });
  if (DFS_TYPES.has(data.type)) {
    if (!data.uri) {
      throw valueError(
        ["body", "uri"],
        `uri is required for ${data.type} connections`,
        data.uri ?? null,
      );
    }
  } else if (!["bigquery", "athena", "databricks"].includes(data.type) && !data.host) {
    throw valueError(
      ["body", "host"],
      `host is required for ${data.type} connections`,
      data.host ?? null,
    );
  }
  return data;
}

function uniqueName(ctx: Ctx, name: string, self?: number): void {
  const clash = ctx.state.connections.values().find((c) => c.name === name && c.id !== self);
  if (clash) throw conflict(`A connection with the name '${name}' already exists`);
}

/** Creates a connection from a validated create body (also used by inline datastore creates). */
export function createConnection(ctx: Ctx, body: unknown): Rec {
  const data = validate(body);
  uniqueName(ctx, data.name);
  const input: Rec = { id: ctx.state.nextId(ctx.state.connections) };
  for (const key of WRITABLE) if (key in data) input[key] = data[key];
  return ctx.state.connections.insert(buildConnection(input, ctx.state.nowIso(), sentKeys(data)));
}

/** The connection routes. */
export const connectionRoutes: FakeRoute[] = [
  {
    method: "GET",
    path: "/api/connections",
    handler(ctx) {
      const names = ctx.query.list("name");
      const types = ctx.query.list("type");
      const ids = ctx.query.intList("id");
      let items = ctx.state.connections.values().filter((c) =>
        (!names.length || names.includes(c.name)) &&
        (!types.length || types.includes(c.type)) &&
        (!ids.length || ids.includes(c.id))
      );
      items = sortBy(ctx, items, {
        sort_id: (c) => c.id,
        sort_created: (c) => c.created,
        sort_name: (c) => c.name,
      });
      return paged(ctx, items, (c) => renderConnection(ctx.state, c));
    },
  },
  {
    method: "GET",
    path: "/api/connections/listing",
    handler(ctx) {
      return ok(
        ctx.state.connections.values().map((c) => ({
          created: c.created,
          id: c.id,
          name: c.name,
          connection_type: c.connection_type,
          type: c.type,
        })),
      );
    },
  },
  {
    method: "POST",
    path: "/api/connections",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      return ok(renderConnection(ctx.state, createConnection(ctx, ctx.body)));
    },
  },
  {
    method: "GET",
    path: "/api/connections/{id}",
    handler(ctx) {
      return ok(renderConnection(ctx.state, ctx.state.connection(idParam(ctx))));
    },
  },
  {
    method: "PUT",
    path: "/api/connections/{id}",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      const rec = ctx.state.connection(idParam(ctx));
      const data = validate(ctx.body);
      uniqueName(ctx, data.name, rec.id);
      if (DFS_TYPES.has(data.type) !== (rec.connection_type === "dfs")) {
        throw valueError(
          ["body", "type"],
          "the connection type cannot change between jdbc and dfs",
          data.type,
        );
      }
      for (const key of WRITABLE) {
        if (key in data) rec[key] = data[key];
      }
      return ok(renderConnection(ctx.state, rec));
    },
  },
  {
    method: "DELETE",
    path: "/api/connections/{id}",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      const rec = ctx.state.connection(idParam(ctx));
      const users = ctx.state.datastores.values().filter((d) => d.connection_id === rec.id);
      if (users.length) {
        throw conflict(
          `Connection id: ${rec.id} is in use by datastore(s): ${
            users.map((d) => d.name).join(", ")
          }`,
        );
      }
      ctx.state.connections.delete(rec.id);
      return noContent();
    },
  },
  {
    method: "POST",
    path: "/api/connections/{id}/test",
    handler(ctx) {
      const rec = ctx.state.connection(idParam(ctx));
      if (ctx.body !== undefined && ctx.body !== null) {
        validateBody(ctx.body, { ...SCHEMA, name: { type: "str" }, type: { type: "str" } });
      }
      const host = String((ctx.body as Rec | undefined)?.host ?? rec.host ?? rec.uri ?? "");
      if (host.includes("unreachable")) {
        return ok({ connected: false, message: `Connection refused: ${host}` });
      }
      return ok({ connected: true });
    },
  },
];
