/**
 * `containers import`: creates one computed table per definition (skipping those that exist),
 * waits for its fields, and adds the `satisfiesExpression` check the original adds, logging
 * failures to the dated error log.
 *
 * @module
 */
import { createContainer, listContainerListing } from "../api/containers.ts";
import { listFieldProfiles } from "../api/containers.ts";
import { createQualityCheck, listQualityChecks } from "../api/quality_checks.ts";
import type { ApiObject } from "../api/types.ts";
import { describeDetail, QualyticsApiError } from "../client/errors.ts";
import type { QualyticsClient } from "../client/http_client.ts";
import { JsonFloat } from "../util/json.ts";
import {
  addMissingAliases,
  type ComputedTableRecord,
  ruleIdOf,
  truncate,
} from "./computed_table_file.ts";
import { completeContainerCreate } from "./containers.ts";

/** Options of {@link importComputedTables}. */
export interface ComputedTableImportOptions {
  datastoreId: number;
  /** Prefix of the created tables' names (default `ct_`). */
  prefix: string;
  /** Create checks as `Active` instead of `Draft`. */
  asActive: boolean;
  skipChecks: boolean;
  skipProfileWait: boolean;
  tags: string[];
  /** Attempts to see the new table's fields before giving up (default 10). */
  profileAttempts?: number;
  /** Pause between attempts in milliseconds (default 30 000). */
  profileRetryMs?: number;
}

/** What the import needs besides the client. */
export interface ComputedTableImportDeps {
  client: QualyticsClient;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  /** Progress and result messages (the CLI prints them on stderr). */
  onMessage?: (level: "info" | "success" | "warn" | "error", message: string) => void;
  /** Lines for the error log. */
  onError?: (line: string) => void;
  /** Request payloads and responses for `--debug`. */
  onDebug?: (
    kind: "computed_table" | "check",
    name: string,
    message: string,
    payload: unknown,
    response?: unknown,
  ) => void | Promise<void>;
  /** Called after each record. */
  onProgress?: (done: number, total: number) => void;
}

/** The outcome of one definition. */
export interface ImportedTable {
  name: string;
  id: number | null;
  status: "created" | "skipped" | "failed";
  check: "created" | "skipped" | "failed" | "not_requested";
  check_id?: number;
  error?: string;
}

/** The outcome of an import. */
export interface ComputedTableImportSummary {
  computed_tables_created: number;
  computed_tables_skipped: number;
  computed_tables_failed: number;
  checks_created: number;
  checks_skipped: number;
  checks_failed: number;
  tables: ImportedTable[];
}

/** Names of the computed tables that already exist in the datastore, with their ids. */
export async function existingComputedTables(
  client: QualyticsClient,
  datastoreId: number,
): Promise<Map<string, number>> {
  const existing = new Map<string, number>();
  try {
    const listing = await listContainerListing(client, datastoreId);
    for (const container of listing ?? []) {
      if (container.container_type === "computed_table") existing.set(container.name, container.id);
    }
  } catch (error) {
    // The original treats an unreadable listing as "nothing exists"; a missing datastore
    // still fails loudly on the first create.
    if (!(error instanceof QualyticsApiError)) throw error;
  }
  return existing;
}

/** The dry-run view of one definition. */
export interface ImportPlanRow {
  computed_table_name: string;
  status: "create" | "skip";
  description: string;
  check: "satisfiesExpression" | "skip";
}

/** What an import would do, without writing anything. */
export function planComputedTableImport(
  records: readonly ComputedTableRecord[],
  existing: ReadonlyMap<string, number>,
  options: Pick<ComputedTableImportOptions, "prefix" | "skipChecks">,
): ImportPlanRow[] {
  return records.map((record) => {
    const name = `${options.prefix}${record.name}`;
    return {
      computed_table_name: name,
      status: existing.has(name) ? "skip" : "create",
      description: record.description ? truncate(record.description, 30) : "(none)",
      check: options.skipChecks ? "skip" : "satisfiesExpression",
    };
  });
}

function apiFailure(error: unknown): string {
  if (error instanceof QualyticsApiError) {
    return `${error.status} - ${describeDetail(error.detail) || error.message}`;
  }
  return (error as Error)?.message ?? String(error);
}

/**
 * Waits until the new table has profiled fields. The original waited for the datastore's newest
 * profile operation, which may belong to another table; the fields of this table are what the
 * check needs, so they are what is polled.
 */
async function waitForFields(
  deps: ComputedTableImportDeps,
  containerId: number,
  tableName: string,
  options: ComputedTableImportOptions,
): Promise<ApiObject[]> {
  const attempts = options.profileAttempts ?? 10;
  const pause = options.profileRetryMs ?? 30_000;
  deps.onMessage?.("info", "Waiting for profile operation to complete...");
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const profiles = await listFieldProfiles(deps.client, containerId).catch(() => []);
    if (profiles.length) {
      deps.onMessage?.("success", "Profile completed successfully");
      return profiles;
    }
    if (attempt < attempts) {
      deps.onMessage?.(
        "info",
        `Attempt ${attempt} - profile not ready, retrying in ${Math.round(pause / 1000)}s...`,
      );
      await deps.sleep(pause);
    }
  }
  deps.onMessage?.("warn", `Profile may not have completed for ${tableName}`);
  return [];
}

/**
 * Imports the definitions one by one. Failures are reported per table (and to `onError`);
 * the summary says what happened to each.
 */
export async function importComputedTables(
  deps: ComputedTableImportDeps,
  records: readonly ComputedTableRecord[],
  options: ComputedTableImportOptions,
): Promise<ComputedTableImportSummary> {
  const { client } = deps;
  const existing = await existingComputedTables(client, options.datastoreId);
  const summary: ComputedTableImportSummary = {
    computed_tables_created: 0,
    computed_tables_skipped: 0,
    computed_tables_failed: 0,
    checks_created: 0,
    checks_skipped: 0,
    checks_failed: 0,
    tables: [],
  };
  let done = 0;
  for (const record of records) {
    const tableName = `${options.prefix}${record.name}`;
    const outcome: ImportedTable = {
      name: tableName,
      id: null,
      status: "created",
      check: options.skipChecks ? "not_requested" : "skipped",
    };
    summary.tables.push(outcome);
    const timestamp = deps.now().toISOString();
    const knownId = existing.get(tableName);
    let fields: ApiObject[] | undefined;
    if (knownId !== undefined) {
      outcome.status = "skipped";
      outcome.id = knownId;
      summary.computed_tables_skipped++;
      deps.onMessage?.("info", `Skipping existing computed table: ${tableName} (ID: ${knownId})`);
    } else {
      const payload: ApiObject = {
        container_type: "computed_table",
        datastore_id: options.datastoreId,
        name: tableName,
        query: addMissingAliases(record.query),
        additional_metadata: {
          description: record.description,
          rule_id: ruleIdOf(record.name),
          imported_from: "qualytics-cli",
          import_timestamp: timestamp,
        },
      };
      try {
        const created = await createContainer(client, payload);
        await deps.onDebug?.(
          "computed_table",
          tableName,
          "Created computed table",
          payload,
          created,
        );
        outcome.id = created.id;
        existing.set(tableName, created.id);
        if (record.description) {
          try {
            // The create ignores `description` (endpoints.md §3).
            await completeContainerCreate(client, created, { description: record.description });
          } catch {
            // The original ignores a failed description update: the table exists and works.
          }
        }
        summary.computed_tables_created++;
        deps.onMessage?.("success", `Created computed table: ${tableName} (ID: ${created.id})`);
        if (!options.skipProfileWait) {
          fields = await waitForFields(deps, created.id, tableName, options);
        }
      } catch (error) {
        const reason = apiFailure(error);
        await deps.onDebug?.("computed_table", tableName, `Failed: ${reason}`, payload);
        deps.onError?.(`Failed to create computed table '${tableName}': ${reason}`);
        deps.onMessage?.("error", `Failed to create computed table: ${tableName}`);
        outcome.status = "failed";
        outcome.error = reason;
        summary.computed_tables_failed++;
      }
    }
    if (!options.skipChecks && outcome.id !== null) {
      await addCheck(deps, record, outcome, fields, options, timestamp, summary);
    }
    deps.onProgress?.(++done, records.length);
  }
  return summary;
}

async function addCheck(
  deps: ComputedTableImportDeps,
  record: ComputedTableRecord,
  outcome: ImportedTable,
  knownFields: ApiObject[] | undefined,
  options: ComputedTableImportOptions,
  timestamp: string,
  summary: ComputedTableImportSummary,
): Promise<void> {
  const { client } = deps;
  const id = outcome.id!;
  try {
    const checks = await listQualityChecks(client, { container: [id] });
    if (checks.length) {
      deps.onMessage?.("info", `Check already exists for ${outcome.name}, skipping`);
      outcome.check = "skipped";
      summary.checks_skipped++;
      return;
    }
    const fields = knownFields?.length ? knownFields : await listFieldProfiles(client, id);
    const names = fields.map((field) => String(field.name));
    if (!names.length) {
      deps.onError?.(`Container ${id} has no fields. Cannot create check.`);
      deps.onMessage?.("error", `Failed to create check for ${outcome.name}`);
      outcome.check = "failed";
      outcome.error = `Container ${id} has no fields.`;
      summary.checks_failed++;
      return;
    }
    const status = options.asActive ? "Active" : "Draft";
    const payload: ApiObject = {
      description: record.description || `Satisfies expression check for ${record.name}`,
      rule: "satisfiesExpression",
      coverage: new JsonFloat(1),
      fields: names,
      properties: { expression: names.map((name) => `\`${name}\` IS NULL`).join(" AND ") },
      tags: options.tags,
      container_id: id,
      additional_metadata: {
        rule_id: ruleIdOf(record.name),
        computed_table_name: record.name,
        original_description: record.description,
        imported_from: "qualytics-cli",
        import_timestamp: timestamp,
      },
      status,
    };
    try {
      const check = await createQualityCheck(client, payload);
      await deps.onDebug?.("check", outcome.name, "Created check", payload, check);
      outcome.check = "created";
      outcome.check_id = check.id;
      summary.checks_created++;
      deps.onMessage?.("success", `Created check (${status}): ID ${check.id}`);
    } catch (error) {
      const reason = apiFailure(error);
      await deps.onDebug?.("check", outcome.name, `Failed: ${reason}`, payload);
      throw error;
    }
  } catch (error) {
    const reason = apiFailure(error);
    deps.onError?.(`Failed to create check for '${outcome.name}': ${reason}`);
    deps.onMessage?.("error", `Failed to create check for ${outcome.name}`);
    outcome.check = "failed";
    outcome.error = reason;
    summary.checks_failed++;
  }
}
