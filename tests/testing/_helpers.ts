import { parseJson, stringifyJson } from "../../src/util/json.ts";
import type { FakeControlplane } from "../../src/testing/mod.ts";

export interface ApiResult {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/** Calls the fake with the admin token (or `token`), always consuming the body. */
export async function api(
  server: FakeControlplane,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; rawBody?: string } = {},
): Promise<ApiResult> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = options.token === undefined ? server.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(server.url + path, {
    method,
    headers,
    redirect: "manual",
    body: options.rawBody ?? (options.body === undefined ? undefined : stringifyJson(options.body)),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? parseJson(text) : undefined,
    text,
    headers: res.headers,
  };
}

/** A controllable clock. */
export function fakeClock(start = "2026-03-01T12:00:00Z") {
  let now = Date.parse(start);
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}
