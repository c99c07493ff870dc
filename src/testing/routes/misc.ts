/** Platform endpoints: health, status, OpenAPI, browser login, deprecated exports, agent. */
import { requirePermission } from "../auth.ts";
import { type Ctx, type FakeRoute, noContent, ok } from "../context.ts";
import { badRequest, conflict, invalidOne } from "../errors.ts";

function requiredQuery(ctx: Ctx, name: string): string {
  const value = ctx.query.str(name);
  if (value === undefined) throw invalidOne("missing", ["query", name], "Field required", null);
  return value;
}

function exportShortcut(ctx: Ctx) {
  requiredQuery(ctx, "datastore");
  const ds = ctx.state.datastore(ctx.query.int("datastore")!);
  requirePermission(ctx.state, ctx.caller, ds, "Editor");
  for (const id of ctx.query.intList("containers")) ctx.state.container(id);
  if (!ds.enrich_datastore) {
    throw conflict(`The datastore id: ${ds.id} does not have an enrichment datastore`);
  }
  return noContent();
}

/** Builds the OpenAPI document of the served routes. */
export function openApiDocument(ctx: Ctx): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ctx.settings.routes()) {
    if (route.hidden) continue;
    const method = route.method.toLowerCase();
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: m[1] === "name" ? "string" : "integer" },
    }));
    (paths[route.path] ??= {})[method] = {
      summary: route.summary ?? `${route.method} ${route.path}`,
      operationId: `${method}${route.path.replace(/[^a-zA-Z0-9]+/g, "_")}`,
      ...(params.length ? { parameters: params } : {}),
      responses: {
        [route.method === "DELETE" ? "204" : "200"]: { description: "Successful Response" },
        "422": { description: "Validation Error" },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Qualytics API (fake controlplane)", version: "fake-1.0.0" },
    paths,
  };
}

/** The platform routes. */
export const miscRoutes: FakeRoute[] = [
  {
    method: "GET",
    path: "/api",
    public: true,
    handler: () =>
      ok({
        application: "Qualytics Controlplane (fake)",
        description: "Local fake of the Qualytics controlplane API",
        version: "fake-1.0.0",
      }),
  },
  { method: "GET", path: "/api/health", public: true, handler: () => noContent() },
  {
    method: "GET",
    path: "/api/status",
    public: true,
    handler: () => ok({ database_connection: "OK", rabbitmq_connection: "OK" }),
  },
  {
    method: "GET",
    path: "/api/openapi.json",
    public: true,
    hidden: true,
    handler: (ctx) => ok(openApiDocument(ctx)),
  },
  {
    method: "GET",
    path: "/api/cli/authorize",
    public: true,
    hidden: true,
    handler(ctx) {
      const redirect = requiredQuery(ctx, "redirect_uri");
      const state = requiredQuery(ctx, "state");
      const hostname = ctx.query.str("hostname") ?? "cli";
      let target: URL;
      try {
        target = new URL(redirect);
      } catch {
        throw badRequest("Invalid redirect_uri");
      }
      if (
        target.protocol !== "http:" ||
        !["127.0.0.1", "localhost", "[::1]"].includes(target.hostname)
      ) {
        throw badRequest("redirect_uri must point to a loopback address");
      }
      target.searchParams.set("state", state);
      if (ctx.settings.authorizeError) {
        target.searchParams.set("error", ctx.settings.authorizeError);
      } else {
        target.searchParams.set("token", ctx.settings.issueLoginToken(hostname));
      }
      return { status: 302, headers: { location: target.toString() } };
    },
  },
  { method: "POST", path: "/api/export/anomalies", handler: exportShortcut },
  { method: "POST", path: "/api/export/checks", handler: exportShortcut },
  { method: "POST", path: "/api/export/field-profiles", handler: exportShortcut },
  {
    method: "POST",
    path: "/api/export/check-templates",
    handler(ctx) {
      requiredQuery(ctx, "enrich_datastore_id");
      const ds = ctx.state.datastore(ctx.query.int("enrich_datastore_id")!);
      if (!ds.enrichment_only) {
        throw conflict(`The datastore id: ${ds.id} is not an enrichment store`);
      }
      for (const id of ctx.query.intList("template_ids")) {
        const template = ctx.state.checks.get(id);
        if (!template || !template.is_template) {
          throw invalidOne(
            "value_error",
            ["query", "template_ids"],
            `Value error, Template id: ${id} not found`,
            id,
          );
        }
      }
      return noContent();
    },
  },
  {
    method: "GET",
    path: "/api/agent/llm-config/status",
    handler: () => ok({ is_configured: false }),
  },
];
