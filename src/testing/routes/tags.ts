/** `/api/global-tags*`. */
import { requireRole } from "../auth.ts";
import { buildTag } from "../build.ts";
import { type Ctx, type FakeRoute, noContent, ok, paged, sortBy } from "../context.ts";
import { conflict, notFound } from "../errors.ts";
import type { Rec } from "../state.ts";
import { type BodySchema, validateBody } from "../validate.ts";

const SCHEMA: BodySchema = {
  type: { type: "str", enum: ["global", "external"] },
  name: { type: "str", required: true, maxLength: 255 },
  color: { type: "str" },
  description: { type: "str" },
  category: { type: "str" },
  weight_modifier: { type: "int", ge: -10, le: 10 },
};

function tagOr404(ctx: Ctx): Rec {
  const name = ctx.params.name;
  return ctx.state.tagByName(name) ?? (() => {
    throw notFound(`Global tag name: ${name} not found`);
  })();
}

function usage(ctx: Ctx, name: string): number {
  let n = 0;
  for (
    const coll of [
      ctx.state.datastores,
      ctx.state.containers,
      ctx.state.checks,
      ctx.state.anomalies,
    ]
  ) {
    for (const rec of coll.values()) if ((rec.global_tags ?? []).includes(name)) n++;
  }
  return n;
}

/** The tag routes. */
export const tagRoutes: FakeRoute[] = [
  {
    method: "GET",
    path: "/api/global-tags",
    handler(ctx) {
      const name = ctx.query.str("name");
      const categories = ctx.query.list("category");
      let items = ctx.state.tags.values().filter((t) =>
        (name === undefined || String(t.name).toLowerCase().includes(name.toLowerCase())) &&
        (!categories.length || categories.includes(t.category))
      );
      items = sortBy(ctx, items, { sort_name: (t) => t.name, sort_created: (t) => t.created });
      return paged(ctx, items);
    },
  },
  {
    method: "GET",
    path: "/api/global-tags/listing",
    handler(ctx) {
      return ok(ctx.state.tags.values().map((t) => ({ ...t, count: usage(ctx, t.name) })));
    },
  },
  {
    method: "POST",
    path: "/api/global-tags",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      const data = validateBody(ctx.body, SCHEMA);
      if (ctx.state.tagByName(data.name)) {
        throw conflict(`A global tag with the name '${data.name}' already exists`);
      }
      const tag = buildTag({ ...data, id: ctx.state.nextId(ctx.state.tags) }, ctx.state.nowIso());
      return ok(ctx.state.addTag(tag));
    },
  },
  {
    method: "GET",
    path: "/api/global-tags/{name}",
    handler(ctx) {
      return ok(tagOr404(ctx));
    },
  },
  {
    method: "PUT",
    path: "/api/global-tags/{name}",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      const tag = tagOr404(ctx);
      const data = validateBody(ctx.body, SCHEMA);
      if (data.name !== tag.name) {
        if (ctx.state.tagByName(data.name)) {
          throw conflict(`A global tag with the name '${data.name}' already exists`);
        }
        const old = tag.name;
        for (
          const coll of [
            ctx.state.datastores,
            ctx.state.containers,
            ctx.state.checks,
            ctx.state.anomalies,
          ]
        ) {
          for (const rec of coll.values()) {
            if (Array.isArray(rec.global_tags)) {
              rec.global_tags = rec.global_tags.map((t: unknown) => (t === old ? data.name : t));
            }
          }
        }
      }
      for (const key of Object.keys(SCHEMA)) if (key in data) tag[key] = data[key];
      ctx.state.reindexTags();
      return ok(tag);
    },
  },
  {
    method: "DELETE",
    path: "/api/global-tags/{name}",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      ctx.state.removeTag(tagOr404(ctx).name);
      return noContent();
    },
  },
];
