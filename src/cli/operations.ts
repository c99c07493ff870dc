/**
 * `qualytics operations`: sync, profile, scan, materialize and export (one operation per
 * datastore, started concurrently, polled with a live progress line on stderr), plus get, list
 * and abort.
 *
 * @module
 */
import {
  Command,
  InvalidArgumentError,
  Option,
  type OptionValues,
} from "@commander-js/extra-typings";
import * as path from "node:path";
import { abortOperation, getOperation, listOperations } from "../api/operations.ts";
import type { ApiObject, Operation } from "../api/types.ts";
import {
  describeAbort,
  EXPORT_ASSET_TYPES,
  exportPayload,
  formatGreaterThanTime,
  materializePayload,
  normalizeAiEffort,
  OPERATION_RESULTS,
  OPERATION_TITLES,
  operationListQuery,
  OperationOptionError,
  type OperationProgress,
  type OperationRun,
  type OperationType,
  profilePayload,
  runOperations,
  scanPayload,
  syncPayload,
} from "../services/operations.ts";
import { type ByIdOptions, examples, getByIdCommand, idCommand, printFound } from "./common.ts";
import { settingsPaths } from "../settings/config_file.ts";
import { UsageError } from "./errors.ts";
import { type Format, parseListFormat, parseObjectFormat } from "./output.ts";
import { parseInteger, parseIntegerList, type Runtime, splitCommaList } from "./runtime.ts";

/** Columns of `operations list --format table`. */
export const OPERATION_COLUMNS = ["id", "type", "datastore", "result", "start_time", "end_time"];

function parseSeconds(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number <= 0) {
    throw new InvalidArgumentError(`'${value}' is not a positive number of seconds.`);
  }
  return number;
}

function parseNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number)) {
    throw new InvalidArgumentError(`'${value}' is not a number.`);
  }
  return number;
}

function parseDatastoreIds(value: string): number[] {
  const ids = parseIntegerList(value);
  if (ids.length === 0) throw new InvalidArgumentError("at least one datastore ID is required.");
  return ids;
}

function validated<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof OperationOptionError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

const commaList = (value: string) => splitCommaList(value);

/** Checks the date early; the payload builder converts it (so the raw value is kept). */
const parseGreaterThanTime = validated((value: string) => {
  formatGreaterThanTime(value);
  return value;
});

/** Options every operation trigger shares. */
export interface TriggerOptions {
  datastoreIds: number[];
  background: boolean;
  pollIntervalSeconds: number;
  timeoutSeconds: number;
  format: Format;
}

function formatRecords(value: number): string {
  return value.toLocaleString("en-US");
}

/** Live progress of several operations on one stderr line. */
function progressReporter(runtime: Runtime, runs: () => OperationRun[]) {
  const latest = new Map<number, OperationProgress>();
  let progress: ReturnType<Runtime["ui"]["progress"]> | undefined;
  return {
    update(update: OperationProgress) {
      latest.set(update.id, update);
      const started = runs().filter((run) => run.operation);
      progress ??= runtime.ui.progress(
        started.length === 1
          ? `Operation ${started[0].operation!.id}`
          : `${started.length} operations`,
      );
      let analyzed = 0;
      let total = 0;
      let records = 0;
      let known = false;
      for (const item of latest.values()) {
        if (item.totalContainers !== undefined) known = true;
        analyzed += item.containersAnalyzed ?? 0;
        total += item.totalContainers ?? 0;
        records += item.recordsProcessed ?? 0;
      }
      const elapsed = Math.round(
        Math.max(...[...latest.values()].map((item) => item.elapsedMs)) / 1000,
      );
      if (!known) {
        progress.update(0, undefined, `running... (${elapsed}s elapsed)`);
        return;
      }
      progress.update(
        analyzed,
        total || undefined,
        `containers, ${formatRecords(records)} records (${elapsed}s elapsed)`,
      );
    },
    done() {
      progress?.done();
    },
  };
}

/**
 * Starts one operation per datastore and, unless `--background`, waits for each. Exit 1 when
 * any failed to start, failed, was aborted or timed out.
 */
export async function runTrigger(
  runtime: Runtime,
  type: OperationType,
  options: TriggerOptions,
  payloadFor: (datastoreId: number) => ApiObject,
): Promise<number> {
  const { ui, ctx } = runtime;
  const title = OPERATION_TITLES[type];
  // Validate every payload before anything is started.
  try {
    options.datastoreIds.forEach(payloadFor);
  } catch (error) {
    if (error instanceof OperationOptionError) throw new UsageError(error.message);
    throw error;
  }
  const client = await runtime.client();
  const runs: OperationRun[] = [];
  const reporter = progressReporter(runtime, () => runs);
  const errorLog = operationErrorLog(runtime);
  const failed = (text: string, detail: string | undefined) => {
    ui.error(`${text}, Please check the path: ${errorLog.shown}`);
    errorLog.add(type, detail ?? text);
  };
  const results = await runOperations(client, {
    datastoreIds: options.datastoreIds,
    payloadFor,
    background: options.background,
    wait: {
      pollIntervalMs: options.pollIntervalSeconds * 1000,
      timeoutMs: options.timeoutSeconds * 1000,
      sleep: ctx.sleep,
      now: ctx.now,
    },
    onStarted: (run) => {
      runs.push(run);
      ui.info(`Started ${title} operation ${run.operation!.id} for datastore: ${run.datastoreId}`);
    },
    onProgress: (progress) => reporter.update(progress),
    onFinished: (run) => {
      const id = run.operation?.id;
      const ds = run.datastoreId;
      switch (run.outcome) {
        case "success":
          ui.success(`Successfully Finished ${title} operation ${id} for datastore: ${ds}`);
          break;
        case "warning":
          ui.warn(`${type} operation ${id} on datastore ${ds}: ${run.operation?.message}`);
          break;
        case "aborted":
          failed(`${title} operation ${id} for datastore: ${ds} was aborted`, run.error);
          break;
        case "timeout":
          failed(
            `Operation ${id} timed out after ${options.timeoutSeconds}s; ${title} ${id} for ` +
              `datastore: ${ds} timed out (it keeps running on the server)`,
            undefined,
          );
          break;
        case "failure":
          failed(
            `Failed ${title} ${id} for datastore: ${ds}${run.error ? `: ${run.error}` : ""}`,
            run.error ?? "the operation failed",
          );
          break;
        default:
          failed(
            `Failed ${title}${id ? ` ${id}` : ""} for datastore: ${ds}: ${run.error}`,
            run.error,
          );
      }
    },
  });
  reporter.done();
  await errorLog.written();
  const operations = results.map((run) => run.operation).filter((op): op is Operation => !!op);
  ui.data(operations, options.format);
  if (options.background) {
    return results.some((run) => run.outcome === "error") ? 1 : 0;
  }
  return results.every((run) => run.outcome === "success" || run.outcome === "warning") ? 0 : 1;
}

/**
 * The original's operation error log, `~/.qualytics/operation-error.txt`: an entry
 * `[MM-DD-YYYY HH:MM:SS]: Error executing <type> operation: <detail>` and a blank line per
 * failure, appended one at a time.
 */
function operationErrorLog(runtime: Runtime) {
  const { ctx } = runtime;
  const file = path.join(settingsPaths(ctx.env, ctx.homeDir).dir, "operation-error.txt");
  let queue = Promise.resolve();
  return {
    shown: file.startsWith(ctx.homeDir + path.sep) ? `~${file.slice(ctx.homeDir.length)}` : file,
    add(type: string, detail: string) {
      const now = ctx.now();
      const pad = (n: number) => String(n).padStart(2, "0");
      const stamp = `${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${now.getFullYear()} ` +
        `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
      const line = `[${stamp}]: Error executing ${type} operation: ${detail}\n\n`;
      const entry = ctx.secrets ? ctx.secrets.scrub(line) : line;
      queue = queue.then(async () => {
        await ctx.fs.mkdir(path.dirname(file));
        await ctx.fs.appendTextFile(file, entry);
      });
    },
    /** Waits for the entries; a log that cannot be written is reported, not fatal. */
    written: () =>
      queue.catch((error) => {
        runtime.ui.warn(`Could not write ${file}: ${(error as Error).message}`);
      }),
  };
}

const TRIGGER_HELP = `
Each datastore ID starts its own operation; all are followed at once. Progress goes to stderr,
the operations (as YAML or JSON) to stdout. Exit code 1 when any operation fails, is aborted
or times out.`;

/** A trigger command with the options and help every trigger shares. */
function triggerCommand(name: string, description: string, exampleLines: string[]) {
  return new Command(name)
    .description(description)
    .addHelpText("after", `${TRIGGER_HELP}\n${examples(...exampleLines)}`)
    .requiredOption(
      "--datastore-id <ids>",
      "Datastore ID, or several as a comma list (one operation each).",
      parseDatastoreIds,
    )
    .option("--background", "Return right after starting; do not wait.", false)
    .option("--poll-interval <seconds>", "Seconds between status checks.", parseSeconds, 10)
    .option("--timeout <seconds>", "Seconds to wait before giving up.", parseSeconds, 1800)
    .option(
      "-f, --format <format>",
      "Format of the operations printed on stdout: yaml or json.",
      parseObjectFormat,
      "yaml" as Format,
    );
}

function triggerOptions(options: {
  datastoreId: number[];
  background?: boolean;
  pollInterval: number;
  timeout: number;
  format: Format;
}): TriggerOptions {
  return {
    datastoreIds: options.datastoreId,
    background: !!options.background,
    pollIntervalSeconds: options.pollInterval,
    timeoutSeconds: options.timeout,
    format: options.format,
  };
}

/** Adds `--container-names` and `--container-tags` (one or the other). */
function selectingContainers<Args extends unknown[], Opts extends OptionValues>(
  command: Command<Args, Opts>,
) {
  return command
    .option("--container-names <names>", "Only these containers (comma list).", commaList)
    .option("--container-tags <tags>", "Only containers with these tags (comma list).", commaList);
}

function exclusiveContainers(options: { containerNames?: string[]; containerTags?: string[] }) {
  if (options.containerNames?.length && options.containerTags?.length) {
    throw new UsageError("Use either --container-names or --container-tags, not both.");
  }
}

/** Options of `operations list`. */
export interface OperationsListOptions {
  datastoreId?: number[];
  type?: string;
  status?: string[];
  startDate?: string;
  endDate?: string;
  format: Format;
}

/** Lists operations, newest first (all pages). */
export async function runOperationsList(
  runtime: Runtime,
  options: OperationsListOptions,
): Promise<number> {
  const client = await runtime.client();
  const operations = await listOperations(
    client,
    operationListQuery({
      datastoreIds: options.datastoreId,
      type: options.type,
      results: options.status,
      startDate: options.startDate,
      endDate: options.endDate,
    }),
  );
  printFound(runtime.ui, operations, "operations", options.format, OPERATION_COLUMNS);
  return 0;
}

/** Asks the server to abort an operation and reports what it answered. */
export async function runOperationsAbort(runtime: Runtime, options: ByIdOptions): Promise<number> {
  const client = await runtime.client();
  const operation = await abortOperation(client, options.id);
  runtime.ui.info(describeAbort(options.id, operation));
  if (operation) runtime.ui.data(operation, options.format);
  return 0;
}

function parseResults(value: string): string[] {
  const results = splitCommaList(value).map((item) => item.toLowerCase());
  for (const result of results) {
    if (!(OPERATION_RESULTS as readonly string[]).includes(result)) {
      throw new InvalidArgumentError(`'${result}' is not one of: ${OPERATION_RESULTS.join(", ")}.`);
    }
  }
  return results;
}

function parseDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError(`'${value}' is not a date (YYYY-MM-DD).`);
  }
  return value;
}

function parseAssetType(value: string): string {
  if (!(EXPORT_ASSET_TYPES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(
      `--asset-type must be one of: ${EXPORT_ASSET_TYPES.join(", ")}.`,
    );
  }
  return value;
}

function parseRemediation(value: string): string {
  const strategy = value.trim().toLowerCase();
  if (!["append", "overwrite", "none"].includes(strategy)) {
    throw new InvalidArgumentError("must be one of: append, none, overwrite.");
  }
  return strategy;
}

/** The `operations` group. */
export function operationsCommand(runtime: Runtime): Command {
  const operations = new Command("operations").description(
    "Run and manage operations (sync, profile, scan, materialize, export).",
  );

  operations.addCommand(
    triggerCommand("sync", "Sync (catalog) datastores: discover their containers.", [
      "qualytics operations sync --datastore-id 1",
      "qualytics operations sync --datastore-id 1,2 --include table,view --background",
    ])
      .option(
        "--include <types>",
        "Container types to include (comma list, e.g. table,view).",
        commaList,
      )
      .option("--prune", "Remove containers that no longer exist in the source.", false)
      .option("--recreate", "Drop and recreate every container.", false)
      .action(
        runtime.handle((options) =>
          runTrigger(runtime, "sync", triggerOptions(options), (id) =>
            syncPayload(id, {
              include: options.include,
              prune: options.prune,
              recreate: options.recreate,
            }))
        ),
      ),
  );

  operations.addCommand(
    selectingContainers(
      triggerCommand("profile", "Profile datastores: field statistics and inferred checks.", [
        "qualytics operations profile --datastore-id 1",
        "qualytics operations profile --datastore-id 1 --container-names orders,customers --ai-effort high",
      ]),
    )
      .option(
        "--ai-effort <level>",
        "Check inference effort: off, low, medium, high, xhigh, max (or 0-5).",
        validated(normalizeAiEffort),
      )
      .addOption(
        new Option("--inference-threshold <level>", "Deprecated: use --ai-effort.").hideHelp(),
      )
      .option("--infer-as-draft", "Create inferred checks as drafts.")
      .option(
        "--max-records-analyzed-per-partition <n>",
        "Records analyzed per partition (-1 for all).",
        parseInteger,
      )
      .option(
        "--max-count-testing-sample <n>",
        "Records sampled to test inferred checks.",
        parseInteger,
      )
      .option(
        "--percent-testing-threshold <fraction>",
        "Share of records inferred checks must pass.",
        parseNumber,
      )
      .option(
        "--high-correlation-threshold <fraction>",
        "Correlation reported as high.",
        parseNumber,
      )
      .option(
        "--greater-than-time <datetime>",
        "Only records after this time (YYYY-MM-DD[THH:MM:SS]).",
        parseGreaterThanTime,
      )
      .option("--greater-than-batch <number>", "Only records after this batch value.", parseNumber)
      .option(
        "--histogram-max-distinct-values <n>",
        "Distinct values kept in histograms.",
        parseInteger,
      )
      .action(runtime.handle((options) => {
        exclusiveContainers(options);
        let aiEffort = options.aiEffort;
        if (options.inferenceThreshold !== undefined) {
          runtime.ui.warn("--inference-threshold is deprecated, use --ai-effort instead.");
          if (aiEffort === undefined) {
            try {
              aiEffort = normalizeAiEffort(options.inferenceThreshold);
            } catch (error) {
              throw new UsageError((error as Error).message);
            }
          }
        }
        return runTrigger(runtime, "profile", triggerOptions(options), (id) =>
          profilePayload(id, {
            containerNames: options.containerNames,
            containerTags: options.containerTags,
            aiEffort,
            inferAsDraft: options.inferAsDraft,
            maxRecordsAnalyzedPerPartition: options.maxRecordsAnalyzedPerPartition,
            maxCountTestingSample: options.maxCountTestingSample,
            percentTestingThreshold: options.percentTestingThreshold,
            highCorrelationThreshold: options.highCorrelationThreshold,
            greaterThanTime: options.greaterThanTime,
            greaterThanBatch: options.greaterThanBatch,
            histogramMaxDistinctValues: options.histogramMaxDistinctValues,
          }));
      })),
  );

  operations.addCommand(
    selectingContainers(triggerCommand("scan", "Scan datastores: run their quality checks.", [
      "qualytics operations scan --datastore-id 1",
      "qualytics operations scan --datastore-id 1,2 --incremental --poll-interval 5 --timeout 600",
      "qualytics operations scan --datastore-id 1 --container-names orders --background --format json",
    ]))
      .option("--incremental", "Scan only records added since the last scan.", false)
      .addOption(
        new Option("--remediation <strategy>", "Deprecated: set it on the datastore instead.")
          .argParser(parseRemediation),
      )
      .option(
        "--max-records-analyzed-per-partition <n>",
        "Records analyzed per partition (-1 for all).",
        parseInteger,
      )
      .option(
        "--enrichment-source-record-limit <n>",
        "Source records written per anomaly (>= 1).",
        parseInteger,
      )
      .option("--auto-resolve-passed-anomalies", "Resolve open anomalies whose checks now pass.")
      .option(
        "--no-auto-resolve-passed-anomalies",
        "Keep open anomalies even when their checks pass.",
      )
      .option(
        "--greater-than-time <datetime>",
        "Only records after this time (YYYY-MM-DD[THH:MM:SS]).",
        parseGreaterThanTime,
      )
      .option("--greater-than-batch <number>", "Only records after this batch value.", parseNumber)
      .action(runtime.handle((options) => {
        exclusiveContainers(options);
        if (options.remediation !== undefined && options.remediation !== "none") {
          throw new UsageError(
            "--remediation is no longer accepted for scan operations. Set it with 'qualytics " +
              "datastores update --id <ID> --enrichment-remediation-strategy <VALUE>', then rerun " +
              "the scan without --remediation.",
          );
        }
        if (options.remediation === "none") {
          runtime.ui.warn(
            "--remediation is deprecated and ignored; it is set on the datastore now.",
          );
        }
        return runTrigger(runtime, "scan", triggerOptions(options), (id) =>
          scanPayload(id, {
            containerNames: options.containerNames,
            containerTags: options.containerTags,
            incremental: options.incremental,
            autoResolvePassedAnomalies: options.autoResolvePassedAnomalies,
            maxRecordsAnalyzedPerPartition: options.maxRecordsAnalyzedPerPartition,
            enrichmentSourceRecordLimit: options.enrichmentSourceRecordLimit,
            greaterThanTime: options.greaterThanTime,
            greaterThanBatch: options.greaterThanBatch,
          }));
      })),
  );

  operations.addCommand(
    selectingContainers(
      triggerCommand(
        "materialize",
        "Materialize computed containers into the enrichment datastore.",
        [
          "qualytics operations materialize --datastore-id 1 --background",
        ],
      ),
    )
      .option(
        "--max-records-per-partition <n>",
        "Records per partition (-1 for all).",
        parseInteger,
      )
      .action(runtime.handle((options) => {
        exclusiveContainers(options);
        return runTrigger(
          runtime,
          "materialize",
          triggerOptions(options),
          (id) =>
            materializePayload(id, {
              containerNames: options.containerNames,
              containerTags: options.containerTags,
              maxRecordsPerPartition: options.maxRecordsPerPartition,
            }),
        );
      })),
  );

  operations.addCommand(
    triggerCommand(
      "export",
      "Export anomalies, checks or profiles into the enrichment datastore.",
      [
        "qualytics operations export --datastore-id 1 --asset-type anomalies --background",
        "qualytics operations export --datastore-id 1 --asset-type checks --container-ids 11,12",
      ],
    )
      .requiredOption("--asset-type <type>", "anomalies, checks or profiles.", parseAssetType)
      .option(
        "--container-ids <ids>",
        "Only these containers (comma list of IDs).",
        parseIntegerList,
      )
      .option("--container-tags <tags>", "Only containers with these tags (comma list).", commaList)
      .option("--include-deleted", "Include deleted assets.", false)
      .action(
        runtime.handle((options) =>
          runTrigger(runtime, "export", triggerOptions(options), (id) =>
            exportPayload(id, {
              assetType: options.assetType,
              containerIds: options.containerIds,
              containerTags: options.containerTags,
              includeDeleted: options.includeDeleted,
            }))
        ),
      ),
  );

  operations.addCommand(getByIdCommand(runtime, {
    description: "Show one operation with its progress counters.",
    idHelp: "Operation ID.",
    examples: ["qualytics operations get --id 42 --format json"],
    fetch: getOperation,
  }));

  operations.command("list")
    .description("List operations, newest first.")
    .option("--datastore-id <ids>", "Only these datastores (comma list).", parseIntegerList)
    .option("--type <type>", "Operation type: sync, profile, scan, materialize, export.")
    .option(
      "--status <results>",
      "Results (comma list): running, success, failure, aborted.",
      parseResults,
    )
    .option("--start-date <date>", "Started on or after (YYYY-MM-DD).", parseDate)
    .option("--end-date <date>", "Started on or before (YYYY-MM-DD).", parseDate)
    .option("-f, --format <format>", "yaml, json or table.", parseListFormat, "yaml" as Format)
    .addHelpText(
      "after",
      `
Examples:
  $ qualytics operations list --datastore-id 1 --format table
  $ qualytics operations list --type scan --status failure,aborted --format json
`,
    )
    .action(runtime.handle((options) => runOperationsList(runtime, options)));

  operations.addCommand(
    idCommand(
      "abort",
      "Ask the server to abort a running operation.",
      "Operation ID.",
      "Format of the operation on stdout: yaml or json.",
    )
      .addHelpText("after", examples("qualytics operations abort --id 42"))
      .action(runtime.handle((options) => runOperationsAbort(runtime, options))),
  );

  return operations;
}
