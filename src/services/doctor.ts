/**
 * `doctor`: a checklist of what the CLI needs — settings, token, connectivity, the server's
 * version, the API operations the CLI calls (compared with the server's OpenAPI document) and
 * TLS. Each check passes, warns or fails; nothing here prints.
 *
 * @module
 */
import { QualyticsClient } from "../client/http_client.ts";
import { QualyticsApiError, TimeoutError } from "../client/errors.ts";
import type { Transport } from "../client/transport.ts";
import { checkToken, describeExpiry } from "../settings/token.ts";

/** The verdict of one check. */
export type DoctorStatus = "pass" | "warn" | "fail";

/** One line of the checklist. */
export interface DoctorCheck {
  name: string;
  status: DoctorStatus;
  message: string;
}

/** The whole checklist. */
export interface DoctorReport {
  checks: DoctorCheck[];
  summary: { passed: number; warnings: number; failed: number };
  ok: boolean;
}

/** An API operation: method and path as the OpenAPI document writes it (under `/api`). */
export interface ApiOperation {
  method: string;
  path: string;
}

/**
 * Every API operation the CLI calls (the original's compatibility manifest, api.md §5), with
 * the ones it can do without marked optional.
 */
export const KNOWN_API_OPERATIONS: readonly (ApiOperation & { optional?: boolean })[] = [
  { method: "GET", path: "/api/status", optional: true },
  { method: "GET", path: "/api/connections" },
  { method: "POST", path: "/api/connections" },
  { method: "GET", path: "/api/connections/{id}" },
  { method: "PUT", path: "/api/connections/{id}" },
  { method: "DELETE", path: "/api/connections/{id}" },
  { method: "POST", path: "/api/connections/{id}/test" },
  { method: "GET", path: "/api/datastores" },
  { method: "POST", path: "/api/datastores" },
  { method: "GET", path: "/api/datastores/{id}" },
  { method: "PUT", path: "/api/datastores/{id}" },
  { method: "DELETE", path: "/api/datastores/{id}" },
  { method: "POST", path: "/api/datastores/{id}/connection" },
  { method: "POST", path: "/api/datastores/connection", optional: true },
  { method: "PATCH", path: "/api/datastores/{id}/enrichment/{enrichment_id}" },
  { method: "DELETE", path: "/api/datastores/{id}/enrichment" },
  { method: "GET", path: "/api/containers" },
  { method: "POST", path: "/api/containers" },
  { method: "PATCH", path: "/api/containers" },
  { method: "GET", path: "/api/containers/listing" },
  { method: "POST", path: "/api/containers/validate" },
  { method: "GET", path: "/api/containers/{id}" },
  { method: "PUT", path: "/api/containers/{id}" },
  { method: "DELETE", path: "/api/containers/{id}" },
  { method: "GET", path: "/api/containers/{id}/field-profiles" },
  { method: "POST", path: "/api/computed-fields" },
  { method: "PUT", path: "/api/computed-fields/{id}" },
  { method: "DELETE", path: "/api/computed-fields/{id}", optional: true },
  { method: "GET", path: "/api/quality-checks" },
  { method: "POST", path: "/api/quality-checks" },
  { method: "DELETE", path: "/api/quality-checks" },
  { method: "GET", path: "/api/quality-checks/{id}" },
  { method: "PUT", path: "/api/quality-checks/{id}" },
  { method: "DELETE", path: "/api/quality-checks/{id}" },
  { method: "POST", path: "/api/quality-check-templates" },
  { method: "POST", path: "/api/export/check-templates" },
  { method: "POST", path: "/api/export/anomalies" },
  { method: "POST", path: "/api/export/checks" },
  { method: "POST", path: "/api/export/field-profiles" },
  { method: "GET", path: "/api/anomalies" },
  { method: "PATCH", path: "/api/anomalies" },
  { method: "DELETE", path: "/api/anomalies" },
  { method: "GET", path: "/api/anomalies/{id}" },
  { method: "PUT", path: "/api/anomalies/{id}" },
  { method: "DELETE", path: "/api/anomalies/{id}" },
  { method: "POST", path: "/api/operations/run" },
  { method: "GET", path: "/api/operations" },
  { method: "GET", path: "/api/operations/{id}" },
  { method: "PUT", path: "/api/operations/abort/{id}" },
  { method: "GET", path: "/api/global-tags" },
  { method: "POST", path: "/api/global-tags" },
  { method: "GET", path: "/api/global-tags/{name}" },
  { method: "DELETE", path: "/api/global-tags/{name}" },
  { method: "GET", path: "/api/teams" },
  { method: "GET", path: "/api/teams/{id}" },
  { method: "GET", path: "/api/users" },
  { method: "GET", path: "/api/users/{id}" },
  { method: "GET", path: "/api/agent/llm-config/status", optional: true },
  { method: "POST", path: "/api/agent/chat", optional: true },
];

/** The operations a server must offer for every command to work. */
export const REQUIRED_API_OPERATIONS: readonly ApiOperation[] = KNOWN_API_OPERATIONS
  .filter((operation) => !operation.optional)
  .map(({ method, path }) => ({ method, path }));

/** A document that is not a usable OpenAPI description. */
export class OpenApiSchemaError extends Error {
  override name = "OpenApiSchemaError";
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options", "trace"]);

/** `/api/x/{name}?q` → `/x/{}`: no query, no `/api` prefix, parameter names ignored. */
export function normalizeApiPath(path: string): string {
  let out = path.split("?")[0].replace(/\{[^}]*\}/g, "{}");
  if (out === "/api") out = "/";
  else if (out.startsWith("/api/")) out = out.slice(4);
  if (!out.startsWith("/")) out = `/${out}`;
  return out.length > 1 ? out.replace(/\/+$/, "") : out;
}

/** An operation the server lacks, and why. */
export interface MissingOperation extends ApiOperation {
  reason: string;
}

/**
 * Compares an OpenAPI document with the required operations; returns what is missing, sorted
 * by method and path.
 *
 * @throws {OpenApiSchemaError} when the document has no usable `paths`.
 */
export function missingOperations(
  schema: unknown,
  required: readonly ApiOperation[] = REQUIRED_API_OPERATIONS,
): MissingOperation[] {
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) {
    throw new OpenApiSchemaError("response does not contain OpenAPI paths");
  }
  const paths = (schema as { paths?: unknown }).paths;
  if (!paths || typeof paths !== "object" || Array.isArray(paths) || !Object.keys(paths).length) {
    throw new OpenApiSchemaError("response does not contain OpenAPI paths");
  }
  const served = new Map<string, Set<string>>();
  for (const [path, item] of Object.entries(paths)) {
    if (!item || typeof item !== "object" || Array.isArray(item)) {
      throw new OpenApiSchemaError(`response contains invalid OpenAPI paths (${path})`);
    }
    const key = normalizeApiPath(path);
    const methods = served.get(key) ?? new Set<string>();
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method.toLowerCase())) continue;
      if (!operation || typeof operation !== "object") {
        throw new OpenApiSchemaError(`response contains invalid OpenAPI operations (${path})`);
      }
      methods.add(method.toUpperCase());
    }
    served.set(key, methods);
  }
  const missing: MissingOperation[] = [];
  for (const operation of required) {
    const methods = served.get(normalizeApiPath(operation.path));
    if (!methods) missing.push({ ...operation, reason: "path is missing" });
    else if (!methods.has(operation.method)) {
      missing.push({
        ...operation,
        reason: `method is missing (server exposes: ${[...methods].sort().join(", ") || "none"})`,
      });
    }
  }
  return missing.sort((a, b) =>
    a.method === b.method ? a.path.localeCompare(b.path) : a.method.localeCompare(b.method)
  );
}

/** Inputs of {@link runDoctor}. */
export interface DoctorInput {
  version: string;
  /** e.g. `Deno/2.9.6`. */
  runtime?: string;
  url?: string;
  token?: string;
  urlSource: string;
  tokenSource: string;
  configFile: string;
  configFileExists: boolean;
  sslVerify: boolean;
  now: () => Date;
  /** Time-out of each request (default 10 s). */
  timeoutMs?: number;
  /** Replaces the network layer (tests). */
  transport?: Transport;
}

function sourceLabel(source: string, configFile: string): string {
  return source === "env" ? "environment" : source === "file" ? configFile : "nowhere";
}

function serverVersion(...documents: unknown[]): string | undefined {
  for (const document of documents) {
    if (!document || typeof document !== "object") continue;
    const record = document as Record<string, unknown>;
    for (const key of ["version", "app_version", "api_version", "release"]) {
      if (typeof record[key] === "string" && record[key]) return record[key] as string;
    }
    const info = record.info as Record<string, unknown> | undefined;
    if (info && typeof info.version === "string" && info.version) return info.version;
  }
  return undefined;
}

function isLocalHost(url: URL): boolean {
  return ["localhost", "127.0.0.1", "[::1]", "::1"].includes(url.hostname);
}

/** Runs the checklist; stops after a configuration or token failure (nothing else can work). */
export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (name: string, status: DoctorStatus, message: string) =>
    checks.push({ name, status, message });
  const finish = (): DoctorReport => {
    const summary = {
      passed: checks.filter((check) => check.status === "pass").length,
      warnings: checks.filter((check) => check.status === "warn").length,
      failed: checks.filter((check) => check.status === "fail").length,
    };
    return { checks, summary, ok: summary.failed === 0 };
  };

  add("cli_version", "pass", `Qualytics CLI ${input.version}`);
  if (input.runtime) add("runtime", "pass", input.runtime);

  if (!input.url) {
    add(
      "config",
      "fail",
      input.configFileExists
        ? `${input.configFile} has no URL; run 'qualytics auth init --url <url> --token <token>'`
        : `No configuration: ${input.configFile} not found and QUALYTICS_URL not set; run ` +
          `'qualytics auth login --url <your-url>'`,
    );
    return finish();
  }
  add(
    "config",
    "pass",
    `URL ${input.url} (from ${sourceLabel(input.urlSource, input.configFile)})`,
  );

  if (!input.token) {
    add("token", "fail", "No token configured; run 'qualytics auth login' or set QUALYTICS_TOKEN");
    return finish();
  }
  add("token", "pass", `Token present (from ${sourceLabel(input.tokenSource, input.configFile)})`);

  const now = input.now();
  const check = checkToken(input.token, now);
  if (!check.valid && check.reason === "expired") {
    add("token_expiry", "fail", `Expired: ${describeExpiry(check.expiresAt, now)}`);
  } else if (!check.valid) {
    add("token_expiry", "warn", `Could not decode the token's expiry (${check.message})`);
  } else if (!check.expiresAt) {
    add("token_expiry", "pass", "Token has no expiry");
  } else if (check.expiresAt.getTime() - now.getTime() < 7 * 86_400_000) {
    add("token_expiry", "warn", describeExpiry(check.expiresAt, now));
  } else {
    add("token_expiry", "pass", describeExpiry(check.expiresAt, now));
  }

  const timeoutMs = input.timeoutMs ?? 10_000;
  const client = new QualyticsClient({
    baseUrl: input.url,
    token: input.token,
    sslVerify: input.sslVerify,
    timeoutMs,
    maxRetries: 0,
    transport: input.transport,
  });
  let statusBody: unknown;
  let reachable = false;
  const started = performance.now();
  try {
    statusBody = await client.get("status");
    reachable = true;
    add("connectivity", "pass", `GET ${client.baseUrl}status answered in ${latency(started)} ms`);
  } catch (error) {
    if (error instanceof QualyticsApiError && [401, 403, 404].includes(error.status)) {
      reachable = true;
      add(
        "connectivity",
        "pass",
        `GET ${client.baseUrl}status answered HTTP ${error.status} in ${latency(started)} ms`,
      );
    } else if (error instanceof QualyticsApiError && error.status >= 400) {
      reachable = true;
      add("connectivity", "warn", `GET ${client.baseUrl}status answered HTTP ${error.status}`);
    } else if (error instanceof TimeoutError) {
      add(
        "connectivity",
        "fail",
        `Request to ${client.baseUrl}status timed out after ${timeoutMs / 1000}s`,
      );
    } else {
      add(
        "connectivity",
        "fail",
        `Cannot reach ${client.baseUrl} — check URL and network (${(error as Error).message})`,
      );
    }
  }

  if (reachable) {
    let schema: unknown;
    try {
      schema = await client.get("openapi.json");
    } catch (error) {
      add(
        "api_compatibility",
        "warn",
        `Could not read ${client.baseUrl}openapi.json: ${(error as Error).message}`,
      );
    }
    const version = serverVersion(statusBody, schema);
    add(
      "server_version",
      version ? "pass" : "warn",
      version ? `Server version ${version}` : "The server did not report its version",
    );
    if (schema !== undefined) {
      try {
        const missing = missingOperations(schema);
        if (missing.length === 0) {
          add(
            "api_compatibility",
            "pass",
            `${REQUIRED_API_OPERATIONS.length} required method/path operations supported`,
          );
        } else {
          const shown = missing.slice(0, 5).map((item) =>
            `${item.method} ${item.path} — ${item.reason}`
          );
          const more = missing.length > 5 ? `; and ${missing.length - 5} more` : "";
          add(
            "api_compatibility",
            "warn",
            `${missing.length} required operation(s) missing: ${shown.join("; ")}${more}`,
          );
        }
      } catch (error) {
        add("api_compatibility", "warn", `Invalid OpenAPI document: ${(error as Error).message}`);
      }
    }
  }

  const url = new URL(client.baseUrl);
  if (!input.sslVerify) {
    add("ssl", "warn", "SSL verification is disabled (ssl_verify: false)");
  } else if (url.protocol === "http:") {
    add(
      "ssl",
      isLocalHost(url) ? "pass" : "warn",
      isLocalHost(url)
        ? "Plain HTTP to a local server (no TLS)"
        : "The URL uses plain HTTP; the token travels unencrypted",
    );
  } else if (reachable) {
    const anonymous = new QualyticsClient({
      baseUrl: input.url,
      timeoutMs,
      maxRetries: 0,
      transport: input.transport,
    });
    try {
      await anonymous.get("status");
      add("ssl", "pass", "TLS certificate verified");
    } catch (error) {
      const message = (error as Error).message;
      if (
        error instanceof QualyticsApiError && error.status === 0 &&
        /tls|ssl|certificate/i.test(message)
      ) {
        add("ssl", "warn", `TLS verification failed: ${message}`);
      } else add("ssl", "pass", "TLS certificate verified");
    }
  }
  return finish();
}

function latency(started: number): number {
  return Math.round(performance.now() - started);
}
