/**
 * Normalises a Qualytics URL the way the original CLI does: `https://` is added when no scheme
 * is given, trailing slashes and one trailing `/api` are removed, then `/api/` is appended.
 *
 * @example
 * ```ts
 * normalizeBaseUrl("example.com"); // "https://example.com/api/"
 * normalizeBaseUrl("http://localhost:8000/api"); // "http://localhost:8000/api/"
 * ```
 */
export function normalizeBaseUrl(url: string): string {
  let base = url.trim();
  if (!base.startsWith("http://") && !base.startsWith("https://")) base = `https://${base}`;
  base = base.replace(/\/+$/, "");
  if (base.endsWith("/api")) base = base.slice(0, -4);
  return `${base.replace(/\/+$/, "")}/api/`;
}

/** The instance's base URL without the `/api/` suffix, e.g. for messages and the browser. */
export function instanceUrl(baseUrl: string): string {
  return normalizeBaseUrl(baseUrl).slice(0, -"/api/".length);
}
