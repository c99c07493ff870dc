/**
 * `qualytics anomalies`: get, list, update (open statuses), archive (archive statuses), delete.
 *
 * @module
 */
import { Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { getAnomaly, listAnomalies } from "../api/anomalies.ts";
import {
  ANOMALY_TYPES,
  anomalyIds,
  AnomalyInputError,
  anomalyListQuery,
  archiveAnomalies,
  archiveStatus,
  deleteAnomalies,
  openStatus,
  updateAnomalies,
} from "../services/anomalies.ts";
import { getByIdCommand, printFound } from "./common.ts";
import { UsageError } from "./errors.ts";
import { type Format, parseListFormat, parseObjectFormat } from "./output.ts";
import { parseInteger, parseIntegerList, type Runtime, splitCommaList } from "./runtime.ts";

/** Columns of `anomalies list --format table`. */
export const ANOMALY_COLUMNS = ["id", "type", "status", "container", "message", "created"];

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof AnomalyInputError) throw new UsageError(error.message);
    throw error;
  }
}

function parseDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError(`'${value}' is not a date in the form YYYY-MM-DD.`);
  }
  return value;
}

function parseAnomalyType(value: string): string {
  const type = value.trim().toLowerCase();
  if (!(ANOMALY_TYPES as readonly string[]).includes(type)) {
    throw new InvalidArgumentError(`must be one of: ${ANOMALY_TYPES.join(", ")}.`);
  }
  return type;
}

/** Options of `anomalies list`. */
export interface AnomaliesListOptions {
  datastoreId: number;
  container?: number;
  checkId?: number;
  status?: string[];
  type?: string;
  tag?: string;
  startDate?: string;
  endDate?: string;
  sourceEnriched?: boolean;
  format: Format;
}

/** Lists a datastore's anomalies (all pages). */
export async function runAnomaliesList(
  runtime: Runtime,
  options: AnomaliesListOptions,
): Promise<number> {
  const query = anomalyListQuery({
    datastoreId: options.datastoreId,
    containerId: options.container,
    checkId: options.checkId,
    statuses: options.status,
    type: options.type,
    tags: options.tag ? [options.tag] : undefined,
    startDate: options.startDate,
    endDate: options.endDate,
    sourceEnriched: options.sourceEnriched,
  });
  const client = await runtime.client();
  const anomalies = await listAnomalies(client, query);
  printFound(runtime.ui, anomalies, "anomalies", options.format, ANOMALY_COLUMNS);
  return 0;
}

function requireIds(id?: number, ids?: number[]): number[] {
  const all = anomalyIds(id, ids);
  if (all.length === 0) throw new UsageError("Must specify --id or --ids.");
  return all;
}

/** Options of `anomalies update`. */
export interface AnomaliesUpdateOptions {
  id?: number;
  ids?: number[];
  status: string;
  description?: string;
  tags?: string[];
  assigneeIds?: number[];
  format: Format;
}

/** Changes open anomalies' status, description, tags or assignees. */
export async function runAnomaliesUpdate(
  runtime: Runtime,
  options: AnomaliesUpdateOptions,
): Promise<number> {
  const ids = requireIds(options.id, options.ids);
  const status = usage(() => openStatus(options.status));
  const client = await runtime.client();
  const bulk = !!options.ids?.length;
  const updated = await updateAnomalies(client, ids, {
    status,
    description: options.description,
    tags: options.tags,
    assigneeIds: options.assigneeIds,
  }, bulk);
  if (!bulk) {
    runtime.ui.success(`Anomaly ${updated?.id ?? ids[0]} updated to '${status}'.`);
    runtime.ui.data(updated, options.format);
  } else {
    runtime.ui.success(`Updated ${ids.length} anomalies to '${status}'.`);
  }
  return 0;
}

/** Options of `anomalies archive`. */
export interface AnomaliesArchiveOptions {
  id?: number;
  ids?: number[];
  status: string;
}

/** Archives anomalies with an archive status. */
export async function runAnomaliesArchive(
  runtime: Runtime,
  options: AnomaliesArchiveOptions,
): Promise<number> {
  const ids = requireIds(options.id, options.ids);
  const status = usage(() => archiveStatus(options.status));
  const client = await runtime.client();
  const bulk = !!options.ids?.length;
  await archiveAnomalies(client, ids, status, bulk);
  runtime.ui.success(
    bulk
      ? `Archived ${ids.length} anomalies as '${status}'.`
      : `Anomaly ${ids[0]} archived as '${status}'.`,
  );
  return 0;
}

/** Deletes anomalies permanently. */
export async function runAnomaliesDelete(
  runtime: Runtime,
  options: { id?: number; ids?: number[] },
): Promise<number> {
  const ids = requireIds(options.id, options.ids);
  const client = await runtime.client();
  const bulk = !!options.ids?.length;
  await deleteAnomalies(client, ids, bulk);
  runtime.ui.success(bulk ? `Deleted ${ids.length} anomalies.` : `Deleted anomaly ${ids[0]}.`);
  return 0;
}

function parseAssignees(value: string): number[] {
  return value.trim() === "" ? [] : parseIntegerList(value);
}

/** The `anomalies` group. */
export function anomaliesCommand(runtime: Runtime): Command {
  const anomalies = new Command("anomalies").description("Manage anomalies.");

  anomalies.addCommand(getByIdCommand(runtime, {
    description: "Show one anomaly.",
    idHelp: "Anomaly ID.",
    examples: [
      "qualytics anomalies get --id 501",
      "qualytics anomalies get --id 501 --format json",
    ],
    fetch: getAnomaly,
  }));

  anomalies.command("list")
    .description("List the anomalies of a datastore.")
    .requiredOption("--datastore-id <id>", "Datastore ID.", parseInteger)
    .option("--container <id>", "Only this container.", parseInteger)
    .option("--check-id <id>", "Only anomalies of this quality check.", parseInteger)
    .option(
      "--status <statuses>",
      "Statuses (comma list): Active, Acknowledged, Resolved, Invalid, Duplicate, Discarded.",
      (value) => splitCommaList(value),
    )
    .option("--type <type>", "shape or record.", parseAnomalyType)
    .option("--tag <tag>", "Only anomalies with this tag.")
    .option("--start-date <date>", "Created on or after (YYYY-MM-DD).", parseDate)
    .option("--end-date <date>", "Created on or before (YYYY-MM-DD).", parseDate)
    .option("--source-enriched", "Only anomalies whose source records were written to enrichment.")
    .option("--no-source-enriched", "Only anomalies without enriched source records.")
    .option("-f, --format <format>", "yaml, json or table.", parseListFormat, "yaml" as Format)
    .addHelpText(
      "after",
      `
Archived statuses alone list archived anomalies only; mixed with open statuses, both.

Examples:
  $ qualytics anomalies list --datastore-id 1
  $ qualytics anomalies list --datastore-id 1 --status Active,Acknowledged --format table
  $ qualytics anomalies list --datastore-id 1 --status Resolved --start-date 2026-01-01 --format json
`,
    )
    .action(runtime.handle((options) => runAnomaliesList(runtime, options)));

  anomalies.command("update")
    .description(
      "Change open anomalies' status (Active, Acknowledged), description, tags or assignees.",
    )
    .option("--id <id>", "One anomaly ID.", parseInteger)
    .option("--ids <ids>", "Several anomaly IDs (comma list).", parseIntegerList)
    .requiredOption("--status <status>", "Active or Acknowledged.")
    .option("--description <text>", "Description.")
    .option("--tags <tags>", "Tags (comma list).", (value) => splitCommaList(value))
    .option("--assignee-ids <ids>", 'Assigned user IDs (comma list; "" clears).', parseAssignees)
    .option(
      "-f, --format <format>",
      "Format of the updated anomaly on stdout: yaml or json.",
      parseObjectFormat,
      "yaml" as Format,
    )
    .addHelpText(
      "after",
      `
To archive anomalies (Resolved, Invalid, Duplicate, Discarded) use 'anomalies archive'.

Examples:
  $ qualytics anomalies update --id 501 --status Acknowledged --description "Known late load"
  $ qualytics anomalies update --ids 501,502 --status Active --assignee-ids ""
`,
    )
    .action(runtime.handle((options) => runAnomaliesUpdate(runtime, options)));

  anomalies.command("archive")
    .description("Archive anomalies as Resolved (default), Invalid, Duplicate or Discarded.")
    .option("--id <id>", "One anomaly ID.", parseInteger)
    .option("--ids <ids>", "Several anomaly IDs (comma list).", parseIntegerList)
    .option("--status <status>", "Resolved, Invalid, Duplicate or Discarded.", "Resolved")
    .addHelpText(
      "after",
      `
Examples:
  $ qualytics anomalies archive --id 501
  $ qualytics anomalies archive --ids 501,502 --status Invalid
`,
    )
    .action(runtime.handle((options) => runAnomaliesArchive(runtime, options)));

  anomalies.command("delete")
    .description("Delete anomalies permanently.")
    .option("--id <id>", "One anomaly ID.", parseInteger)
    .option("--ids <ids>", "Several anomaly IDs (comma list).", parseIntegerList)
    .addHelpText(
      "after",
      "\nExamples:\n  $ qualytics anomalies delete --id 501\n  $ qualytics anomalies delete --ids 501,502\n",
    )
    .action(runtime.handle((options) => runAnomaliesDelete(runtime, options)));

  return anomalies;
}
