/**
 * Scheduled metadata exports: validates the cron expression, builds the crontab block that
 * calls the export endpoints, and merges that block into an existing crontab without touching
 * anything else in it. Nothing here prints or runs programs.
 *
 * The entry does not embed the token: each run reads it from the settings file
 * (`<config dir>/config.yaml`), so a token renewed with `qualytics auth login|init` is picked up
 * and the token never appears in `crontab -l`.
 *
 * @module
 */
import * as path from "node:path";

/** An expression or option the schedule cannot use. */
export class ScheduleInputError extends Error {
  override name = "ScheduleInputError";
}

/** What `--options all` stands for. */
export const EXPORT_METADATA_OPTIONS = ["anomalies", "checks", "field-profiles"] as const;

/**
 * Validates a crontab time specification: five fields (or an `@daily`-style macro), each within
 * its range. Returns the expression trimmed.
 */
export async function validateCron(expression: string): Promise<string> {
  const text = expression.trim().replace(/\s+/g, " ");
  const invalid = (reason: string) =>
    new ScheduleInputError(
      `Invalid crontab expression '${expression}': ${reason}. Please provide a valid expression ` +
        `such as '0 2 * * *' (minute hour day-of-month month day-of-week).`,
    );
  if (text.startsWith("@")) {
    if (!/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(text)) {
      throw invalid("unknown macro");
    }
    return text;
  }
  const fields = text.split(" ");
  if (fields.length !== 5) throw invalid(`expected 5 fields, got ${fields.length}`);
  if (text.includes("%")) throw invalid("'%' has a special meaning in crontab lines");
  // Loaded here, not at start-up: only `schedule` needs it. A bundle for Node that puts the
  // package in a chunk of its own hands its CommonJS exports over as `default` only.
  const cron = await import("cron-parser");
  const { CronExpressionParser } = cron.CronExpressionParser
    ? cron
    : (cron.default as unknown as typeof cron);
  try {
    CronExpressionParser.parse(text);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  return text;
}

/** `all` anywhere → every option; otherwise the comma list, trimmed. */
export function parseExportOptions(value: string): string[] {
  if (value.toLowerCase().includes("all")) return [...EXPORT_METADATA_OPTIONS];
  const options = value.replace(/^\s*\[|\]\s*$/g, "").split(",").map((item) => item.trim())
    .filter((item) => item !== "");
  for (const option of options) {
    if (!(EXPORT_METADATA_OPTIONS as readonly string[]).includes(option)) {
      throw new ScheduleInputError(
        `Invalid option '${option}'. Use 'all' or a comma list of: ${
          EXPORT_METADATA_OPTIONS.join(", ")
        }.`,
      );
    }
  }
  if (options.length === 0) {
    throw new ScheduleInputError("--options must name at least one export.");
  }
  return options;
}

/** `<base>export/<option>?datastore=<ds>&containers=<c>…` (the base ends in `/api/`). */
export function exportMetadataUrl(
  baseUrl: string,
  option: string,
  datastore: number | string,
  containers: number[] = [],
): string {
  const params = new URLSearchParams({ datastore: String(datastore) });
  for (const container of containers) params.append("containers", String(container));
  return `${baseUrl}export/${option}?${params.toString()}`;
}

/** Inputs of {@link exportMetadataBlock}. */
export interface ExportMetadataSchedule {
  cron: string;
  datastore: number;
  containers?: number[];
  options: string[];
  /** The API base URL (ending in `/api/`). */
  baseUrl: string;
  /** The settings folder: the entry reads `config.yaml` and appends logs there. */
  configDir: string;
}

/** The first line of the managed block of a datastore. */
export function beginMarker(datastore: number): string {
  return `# BEGIN qualytics export-metadata ${datastore}`;
}

/** The last line of the managed block of a datastore. */
export function endMarker(datastore: number): string {
  return `# END qualytics export-metadata ${datastore}`;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * One crontab line per export. The token is read from the settings file when the job runs
 * (`sed` extracts the `token:` line, quotes stripped), never written into the crontab.
 */
export function exportMetadataLines(schedule: ExportMetadataSchedule): string[] {
  const config = shellQuote(path.join(schedule.configDir, "config.yaml"));
  const token = `$(sed -n 's/^token: *//p' ${config} | tr -d "'\\"")`;
  return schedule.options.map((option) => {
    const url = exportMetadataUrl(
      schedule.baseUrl,
      option,
      schedule.datastore,
      schedule.containers,
    );
    const log = shellQuote(path.join(schedule.configDir, `schedule_${option}.txt`));
    return `${schedule.cron} /usr/bin/curl --silent --show-error --fail --request POST ` +
      `--url ${shellQuote(url)} --header "Authorization: Bearer ${token}" >> ${log} 2>&1`;
  });
}

/** The whole managed block (markers included), ending with a newline. */
export function exportMetadataBlock(schedule: ExportMetadataSchedule): string {
  return [
    beginMarker(schedule.datastore),
    "# Managed by 'qualytics schedule export-metadata'; edits inside this block are replaced.",
    ...exportMetadataLines(schedule),
    endMarker(schedule.datastore),
  ].join("\n") + "\n";
}

/**
 * Puts `block` into `crontab`: replaces the existing block of the same datastore in place, or
 * appends it. Every other line is kept as it is; merging the same block twice changes nothing.
 */
export function mergeCrontab(crontab: string, block: string, datastore: number): string {
  const lines = crontab === "" ? [] : crontab.replace(/\n$/, "").split("\n");
  const begin = lines.indexOf(beginMarker(datastore));
  const end = begin === -1 ? -1 : lines.indexOf(endMarker(datastore), begin);
  const blockLines = block.replace(/\n$/, "").split("\n");
  if (begin !== -1 && end !== -1) {
    lines.splice(begin, end - begin + 1, ...blockLines);
  } else {
    if (begin !== -1) {
      throw new ScheduleInputError(
        `The crontab has '${beginMarker(datastore)}' without its END marker; fix it with ` +
          `'crontab -e' first.`,
      );
    }
    lines.push(...blockLines);
  }
  return lines.join("\n") + "\n";
}

/** `crontab -l` output, or "" when the user has no crontab yet. */
export function currentCrontab(result: { code: number; stdout: string; stderr: string }): string {
  if (result.code === 0) return result.stdout;
  if (/no crontab/i.test(result.stderr)) return "";
  throw new ScheduleInputError(
    `'crontab -l' failed (exit ${result.code}): ${result.stderr.trim() || "no message"}`,
  );
}
