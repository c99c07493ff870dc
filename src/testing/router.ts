/** A precompiled route table: paths with `{param}` segments, literal segments win. */

/** What a handler returns. */
export interface HandlerResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One route: method, `/api/...` path pattern and handler. */
export interface Route<C> {
  method: string;
  path: string;
  handler: (ctx: C) => HandlerResult | Promise<HandlerResult>;
  /** Served without a token. */
  public?: boolean;
  /** Left out of `/api/openapi.json`. */
  hidden?: boolean;
  summary?: string;
}

interface Compiled<C> {
  route: Route<C>;
  segments: (string | null)[];
  names: string[];
  score: number;
}

/** Result of {@link Router.match}. */
export type RouteMatch<C> =
  | { kind: "found"; route: Route<C>; params: Record<string, string> }
  | { kind: "method"; allowed: string[] }
  | { kind: "none" };

/** Routes grouped by segment count; each group is sorted by specificity once. */
export class Router<C> {
  #buckets = new Map<number, Compiled<C>[]>();
  #routes: Route<C>[] = [];

  add(route: Route<C>): void {
    const parts = route.path.split("/").slice(1);
    const segments: (string | null)[] = [];
    const names: string[] = [];
    let score = 0;
    parts.forEach((part, i) => {
      if (part.startsWith("{") && part.endsWith("}")) {
        segments.push(null);
        names.push(part.slice(1, -1));
      } else {
        segments.push(part);
        score += 1 << (16 - i);
      }
    });
    const bucket = this.#buckets.get(segments.length) ?? [];
    bucket.push({ route, segments, names, score });
    bucket.sort((a, b) => b.score - a.score);
    this.#buckets.set(segments.length, bucket);
    this.#routes.push(route);
  }

  routes(): readonly Route<C>[] {
    return this.#routes;
  }

  match(method: string, path: string): RouteMatch<C> {
    const parts = path.split("/").slice(1);
    if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
    const bucket = this.#buckets.get(parts.length);
    if (!bucket) return { kind: "none" };
    const allowed: string[] = [];
    let bestScore = -1;
    for (const compiled of bucket) {
      if (compiled.score < bestScore) break;
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = compiled.segments[i];
        if (seg !== null && seg !== parts[i]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (compiled.route.method !== method) {
        bestScore = compiled.score;
        allowed.push(compiled.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      let n = 0;
      for (let i = 0; i < parts.length; i++) {
        if (compiled.segments[i] === null) params[compiled.names[n++]] = safeDecode(parts[i]);
      }
      return { kind: "found", route: compiled.route, params };
    }
    return allowed.length ? { kind: "method", allowed } : { kind: "none" };
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
