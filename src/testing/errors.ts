/** HTTP errors of the fake controlplane, in the real API's body shapes. */

/** One FastAPI/pydantic validation error. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** An error answered as `status` with `body` (`{"detail": ...}` unless said otherwise). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === "object" && body && "detail" in body ? String(body.detail) : "error");
  }
}

/** 400 `{"detail": ...}`. */
export const badRequest = (detail: string): HttpError => new HttpError(400, { detail });
/** 401 `{"detail": ...}`. */
export const unauthorized = (detail = "Not authenticated"): HttpError =>
  new HttpError(401, { detail }, { "www-authenticate": "Bearer" });
/** 403 `{"detail": ...}`. */
export const forbidden = (detail: string): HttpError => new HttpError(403, { detail });
/** 404 `{"detail": ...}`. */
export const notFound = (detail: string): HttpError => new HttpError(404, { detail });
/** 409 `{"detail": ...}`. */
export const conflict = (detail: string): HttpError => new HttpError(409, { detail });
/** 422 with FastAPI's list of validation errors. */
export const invalid = (issues: ValidationIssue[]): HttpError =>
  new HttpError(422, { detail: issues });

/** A single-issue 422. */
export function invalidOne(
  type: string,
  loc: (string | number)[],
  msg: string,
  input: unknown,
  ctx?: Record<string, unknown>,
): HttpError {
  const issue: ValidationIssue = { type, loc, msg, input };
  if (ctx) issue.ctx = ctx;
  return invalid([issue]);
}

/** A pydantic `value_error` 422 (custom validators). */
export function valueError(loc: (string | number)[], message: string, input: unknown): HttpError {
  return invalidOne("value_error", loc, `Value error, ${message}`, input, { error: {} });
}

/** Python `repr` of a string (single quotes unless the text contains one). */
export function pyRepr(text: string): string {
  if (text.includes("'") && !text.includes('"')) return `"${text}"`;
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** `'a', 'b' or 'c'` as pydantic lists enum choices. */
export function pyChoices(values: readonly string[]): string {
  const quoted = values.map(pyRepr);
  if (quoted.length <= 1) return quoted.join("");
  return `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}
