/**
 * `qualytics checks`: create, get, list, update, delete, activate, export-templates and
 * import-templates. (`checks export` / `checks import` come from the config-as-code module and
 * are appended by the group builder.)
 *
 * @module
 */
import { Command, InvalidArgumentError } from "@commander-js/extra-typings";
import * as path from "node:path";
import { getQualityCheck, listQualityChecks } from "../api/quality_checks.ts";
import type { ApiObject } from "../api/types.ts";
import { QualyticsApiError } from "../client/errors.ts";
import { settingsPaths } from "../settings/config_file.ts";
import {
  exportTemplatesToEnrichment,
  importCheckTemplates,
  listCheckTemplates,
} from "../services/check_templates.ts";
import {
  activateChecks,
  CheckInputError,
  checkListFilters,
  createChecks,
  deleteChecks,
  parseCheckFile,
  updateCheck,
} from "../services/checks.ts";
import { stringifyJson } from "../util/json.ts";
import { dumpYaml } from "../util/yaml.ts";
import { getByIdCommand, printFound } from "./common.ts";
import { CliError, UsageError } from "./errors.ts";
import { type Format, parseListFormat, parseObjectFormat } from "./output.ts";
import { parseInteger, parseIntegerList, type Runtime, splitCommaList } from "./runtime.ts";

/** Columns of `checks list --format table`. */
export const CHECK_COLUMNS = ["id", "rule_type", "container", "fields", "status", "description"];

function positiveUserId(flag: string): (value: string) => number {
  return (value) => {
    const id = parseInteger(value);
    if (id <= 0) throw new InvalidArgumentError(`${flag} must be a positive user ID.`);
    return id;
  };
}

function nonNegativeUserId(value: string): number {
  const id = parseInteger(value);
  if (id < 0) throw new InvalidArgumentError("must be a user ID, or 0 to clear it.");
  return id;
}

async function readInput(runtime: Runtime, file: string): Promise<{ text: string; path: string }> {
  const resolved = path.resolve(runtime.ctx.cwd, file);
  const text = await runtime.ctx.fs.readTextFile(resolved);
  if (text === undefined) throw new CliError(`File not found: ${file}`);
  return { text, path: resolved };
}

function inputError(error: unknown): never {
  if (error instanceof CheckInputError) throw new CliError(error.message);
  throw error;
}

/** Options of `checks create`. */
export interface ChecksCreateOptions {
  datastoreId: number;
  file: string;
  ownerId?: number;
  defaultAnomalyAssigneeId?: number;
  format: Format;
}

/** Creates the checks of a file in a datastore; exit 1 when any failed. */
export async function runChecksCreate(
  runtime: Runtime,
  options: ChecksCreateOptions,
): Promise<number> {
  const { ui } = runtime;
  const input = await readInput(runtime, options.file);
  let checks: ApiObject[];
  try {
    checks = await parseCheckFile(input.text, input.path);
  } catch (error) {
    inputError(error);
  }
  const client = await runtime.client();
  let results;
  try {
    results = await createChecks(client, {
      datastoreId: options.datastoreId,
      checks,
      ownerId: options.ownerId,
      defaultAnomalyAssigneeId: options.defaultAnomalyAssigneeId,
    });
  } catch (error) {
    inputError(error);
  }
  const total = results.length;
  for (const result of results) {
    const prefix = `(${result.index}/${total})`;
    if (result.status === "created") {
      ui.success(`${prefix} Created check ${result.id}: ${result.description}`);
    } else if (result.skipped) ui.warn(`${prefix} ${result.error} Skipping.`);
    else ui.error(`${prefix} Failed: ${result.error}`);
  }
  const created = results.filter((result) => result.status === "created").length;
  const failed = total - created;
  ui.info(`Created ${created}, failed ${failed} of ${total} checks.`);
  ui.data(results, options.format);
  return failed > 0 ? 1 : 0;
}

/** Options of `checks list`. */
export interface ChecksListOptions {
  datastoreId: number;
  containers?: number[];
  tags?: string[];
  status?: string;
  format: Format;
}

/** Lists a datastore's checks (all pages). */
export async function runChecksList(runtime: Runtime, options: ChecksListOptions): Promise<number> {
  let filters;
  try {
    filters = checkListFilters(options);
  } catch (error) {
    if (error instanceof CheckInputError) throw new UsageError(error.message);
    throw error;
  }
  const client = await runtime.client();
  const checks = await listQualityChecks(client, filters);
  printFound(runtime.ui, checks, "quality checks", options.format, CHECK_COLUMNS);
  return 0;
}

/** Options of `checks update`. */
export interface ChecksUpdateOptions {
  id: number;
  file: string;
  ownerId?: number;
  defaultAnomalyAssigneeId?: number;
  format: Format;
}

/** Updates a check from a (partial) definition file: GET, merge, PUT. */
export async function runChecksUpdate(
  runtime: Runtime,
  options: ChecksUpdateOptions,
): Promise<number> {
  const input = await readInput(runtime, options.file);
  let changes: ApiObject;
  try {
    const items = await parseCheckFile(input.text, input.path);
    if (items.length !== 1) {
      throw new CheckInputError(`${options.file} must contain a single check (a mapping).`);
    }
    changes = items[0];
  } catch (error) {
    inputError(error);
  }
  const client = await runtime.client();
  let updated;
  try {
    updated = await updateCheck(client, options.id, changes, {
      ownerId: options.ownerId,
      defaultAnomalyAssigneeId: options.defaultAnomalyAssigneeId,
    });
  } catch (error) {
    inputError(error);
  }
  runtime.ui.success(`Quality check ${options.id} updated successfully.`);
  runtime.ui.data(updated, options.format);
  return 0;
}

/** Options of `checks delete`. */
export interface ChecksDeleteOptions {
  id?: number;
  ids?: number[];
  archive: boolean;
}

/** `--id` then `--ids`; at least one must be given. */
function requireIds(options: { id?: number; ids?: number[] }): number[] {
  if (options.id === undefined && !options.ids?.length) {
    throw new UsageError("Must specify --id or --ids.");
  }
  return [...(options.id !== undefined ? [options.id] : []), ...(options.ids ?? [])];
}

/** Archives (default) or deletes one check or several. */
export async function runChecksDelete(
  runtime: Runtime,
  options: ChecksDeleteOptions,
): Promise<number> {
  const ids = requireIds(options);
  const client = await runtime.client();
  await deleteChecks(client, ids, options.archive, !!options.ids?.length);
  const verb = options.archive ? "Archived" : "Deleted";
  runtime.ui.success(
    options.ids?.length
      ? `${verb} ${ids.length} quality checks.`
      : `${verb} quality check ${ids[0]}.`,
  );
  return 0;
}

/** Options of `checks activate`. */
export interface ChecksActivateOptions {
  id?: number;
  ids?: number[];
  format: Format;
}

/** Makes checks active again; exit 1 when any could not be activated. */
export async function runChecksActivate(
  runtime: Runtime,
  options: ChecksActivateOptions,
): Promise<number> {
  const ids = requireIds(options);
  const client = await runtime.client();
  const results = await activateChecks(client, ids);
  results.forEach((result, index) => {
    const prefix = `(${index + 1}/${results.length})`;
    if (result.status === "activated") {
      runtime.ui.success(`${prefix} Activated quality check ${result.id}.`);
    } else runtime.ui.error(`${prefix} Failed to activate check ${result.id}: ${result.error}`);
  });
  const activated = results.filter((result) => result.status === "activated").length;
  const failed = results.length - activated;
  runtime.ui.info(`Activated ${activated}, failed ${failed} of ${results.length} checks.`);
  runtime.ui.data(results, options.format);
  return failed > 0 ? 1 : 0;
}

/** Options of `checks export-templates`. */
export interface ChecksExportTemplatesOptions {
  enrichmentDatastoreId?: number;
  templateIds?: number[];
  locked?: boolean;
  rules?: string[];
  tags?: string[];
  /** A file path, or `-` for stdout; default `~/.qualytics/data_checks_template.yaml`. */
  output?: string;
  format?: Format;
}

/** Exports check templates to a file, or server-side into an enrichment datastore. */
export async function runChecksExportTemplates(
  runtime: Runtime,
  options: ChecksExportTemplatesOptions,
): Promise<number> {
  const { ctx, ui } = runtime;
  const client = await runtime.client();
  if (options.enrichmentDatastoreId !== undefined) {
    try {
      await exportTemplatesToEnrichment(client, options.enrichmentDatastoreId, options.templateIds);
    } catch (error) {
      if (error instanceof QualyticsApiError && error.status > 0) {
        throw new CliError(
          `Failed to export check templates. Server responded with: ${error.status} - ${error.message}.`,
        );
      }
      throw error;
    }
    ui.success(
      `Check templates exported to \`_export_check_templates\` in enrichment id: ${options.enrichmentDatastoreId}.`,
    );
    return 0;
  }
  const templates = await listCheckTemplates(client, {
    templateIds: options.templateIds,
    locked: options.locked,
    rules: options.rules,
    tags: options.tags,
  });
  if (templates.length === 0) {
    ui.info("No check templates found.");
    return 0;
  }
  ui.info(`Total check templates exported: ${templates.length}`);
  const output = options.output ??
    path.join(settingsPaths(ctx.env, ctx.homeDir).dir, "data_checks_template.yaml");
  const format: Format = options.format ??
    (output.toLowerCase().endsWith(".json") ? "json" : "yaml");
  if (output === "-") {
    ui.data(templates, format);
    return 0;
  }
  // The original's `json.dump(templates, f, indent=4)`: ASCII only, no final newline.
  const text = format === "json"
    ? stringifyJson(templates, { indent: 4, asciiOnly: true })
    : dumpYaml(templates);
  const target = path.resolve(ctx.cwd, output);
  await ctx.fs.writeTextFile(target, text);
  ui.success(`Data exported to ${target}`);
  return 0;
}

/** Options of `checks import-templates`. */
export interface ChecksImportTemplatesOptions {
  input?: string;
  format: Format;
}

/** Creates check templates from a file; exit 1 when any could not be created. */
export async function runChecksImportTemplates(
  runtime: Runtime,
  options: ChecksImportTemplatesOptions,
): Promise<number> {
  const { ctx, ui } = runtime;
  const file = options.input ??
    path.join(settingsPaths(ctx.env, ctx.homeDir).dir, "data_checks_template.yaml");
  const input = await readInput(runtime, file);
  let templates: ApiObject[];
  try {
    templates = await parseCheckFile(input.text, input.path);
  } catch (error) {
    inputError(error);
  }
  const client = await runtime.client();
  const progress = ui.progress("Processing templates...");
  progress.update(0, templates.length);
  const results = await importCheckTemplates(client, templates);
  progress.done();
  for (const result of results) {
    if (result.status === "created") {
      ui.success(`Check template id: ${result.id} created successfully`);
    } else {
      ui.error(
        `Error creating check template ${result.source_id ?? ""}: ${result.error}`.replace(
          " :",
          ":",
        ),
      );
    }
  }
  const created = results.filter((result) => result.status === "created").length;
  ui.info(`Created a total of ${created} check templates.`);
  ui.data(results, options.format);
  return created === results.length ? 0 : 1;
}

/**
 * The `checks` group. `extra` commands (`export`, `import` from config as code) are appended
 * after the CRUD commands.
 */
export function checksCommand(runtime: Runtime, extra: Command[] = []): Command {
  const checks = new Command("checks").description("Manage quality checks.");

  checks.command("create")
    .description("Create quality checks from a YAML or JSON file (one check or a list).")
    .requiredOption(
      "--datastore-id <id>",
      "Datastore that holds the checks' containers.",
      parseInteger,
    )
    .requiredOption("-f, --file <path>", "YAML file (JSON when it ends in .json).")
    .option("--owner-id <id>", "Owner of every created check.", positiveUserId("--owner-id"))
    .option(
      "--default-anomaly-assignee-id <id>",
      "Default assignee of the checks' anomalies (0 clears).",
      nonNegativeUserId,
    )
    .option(
      "--format <format>",
      "Format of the results on stdout: yaml or json.",
      parseObjectFormat,
      "yaml" as Format,
    )
    .addHelpText(
      "after",
      `
Each check names its container by 'container' (name) or 'container_id', and its rule by
'rule_type'. Exit code 1 when any check could not be created.

Examples:
  $ qualytics checks create --datastore-id 1 --file checks.yaml
  $ qualytics checks create --datastore-id 1 -f checks.json --owner-id 7 --format json
`,
    )
    .action(runtime.handle((options) =>
      runChecksCreate(runtime, {
        datastoreId: options.datastoreId,
        file: options.file,
        ownerId: options.ownerId,
        defaultAnomalyAssigneeId: options.defaultAnomalyAssigneeId,
        format: options.format,
      })
    ));

  checks.addCommand(getByIdCommand(runtime, {
    description: "Show one quality check.",
    idHelp: "Quality check ID.",
    examples: ["qualytics checks get --id 101", "qualytics checks get --id 101 --format json"],
    fetch: getQualityCheck,
  }));

  checks.command("list")
    .description("List the quality checks of a datastore.")
    .requiredOption("--datastore-id <id>", "Datastore ID.", parseInteger)
    .option("--containers <ids>", "Only these container IDs (comma list).", parseIntegerList)
    .option(
      "--tags <tags>",
      "Only checks with these tags (comma list).",
      (value) => splitCommaList(value),
    )
    .option("--status <status>", "Active, Draft or Archived.")
    .option("-f, --format <format>", "yaml, json or table.", parseListFormat, "yaml" as Format)
    .addHelpText(
      "after",
      `
Examples:
  $ qualytics checks list --datastore-id 1
  $ qualytics checks list --datastore-id 1 --status Draft --format table
  $ qualytics checks list --datastore-id 1 --containers 11,12 --tags critical --format json
`,
    )
    .action(runtime.handle((options) => runChecksList(runtime, options)));

  checks.command("update")
    .description("Update a quality check from a (partial) YAML or JSON definition.")
    .requiredOption("--id <id>", "Quality check ID.", parseInteger)
    .requiredOption("-f, --file <path>", "YAML file (JSON when it ends in .json) with one check.")
    .option("--owner-id <id>", "New owner.", positiveUserId("--owner-id"))
    .option(
      "--default-anomaly-assignee-id <id>",
      "Default assignee of the check's anomalies (0 clears).",
      nonNegativeUserId,
    )
    .option(
      "--format <format>",
      "Format of the updated check on stdout: yaml or json.",
      parseObjectFormat,
      "yaml" as Format,
    )
    .addHelpText(
      "after",
      `
Keys missing from the file keep their current values.

Examples:
  $ qualytics checks update --id 101 --file check.yaml
  $ qualytics checks update --id 101 -f check.yaml --default-anomaly-assignee-id 0
`,
    )
    .action(runtime.handle((options) => runChecksUpdate(runtime, options)));

  checks.command("delete")
    .description("Archive (default) or delete quality checks.")
    .option("--id <id>", "One quality check ID.", parseInteger)
    .option("--ids <ids>", "Several quality check IDs (comma list).", parseIntegerList)
    .option("--archive", "Archive the checks (default).")
    .option("--no-archive", "Delete the checks permanently.")
    .addHelpText(
      "after",
      `
Examples:
  $ qualytics checks delete --id 101
  $ qualytics checks delete --ids 101,102,103 --no-archive
`,
    )
    .action(runtime.handle((options) =>
      runChecksDelete(runtime, {
        id: options.id,
        ids: options.ids,
        archive: options.archive !== false,
      })
    ));

  checks.command("activate")
    .description("Make draft or archived quality checks active again.")
    .option("--id <id>", "One quality check ID.", parseInteger)
    .option("--ids <ids>", "Several quality check IDs (comma list).", parseIntegerList)
    .option(
      "-f, --format <format>",
      "Format of the results on stdout: yaml or json.",
      parseObjectFormat,
      "yaml" as Format,
    )
    .addHelpText(
      "after",
      `
Exit code 1 when any check could not be activated.

Examples:
  $ qualytics checks activate --id 101
  $ qualytics checks activate --ids 101,102
`,
    )
    .action(runtime.handle((options) => runChecksActivate(runtime, options)));

  checks.command("export-templates")
    .description("Export check templates to a file, or into an enrichment datastore.")
    .option(
      "--enrichment_datastore_id <id>",
      "Export server-side into this enrichment datastore (table _export_check_templates).",
      parseInteger,
    )
    .option("--check_templates <ids>", "Only these template IDs (comma list).", parseIntegerList)
    .option("--status", "Only locked templates.")
    .option("--no-status", "Only unlocked templates.")
    .option(
      "--rules <rules>",
      "Only these rule types (comma list).",
      (value) => splitCommaList(value),
    )
    .option(
      "--tags <tags>",
      "Only templates with these tags (comma list).",
      (value) => splitCommaList(value),
    )
    .option(
      "--output <path>",
      "File to write, or - for stdout (default: ~/.qualytics/data_checks_template.yaml).",
    )
    .option(
      "--format <format>",
      "yaml or json (default: from the file extension).",
      parseObjectFormat,
    )
    .addHelpText(
      "after",
      `
Examples:
  $ qualytics checks export-templates --output templates.yaml
  $ qualytics checks export-templates --rules notNull,between --output - --format json
  $ qualytics checks export-templates --enrichment_datastore_id 3 --check_templates 5,6
`,
    )
    .action(runtime.handle((options) =>
      runChecksExportTemplates(runtime, {
        enrichmentDatastoreId: options.enrichment_datastore_id,
        templateIds: options.check_templates,
        locked: options.status,
        rules: options.rules,
        tags: options.tags,
        output: options.output,
        format: options.format,
      })
    ));

  checks.command("import-templates")
    .description("Create check templates from a file written by export-templates.")
    .option("--input <path>", "File to read (default: ~/.qualytics/data_checks_template.yaml).")
    .option(
      "-f, --format <format>",
      "Format of the results on stdout: yaml or json.",
      parseObjectFormat,
      "yaml" as Format,
    )
    .addHelpText(
      "after",
      `
Only creates templates, never updates them. Exit code 1 when any could not be created.

Examples:
  $ qualytics checks import-templates --input templates.yaml
`,
    )
    .action(runtime.handle((options) => runChecksImportTemplates(runtime, options)));

  for (const command of extra) checks.addCommand(command);
  return checks;
}
