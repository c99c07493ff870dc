/**
 * `config export`, `config diff` and `checks export`: write a datastore's configuration as
 * code, detect drift between a folder and the live instance, and export checks alone.
 *
 * Streams: the summary table and messages go to stderr; stdout carries only data (`--format`
 * summaries, and the unified diff of `config diff`).
 *
 * @module
 */
import * as path from "node:path";
import { Command } from "@commander-js/extra-typings";
import { diffConfig, DriftInputError, type DriftReport } from "../services/config/diff.ts";
import {
  type ChecksExportResult,
  type ConfigExportResult,
  exportChecks,
  exportConfig,
} from "../services/config/export.ts";
import { InvalidIncludeError, parseInclude } from "../services/config/options.ts";
import {
  EXPORT_RESOURCES,
  type ExportResource,
  type NumberedPath,
} from "../services/config/plan.ts";
import { examples } from "./common.ts";
import { CliError, UsageError } from "./errors.ts";
import { type Format, parseObjectFormat } from "./output.ts";
import {
  collect,
  parseInteger,
  parseIntegerList,
  type Runtime,
  splitCommaList,
} from "./runtime.ts";
import { parseConcurrency } from "./session.ts";

/** The default folder of `config export`, `diff`, `import` and `plan` (the original's). */
export const DEFAULT_CONFIG_DIR = "./qualytics-export";
/** The default folder of `checks export` (the original's). */
export const DEFAULT_CHECKS_DIR = "./checks";

const LABELS: Record<ExportResource, string> = {
  connections: "Connections",
  datastores: "Datastores",
  containers: "Containers",
  computed_fields: "Computed Fields",
  checks: "Checks",
};

/** `dir/` as the original prints an output folder. */
function shown(dir: string): string {
  return `${dir.replace(/\/+$/, "")}/`;
}

/**
 * `--include` of the config commands (`config export`, `config diff`, `config import`,
 * `config plan`): an unknown kind is a usage error (exit 2) with the original's message.
 */
export function parseIncludeOption(text: string | undefined): Set<ExportResource> | undefined {
  try {
    return parseInclude(text);
  } catch (error) {
    if (error instanceof InvalidIncludeError) throw new UsageError(error.message);
    throw error;
  }
}

// --- config export ---------------------------------------------------------------------------

/** Options of `config export`. */
export interface ConfigExportCliOptions {
  datastoreIds: number[];
  output: string;
  include?: string;
  concurrency: number;
  format?: Format;
}

/** Exports, then prints the summary table (stderr) or the `--format` summary (stdout). */
export async function runConfigExport(
  runtime: Runtime,
  options: ConfigExportCliOptions,
): Promise<number> {
  const { ctx, ui } = runtime;
  const kinds = parseIncludeOption(options.include);
  const client = await runtime.client({ concurrency: options.concurrency });
  const ids = [...new Set(options.datastoreIds)];
  ui.info(
    `Exporting configuration for datastore(s) ${ids.join(", ")} to ${shown(options.output)}...`,
  );
  const result = await exportConfig(client, ctx.fs, {
    datastoreIds: ids,
    output: path.resolve(ctx.cwd, options.output),
    include: kinds,
  });
  const shownKinds = EXPORT_RESOURCES.filter((kind) => !kinds || kinds.has(kind));
  if (result.numbered.length) ui.warn(numberedMessage(result.numbered));
  if (options.format) {
    ui.data(exportSummary(options.output, ids, result, shownKinds), options.format);
  } else {
    printExportSummary(runtime, result, shownKinds);
  }
  ui.success(`Export complete: ${shown(options.output)}`);
  return 0;
}

const NUMBERED_KINDS: Record<NumberedPath["kind"], string> = {
  connection: "connection",
  datastore: "datastore",
  container: "container",
  computed_field: "computed field",
};

/**
 * The warning about resources written under a numbered path: one line each, with the name the
 * user can change (`connection 'prod-pg': connections/prod_pg_2.yaml (prod_pg is taken)`).
 */
export function numberedMessage(numbered: readonly NumberedPath[]): string {
  const lines = numbered.map((entry) => {
    const where = entry.kind === "computed_field"
      ? ` of '${entry.container}' in '${entry.datastore}'`
      : entry.kind === "container"
      ? ` in '${entry.datastore}'`
      : "";
    return `  ${NUMBERED_KINDS[entry.kind]} '${entry.name}'${where}: ${entry.path} ` +
      `(${entry.stem} is taken by an older one)`;
  });
  return `${numbered.length} name(s) share their file or folder name with another of their ` +
    `kind, so they were written under a numbered one; rename one of each pair to give it a ` +
    `name of its own:\n${lines.join("\n")}`;
}

function exportSummary(
  output: string,
  ids: number[],
  result: ConfigExportResult,
  kinds: readonly ExportResource[],
): Record<string, unknown> {
  return {
    output,
    datastore_ids: ids,
    exported: Object.fromEntries(kinds.map((kind) => [kind, result.counts[kind]])),
    files: {
      total: result.files,
      written: result.written,
      unchanged: result.unchanged,
      removed: result.removed,
    },
    // Only when there are any: the summary of an export without them is the one it always was.
    ...(result.numbered.length ? { numbered: result.numbered } : {}),
  };
}

function printExportSummary(
  runtime: Runtime,
  result: ConfigExportResult,
  kinds: readonly ExportResource[],
): void {
  const { ui } = runtime;
  ui.info("Export Summary");
  ui.table(
    kinds.map((kind) => ({ Resource: LABELS[kind], Exported: result.counts[kind] })),
    ["Resource", "Exported"],
  );
  ui.info(filesLine(result));
}

function filesLine(result: { written: string[]; unchanged: number; removed: string[] }): string {
  return `Files: ${result.written.length} written, ${result.unchanged} unchanged, ` +
    `${result.removed.length} removed`;
}

// --- config diff -----------------------------------------------------------------------------

/** Options of `config diff`. */
export interface ConfigDiffCliOptions {
  input: string;
  datastoreIds?: number[];
  include?: string;
  concurrency: number;
  detailedExitcode?: boolean;
  format?: Format;
}

/**
 * Prints the drift: the unified diff on stdout (or the `--format` report), the list of files
 * and a summary on stderr. Exit code 0, or with `--detailed-exitcode` 2 when there is drift.
 */
export async function runConfigDiff(
  runtime: Runtime,
  options: ConfigDiffCliOptions,
): Promise<number> {
  const { ctx, ui } = runtime;
  const kinds = parseIncludeOption(options.include);
  const input = path.resolve(ctx.cwd, options.input);
  if (!(await ctx.fs.isDirectory(input))) {
    throw new CliError(`Input directory not found: ${options.input}`);
  }
  const client = await runtime.client({ concurrency: options.concurrency });
  let report: DriftReport;
  try {
    report = await diffConfig(client, ctx.fs, {
      input,
      datastoreIds: options.datastoreIds,
      include: kinds,
    });
  } catch (error) {
    if (error instanceof DriftInputError) throw new CliError(error.message);
    throw error;
  }
  // A literal secret in a connection file would otherwise be printed in its diff.
  ctx.secrets?.add(...report.secrets);
  const drift = report.files.length > 0;
  if (options.format) {
    ui.data({
      input: options.input,
      drift,
      datastores: report.datastores,
      missing_datastores: report.missingDatastores,
      unchanged: report.unchanged,
      files: report.files,
    }, options.format);
  } else {
    for (const file of report.files) ctx.stdout.write(file.diff);
  }
  for (const dir of report.missingDatastores) {
    ui.warn(`datastores/${dir}/ names a datastore this instance does not have.`);
  }
  if (drift) {
    const symbol = { added: "+", changed: "~", removed: "-" } as const;
    for (const file of report.files) {
      ui.info(`  ${symbol[file.status]} ${file.path} (${file.status})`);
    }
    const count = (status: string) => report.files.filter((file) => file.status === status).length;
    ui.info(
      `Drift: ${count("added")} added, ${count("changed")} changed, ${count("removed")} removed, ` +
        `${report.unchanged} unchanged.`,
    );
  } else {
    ui.success(
      `No drift: ${shown(options.input)} matches the instance (${report.unchanged} files).`,
    );
  }
  return drift && options.detailedExitcode ? 2 : 0;
}

// --- checks export ---------------------------------------------------------------------------

/** Options of `checks export`. */
export interface ChecksExportCliOptions {
  datastoreId: number;
  output: string;
  containers?: number[];
  tags?: string[];
  status?: string;
  concurrency: number;
  format?: Format;
}

const STATUSES = ["active", "draft", "archived"];

/** Exports one datastore's checks and prints what the original prints (on stderr). */
export async function runChecksExport(
  runtime: Runtime,
  options: ChecksExportCliOptions,
): Promise<number> {
  const { ctx, ui } = runtime;
  if (options.status !== undefined && !STATUSES.includes(options.status.toLowerCase())) {
    throw new UsageError(
      `Invalid --status '${options.status}'. Valid: Active, Draft, Archived.`,
    );
  }
  const client = await runtime.client({ concurrency: options.concurrency });
  ui.info(`Fetching quality checks from datastore ${options.datastoreId}...`);
  const result: ChecksExportResult = await exportChecks(client, ctx.fs, {
    datastoreId: options.datastoreId,
    containers: options.containers,
    tags: options.tags,
    status: options.status,
    output: path.resolve(ctx.cwd, options.output),
  });
  if (result.exported === 0) {
    ui.info("No quality checks found matching the filters.");
  } else {
    ui.info(`Exporting ${result.exported} checks to ${shown(options.output)}...`);
  }
  if (options.format) {
    ui.data({
      output: options.output,
      datastore_id: options.datastoreId,
      exported: result.exported,
      containers: result.containers,
      files: {
        written: result.written,
        unchanged: result.unchanged,
        removed: result.removed,
      },
    }, options.format);
  }
  if (result.exported > 0) {
    ui.success(
      `Exported ${result.exported} checks across ${result.containers} containers to ` +
        `${shown(options.output)}`,
    );
  }
  if (result.exported > 0 || result.removed.length) ui.info(filesLine(result));
  return 0;
}

// --- wiring ----------------------------------------------------------------------------------

const CONCURRENCY_HELP = "Requests in flight at most (default 8).";

/** The `config export` and `config diff` commands. */
export function configExportCommands(runtime: Runtime): Command[] {
  const exportCommand = new Command("export")
    .summary("Export datastores' configuration to a git-friendly folder.")
    .description(
      "Export connections, datastores, computed containers, computed fields and checks to a " +
        "git-friendly folder. Writes only files whose content changed and removes the files of " +
        "resources that no longer exist (inside the folders the export manages).",
    )
    .requiredOption(
      "--datastore-id <id>",
      "Datastore to export (repeatable).",
      collect(parseInteger),
    )
    .option("-o, --output <dir>", "Output folder.", DEFAULT_CONFIG_DIR)
    .option(
      "--include <kinds>",
      "Comma list of resource kinds: connections, datastores, containers, computed_fields, checks.",
    )
    .option("--concurrency <n>", CONCURRENCY_HELP, parseConcurrency, 8)
    .option(
      "--format <format>",
      "Print the summary as data on stdout: yaml or json.",
      parseObjectFormat,
    )
    .addHelpText(
      "after",
      examples(
        "qualytics config export --datastore-id 1 --output ./qualytics-config",
        "qualytics config export --datastore-id 1 --datastore-id 2 --include checks,computed_fields",
        "qualytics config export --datastore-id 1 --format json > export-summary.json",
      ),
    )
    .action(runtime.handle((options) =>
      runConfigExport(runtime, {
        datastoreIds: options.datastoreId,
        output: options.output,
        include: options.include,
        concurrency: options.concurrency,
        format: options.format,
      })
    ));

  const diffCommand = new Command("diff")
    .summary("Show drift between the live instance and a folder.")
    .description(
      "Show drift: compare what an export of the live instance would write with a folder. " +
        "Prints a unified diff (a/ = the folder, b/ = the instance) on stdout. Exit code 0 " +
        "even with drift, unless --detailed-exitcode is given (then 0 = no drift, 2 = drift).",
    )
    .option("-i, --input <dir>", "The exported folder.", DEFAULT_CONFIG_DIR)
    .option(
      "--datastore-id <id>",
      "Datastore to compare (repeatable; default: the datastores named in the folder).",
      collect(parseInteger),
    )
    .option("--include <kinds>", "Comma list of resource kinds to compare.")
    .option("--detailed-exitcode", "Exit 2 when there is drift, 0 when there is none.")
    .option("--concurrency <n>", CONCURRENCY_HELP, parseConcurrency, 8)
    .option("--format <format>", "Print the drift report as data: yaml or json.", parseObjectFormat)
    .addHelpText(
      "after",
      examples(
        "qualytics config diff --input ./qualytics-config",
        "qualytics config diff --input ./qualytics-config --detailed-exitcode || echo drift",
        "qualytics config diff -i ./qualytics-config --datastore-id 1 --format json",
      ),
    )
    .action(runtime.handle((options) =>
      runConfigDiff(runtime, {
        input: options.input,
        datastoreIds: options.datastoreId,
        include: options.include,
        concurrency: options.concurrency,
        detailedExitcode: options.detailedExitcode,
        format: options.format,
      })
    ));
  return [exportCommand, diffCommand] as unknown as Command[];
}

/** The `checks export` command. */
export function checksExportCommand(runtime: Runtime): Command {
  return new Command("export")
    .summary("Export a datastore's quality checks as YAML files, one per check.")
    .description(
      "Export a datastore's quality checks as YAML files, one per check: " +
        "<output>/<container>/<rule>__<fields>.yaml. Unfiltered exports remove the files of " +
        "checks that no longer exist (check files in the folders of the datastore's containers, " +
        "nothing else); filtered exports write the files (names and UIDs) of the unfiltered " +
        "export and remove nothing.",
    )
    .requiredOption("--datastore-id <id>", "Datastore whose checks to export.", parseInteger)
    .option("-o, --output <dir>", "Output folder.", DEFAULT_CHECKS_DIR)
    .option("--containers <ids>", 'Comma list of container ids, e.g. "1,2".', parseIntegerList)
    .option(
      "--tags <names>",
      'Comma list of tag names, e.g. "a,b".',
      (value) => splitCommaList(value),
    )
    .option("--status <status>", "Active, Draft or Archived (archived checks only).")
    .option("--concurrency <n>", CONCURRENCY_HELP, parseConcurrency, 8)
    .option(
      "--format <format>",
      "Print the summary as data on stdout: yaml or json.",
      parseObjectFormat,
    )
    .addHelpText(
      "after",
      examples(
        "qualytics checks export --datastore-id 1 --output ./checks",
        "qualytics checks export --datastore-id 1 --status archived --output ./checks-archived",
        'qualytics checks export --datastore-id 1 --containers "10,11" --tags critical',
      ),
    )
    .action(runtime.handle((options) =>
      runChecksExport(runtime, {
        datastoreId: options.datastoreId,
        output: options.output,
        containers: options.containers,
        tags: options.tags,
        status: options.status,
        concurrency: options.concurrency,
        format: options.format,
      })
    )) as unknown as Command;
}
