/**
 * `qualytics datastores`: create, update, get, list, delete, verify and enrichment.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { createDatastore, listDatastores } from "../api/datastores.ts";
import {
  buildDatastoreChanges,
  buildDatastoreCreatePayload,
  type DatastoreFields,
  deleteDatastoreById,
  getDatastoreBy,
  resolveConnectionId,
  setEnrichment,
  updateDatastoreById,
  verifyDatastore,
} from "../services/datastores.ts";
import { redactSecrets } from "../util/redact.ts";
import { requireOneOf } from "../services/resource_errors.ts";
import {
  type ByIdOptions,
  examples,
  getByIdOrNameCommand,
  idCommand,
  printFound,
  runDeleteById,
  withServiceErrors,
} from "./common.ts";
import { UsageError } from "./errors.ts";
import { type Format, parseListFormat, parseObjectFormat } from "./output.ts";
import { integerAtLeast, parseInteger, type Runtime, splitCommaList } from "./runtime.ts";

/** `--tags` / `--teams` of datastores: split on commas, trimmed (brackets are kept). */
function nameList(value: string): string[] {
  return splitCommaList(value, false);
}

/** Options of `datastores create`. */
export interface DatastoresCreateOptions extends DatastoreFields {
  name: string;
  connectionName?: string;
  connectionId?: number;
  triggerSync?: boolean;
  dryRun?: boolean;
  format: Format;
}

/**
 * Resolves the connection (a name costs one lookup), prints the payload on a dry run or
 * creates the datastore.
 */
export async function runDatastoresCreate(
  runtime: Runtime,
  options: DatastoresCreateOptions,
): Promise<number> {
  const { ui } = runtime;
  await withServiceErrors(() =>
    requireOneOf(
      "--connection-name",
      options.connectionName,
      "--connection-id",
      options.connectionId,
    )
  );
  // A dry run with an explicit id needs no configuration at all.
  const client = options.connectionName !== undefined || !options.dryRun
    ? await runtime.client()
    : undefined;
  if (options.connectionName !== undefined) {
    ui.info(`Looking up connection '${options.connectionName}'...`);
  }
  const connectionId = await withServiceErrors(() =>
    resolveConnectionId(client, {
      connectionId: options.connectionId,
      connectionName: options.connectionName,
    })
  );
  if (options.connectionName !== undefined) {
    ui.info(`Found existing connection with ID: ${connectionId}`);
  }
  const payload = buildDatastoreCreatePayload({ ...options, connectionId });
  if (options.dryRun) {
    ui.info("Datastore Create Payload (preview with redacted secrets):");
    ui.data(redactSecrets(payload), options.format);
    ui.success("Dry run successful. No HTTP request was made.");
    return 0;
  }
  const created = await createDatastore(client!, payload);
  ui.success("Datastore created successfully!");
  ui.info(`Datastore ID: ${created.id}`);
  ui.info(`Datastore Name: ${created.name}`);
  const connection = created.connection as { id?: unknown } | undefined;
  const createdConnectionId = connection?.id ?? created.connection_id;
  if (createdConnectionId !== undefined) ui.info(`Connection ID: ${createdConnectionId}`);
  ui.data(redactSecrets(created), options.format);
  return 0;
}

/** Options of `datastores update`. */
export interface DatastoresUpdateOptions extends DatastoreFields {
  id: number;
  connectionId?: number;
  format: Format;
}

/** Changes from flags, then GET-merge-PUT with the writable keys only. */
export async function runDatastoresUpdate(
  runtime: Runtime,
  options: DatastoresUpdateOptions,
): Promise<number> {
  const changes = await withServiceErrors(() => buildDatastoreChanges(options));
  const client = await runtime.client();
  const updated = await withServiceErrors(() => updateDatastoreById(client, options.id, changes));
  runtime.ui.success(`Datastore ${options.id} updated successfully.`);
  runtime.ui.data(redactSecrets(updated), options.format);
  return 0;
}

/** Options of `datastores list`. */
export interface DatastoresListOptions {
  name?: string;
  type?: string[];
  tag?: string;
  enrichmentOnly?: boolean;
  format: Format;
}

/** Columns of `datastores list --format table`. */
export const DATASTORE_COLUMNS = [
  "id",
  "name",
  "type",
  "connection_id",
  "database",
  "schema",
  "enrichment_only",
];

/** Prints every datastore matching the filters (all pages). */
export async function runDatastoresList(
  runtime: Runtime,
  options: DatastoresListOptions,
): Promise<number> {
  const client = await runtime.client();
  const items = await listDatastores(client, {
    name: options.name,
    datastore_type: options.type,
    tag: options.tag,
    enrichment_only: options.enrichmentOnly,
  });
  printFound(runtime.ui, redactSecrets(items), "datastores", options.format, DATASTORE_COLUMNS);
  return 0;
}

/** Verifies the datastore's connection; exit 1 when it fails. */
export async function runDatastoresVerify(runtime: Runtime, options: ByIdOptions): Promise<number> {
  const client = await runtime.client();
  const outcome = await withServiceErrors(() => verifyDatastore(client, options.id));
  if (outcome.passed) {
    runtime.ui.success(`Datastore ${options.id}: connection verified successfully.`);
  } else runtime.ui.error(`Datastore ${options.id}: connection failed — ${outcome.message}`);
  runtime.ui.data(redactSecrets(outcome.result), options.format);
  return outcome.passed ? 0 : 1;
}

/** Options of `datastores enrichment`. */
export interface DatastoresEnrichmentOptions {
  id: number;
  link?: number;
  unlink?: boolean;
  format: Format;
}

/** Links or unlinks the enrichment datastore. */
export async function runDatastoresEnrichment(
  runtime: Runtime,
  options: DatastoresEnrichmentOptions,
): Promise<number> {
  if (options.link !== undefined && options.unlink) {
    throw new UsageError("Cannot specify both --link and --unlink.");
  }
  if (options.link === undefined && !options.unlink) {
    throw new UsageError("Must specify either --link <enrichment_id> or --unlink.");
  }
  const client = await runtime.client();
  const result = await withServiceErrors(() => setEnrichment(client, options.id, options.link));
  if (options.link !== undefined) {
    runtime.ui.success(`Enrichment datastore ${options.link} linked to datastore ${options.id}.`);
  } else runtime.ui.success(`Enrichment unlinked from datastore ${options.id}.`);
  runtime.ui.data(redactSecrets(result), options.format);
  return 0;
}

const FORMAT_HELP = "Output format: yaml or json.";

/** The `datastores` group. */
export function datastoresCommand(runtime: Runtime): Command {
  const group = new Command("datastores").description("Manage datastores.");

  group.command("create")
    .description("Create a datastore on an existing connection (by name or ID).")
    .requiredOption("-n, --name <name>", "Datastore name.")
    .option("--connection-name <name>", "Name of the connection to use (short: -cn).")
    .option("--connection-id <id>", "ID of the connection to use.", parseInteger)
    .requiredOption("--database <database>", "Database (short: -db).")
    .requiredOption("--schema <schema>", "Schema (short: -sc).")
    .option("--tags <tags>", "Tag names, comma-separated.", nameList)
    .option("--teams <teams>", "Team names, comma-separated.", nameList)
    .option("--enrichment-only", "Use the datastore only for enrichment (default: false).")
    .option("--no-enrichment-only", "A source datastore (the default).")
    .option("--enrichment-prefix <prefix>", "Prefix of enrichment tables.")
    .option(
      "--enrichment-source-record-limit <n>",
      "Source records written per anomaly (>= 1).",
      integerAtLeast(1),
    )
    .option(
      "--enrichment-remediation-strategy <strategy>",
      "none, append or overwrite.",
      "none",
    )
    .option(
      "--high-count-rollup-threshold <n>",
      "Anomaly roll-up threshold (>= 1).",
      integerAtLeast(1),
    )
    .option("--trigger-sync", "Start a sync after creating (default).")
    .option("--no-trigger-sync", "Do not start a sync.")
    .option("--dry-run", "Print the payload without sending it.")
    .option("-f, --format <format>", FORMAT_HELP, parseObjectFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        "qualytics datastores create -n warehouse -cn prod-pg -db analytics -sc public",
        "qualytics datastores create --name warehouse --connection-id 1 --database analytics --schema public --tags prod,finance --dry-run",
      ),
    )
    .action(runtime.handle((options) =>
      runDatastoresCreate(runtime, {
        ...options,
        triggerSync: options.triggerSync ?? true,
        enrichmentOnly: options.enrichmentOnly ?? false,
        format: options.format as Format,
      })
    ));

  group.command("update")
    .description("Update a datastore: fetches it, merges the changes and sends the whole body.")
    .requiredOption("--id <id>", "Datastore ID.", parseInteger)
    .option("-n, --name <name>", "New name.")
    .option("--connection-id <id>", "Move to another connection.", parseInteger)
    .option("--database <database>", "Database (short: -db).")
    .option("--schema <schema>", "Schema (short: -sc).")
    .option("--tags <tags>", "Tag names, comma-separated (replaces the tags).", nameList)
    .option("--teams <teams>", "Team names, comma-separated (replaces the teams).", nameList)
    .option("--enrichment-only", "Make it an enrichment-only datastore.")
    .option("--no-enrichment-only", "Make it a source datastore.")
    .option("--enrichment-prefix <prefix>", "Prefix of enrichment tables.")
    .option(
      "--enrichment-source-record-limit <n>",
      "Source records written per anomaly (>= 1).",
      integerAtLeast(1),
    )
    .option("--enrichment-remediation-strategy <strategy>", "none, append or overwrite.")
    .option(
      "--high-count-rollup-threshold <n>",
      "Anomaly roll-up threshold (>= 1).",
      integerAtLeast(1),
    )
    .option("-f, --format <format>", FORMAT_HELP, parseObjectFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        "qualytics datastores update --id 1 --tags prod,finance",
        "qualytics datastores update --id 1 --enrichment-remediation-strategy append -f json",
      ),
    )
    .action(
      runtime.handle((options) =>
        runDatastoresUpdate(runtime, { ...options, format: options.format as Format })
      ),
    );

  group.addCommand(getByIdOrNameCommand(runtime, {
    description: "Show one datastore by ID or by exact name.",
    noun: "Datastore",
    examples: [
      "qualytics datastores get --id 1",
      "qualytics datastores get --name warehouse -f json",
    ],
    lookup: getDatastoreBy,
  }));

  group.command("list")
    .description("List datastores (all pages).")
    .option("--name <name>", "Only datastores with this name.")
    .option(
      "--type <types>",
      "Only these types (comma-separated).",
      (value) => splitCommaList(value),
    )
    .option("--tag <tag>", "Only datastores with this tag.")
    .option("--enrichment-only", "Only enrichment datastores.")
    .option("--no-enrichment-only", "Only source datastores.")
    .option("-f, --format <format>", "Output format: yaml, json or table.", parseListFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        "qualytics datastores list",
        "qualytics datastores list --type postgresql --format table",
      ),
    )
    .action(
      runtime.handle((options) =>
        runDatastoresList(runtime, { ...options, format: options.format as Format })
      ),
    );

  group.addCommand(
    idCommand(
      "delete",
      "Delete a datastore with its containers, checks and anomalies.",
      "Datastore ID.",
    )
      .addHelpText("after", examples("qualytics datastores delete --id 9"))
      .action(runtime.handle((options) =>
        runDeleteById(
          runtime,
          options,
          deleteDatastoreById,
          `Datastore with ID ${options.id} deleted successfully!`,
        )
      )),
  );

  group.addCommand(
    idCommand(
      "verify",
      "Check that the datastore's connection works. Exit 1 when it does not.",
      "Datastore ID.",
    )
      .addHelpText("after", examples("qualytics datastores verify --id 1"))
      .action(runtime.handle((options) => runDatastoresVerify(runtime, options))),
  );

  group.command("enrichment")
    .description("Link or unlink the enrichment datastore of a datastore.")
    .requiredOption("--id <id>", "Datastore ID.", parseInteger)
    .option("--link <enrichment_id>", "ID of the enrichment datastore to link.", parseInteger)
    .option("--unlink", "Unlink the current enrichment datastore.")
    .option("-f, --format <format>", FORMAT_HELP, parseObjectFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        "qualytics datastores enrichment --id 1 --link 5",
        "qualytics datastores enrichment --id 1 --unlink",
      ),
    )
    .action(
      runtime.handle((options) =>
        runDatastoresEnrichment(runtime, { ...options, format: options.format as Format })
      ),
    );

  return group;
}
