/**
 * The Qualytics CLI as a library: the same HTTP client, endpoint functions, services and
 * config-as-code functions the `qualytics` command uses. Runs on Deno, Node and Bun.
 *
 * @example Listing datastores
 * ```ts
 * import { listDatastores, QualyticsClient } from "@qualytics/cli";
 *
 * const client = new QualyticsClient({ baseUrl: "https://acme.qualytics.io", token: "…" });
 * for (const datastore of await listDatastores(client)) console.log(datastore.name);
 * ```
 *
 * @example Config as code: export one instance, plan and apply the folder on another
 * ```ts
 * import {
 *   applyImport,
 *   exportConfig,
 *   fetchTarget,
 *   loadConfigFolder,
 *   nodeFileSystem,
 *   planImport,
 *   QualyticsClient,
 * } from "@qualytics/cli";
 *
 * const dev = new QualyticsClient({ baseUrl: "https://dev.qualytics.io", token: "…" });
 * const prod = new QualyticsClient({ baseUrl: "https://prod.qualytics.io", token: "…" });
 * await exportConfig(dev, nodeFileSystem, { datastoreIds: [1], output: "qualytics-export" });
 * const folder = await loadConfigFolder(nodeFileSystem, "qualytics-export", { env: {} });
 * const plan = planImport(folder, await fetchTarget(prod, folder));
 * if (plan.problems.length === 0) {
 *   await applyImport(prod, plan, {
 *     sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
 *     now: () => new Date(),
 *   });
 * }
 * ```
 *
 * @example Writing YAML exactly as the original CLI (PyYAML) does
 * ```ts
 * import { dumpYaml, parseJson } from "@qualytics/cli";
 *
 * dumpYaml(parseJson('{"coverage": 1.0}')); // "coverage: 1.0\n"
 * ```
 *
 * @module
 */
export { VERSION } from "./src/version.ts";

export {
  type ClientOptions,
  encodeQuery,
  type Page,
  QualyticsClient,
  type Query,
  type QueryValue,
  type RequestOptions,
} from "./src/client/http_client.ts";
export {
  AuthenticationError,
  ConflictError,
  NetworkError,
  NotFoundError,
  QualyticsApiError,
  RedirectError,
  ServerError,
  TimeoutError,
  UnexpectedResponseError,
  ValidationError,
} from "./src/client/errors.ts";
export { ConcurrencyPool, mapConcurrent, type TaskPriority } from "./src/client/pool.ts";
export { normalizeBaseUrl } from "./src/client/url.ts";
export type { Transport, TransportRequest, TransportResponse } from "./src/client/transport.ts";

export * from "./src/api/types.ts";
export * from "./src/api/connections.ts";
export * from "./src/api/datastores.ts";
export * from "./src/api/containers.ts";
export * from "./src/api/computed_fields.ts";
export * from "./src/api/quality_checks.ts";
export * from "./src/api/anomalies.ts";
export * from "./src/api/operations.ts";
export * from "./src/api/directory.ts";

export {
  readStoredConfig,
  type SettingsPaths,
  settingsPaths,
  type StoredConfig,
  writeStoredConfig,
} from "./src/settings/config_file.ts";
export { checkToken, type TokenCheck } from "./src/settings/token.ts";

export { dumpYaml, loadYaml, YamlSyntaxError } from "./src/util/yaml.ts";
export { isJsonFloat, JsonFloat, parseJson, stringifyJson } from "./src/util/json.ts";
export { slug } from "./src/util/slug.ts";
export { redactSecrets, SecretRegistry, type SecretSink, secretValues } from "./src/util/redact.ts";
export { type FileSystem, nodeFileSystem } from "./src/util/fs.ts";

export {
  assignCheckUids,
  CHECK_UID_KEY,
  computeCheckUid,
  secretPlaceholder,
} from "./src/services/config/naming.ts";
export {
  type DatastoreExport,
  type ExportListings,
  type ExportPlan,
  type NumberedPath,
  planChecksExport,
  planConfigExport,
  type PlannedFile,
} from "./src/services/config/plan.ts";

export {
  type ConfigExportOptions,
  type ConfigExportResult,
  exportChecks,
  exportConfig,
} from "./src/services/config/export.ts";
export { diffConfig, type DriftReport } from "./src/services/config/diff.ts";
export {
  loadChecksFolder,
  loadConfigFolder,
  type LoadedChecksFolder,
  type LoadedFolder,
  type Problem,
} from "./src/services/config/load.ts";
export {
  fetchTarget,
  type ImportPlan,
  planImport,
  planToData,
  type TargetState,
} from "./src/services/config/import_plan.ts";
export { applyImport, type ImportResult } from "./src/services/config/import_apply.ts";
export { waitForOperation } from "./src/services/operations.ts";

export { runCli } from "./src/cli/main.ts";
export type { CliContext, OutputStream } from "./src/cli/context.ts";
