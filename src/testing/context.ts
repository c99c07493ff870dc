/** The per-request context handed to route handlers, and shared helpers. */
import type { Caller } from "./auth.ts";
import { invalidOne } from "./errors.ts";
import type { Query } from "./query.ts";
import { cachedJson } from "./render_cache.ts";
import type { HandlerResult, Route } from "./router.ts";
import type { FakeState, Rec } from "./state.ts";

/** Server-wide settings handlers need. */
export interface ServerSettings {
  /** How long operations run, in ms (0 = finish in the POST). */
  operationDurationMs: number;
  /** When set, `/api/cli/authorize` redirects with `?error=<this>`. */
  authorizeError?: string;
  /** Mints an admin-capable token (browser login). */
  issueLoginToken(hostname: string): string;
  /** The served routes (for `/api/openapi.json`). */
  routes(): readonly Route<Ctx>[];
}

/** What a handler sees. */
export interface Ctx {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Query;
  body: unknown;
  state: FakeState;
  caller: Caller;
  settings: ServerSettings;
}

/** A route of the fake. */
export type FakeRoute = Route<Ctx>;

/** 200 with a JSON body. */
export const ok = (body: unknown): HandlerResult => ({ status: 200, body });
/** 204. */
export const noContent = (): HandlerResult => ({ status: 204 });

/**
 * Pages `items` with `page`/`size` from the query (size 1–100, default 50); `render` is applied
 * to the items of the page only.
 */
export function paged<T>(ctx: Ctx, items: T[], render?: (item: T) => unknown): HandlerResult {
  const page = ctx.query.int("page", { ge: 1, default: 1 })!;
  const size = ctx.query.int("size", { ge: 1, le: 100, default: 50 })!;
  const total = items.length;
  const start = (page - 1) * size;
  return ok({
    items: render ? items.slice(start, start + size).map(render) : items.slice(start, start + size),
    total,
    page,
    size,
    pages: Math.ceil(total / size),
  });
}

/**
 * {@link paged} for the big lists: each item's JSON comes from the render cache (`kind` names
 * the rendering), so repeated pages cost a join of cached strings instead of a fresh render and
 * serialisation of every record.
 */
export function pagedJson(
  ctx: Ctx,
  items: Rec[],
  kind: string,
  render: (rec: Rec) => unknown,
): HandlerResult {
  return paged(ctx, items, (rec) => cachedJson(ctx.state, kind, rec, render));
}

/** Validates `page`/`size` before filtering (so 422 wins over 404s from filters). */
export function checkPaging(ctx: Ctx): void {
  ctx.query.int("page", { ge: 1, default: 1 });
  ctx.query.int("size", { ge: 1, le: 100, default: 50 });
}

/** Sorts by `sort_<column>` query parameters (first one given wins; default: id order). */
export function sortBy(
  ctx: Ctx,
  items: Rec[],
  columns: Record<string, (r: Rec) => unknown>,
): Rec[] {
  for (const [param, key] of Object.entries(columns)) {
    const direction = ctx.query.sort(param);
    if (!direction) continue;
    const sign = direction === "asc" ? 1 : -1;
    return [...items].sort((a, b) => {
      const x = key(a) as any;
      const y = key(b) as any;
      if (x === y) return (a.id - b.id) * sign;
      if (x === null || x === undefined) return -sign;
      if (y === null || y === undefined) return sign;
      return (x < y ? -1 : 1) * sign;
    });
  }
  return items;
}

/** The integer path parameter `name`. */
export function idParam(ctx: Ctx, name = "id"): number {
  const raw = ctx.params[name];
  if (!/^[-+]?\d+$/.test(raw ?? "")) {
    throw invalidOne(
      "int_parsing",
      ["path", name],
      "Input should be a valid integer, unable to parse string as an integer",
      raw,
    );
  }
  return Number(raw);
}

/** Filters on `archived=only|include` (default: not archived). */
export function archivedFilter(ctx: Ctx, isArchived: (r: Rec) => boolean): (r: Rec) => boolean {
  const mode = ctx.query.enumOf("archived", ["only", "include"] as const);
  if (mode === "only") return isArchived;
  if (mode === "include") return () => true;
  return (r) => !isArchived(r);
}

/** Resolves tag names in a request (auto-creating unknown ones) and returns the names. */
export function tagNames(ctx: Ctx, tags: unknown): string[] {
  if (!Array.isArray(tags)) return [];
  const names: string[] = [];
  for (const tag of tags) {
    const name = typeof tag === "string" ? tag : String((tag as Rec)?.name ?? "");
    if (!name) continue;
    ctx.state.ensureTag(name);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** Whether a record carries one of the tag names. */
export function hasAnyTag(rec: Rec, names: string[]): boolean {
  if (!names.length) return true;
  const own: unknown[] = rec.global_tags ?? [];
  return own.some((t) => names.includes(typeof t === "string" ? t : String((t as Rec)?.name)));
}
