/**
 * `qualytics containers`: create, update, get, list, delete and validate containers, and
 * import / preview computed tables from spreadsheet or delimited files.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import * as path from "node:path";
import { readFile } from "node:fs/promises";
import { settingsPaths } from "../settings/config_file.ts";
import {
  assertContainerTypes,
  buildContainerCreatePayload,
  type ComputedContainerFields,
  type ContainerChanges,
  containerChangesBody,
  createComputedContainer,
  deleteContainerById,
  DropFieldsConflictError,
  getContainerById,
  getContainerWithProfiles,
  listContainersOf,
  updateContainerById,
  validateContainerDefinition,
} from "../services/containers.ts";
import {
  assertHasValidRecords,
  type ComputedTableRecord,
  DefinitionFileError,
  findDuplicateNames,
  readComputedTableFile,
  splitImportTags,
  truncate,
  validateRecords,
} from "../services/computed_table_file.ts";
import {
  existingComputedTables,
  importComputedTables,
  planComputedTableImport,
} from "../services/computed_table_import.ts";
import { stringifyJson } from "../util/json.ts";
import { redactSecrets } from "../util/redact.ts";
import { examples, idCommand, printFound, runDeleteById, withServiceErrors } from "./common.ts";
import { CliError } from "./errors.ts";
import { type Format, parseListFormat, parseObjectFormat } from "./output.ts";
import { integerAtLeast, parseInteger, type Runtime, splitCommaList } from "./runtime.ts";

const FORMAT_HELP = "Output format: yaml or json.";

async function containerErrors<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await withServiceErrors(work);
  } catch (error) {
    if (error instanceof DropFieldsConflictError) throw new CliError(error.message);
    throw error;
  }
}

/** Options of `containers create`. */
export interface ContainersCreateOptions extends ComputedContainerFields {
  dryRun?: boolean;
  format: Format;
}

/** Builds the payload of a computed container; prints it on a dry run, else creates it. */
export async function runContainersCreate(
  runtime: Runtime,
  options: ContainersCreateOptions,
): Promise<number> {
  const { ui } = runtime;
  const payload = await containerErrors(() => buildContainerCreatePayload(options));
  if (options.dryRun) {
    ui.info("Container Create Payload:");
    ui.data(payload, options.format);
    ui.success("Dry run successful. No HTTP request was made.");
    return 0;
  }
  const client = await runtime.client();
  const created = await containerErrors(() => createComputedContainer(client, payload));
  ui.success("Container created successfully!");
  ui.info(`Container ID: ${created.id}`);
  ui.info(`Container Name: ${created.name}`);
  ui.info(`Container Type: ${created.container_type}`);
  ui.data(redactSecrets(created), options.format);
  return 0;
}

/** Options of `containers update`. */
export interface ContainersUpdateOptions extends ContainerChanges {
  id: number;
  forceDropFields?: boolean;
  format: Format;
}

/** Changes from flags, then GET-merge-PUT; a 409 says which flag lets fields drop. */
export async function runContainersUpdate(
  runtime: Runtime,
  options: ContainersUpdateOptions,
): Promise<number> {
  const changes = await containerErrors(() => containerChangesBody(options));
  const client = await runtime.client();
  runtime.ui.info(`Fetching container ${options.id}...`);
  const updated = await containerErrors(() =>
    updateContainerById(client, options.id, changes, options.forceDropFields)
  );
  runtime.ui.success(`Container ${options.id} updated successfully.`);
  runtime.ui.data(redactSecrets(updated), options.format);
  return 0;
}

/** Options of `containers get`. */
export interface ContainersGetOptions {
  id: number;
  profiles?: boolean;
  format: Format;
}

/** Prints one container; with `--profiles` its field profiles under `field_profiles`. */
export async function runContainersGet(
  runtime: Runtime,
  options: ContainersGetOptions,
): Promise<number> {
  const client = await runtime.client();
  const container = await containerErrors(() =>
    options.profiles
      ? getContainerWithProfiles(client, options.id)
      : getContainerById(client, options.id)
  );
  runtime.ui.data(redactSecrets(container), options.format);
  return 0;
}

/** Options of `containers list`. */
export interface ContainersListOptions {
  datastoreId: number;
  type?: string[];
  name?: string;
  tag?: string;
  search?: string;
  archived?: string;
  format: Format;
}

/** Columns of `containers list --format table`. */
export const CONTAINER_COLUMNS = [
  "id",
  "name",
  "container_type",
  "datastore",
  "field_count",
  "record_count",
];

/** Prints every container of a datastore matching the filters (all pages). */
export async function runContainersList(
  runtime: Runtime,
  options: ContainersListOptions,
): Promise<number> {
  // Unknown types are a usage error, reported before any configuration is needed.
  await containerErrors(() => assertContainerTypes(options.type));
  const client = await runtime.client();
  const items = await containerErrors(() =>
    listContainersOf(client, {
      datastoreId: options.datastoreId,
      types: options.type,
      name: options.name,
      tag: options.tag,
      search: options.search,
      archived: options.archived,
    })
  );
  printFound(runtime.ui, redactSecrets(items), "containers", options.format, CONTAINER_COLUMNS);
  return 0;
}

/** Options of `containers validate`. */
export interface ContainersValidateOptions extends ComputedContainerFields {
  timeout: number;
  format: Format;
}

/** Validates a computed container definition on the server; exit 1 when it is not valid. */
export async function runContainersValidate(
  runtime: Runtime,
  options: ContainersValidateOptions,
): Promise<number> {
  const { ui } = runtime;
  const payload = await containerErrors(() => buildContainerCreatePayload(options));
  const client = await runtime.client();
  const outcome = await validateContainerDefinition(client, payload, options.timeout);
  if (outcome.valid) {
    ui.success("Validation passed! Container definition is valid.");
    ui.data({ valid: true }, options.format);
    return 0;
  }
  ui.error("Validation failed:");
  ui.data({ valid: false, result: outcome.result ?? null }, options.format);
  return 1;
}

/** Reads a definitions file from disk. */
async function readBytes(file: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    if ((error as { code?: string })?.code === "ENOENT") return undefined;
    throw error;
  }
}

async function readRecords(
  runtime: Runtime,
  input: string,
  delimiter?: string,
): Promise<ComputedTableRecord[]> {
  const file = path.resolve(runtime.ctx.cwd, input);
  try {
    return await readComputedTableFile(file, readBytes, delimiter);
  } catch (error) {
    if (error instanceof DefinitionFileError) {
      throw new CliError(`Error reading file: ${error.message}`);
    }
    throw error;
  }
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** Appends lines to a log file (read, append, write back), optionally de-duplicating it. */
async function appendLog(
  runtime: Runtime,
  file: string,
  lines: readonly string[],
  dedupe: boolean,
): Promise<void> {
  if (!lines.length) return;
  const existing = (await runtime.ctx.fs.readTextFile(file)) ?? "";
  let all = [...existing.split("\n").filter((line) => line !== ""), ...lines];
  // Unlike the original's set(), keep the first occurrence's order so the log stays readable.
  if (dedupe) all = [...new Set(all)];
  await runtime.ctx.fs.writeTextFile(file, all.join("\n") + "\n");
}

/** Options of `containers import`. */
export interface ContainersImportOptions {
  datastore: number;
  input: string;
  delimiter?: string;
  prefix: string;
  asActive: boolean;
  skipChecks?: boolean;
  skipProfileWait?: boolean;
  tags?: string;
  dryRun?: boolean;
  debug?: boolean;
  format: Format;
}

/**
 * Creates computed tables (and their checks) from a file. Exit 1 when the file has no valid
 * record or any table or check failed.
 */
export async function runContainersImport(
  runtime: Runtime,
  options: ContainersImportOptions,
): Promise<number> {
  const { ui, ctx } = runtime;
  const now = ctx.now();
  const settingsDir = settingsPaths(ctx.env, ctx.homeDir).dir;
  const errorLog = path.join(
    settingsDir,
    `computed-table-import-errors-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${
      pad(now.getDate())
    }.log`,
  );
  // The root `--debug` (HTTP trace) takes the flag before this command sees it: honour both.
  const debug = options.debug === true || runtime.globals().debug === true;
  if (debug) {
    ui.info("Debug mode enabled");
    ui.info(`Debug logs will be written to: ${path.join(settingsDir, "logs")}`);
  }
  ui.info(`Reading definitions from: ${options.input}`);
  const records = await readRecords(runtime, options.input, options.delimiter);
  ui.info(`Found ${records.length} records in the file.`);
  if (!records.length) {
    ui.warn("No records found in the input file.");
    ui.data({ records: 0, tables: [] }, options.format);
    return 0;
  }
  const validation = validateRecords(records);
  if (validation.warnings.length) {
    ui.warn("Warnings during validation:");
    for (const warning of validation.warnings.slice(0, 5)) ui.info(`  ${warning}`);
    if (validation.warnings.length > 5) {
      ui.info(`  ... and ${validation.warnings.length - 5} more warnings`);
    }
    await appendLog(runtime, errorLog, validation.warnings, !options.dryRun);
  }
  await withServiceErrors(() => assertHasValidRecords(validation));
  ui.info(`${validation.valid.length} valid records to import.`);
  const client = await runtime.client();
  const tags = splitImportTags(options.tags);
  if (options.dryRun) {
    ui.info("Checking for existing computed tables...");
    const existing = await existingComputedTables(client, options.datastore);
    const plan = planComputedTableImport(validation.valid, existing, {
      prefix: options.prefix,
      skipChecks: options.skipChecks ?? false,
    });
    ui.info("No changes were made (dry run).");
    ui.data({ dry_run: true, tables: plan }, options.format);
    return 0;
  }
  const errors: string[] = [];
  const progress = ui.progress("Importing...");
  const stamp = (date: Date) =>
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}_${
      pad(date.getHours())
    }${pad(date.getMinutes())}${pad(date.getSeconds())}`;
  const summary = await importComputedTables(
    {
      client,
      sleep: ctx.sleep,
      now: ctx.now,
      onMessage: (level, message) => {
        if (level === "warn") ui.warn(message);
        else if (level === "error") ui.error(message);
        else if (level === "success") ui.success(message);
        else ui.info(message);
      },
      onError: (line) => void errors.push(line),
      onProgress: (done, total) => progress.update(done, total),
      onDebug: debug
        ? async (kind, name, message, payload, response) => {
          const when = ctx.now();
          ui.info(`[DEBUG] ${kind} ${name}: ${message}`);
          ui.info(
            `[DEBUG] Request payload: ${stringifyJson(redactSecrets(payload), { indent: 2 })}`,
          );
          if (response !== undefined) {
            ui.info(`[DEBUG] Response: ${truncate(stringifyJson(redactSecrets(response)), 500)}`);
          }
          const file = path.join(
            settingsDir,
            "logs",
            `${kind}_${name.replace(/[^A-Za-z0-9_-]/g, "_")}_${stamp(when)}.log`,
          );
          const rule = "=".repeat(60);
          const text = [
            rule,
            `Type: ${kind}`,
            `Name: ${name}`,
            `Timestamp: ${when.toISOString()}`,
            rule,
            message,
            "",
            "REQUEST PAYLOAD:",
            stringifyJson(redactSecrets(payload), { indent: 2 }),
            ...(response === undefined
              ? []
              : ["", "RESPONSE:", stringifyJson(redactSecrets(response), { indent: 2 })]),
            "",
          ].join("\n");
          // Scrubbed like everything printed: a server may echo a secret in its message.
          await ctx.fs.writeTextFile(file, ctx.secrets ? ctx.secrets.scrub(text) : text)
            .catch(() => {});
        }
        : undefined,
    },
    validation.valid,
    {
      datastoreId: options.datastore,
      prefix: options.prefix,
      asActive: options.asActive,
      skipChecks: options.skipChecks ?? false,
      skipProfileWait: options.skipProfileWait ?? false,
      tags,
    },
  );
  progress.done();
  await appendLog(runtime, errorLog, errors, true);
  ui.info("Import Summary:");
  ui.info(`  Computed tables created: ${summary.computed_tables_created}`);
  if (summary.computed_tables_skipped) {
    ui.info(`  Computed tables skipped (existing): ${summary.computed_tables_skipped}`);
  }
  if (!options.skipChecks) {
    ui.info(`  Checks created: ${summary.checks_created}`);
    ui.info(`  Checks skipped (existing): ${summary.checks_skipped}`);
  }
  const failures = summary.computed_tables_failed + summary.checks_failed;
  if (failures) {
    ui.error(
      `${summary.computed_tables_failed} computed table(s) and ${summary.checks_failed} ` +
        `check(s) failed. Check error log for details: ${errorLog}`,
    );
  }
  ui.data({ ...summary, error_log: errors.length ? errorLog : null }, options.format);
  return failures ? 1 : 0;
}

/** Options of `containers preview`. */
export interface ContainersPreviewOptions {
  input: string;
  delimiter?: string;
  limit: number;
  prefix: string;
  format: Format;
}

/** Shows what a file holds, without any network or configuration. */
export async function runContainersPreview(
  runtime: Runtime,
  options: ContainersPreviewOptions,
): Promise<number> {
  const { ui } = runtime;
  const records = await readRecords(runtime, options.input, options.delimiter);
  ui.info(`Found ${records.length} records in the file.`);
  const duplicates = findDuplicateNames(records);
  if (duplicates.length) {
    ui.warn(`${duplicates.length} duplicate name(s):`);
    for (const duplicate of duplicates.slice(0, 5)) {
      ui.info(
        `  '${duplicate.name}' appears at rows ${duplicate.rows[0]} and ${duplicate.rows[1]}`,
      );
    }
    if (duplicates.length > 5) ui.info(`  ... and ${duplicates.length - 5} more duplicates`);
  }
  const shown = records.slice(0, options.limit);
  if (records.length > shown.length) {
    ui.info(
      `Preview of first ${shown.length} records (... and ${
        records.length - shown.length
      } more records)`,
    );
  }
  ui.data({
    records: records.length,
    duplicates,
    preview: shown.map((record) => ({
      row: record.row,
      computed_table_name: `${options.prefix}${record.name}`,
      description: record.description ? truncate(record.description, 100) : "(none)",
      query: truncate(record.query, 200),
    })),
  }, options.format);
  return 0;
}

function definitionOptions<T extends Command<any, any, any>>(command: T): T {
  return command
    .option("--datastore-id <id>", "Datastore (computed_table, computed_file).", parseInteger)
    .option("-q, --query <sql>", "SQL query (computed_table).")
    .option("--source-container-id <id>", "Source file container (computed_file).", parseInteger)
    .option("--select-clause <sql>", "SELECT clause (computed_file, computed_join).")
    .option("--where-clause <sql>", "WHERE clause.")
    .option("--group-by-clause <sql>", "GROUP BY clause.")
    .option("--left-container-id <id>", "Left container (computed_join).", parseInteger)
    .option("--right-container-id <id>", "Right container (computed_join).", parseInteger)
    .option("--left-key-field <field>", "Left join key (computed_join).")
    .option("--right-key-field <field>", "Right join key (computed_join).")
    .option("--join-type <type>", "inner, left, right or full (computed_join).") as T;
}

/** The `containers` group. */
export function containersCommand(runtime: Runtime): Command {
  const group = new Command("containers").description(
    "Manage containers (tables, views, files, computed).",
  );

  const create = group.command("create")
    .description("Create a computed container (computed_table, computed_file, computed_join).")
    .requiredOption("-t, --type <type>", "computed_table, computed_file or computed_join.")
    .requiredOption("-n, --name <name>", "Container name.");
  definitionOptions(create)
    .option("--left-prefix <prefix>", "Prefix of left fields (computed_join).")
    .option("--right-prefix <prefix>", "Prefix of right fields (computed_join).")
    .option("-d, --description <text>", "Description.")
    .option("--tags <tags>", "Tag names, comma-separated.", (value) => splitCommaList(value))
    .option("--dry-run", "Print the payload without sending it.")
    .option("-f, --format <format>", FORMAT_HELP, parseObjectFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        'qualytics containers create -t computed_table -n big_orders --datastore-id 1 -q "SELECT * FROM orders WHERE total > 100"',
        'qualytics containers create -t computed_join -n orders_customers --left-container-id 10 --right-container-id 11 --left-key-field customer_id --right-key-field id --select-clause "left_id, right_name" --dry-run',
      ),
    )
    // deno-lint-ignore no-explicit-any
    .action(
      runtime.handle((options: any) =>
        runContainersCreate(runtime, { ...options, format: options.format as Format })
      ),
    );

  group.command("update")
    .description("Update a container: fetches it, merges the changes and sends the whole body.")
    .requiredOption("--id <id>", "Container ID.", parseInteger)
    .option("-n, --name <name>", "New name.")
    .option("-q, --query <sql>", "New query (computed_table).")
    .option("--select-clause <sql>", "New SELECT clause.")
    .option("--where-clause <sql>", "New WHERE clause.")
    .option("--group-by-clause <sql>", "New GROUP BY clause.")
    .option("-d, --description <text>", "New description.")
    .option(
      "--tags <tags>",
      "Tag names, comma-separated (replaces the tags).",
      (value) => splitCommaList(value),
    )
    .option(
      "--force-drop-fields",
      "Allow the update to drop fields that have quality checks or anomalies.",
    )
    .option("-f, --format <format>", FORMAT_HELP, parseObjectFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        'qualytics containers update --id 42 --description "Orders over 100"',
        'qualytics containers update --id 42 -q "SELECT id FROM orders" --force-drop-fields',
      ),
    )
    .action(
      runtime.handle((options) =>
        runContainersUpdate(runtime, { ...options, format: options.format as Format })
      ),
    );

  group.command("get")
    .description("Show one container, optionally with its field profiles.")
    .requiredOption("--id <id>", "Container ID.", parseInteger)
    .option("--profiles", "Add the field profiles (under field_profiles).")
    .option("-f, --format <format>", FORMAT_HELP, parseObjectFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        "qualytics containers get --id 42",
        "qualytics containers get --id 42 --profiles -f json",
      ),
    )
    .action(
      runtime.handle((options) =>
        runContainersGet(runtime, { ...options, format: options.format as Format })
      ),
    );

  group.command("list")
    .description("List the containers of a datastore (all pages).")
    .requiredOption("--datastore-id <id>", "Datastore ID.", parseInteger)
    .option(
      "-t, --type <types>",
      "Only these types (comma-separated): table, view, file, computed_table, computed_file, computed_join.",
      (value) => splitCommaList(value),
    )
    .option("--name <name>", "Only containers with this name.")
    .option("--tag <tag>", "Only containers with this tag.")
    .option("--search <text>", "Only containers whose name contains this text.")
    .option("--archived <mode>", "Archived containers: only or include.")
    .option("-f, --format <format>", "Output format: yaml, json or table.", parseListFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        "qualytics containers list --datastore-id 1",
        "qualytics containers list --datastore-id 1 --type computed_table,computed_join --format table",
      ),
    )
    .action(
      runtime.handle((options) =>
        runContainersList(runtime, { ...options, format: options.format as Format })
      ),
    );

  group.addCommand(
    idCommand(
      "delete",
      "Delete a container with its fields, checks and anomalies.",
      "Container ID.",
    )
      .addHelpText("after", examples("qualytics containers delete --id 42"))
      .action(runtime.handle((options) =>
        runDeleteById(
          runtime,
          options,
          deleteContainerById,
          `Container ${options.id} deleted successfully.`,
        )
      )),
  );

  const validate = group.command("validate")
    .description("Check a computed container definition on the server without creating it.")
    .requiredOption("-t, --type <type>", "computed_table, computed_file or computed_join.")
    .option("-n, --name <name>", "Name used for the check.", "validation_test");
  definitionOptions(validate)
    .option("--timeout <seconds>", "Seconds the server may take.", integerAtLeast(1), 60)
    .option("-f, --format <format>", FORMAT_HELP, parseObjectFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        'qualytics containers validate -t computed_table --datastore-id 1 -q "SELECT id FROM orders"',
      ),
    )
    // deno-lint-ignore no-explicit-any
    .action(
      runtime.handle((options: any) =>
        runContainersValidate(runtime, { ...options, format: options.format as Format })
      ),
    );

  group.command("import")
    .description("Create computed tables (and a check each) from an .xlsx, .csv or .txt file.")
    .requiredOption("--datastore <id>", "Datastore ID.", parseInteger)
    .requiredOption("--input <file>", "Definitions file: name, description, query columns.")
    .option("--delimiter <char>", "Delimiter of .csv (default ,) or .txt (default TAB) files.")
    .option("--prefix <prefix>", "Prefix of the computed tables' names.", "ct_")
    .option("--as-draft", "Create checks as Draft (default).")
    .option("--as-active", "Create checks as Active.")
    .option("--skip-checks", "Do not create checks.")
    .option("--skip-profile-wait", "Do not wait for the new tables' fields.")
    .option("--tags <tags>", "Tags of the created checks (comma or semicolon separated).")
    .option("--dry-run", "Show what would be created without writing anything.")
    .option("--debug", "Print request payloads and write per-item logs.")
    .option("-f, --format <format>", FORMAT_HELP, parseObjectFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        "qualytics containers import --datastore 1 --input definitions.xlsx --dry-run",
        "qualytics containers import --datastore 1 --input checks.csv --as-active --tags dq,imported",
      ),
    )
    .action(runtime.handle((options) =>
      runContainersImport(runtime, {
        ...options,
        asActive: options.asActive === true && options.asDraft !== true,
        format: options.format as Format,
      })
    ));

  group.command("preview")
    .description("Show the computed tables a file defines (no network, no configuration).")
    .requiredOption("--input <file>", "Definitions file (.xlsx, .csv or .txt).")
    .option("--delimiter <char>", "Delimiter of .csv (default ,) or .txt (default TAB) files.")
    .option("--limit <n>", "Records to show.", integerAtLeast(0), 5)
    .option("--prefix <prefix>", "Prefix of the computed tables' names.", "ct_")
    .option("-f, --format <format>", FORMAT_HELP, parseObjectFormat, "yaml")
    .addHelpText(
      "after",
      examples("qualytics containers preview --input definitions.csv --limit 3"),
    )
    .action(
      runtime.handle((options) =>
        runContainersPreview(runtime, { ...options, format: options.format as Format })
      ),
    );

  return group;
}
