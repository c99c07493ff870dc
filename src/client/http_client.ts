/**
 * The fetch-based client of the Qualytics controlplane: base URL, bearer token, JSON with
 * lossless floats, time-outs, typed errors, retries with backoff, pagination and a concurrency
 * bound shared by everything that uses the client.
 *
 * @module
 */
import { parseJson, stringifyJson } from "../util/json.ts";
import { redactSecrets, scrubText, type SecretSink, secretValues } from "../util/redact.ts";
import {
  errorForStatus,
  NetworkError,
  QualyticsApiError,
  TimeoutError,
  ValidationError,
} from "./errors.ts";
import { ConcurrencyPool, type TaskPriority } from "./pool.ts";
import { fetchTransport, insecureTransport, type Transport } from "./transport.ts";
import { normalizeBaseUrl } from "./url.ts";

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
   * @param expectedTotal how many items the caller expects: the pages that many fill are
   *   requested together with page 1 instead of after it (one round trip less). The result is
   *   the same whatever the guess: page 1's `total` decides which pages count, further pages
   *   are fetched when it is larger, and guessed pages past it are left out.
   */
  async paginate<T = Record<string, unknown>>(
    path: string,
    query: Query = {},
    pageSize = 100,
    expectedTotal = 0,
  ): Promise<T[]> {
    const fetchPage = (page: number) =>
      this.get<Page<T>>(path, { query: { ...query, page, size: pageSize } });
    const pages = [fetchPage(1)];
    for (let page = 2; page <= Math.ceil(expectedTotal / pageSize); page++) {
      // Awaited below only when page 1 says it exists; a failure of one that is not stays quiet.
      const guessed = fetchPage(page);
      guessed.catch(() => {});
      pages.push(guessed);
    }
    const first = await pages[0];
    const items = [...(first?.items ?? [])];
    const total = typeof first?.total === "number" ? first.total : items.length;
    const pageCount = Math.ceil(total / pageSize);
    for (let page = pages.length + 1; page <= pageCount; page++) pages.push(fetchPage(page));
    for (const page of await Promise.all(pages.slice(1, pageCount))) {
      items.push(...(page?.items ?? []));
    }
    // Guessed pages past the end still hold pool slots; nothing may outlive the call.
    await Promise.allSettled(pages.slice(pageCount));
    return items;
  }

  /** Sends one request through the pool, retrying what may safely be retried. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const url = this.baseUrl + path.replace(/^\/+/, "") + encodeQuery(options.query);
    const idempotent = options.idempotent ?? ["GET", "PUT", "DELETE", "HEAD"].includes(method);
    const maxRetries = this.#options.maxRetries ?? 4;
    const body = options.body === undefined ? undefined : stringifyJson(options.body);
    if (this.#options.secrets && options.body !== undefined) {
      this.#options.secrets.add(...secretValues(options.body));
    }
    for (let attempt = 0;; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        return await this.pool.run(
          () => this.#send<T>(method, url, body, options),
          options.priority,
        );
      } catch (error) {
        if (!(error instanceof QualyticsApiError) || attempt >= maxRetries) throw error;
        const status = error.status;
        const retryable = status === 0
          // A refused connection never reached the server, so even a create may be resent.
          ? idempotent || (error instanceof NetworkError && error.refused)
          : RETRYABLE_STATUSES.has(status) && (idempotent || status === 429);
        if (!retryable) throw error;
        retryAfterMs = error.retryAfterMs;
      }
      const backoff = (this.#options.retryBaseMs ?? 250) * 2 ** attempt;
      const jittered = backoff / 2 + this.#random() * backoff / 2;
      const wait = Math.min(retryAfterMs ?? jittered, this.#options.maxRetryDelayMs ?? 30_000);
      this.#trace(`retry ${method} ${url} in ${Math.round(wait)} ms (attempt ${attempt + 2})`);
      await this.#sleep(wait);
    }
  }

  async #send<T>(
    method: string,
    url: string,
    body: string | undefined,
    options: RequestOptions,
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
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response;
    try {
      response = await this.#transport({
        method,
        url,
        headers,
        body,
        signal: controller.signal,
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
      const tls = /certificate|tls|ssl|handshake/i.test(reason);
      const failure = new NetworkError(
        tls
          ? `TLS handshake with ${url} failed (${reason}). If the server uses a self-signed ` +
            `certificate, run 'qualytics auth init' with --no-verify-ssl; if it serves plain ` +
            `HTTP, use http:// in the URL.`
          : `Could not connect to ${url} (${reason}). Check that the server is running and ` +
            `the URL is correct.`,
        { status: 0, url, method },
      );
      failure.refused = isConnectionRefused(error);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
    const elapsed = Math.round(performance.now() - started);
    this.#trace(`← ${response.status} ${method} ${url} (${elapsed} ms)`);
    const text = response.text;
    if (response.status >= 200 && response.status < 300) {
      if (response.status === 204 || text.trim() === "") return null as T;
      try {
        return parseJson(text) as T;
      } catch {
        throw new ValidationError(
          `The server answered ${method} ${url} with a body that is not JSON: ${
            text.slice(0, 200)
          }`,
          { status: response.status, url, method },
        );
      }
    }
    let detail: unknown;
    try {
      const parsed = parseJson(text) as { detail?: unknown } | null;
      detail = parsed && typeof parsed === "object" && "detail" in parsed ? parsed.detail : parsed;
    } catch {
      detail = undefined;
    }
    const error = errorForStatus(response.status, { url, method, detail, body: text });
    const retryAfter = response.headers.get("retry-after");
    if (retryAfter !== null) {
      const seconds = Number(retryAfter);
      const ms = Number.isFinite(seconds)
        ? seconds * 1000
        : Math.max(0, Date.parse(retryAfter) - Date.now());
      if (Number.isFinite(ms)) error.retryAfterMs = ms;
    }
    throw error;
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
