/** The record of every request the fake controlplane received. */

/** One logged request. `status` is 0 when the connection was dropped on purpose. */
export interface RequestLogEntry {
  method: string;
  /** Path without the query string, e.g. `/api/datastores/1`. */
  path: string;
  query: Record<string, string[]>;
  /** Parsed JSON body (lossless numbers), the raw text when it was not JSON, else `undefined`. */
  body: unknown;
  status: number;
  /** Epoch milliseconds when the request arrived. */
  time: number;
  /** Role of the token used, when it was valid. */
  role?: string;
}

/** Matches a path exactly (string) or by pattern. */
export type PathMatcher = string | RegExp;

const matches = (entry: RequestLogEntry, method?: string, path?: PathMatcher) =>
  (method === undefined || entry.method === method.toUpperCase()) &&
  (path === undefined ||
    (typeof path === "string" ? entry.path === path : path.test(entry.path)));

/** Request log with counting helpers for tests. */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];

  /** @internal */
  push(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  /** Entries matching a method and/or path. */
  filter(method?: string, path?: PathMatcher): RequestLogEntry[] {
    return this.entries.filter((entry) => matches(entry, method, path));
  }

  /** Number of requests, optionally of one method and/or path. */
  count(method?: string, path?: PathMatcher): number {
    let n = 0;
    for (const entry of this.entries) if (matches(entry, method, path)) n++;
    return n;
  }

  /** `{GET: n, POST: m, ...}`. */
  countsByMethod(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const entry of this.entries) out[entry.method] = (out[entry.method] ?? 0) + 1;
    return out;
  }

  /** Every non-GET (and non-HEAD/OPTIONS) request. */
  writes(): RequestLogEntry[] {
    return this.entries.filter((e) => !["GET", "HEAD", "OPTIONS"].includes(e.method));
  }

  /** The latest entry. */
  last(): RequestLogEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  /** Forgets everything logged so far. */
  clear(): void {
    this.entries.length = 0;
  }

  get length(): number {
    return this.entries.length;
  }

  [Symbol.iterator](): Iterator<RequestLogEntry> {
    return this.entries[Symbol.iterator]();
  }
}
