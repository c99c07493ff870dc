/**
 * Typed errors of the HTTP client. Every error carries a message a person can act on; the
 * status code decides the class, as in the original CLI (401/403, 404, 409, 400/422, 5xx), plus
 * network failures and time-outs.
 *
 * @module
 */

import { stringifyJson } from "../util/json.ts";

/** Any failure of a request to the controlplane. */
export class QualyticsApiError extends Error {
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  /** The request URL (without query secrets; tokens are never part of URLs). */
  readonly url: string;
  /** The request method. */
  readonly method: string;
  /** The server's `detail` (string, or FastAPI's validation list) when it sent one. */
  readonly detail: unknown;
  /** How long the server asked us to wait (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  constructor(
    message: string,
    init: { status: number; url: string; method: string; detail?: unknown },
  ) {
    super(message);
    this.name = "QualyticsApiError";
    this.status = init.status;
    this.url = init.url;
    this.method = init.method;
    this.detail = init.detail;
  }
}

/** 401 or 403: the token is missing, expired, unknown or lacks the role. */
export class AuthenticationError extends QualyticsApiError {
  override name = "AuthenticationError";
}
/** 404. */
export class NotFoundError extends QualyticsApiError {
  override name = "NotFoundError";
}
/** 409: the request conflicts with the server's state (in use, duplicate name, …). */
export class ConflictError extends QualyticsApiError {
  override name = "ConflictError";
}
/** 400 or 422: the server rejected the request body or parameters. */
export class ValidationError extends QualyticsApiError {
  override name = "ValidationError";
}
/** 5xx (and 429 once retries are exhausted). */
export class ServerError extends QualyticsApiError {
  override name = "ServerError";
}
/** The server could not be reached (refused, reset, DNS, TLS). */
export class NetworkError extends QualyticsApiError {
  override name = "NetworkError";
  /** True when the connection was refused, so the request never reached the server. */
  refused = false;
  /**
   * True when retrying cannot help: TLS with a server that speaks plain HTTP, or a certificate
   * that is not trusted.
   */
  permanent = false;
}
/** No response within the time-out. */
export class TimeoutError extends QualyticsApiError {
  override name = "TimeoutError";
}
/**
 * A 2xx the client cannot use: not JSON, not a page of a paged list, or no object where one is
 * required (the answer to a create). Never treated as an empty result.
 */
export class UnexpectedResponseError extends QualyticsApiError {
  override name = "UnexpectedResponseError";
}
/** A 3xx: redirects are not followed (a POST would turn into a GET, the token stay behind). */
export class RedirectError extends QualyticsApiError {
  override name = "RedirectError";
  /** The absolute `Location` the server pointed at, when it sent one. */
  location?: string;
}

/**
 * `text` cut to `limit` characters, saying how much was left out (`… (N more bytes)`), so
 * that an HTML error page or a huge body does not flood a message.
 */
export function truncateText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const rest = new TextEncoder().encode(text.slice(limit)).length;
  return `${text.slice(0, limit)}… (${rest} more bytes)`;
}

/** Turns the server's `detail` (a string, or FastAPI's list of validation errors) into text. */
export function describeDetail(detail: unknown): string {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((item) => {
      if (item && typeof item === "object" && "msg" in item) {
        const loc = Array.isArray((item as { loc?: unknown }).loc)
          ? (item as { loc: unknown[] }).loc.filter((part) => part !== "body").join(".")
          : "";
        return loc ? `${loc}: ${(item as { msg: unknown }).msg}` : String(item.msg);
      }
      return stringifyJson(item);
    }).join("; ");
  }
  if (detail === undefined || detail === null) return "";
  return stringifyJson(detail);
}

/** Builds the typed error for a non-2xx response. */
export function errorForStatus(
  status: number,
  init: { url: string; method: string; detail?: unknown; body: string },
): QualyticsApiError {
  // A JSON detail (a FastAPI validation list can be long and every entry matters) is cut later
  // than a body that is not JSON, typically a proxy's HTML page.
  const described = describeDetail(init.detail);
  const detailText = described
    ? truncateText(described, 4000)
    : truncateText(init.body.trim().replace(/\s+/g, " "), 500) || `HTTP ${status}`;
  const where = `${init.method} ${init.url}`;
  const base = { status, url: init.url, method: init.method, detail: init.detail };
  if (status === 401) {
    return new AuthenticationError(
      `Authentication failed (HTTP 401): ${detailText}. Your token may be expired or invalid. ` +
        `Run: qualytics auth login --url <your-url> or: qualytics auth init --url <your-url> --token <your-token>`,
      base,
    );
  }
  if (status === 403) {
    return new AuthenticationError(
      `Permission denied (HTTP 403): ${detailText}. Ask an administrator for a role that allows ${where}.`,
      base,
    );
  }
  if (status === 404) return new NotFoundError(`Not found (HTTP 404): ${detailText}`, base);
  if (status === 409) return new ConflictError(`Conflict (HTTP 409): ${detailText}`, base);
  if (status === 400 || status === 422) {
    return new ValidationError(`Rejected by the server (HTTP ${status}): ${detailText}`, base);
  }
  if (status >= 500 || status === 429) {
    return new ServerError(
      `Server error (HTTP ${status}) for ${where}: ${detailText}. Try again later; ` +
        `if it persists, check the Qualytics instance's health.`,
      base,
    );
  }
  return new QualyticsApiError(`HTTP ${status} for ${where}: ${detailText}`, base);
}
