/**
 * The fetch-based client of the Qualytics controlplane: base URL, bearer token, JSON with
 * lossless floats, time-outs, typed errors, retries with backoff, pagination and a concurrency
 * bound shared by everything that uses the client.
 *
 * @module
 */
import { awaitingReply } from "../util/event_loop.ts";
import { parseJson, stringifyJson } from "../util/json.ts";
import { redactSecrets, scrubText, type SecretSink, secretValues } from "../util/redact.ts";
import {
  errorForStatus,
  NetworkError,
  NotFoundError,
  QualyticsApiError,
  RedirectError,
  TimeoutError,
  truncateText,
  UnexpectedResponseError,
  ValidationError,
} from "./errors.ts";
import { ConcurrencyPool, type TaskPriority } from "./pool.ts";
import { fetchTransport, insecureTransport, type Transport } from "./transport.ts";
import { instanceUrl, normalizeBaseUrl } from "./url.ts";

/** A query value: lists become repeated keys; `undefined` and `null` are left out. */
export type QueryValue = string | number | boolean | null | undefined | Array<string | number>;

/** Query parameters of a request. */
export type Query = Record<string, QueryValue>;

/** Options of {@link QualyticsClient}. */
export interface ClientOptions {
  /** The instance URL; normalised as the original CLI does (it ends in `/api/`). */
  baseUrl: string;
  /** The bearer token. */
  token?: string;
  /** Per-request time-out in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** `false` skips TLS verification for this client only. */
  sslVerify?: boolean;
  /** Requests in flight at most, across everything sharing this client (default 8). */
  concurrency?: number;
  /** Retries of a retryable failure (default 4). */
  maxRetries?: number;
  /** First backoff in milliseconds, doubled per retry, with jitter (default 250). */
  retryBaseMs?: number;
  /** Upper bound of one backoff or `Retry-After` wait in milliseconds (default 30 000). */
  maxRetryDelayMs?: number;
  /** Receives one line per request and response, secrets redacted (`--debug`). */
  debug?: (line: string) => void;
  /**
   * Receives what a person should know even without `--debug`: a long wait the server asked
   * for before a retry, a list whose pages disagree with its total. Without it, `debug` does.
   */
  notice?: (message: string) => void;
  /**
   * Receives the token and every value of a secret key of each request body sent, so that the
   * caller can scrub them from whatever it prints (a server may echo a request in an error).
   */
  secrets?: SecretSink;
  /** Replaces the network layer (the default is `fetch`). */
  transport?: Transport;
  /** Waits between retries; tests may shorten it. */
  sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1). */
  random?: () => number;
}

/** Options of one request. */
export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Overrides the client's time-out for this request. */
  timeoutMs?: number;
  /**
   * Whether the request may be repeated after it may have reached the server. Defaults to
   * true for GET/PUT/DELETE and false for POST/PATCH (a create is never sent twice blindly).
   */
  idempotent?: boolean;
  /**
   * `background`: wait for a slot of the shared pool behind every `normal` request (bulk
   * lookups that nothing else waits for).
   */
  priority?: TaskPriority;
  /**
   * `object`: a 2xx must carry a JSON object; an empty body (even a 204), `null`, a list or a
   * scalar is an {@link UnexpectedResponseError}. By default a POST that is not idempotent (a
   * create, answered with the created object) requires one unless the answer is a 204.
   */
  expect?: "object" | "any";
  /**
   * It must reach the server at most once, and goes on a connection of its own (see `once` in
   * transport.ts): for what nothing on the server stops from happening twice
   * (running an operation). Creates need not: a create sent again answers 409.
   */
  once?: boolean;
  /**
   * Reads a 2xx answer's body (default {@link parseJson}, which keeps `1.0` a float and big
   * integers exact); a body it cannot read is a {@link ValidationError}.
   */
  parse?: (text: string) => unknown;
}

/** A page of a paged list endpoint. */
export interface Page<T> {
  items: T[];
  total?: number;
  page?: number;
  size?: number;
  pages?: number;
}

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
/** The longest delay a timer holds (a signed 32-bit count of ms); longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Waits before a retry from this long on are announced through `notice`. */
const LONG_WAIT_MS = 5_000;
/** TLS spoken to a plain-HTTP server (rustls, OpenSSL). */
const PLAIN_HTTP_TLS = /InvalidContentType|wrong version number|packet length too long/i;
/** A certificate that is not trusted: permanent, retrying cannot help. */
const UNTRUSTED_CERTIFICATE =
  /certificate|UnknownIssuer|NotValidForName|self[- ]signed|CERT_|unable to verify|BadSignature/i;

/** `Retry-After` in ms (seconds or an HTTP date); undefined when absent, ≤ 0 or unreadable. */
function parseRetryAfter(value: string | null): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text) - Date.now();
  return ms > 0 ? ms : undefined;
}

/** A count of a page envelope: a whole number ≥ `min`, else undefined (absent or garbled). */
function count(value: unknown, min: number): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= min ? value : undefined;
}

function isPage(body: unknown): body is Page<unknown> {
  return typeof body === "object" && body !== null && Array.isArray((body as Page<unknown>).items);
}

/** Encodes a query the way the original's `requests` does: repeated keys, `+` for spaces. */
export function encodeQuery(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) { for (const item of value) params.append(key, String(item)); }
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/**
 * A connection that was made and then cut before the answer (by the server, a proxy or a load
 * balancer): the request may have reached the server, unlike a refused one.
 */
const CONNECTION_CUT =
  /closed before message completed|connection reset|ECONNRESET|socket hang up|broken pipe|EPIPE/i;

function isConnectionRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const text = [
    (error as Error)?.message,
    (error as { code?: string })?.code,
    cause?.code,
    cause?.message,
  ].join(" ");
  return /ECONNREFUSED|connection refused/i.test(text);
}

/**
 * A client of one Qualytics instance.
 *
 * @example
 * ```ts
 * const client = new QualyticsClient({ baseUrl: "http://127.0.0.1:8000", token: "…" });
 * const connections = await client.paginate("connections");
 * ```
 */
export class QualyticsClient {
  /** The normalised base URL, ending in `/api/`. */
  readonly baseUrl: string;
  /** The bound shared by every request of this client. */
  readonly pool: ConcurrencyPool;
  readonly #options: ClientOptions;
  readonly #transport: Transport;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  /** Until when (epoch ms) a long wait was last announced. */
  #quietUntil = 0;
  /** The quickest round trip of this client so far, in ms (undefined before the first). */
  #fastestReplyMs: number | undefined;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    this.pool = new ConcurrencyPool(options.concurrency ?? 8);
    this.#transport = options.transport ??
      (options.sslVerify === false ? insecureTransport() : fetchTransport);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    options.secrets?.add(options.token);
  }

  /** The concurrency bound, for services that fan out work. */
  get concurrency(): number {
    return this.pool.limit;
  }

  /** GET `path`. */
  get<T = unknown>(path: string, options: Omit<RequestOptions, "body"> = {}): Promise<T> {
    return this.request<T>("GET", path, options);
  }
  /** POST `path`. */
  post<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>("POST", path, options);
  }
  /** PUT `path`. */
  put<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>("PUT", path, options);
  }
  /** PATCH `path`. */
  patch<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>("PATCH", path, options);
  }
  /** DELETE `path`. */
  delete<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>("DELETE", path, options);
  }

  /**
   * Fetches every item of a paged list endpoint: page 1 first, then — once the total is
   * known — the remaining pages concurrently (bounded by the client's pool), in page order.
   *
   * The server's paging decides: its `size` (it may clamp the one asked for), its `pages` and
   * `total`; with neither count, pages are read one after another until one comes back short.
   * An item repeated on a later page (the list shifted while it was read) is kept once, where
   * it came first. A 200 that is not a page (`{"items": [...], …}`) is an
   * {@link UnexpectedResponseError}, never an empty list: callers delete what a list lacks.
   *
   * @param expectedTotal how many items the caller expects: the pages that many fill are
   *   requested together with page 1 instead of after it (one round trip less). The result is
   *   the same whatever the guess: page 1 decides which pages count, further pages are fetched
   *   when there are more, and guessed pages past the end are left out.
   * @param parse reads each page's body (see {@link RequestOptions.parse}).
   */
  async paginate<T = Record<string, unknown>>(
    path: string,
    query: Query = {},
    pageSize = 100,
    expectedTotal = 0,
    parse?: (text: string) => unknown,
  ): Promise<T[]> {
    const fetchPage = async (page: number) => {
      const pageQuery = { ...query, page, size: pageSize };
      const body = await this.get<unknown>(path, { query: pageQuery, parse });
      if (isPage(body)) return body as Page<T>;
      throw new UnexpectedResponseError(
        `The server answered GET ${this.#url(path, pageQuery)} with something that is not a ` +
          `page of results (expected {"items": [...], "total", "page", "size", "pages"}): ` +
          `${truncateText(stringifyJson(body) ?? "", 200)}. Check that the URL is the ` +
          `Qualytics instance's and that it is up.`,
        { status: 200, url: this.#url(path, pageQuery), method: "GET" },
      );
    };
    // Guessed pages ask for the same size as page 1, so the server clamps them alike: page n
    // is page n whatever size the server settles on.
    const pages = [fetchPage(1)];
    for (let page = 2; page <= Math.ceil(expectedTotal / pageSize); page++) {
      // Awaited below only when page 1 says it exists; a failure of one that is not stays quiet.
      const guessed = fetchPage(page);
      guessed.catch(() => {});
      pages.push(guessed);
    }
    const items: T[] = [];
    const ids = new Set<unknown>();
    const add = (page: Page<T>) => {
      let added = 0;
      for (const item of page.items) {
        const id = (item as { id?: unknown } | null)?.id;
        if (id !== undefined && id !== null) {
          if (ids.has(id)) continue;
          ids.add(id);
        }
        items.push(item);
        added++;
      }
      return added;
    };
    let used = 1;
    try {
      const first = await pages[0];
      add(first);
      const size = count(first.size, 1) ?? pageSize;
      const total = count(first.total, 0);
      const declared = count(first.pages, 0);
      if (total !== undefined || declared !== undefined) {
        used = Math.max(declared ?? 0, total === undefined ? 0 : Math.ceil(total / size), 1);
        for (let page = pages.length + 1; page <= used; page++) pages.push(fetchPage(page));
        const rest = await Promise.allSettled(pages.slice(1, used));
        for (const page of rest) {
          if (page.status === "rejected") throw page.reason;
          add(page.value);
        }
      } else {
        // No count at all: read on until a page comes back short, or adds nothing new, or
        // repeats the page before (a server that ignores `page` repeats page 1; with items
        // that have no `id`, only their text tells).
        let previous = stringifyJson(first.items);
        for (let last = first; last.items.length >= size; used++) {
          pages[used] ??= fetchPage(used + 1);
          last = await pages[used];
          const text = stringifyJson(last.items);
          if (text === previous || add(last) === 0) break;
          previous = text;
        }
      }
      if (total !== undefined && items.length !== total) {
        // Not an error: a list that changes while it is read (someone creates or deletes in
        // the meantime) ends with another count — repeats were dropped above, but an item can
        // also slide onto a page already read. Failing would make every run against a busy
        // instance flaky; saying so lets a person re-run when this listing matters.
        this.#notify(
          `GET ${this.#url(path, query)}: the server counted ${total} items but its pages ` +
            `held ${items.length} different ones (the list changed while it was read?). ` +
            `Re-run for a consistent listing.`,
        );
      }
      return items;
    } finally {
      // Pages still in flight (guessed past the end, or beside a failed one) hold pool slots;
      // nothing may outlive the call.
      await Promise.allSettled(pages);
    }
  }

  /** Sends one request through the pool, retrying what may safely be retried. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const url = this.#url(path, options.query);
    const idempotent = options.idempotent ?? ["GET", "PUT", "DELETE", "HEAD"].includes(method);
    const maxRetries = this.#options.maxRetries ?? 4;
    const body = options.body === undefined ? undefined : stringifyJson(options.body);
    if (this.#options.secrets && options.body !== undefined) {
      this.#options.secrets.add(...secretValues(options.body));
    }
    // Whether an attempt that failed may still have been applied by the server.
    let mayHaveApplied = false;
    for (let attempt = 0;; attempt++) {
      let retryAfterMs: number | undefined;
      let status: number;
      try {
        return await this.pool.run(
          () => this.#send<T>(method, url, body, options, idempotent),
          options.priority,
        );
      } catch (error) {
        if (method === "DELETE" && mayHaveApplied && error instanceof NotFoundError) {
          // An earlier attempt reached the server and deleted the object before its answer
          // was lost (a gateway's 502/504, a reset, a time-out): gone is what was asked.
          this.#trace(`← 404 ${method} ${url}: deleted by an earlier attempt`);
          return null as T;
        }
        if (!(error instanceof QualyticsApiError) || attempt >= maxRetries) throw error;
        status = error.status;
        const retryable = status === 0
          // A refused connection never reached the server, so even a create may be resent.
          ? (idempotent || (error instanceof NetworkError && error.refused)) &&
            !(error instanceof NetworkError && error.permanent)
          : RETRYABLE_STATUSES.has(status) && (idempotent || status === 429);
        if (!retryable) throw error;
        // A 429 and a refused connection are answered before anything is done.
        mayHaveApplied ||= status !== 429 && !(error instanceof NetworkError && error.refused);
        retryAfterMs = error.retryAfterMs;
      }
      const backoff = (this.#options.retryBaseMs ?? 250) * 2 ** attempt;
      const jittered = backoff / 2 + this.#random() * backoff / 2;
      const wait = Math.min(
        retryAfterMs ?? jittered,
        this.#options.maxRetryDelayMs ?? 30_000,
        MAX_TIMER_MS,
      );
      this.#trace(`retry ${method} ${url} in ${Math.round(wait)} ms (attempt ${attempt + 2})`);
      if (wait >= LONG_WAIT_MS && Date.now() >= this.#quietUntil) {
        // Once per stretch of waiting: concurrent requests throttled together say it once.
        this.#quietUntil = Date.now() + wait;
        const asked = retryAfterMs === undefined
          ? ""
          : `the server asked to wait ${Math.round(retryAfterMs / 1000)} s; `;
        this.#notify(
          `${method} ${url} answered ${status === 0 ? "no response" : `HTTP ${status}`}: ` +
            `${asked}waiting ${Math.round(wait / 1000)} s before retry ${attempt + 1} of ` +
            `${maxRetries}.`,
        );
      }
      await this.#sleep(wait);
    }
  }

  async #send<T>(
    method: string,
    url: string,
    body: string | undefined,
    options: RequestOptions,
    idempotent: boolean,
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? 30_000;
    const headers: Record<string, string> = {
      "Accept": "application/json",
      "Content-Type": "application/json",
    };
    if (this.#options.token) headers["Authorization"] = `Bearer ${this.#options.token}`;
    this.#trace(`→ ${method} ${url}${body ? ` ${this.#redactBody(body)}` : ""}`);
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.min(timeoutMs, MAX_TIMER_MS));
    // No reply came faster than the fastest so far: until 3/4 of that, long loops that share
    // this thread need not stop to look for one (see awaitingReply).
    const replied = awaitingReply((this.#fastestReplyMs ?? 0) * 0.75);
    let response;
    try {
      response = await this.#transport({
        method,
        url,
        headers,
        body,
        signal: controller.signal,
        once: options.once,
      });
    } catch (error) {
      if (controller.signal.aborted) {
        throw new TimeoutError(
          `Request to ${url} timed out after ${timeoutMs / 1000}s. Increase the timeout via ` +
            `QUALYTICS_TIMEOUT=<seconds> or set 'timeout' in ~/.qualytics/config.yaml.`,
          { status: 0, url, method },
        );
      }
      const cause = (error as { cause?: { message?: string } })?.cause?.message;
      const reason = [(error as Error)?.message ?? String(error), cause].filter(Boolean).join(": ");
      const plainHttp = url.startsWith("https:") && PLAIN_HTTP_TLS.test(reason);
      const untrusted = !plainHttp && UNTRUSTED_CERTIFICATE.test(reason);
      const tls = /certificate|tls|ssl|handshake/i.test(reason);
      const httpUrl = instanceUrl(this.baseUrl).replace(/^https:/, "http:");
      const failure = new NetworkError(
        plainHttp
          ? `SSL handshake failed for ${url}. If your server runs plain HTTP, use http:// ` +
            `instead of https:// in your URL (e.g. qualytics auth init --url ${httpUrl} ` +
            `--token <token>, or QUALYTICS_URL=${httpUrl}).`
          : tls
          ? `TLS handshake with ${url} failed (${reason}). ` +
            (untrusted ? "The server's certificate is not trusted. " : "") +
            `If the server uses a self-signed certificate, run 'qualytics auth init' with ` +
            `--no-verify-ssl; if it serves plain HTTP, use http:// in the URL.`
          : CONNECTION_CUT.test(reason)
          ? `The connection to ${url} closed before the server answered (${reason}). The server ` +
            `may or may not have received the request; a proxy's or the server's time limit ` +
            `can cause this.`
          : `Could not connect to ${url} (${reason}). Check that the server is running and ` +
            `the URL is correct.`,
        { status: 0, url, method },
      );
      failure.refused = isConnectionRefused(error);
      failure.permanent = plainHttp || untrusted;
      throw failure;
    } finally {
      clearTimeout(timer);
      replied();
    }
    const took = performance.now() - started;
    this.#fastestReplyMs = Math.min(this.#fastestReplyMs ?? Infinity, took);
    const elapsed = Math.round(took);
    this.#trace(`← ${response.status} ${method} ${url} (${elapsed} ms)`);
    const text = response.text;
    const status = response.status;
    if (status >= 200 && status < 300) {
      let value: unknown = null;
      if (status !== 204 && text.trim() !== "") {
        try {
          value = (options.parse ?? parseJson)(text);
        } catch {
          throw new ValidationError(
            `The server answered ${method} ${url} with a body that is not JSON: ${
              truncateText(text, 200)
            }`,
            { status, url, method },
          );
        }
      }
      const needsObject = options.expect === "object" ||
        (options.expect === undefined && method === "POST" && !idempotent && status !== 204);
      if (needsObject && (typeof value !== "object" || value === null || Array.isArray(value))) {
        throw new UnexpectedResponseError(
          `The server answered ${method} ${url} with HTTP ${status} and ${
            text.trim() === "" ? "an empty body" : truncateText(text.trim(), 200)
          } where an object was expected. The request may have been applied; check before ` +
            `repeating it.`,
          { status, url, method },
        );
      }
      return value as T;
    }
    if (status >= 300 && status < 400) throw this.#redirected(method, url, response);
    let detail: unknown;
    try {
      const parsed = parseJson(text) as { detail?: unknown } | null;
      detail = parsed && typeof parsed === "object" && "detail" in parsed ? parsed.detail : parsed;
    } catch {
      detail = undefined;
    }
    const error = errorForStatus(response.status, { url, method, detail, body: text });
    // Empty, zero, negative or unreadable: the backoff applies instead of an instant retry.
    error.retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
    throw error;
  }

  /**
   * The error for a 3xx. Redirects are not followed: a 301/302 turns a POST into a GET (the
   * create silently does not happen) and a hop to another origin drops the token.
   */
  #redirected(
    method: string,
    url: string,
    response: { status: number; headers: { get(name: string): string | null } },
  ): RedirectError {
    const header = response.headers.get("location");
    let location: string | undefined;
    let suggested: string | undefined;
    try {
      if (header) {
        location = new URL(header, url).href;
        // The same request path under another base (the usual move: http → https, a new host)
        // gives the URL to configure; otherwise the new origin is the best guess.
        const rest = url.slice(this.baseUrl.length).split("?")[0];
        const target = location.split("?")[0];
        suggested = instanceUrl(
          rest && target.endsWith(`/${rest}`)
            ? target.slice(0, -rest.length)
            : new URL(location).origin,
        );
      }
    } catch {
      location = header ?? undefined;
    }
    const error = new RedirectError(
      `The server answered ${method} ${url} with a redirect (HTTP ${response.status}) ` +
        (location ? `to ${location}` : "without a Location") +
        `. Redirects are not followed (a POST would become a GET and the token would not be ` +
        `sent). ` +
        (suggested
          ? `If the instance moved, use its address: qualytics auth init --url ${suggested} ` +
            `--token <token> (or QUALYTICS_URL=${suggested}).`
          : `Check the instance URL (--url, QUALYTICS_URL).`),
      { status: response.status, url, method },
    );
    error.location = location;
    return error;
  }

  #url(path: string, query: Query | undefined): string {
    return this.baseUrl + path.replace(/^\/+/, "") + encodeQuery(query);
  }

  #notify(message: string): void {
    const sink = this.#options.notice ?? this.#options.debug;
    if (sink) sink(scrubText(message, [this.#options.token]));
  }

  #redactBody(body: string): string {
    try {
      return scrubText(stringifyJson(redactSecrets(parseJson(body))), [this.#options.token]);
    } catch {
      return "<body>";
    }
  }

  #trace(line: string): void {
    if (this.#options.debug) this.#options.debug(scrubText(line, [this.#options.token]));
  }
}
