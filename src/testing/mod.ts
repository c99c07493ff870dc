/**
 * A local fake of the Qualytics controlplane API for tests, demos and benchmarks.
 *
 * @example
 * ```ts
 * import { startFakeControlplane } from "@qualytics/cli/testing";
 *
 * const server = await startFakeControlplane({ seed: "demo" });
 * const res = await fetch(`${server.url}/api/datastores`, {
 *   headers: { Authorization: `Bearer ${server.token}` },
 * });
 * console.log((await res.json()).total);
 * await server.close();
 * ```
 *
 * @module
 */

export {
  type FakeControlplane,
  type FakeControlplaneOptions,
  startFakeControlplane,
} from "./server.ts";
export { type FaultEcho, type FaultOptions } from "./faults.ts";
export { decodeJwtPayload, type JwtClaims, makeJwt } from "./jwt.ts";
export { type PathMatcher, RequestLog, type RequestLogEntry } from "./request_log.ts";
export { FakeState, type ServerData } from "./state.ts";
export { type ScaleOptions } from "./seeds.ts";
export { type Permission, type Role } from "./auth.ts";
