/**
 * `config import`, `config plan` and `checks import`: read and validate the whole folder, read
 * the target once, print the plan, and (unless it is a dry run) apply only the differences.
 *
 * @module
 */
import * as path from "node:path";
import { Command, Option } from "@commander-js/extra-typings";
import type { ApiObject } from "../api/types.ts";
import type { QualyticsClient } from "../client/http_client.ts";
import {
  type ApplyEvent,
  applyImport,
  importFailed,
  type ImportResult,
  type SummaryKey,
  type SummaryRow,
} from "../services/config/import_apply.ts";
import {
  type FieldChange,
  type ImportPlan,
  PLAN_KINDS,
  planCounts,
  planHasChanges,
  planImport,
  type PlanKind,
  planToData,
  type SyncMode,
  TargetReader,
} from "../services/config/import_plan.ts";
import {
  formatProblem,
  type FoundDatastore,
  loadChecksFolder,
  loadConfigFolder,
  type LoadedFolder,
  type Problem,
} from "../services/config/load.ts";
import type { ExportResource } from "../services/config/plan.ts";
import { stringifyJson } from "../util/json.ts";
import { DEFAULT_CONFIG_DIR, parseIncludeOption } from "./config_export.ts";
import { CliError, UsageError } from "./errors.ts";
import { type Format, parseObjectFormat, type Progress } from "./output.ts";
import { collect, parseInteger, type Runtime } from "./runtime.ts";
import { parseConcurrency } from "./session.ts";

/** Options shared by `config import`, `config plan` and `checks import`. */
export interface ImportCommandOptions {
  input: string;
  dryRun: boolean;
  prune: boolean;
  sync: SyncMode;
  concurrency?: number;
  format?: Format;
  detailedExitcode: boolean;
}

/** Options of `config import` / `config plan`. */
export interface ConfigImportOptions extends ImportCommandOptions {
  include?: string;
}

/** Options of `checks import`. */
export interface ChecksImportOptions extends ImportCommandOptions {
  datastoreIds: number[];
}

const LABELS: Record<SummaryKey, string> = {
  connection: "Connections",
  datastore: "Datastores",
  sync: "Sync",
  container: "Containers",
  computed_field: "Computed Fields",
  check: "Checks",
};

const KIND_TITLES: Record<PlanKind, string> = {
  connection: "Connections",
  datastore: "Datastores",
  container: "Computed containers",
  computed_field: "Computed fields",
  check: "Checks",
};

function parseSync(value: string): SyncMode {
  if (value !== "auto" && value !== "always" && value !== "never") {
    throw new UsageError(`--sync must be auto, always or never, got '${value}'.`);
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return "(absent)";
  const text = stringifyJson(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function changeLine(change: FieldChange): string {
  if (change.before === undefined) return `${change.field}: + ${show(change.after)}`;
  if (change.after === undefined) return `${change.field}: - ${show(change.before)}`;
  return `${change.field}: ${show(change.before)} → ${show(change.after)}`;
}

/** The human plan: changed resources with their diffs, unchanged ones counted. */
export function renderPlanText(
  plan: ImportPlan,
  colors: { green(s: string): string; yellow(s: string): string; red(s: string): string },
): string {
  const lines: string[] = [];
  const counts = planCounts(plan);
  for (const kind of PLAN_KINDS) {
    const items = plan.items.filter((i) => i.kind === kind && i.action !== "unchanged");
    const unchanged = counts[kind].unchanged;
    if (!items.length && !unchanged) continue;
    lines.push(`${KIND_TITLES[kind]}:`);
    for (const item of items) {
      const where = [item.datastore, item.container].filter(Boolean).join(" / ");
      const label = `${where ? `${where} / ` : ""}${item.name}${
        item.file ? `  (${item.file})` : ""
      }`;
      if (item.action === "create") lines.push(colors.green(`  + create  ${label}`));
      else if (item.action === "delete") lines.push(colors.red(`  - delete  ${label}`));
      else {
        lines.push(colors.yellow(`  ~ update  ${label}`));
        for (const change of item.changes) lines.push(`      ${changeLine(change)}`);
      }
    }
    if (unchanged) lines.push(`    ${unchanged} unchanged`);
  }
  if (plan.syncs.length) {
    lines.push("Sync:");
    for (const sync of plan.syncs) lines.push(`  ⟳ sync      ${sync.datastore}  (${sync.reason})`);
  }
  const total = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const kind of PLAN_KINDS) {
    for (const action of Object.keys(total) as (keyof typeof total)[]) {
      total[action] += counts[kind][action];
    }
  }
  lines.push(
    `Plan: ${total.create} to create, ${total.update} to update, ${total.delete} to delete, ` +
      `${total.unchanged} unchanged, ${plan.syncs.length} sync(s).`,
  );
  return lines.join("\n") + "\n";
}

function renderSummary(result: ImportResult, runtime: Runtime, include?: Set<ExportResource>) {
  const kindToResource: Record<PlanKind, ExportResource> = {
    connection: "connections",
    datastore: "datastores",
    container: "containers",
    computed_field: "computed_fields",
    check: "checks",
  };
  const keys: SummaryKey[] = [
    "connection",
    "datastore",
    "sync",
    "container",
    "computed_field",
    "check",
  ];
  const rows = keys
    .filter((key) => key === "sync" || !include || include.has(kindToResource[key as PlanKind]))
    .map((key) => {
      const row = result.summary[key];
      return {
        Resource: LABELS[key],
        Created: row.created,
        Updated: row.updated,
        Unchanged: row.unchanged,
        Deleted: row.deleted,
        Failed: row.failed,
      };
    });
  runtime.ctx.stderr.write("Import Summary\n");
  runtime.ui.table(rows, ["Resource", "Created", "Updated", "Unchanged", "Deleted", "Failed"]);
}

function progressReporter(runtime: Runtime): (event: ApplyEvent) => void {
  const { ui } = runtime;
  let progress: Progress | undefined;
  return (event) => {
    switch (event.type) {
      case "phase":
        progress?.done();
        progress = event.kind === "sync"
          ? undefined
          : ui.progress(`Importing ${LABELS[event.kind]}`);
        break;
      case "item":
        progress?.update(event.done, event.total);
        break;
      case "sync-start":
        ui.info(`Syncing datastore ${event.datastore} (ID: ${event.id})...`);
        break;
      case "sync-progress": {
        const p = event.progress;
        ui.info(
          `  ${event.datastore}: ${p.containersAnalyzed ?? 0}/${
            p.totalContainers ?? "?"
          } containers, ` +
            `${Math.round(p.elapsedMs / 1000)}s`,
        );
        break;
      }
      case "sync-end":
        if (event.outcome === "success") ui.success(`Sync completed for ${event.datastore}.`);
        else ui.error(`Sync ${event.outcome} for ${event.datastore}.`);
        break;
    }
  };
}

function reportProblems(runtime: Runtime, problems: Problem[]): void {
  for (const problem of problems) runtime.ui.error(formatProblem(problem));
  runtime.ui.error(
    `${problems.length} problem(s) found in the input; nothing was written. Fix them and run again.`,
  );
}

/**
 * Reading the target while the folder loads: the client and the {@link TargetReader} are made
 * on the first {@link start} (a command calls it up front, or the load's first datastore does),
 * and each datastore the load announces starts its reads. Only reads: the plan, and so any
 * write, waits for the whole folder.
 */
class EarlyTarget {
  #started?: Promise<{ client: QualyticsClient; reader: TargetReader }>;

  constructor(
    readonly runtime: Runtime,
    readonly options: ImportCommandOptions,
    readonly include: Set<ExportResource> | undefined,
  ) {}

  start(): Promise<{ client: QualyticsClient; reader: TargetReader }> {
    this.#started ??= this.runtime.client({
      ...this.runtime.globals(),
      concurrency: this.options.concurrency,
    }).then((client) => ({
      client,
      reader: new TargetReader(client, { include: this.include, prune: this.options.prune }),
    }));
    return this.#started;
  }

  /** The load's hook; a failure to make the client surfaces when the command awaits start(). */
  readonly onDatastore = (found: FoundDatastore): void => {
    this.start().then(({ reader }) => reader.datastore(found), () => {});
  };
}

/** Applies a valid plan with the run's clock and a progress display on stderr. */
function apply(
  runtime: Runtime,
  client: QualyticsClient,
  plan: ImportPlan,
  options: ImportCommandOptions,
): Promise<ImportResult> {
  return applyImport(client, plan, {
    sync: options.sync,
    concurrency: client.concurrency,
    sleep: runtime.ctx.sleep,
    now: runtime.ctx.now,
    onEvent: progressReporter(runtime),
  });
}

/** Plans (and unless a dry run, applies) a loaded folder. Shared by the three commands. */
async function planAndApply(
  runtime: Runtime,
  options: ImportCommandOptions,
  folder: LoadedFolder,
  include: Set<ExportResource> | undefined,
  early: EarlyTarget,
): Promise<number> {
  const { ctx, ui } = runtime;
  const { client, reader } = await early.start();
  const target = await reader.read(folder);
  const plan = planImport(folder, target, { include, prune: options.prune, sync: options.sync });
  if (plan.problems.length) {
    if (options.format) ui.data(planToData(plan), options.format);
    reportProblems(runtime, plan.problems);
    return 1;
  }
  if (options.dryRun) {
    if (options.format) ui.data(planToData(plan), options.format);
    else ctx.stderr.write(renderPlanText(plan, ui.colors));
    return options.detailedExitcode && planHasChanges(plan) ? 2 : 0;
  }
  if (!planHasChanges(plan)) ui.info("No changes: the target already matches the folder.");
  else ctx.stderr.write(renderPlanText(plan, ui.colors));
  const result = await apply(runtime, client, plan, options);
  renderSummary(result, runtime, include);
  if (options.format) ui.data({ summary: result.summary, errors: result.errors }, options.format);
  if (importFailed(result)) {
    for (const error of result.errors) {
      ui.error(`${LABELS[error.kind]}: ${error.name}: ${error.message}`);
    }
    ui.error(`${result.errors.length} error(s) encountered during import.`);
    return 1;
  }
  ui.success("Import complete!");
  return options.detailedExitcode && planHasChanges(plan) ? 2 : 0;
}

/** The input folder, resolved; not a folder (missing, or a file) is an error (exit 1). */
async function requireDirectory(runtime: Runtime, input: string): Promise<string> {
  const dir = path.resolve(runtime.ctx.cwd, input);
  if (!(await runtime.ctx.fs.isDirectory(dir))) {
    throw new CliError(`Input directory not found: ${input}`);
  }
  return dir;
}

/** `config import` / `config plan`. */
export async function runConfigImport(
  runtime: Runtime,
  options: ConfigImportOptions,
): Promise<number> {
  const { ui, ctx } = runtime;
  // The original's order (§8 step 1): --include, then the folder, and only then the login.
  const include = parseIncludeOption(options.include);
  const dir = await requireDirectory(runtime, options.input);
  if (options.dryRun) ui.info("DRY RUN — no changes will be made.");
  ui.info(`Importing configuration from ${options.input.replace(/\/+$/, "")}/...`);
  // The target does not depend on the folder's contents: its reads start before the load.
  const early = new EarlyTarget(runtime, options, include);
  early.start().catch(() => {});
  const folder = await loadConfigFolder(ctx.fs, dir, {
    include,
    env: ctx.env,
    onDatastore: early.onDatastore,
  });
  // Values resolved from `${VAR}` are never printed, whatever the server echoes back.
  ctx.secrets?.add(...folder.secrets ?? []);
  return await planAndApply(runtime, options, folder, include, early);
}

/** `checks import`. */
export async function runChecksImport(
  runtime: Runtime,
  options: ChecksImportOptions,
): Promise<number> {
  const { ui, ctx } = runtime;
  const dir = await requireDirectory(runtime, options.input);
  const include = new Set<ExportResource>(["checks"]);
  // Started by the first datastore, once check files are found: an empty folder needs no login.
  const early = new EarlyTarget(runtime, options, include);
  // Each datastore id once, in first-seen order (the load drops repeats).
  const folder = await loadChecksFolder(ctx.fs, dir, options.datastoreIds, {
    onDatastore: early.onDatastore,
  });
  if (folder.skipped.length) ui.warn(skippedMessage(folder.skipped));
  const count = folder.datastores[0]?.checks.length ?? 0;
  if (!count && !folder.problems.length) {
    ui.info(`No check YAML files found in ${options.input.replace(/\/+$/, "")}/`);
    return 0;
  }
  ui.info(`Loaded ${count} check definitions from ${options.input.replace(/\/+$/, "")}/`);
  if (options.dryRun) ui.info("DRY RUN — no changes will be made.");
  return await planAndApplyChecks(runtime, options, folder, include, early);
}

/** Skipped files named in one line: the first three, then how many more. */
function skippedMessage(skipped: string[]): string {
  const shown = skipped.slice(0, 3).join(", ");
  const more = skipped.length > 3 ? ` and ${skipped.length - 3} more` : "";
  return `Skipped ${skipped.length} YAML file(s) without 'rule_type' (not quality checks): ` +
    `${shown}${more}`;
}

/** One target datastore of `checks import`: its plan and, once applied, its result. */
interface DatastoreRun {
  id: number;
  /** Its name on the target (`#<id>` when the target has no such datastore). */
  name: string;
  plan: ImportPlan;
  result?: ImportResult;
}

/** A datastore's planned changes, as `--format` prints them in a dry run. */
function datastorePlanData(run: DatastoreRun): ApiObject {
  const total = { create: 0, update: 0, delete: 0, unchanged: 0 };
  const counts = planCounts(run.plan);
  for (const kind of PLAN_KINDS) {
    for (const action of Object.keys(total) as (keyof typeof total)[]) {
      total[action] += counts[kind][action];
    }
  }
  return {
    datastore_id: run.id,
    datastore: run.name,
    changes: planHasChanges(run.plan),
    ...total,
    sync: run.plan.syncs.length > 0,
  };
}

/** A datastore's summary row: its checks; Failed also counts a failed sync. */
function datastoreSummary(run: DatastoreRun): ApiObject {
  const row = run.result!.summary.check;
  return {
    datastore_id: run.id,
    datastore: run.name,
    created: row.created,
    updated: row.updated,
    unchanged: row.unchanged,
    deleted: row.deleted,
    failed: row.failed + run.result!.summary.sync.failed,
  };
}

/**
 * `checks import`'s plan and apply: the whole folder is validated and planned for every
 * datastore before anything is written; then each datastore is imported in turn, in the given
 * order, with its own progress line and summary row (`config-as-code.md` §10.5).
 */
async function planAndApplyChecks(
  runtime: Runtime,
  options: ImportCommandOptions,
  folder: LoadedFolder,
  include: Set<ExportResource>,
  early: EarlyTarget,
): Promise<number> {
  const { ctx, ui } = runtime;
  const { client, reader } = await early.start();
  const target = await reader.read(folder);
  const planOptions = { include, prune: options.prune, sync: options.sync };
  const runs: DatastoreRun[] = folder.datastores.map((ds) => ({
    id: ds.id!,
    name: (target.datastores.find((d) => d.id === ds.id)?.name as string | undefined) ??
      `#${ds.id}`,
    // The folder's problems are the whole plan's, added once below.
    plan: planImport({ ...folder, datastores: [ds], problems: [] }, target, planOptions),
  }));
  const whole: ImportPlan = {
    items: runs.flatMap((run) => run.plan.items),
    syncs: runs.flatMap((run) => run.plan.syncs),
    problems: [...folder.problems, ...runs.flatMap((run) => run.plan.problems)],
    target,
  };
  if (whole.problems.length) {
    if (options.format) ui.data(planToData(whole), options.format);
    reportProblems(runtime, whole.problems);
    return 1;
  }
  if (options.dryRun) {
    for (const run of runs) {
      ui.info(`[DRY RUN] Importing to datastore ${run.id}...`);
      if (!options.format) ctx.stderr.write(renderPlanText(run.plan, ui.colors));
    }
    if (options.format) {
      ui.data({ ...planToData(whole), datastores: runs.map(datastorePlanData) }, options.format);
    }
    return options.detailedExitcode && planHasChanges(whole) ? 2 : 0;
  }
  const errors: ApiObject[] = [];
  for (const run of runs) {
    ui.info(`Importing to datastore ${run.id}...`);
    if (!planHasChanges(run.plan)) ui.info("No changes: the datastore already matches the folder.");
    else ctx.stderr.write(renderPlanText(run.plan, ui.colors));
    run.result = await apply(runtime, client, run.plan, options);
    for (const error of run.result.errors) {
      ui.error(`${LABELS[error.kind]}: ${error.name}: ${error.message}`);
      errors.push({ datastore_id: run.id, ...error });
    }
  }
  const rows = runs.map(datastoreSummary);
  ctx.stderr.write("Import Summary\n");
  ui.table(
    rows.map((row) => ({
      "Datastore ID": row.datastore_id,
      Created: row.created,
      Updated: row.updated,
      Unchanged: row.unchanged,
      Deleted: row.deleted,
      Failed: row.failed,
    })),
    ["Datastore ID", "Created", "Updated", "Unchanged", "Deleted", "Failed"],
  );
  if (options.format) {
    const summary = emptySummary();
    for (const run of runs) {
      for (const [key, row] of Object.entries(run.result!.summary) as [SummaryKey, SummaryRow][]) {
        for (const count of Object.keys(row) as (keyof SummaryRow)[]) {
          summary[key][count] += row[count];
        }
      }
    }
    ui.data({ datastores: rows, summary, errors }, options.format);
  }
  if (runs.some((run) => importFailed(run.result!))) {
    ui.error(`${errors.length} error(s) encountered during import.`);
    return 1;
  }
  ui.success("Import complete!");
  return options.detailedExitcode && planHasChanges(whole) ? 2 : 0;
}

/** Zero counts for every summary key. */
function emptySummary(): Record<SummaryKey, SummaryRow> {
  const keys: SummaryKey[] = [...PLAN_KINDS, "sync"];
  return Object.fromEntries(
    keys.map((key) => [key, { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 }]),
  ) as Record<SummaryKey, SummaryRow>;
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join("\n")}\n`;
}

type AnyCommand = Command<[], Record<string, unknown>>;

function addSharedOptions<C extends Command<any, any>>(command: C): C {
  return command
    .option(
      "--prune",
      "Also delete checks, computed fields and computed containers we manage that are no longer in the folder.",
      false,
    )
    .addOption(
      new Option(
        "--sync <mode>",
        "When to sync datastores: auto (created ones, or missing containers), always, never.",
      )
        .default("auto")
        .argParser(parseSync),
    )
    .option("--concurrency <n>", "Requests in flight at once (default 8).", parseConcurrency)
    .option(
      "-f, --format <format>",
      "Print the plan / summary as data on stdout: yaml or json.",
      parseObjectFormat,
    )
    .option(
      "--detailed-exitcode",
      "Exit 2 when there are changes (0 when none, 1 on errors).",
      false,
    ) as C;
}

/** The `config import` and `config plan` commands. */
export function configImportCommands(runtime: Runtime): Command[] {
  const build = (name: "import" | "plan") => {
    let command = new Command(name)
      .description(
        name === "import"
          ? "Import a config-as-code folder: validate everything, plan, then apply only the differences."
          : "Show what 'config import' would change (same as 'config import --dry-run').",
      )
      .option("-i, --input <dir>", "The folder written by 'config export'.", DEFAULT_CONFIG_DIR)
      .option(
        "--include <list>",
        "Comma list of: connections, datastores, containers, computed_fields, checks " +
          "(an unknown one is a usage error, exit 2).",
      );
    if (name === "import") command = command.option("--dry-run", "Only print the plan.", false);
    command = addSharedOptions(command);
    command.addHelpText(
      "after",
      name === "import"
        ? examples(
          "qualytics config import --input ./qualytics-config",
          "qualytics config import -i ./qualytics-config --dry-run --detailed-exitcode",
          "qualytics config import -i ./qualytics-config --include checks --prune",
        )
        : examples(
          "qualytics config plan --input ./qualytics-config",
          "qualytics config plan -i ./qualytics-config --format json > plan.json",
        ),
    );
    command.action(runtime.handle((opts: Record<string, any>) =>
      runConfigImport(runtime, {
        input: opts.input,
        include: opts.include,
        dryRun: name === "plan" || !!opts.dryRun,
        prune: !!opts.prune,
        sync: opts.sync ?? "auto",
        concurrency: opts.concurrency,
        format: opts.format,
        detailedExitcode: !!opts.detailedExitcode,
      })
    ));
    return command as unknown as Command;
  };
  return [build("import"), build("plan")];
}

/** The `checks import` command. */
export function checksImportCommand(runtime: Runtime): Command {
  const command = new Command("import")
    .description("Import check files (a 'checks export' folder) into one or more datastores.")
    .requiredOption(
      "--datastore-id <id>",
      "Target datastore ID (repeat for several; each is imported once, in the order given).",
      collect(parseInteger),
    )
    .option(
      "-i, --input <dir>",
      "The folder of check files (YAML files without 'rule_type' are skipped, with a warning).",
      "./checks",
    )
    .option("--dry-run", "Only print the plan.", false);
  addSharedOptions(command as unknown as AnyCommand);
  command.addHelpText(
    "after",
    "\nEvery datastore is validated and planned before anything is written; then each is\n" +
      "imported in turn, with one summary row per datastore (and per-datastore entries\n" +
      "with --format). Exit 1 when anything failed.\n" +
      examples(
        "qualytics checks import --datastore-id 42 --input ./checks",
        "qualytics checks import --datastore-id 42 --datastore-id 43 -i ./checks --dry-run",
        "qualytics checks import --datastore-id 42 -i ./qualytics-export/datastores/sales_dw",
        "qualytics checks import --datastore-id 42 --datastore-id 43 --format json > summary.json",
      ),
  );
  command.action(runtime.handle((opts: Record<string, any>) =>
    runChecksImport(runtime, {
      input: opts.input,
      datastoreIds: opts.datastoreId,
      dryRun: !!opts.dryRun,
      prune: !!opts.prune,
      sync: opts.sync ?? "auto",
      concurrency: opts.concurrency,
      format: opts.format,
      detailedExitcode: !!opts.detailedExitcode,
    })
  ));
  return command as unknown as Command;
}
