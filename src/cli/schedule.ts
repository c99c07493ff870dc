/**
 * `qualytics schedule export-metadata`: prints the crontab block that triggers metadata
 * exports, or installs it (`--install`) in a marked block without touching the rest of the
 * user's crontab.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { checkToken } from "../settings/token.ts";
import {
  currentCrontab,
  exportMetadataBlock,
  mergeCrontab,
  parseExportOptions,
  ScheduleInputError,
  validateCron,
} from "../services/schedule.ts";
import { CliError, UsageError } from "./errors.ts";
import { parseInteger, parseIntegerList, type Runtime } from "./runtime.ts";
import { resolveSettings } from "./session.ts";

/** Options of `schedule export-metadata`. */
export interface ScheduleExportMetadataOptions {
  crontab: string;
  datastore: number;
  containers?: number[];
  options: string;
  install: boolean;
}

/** Prints (default) or installs the export-metadata crontab block. */
export async function runScheduleExportMetadata(
  runtime: Runtime,
  options: ScheduleExportMetadataOptions,
): Promise<number> {
  const { ctx, ui } = runtime;
  let cron: string;
  let exports: string[];
  try {
    exports = parseExportOptions(options.options);
    cron = await validateCron(options.crontab);
  } catch (error) {
    if (error instanceof ScheduleInputError) {
      // A bad --crontab or --options value is a usage error (the original exits 0).
      throw new UsageError(error.message);
    }
    throw error;
  }
  const settings = await resolveSettings(ctx, ui);
  if (!settings.url) {
    throw new CliError(
      "Configuration not found. Run 'qualytics auth login --url <your-url>' or " +
        "'qualytics auth init --url <url> --token <token>' first.",
    );
  }
  const block = exportMetadataBlock({
    cron,
    datastore: options.datastore,
    containers: options.containers,
    options: exports,
    baseUrl: settings.url,
    configDir: settings.paths.dir,
  });

  // The entry reads the token from the settings file when it runs, so that file must hold one.
  const fileToken = settings.file?.token;
  const tokenProblem = !fileToken
    ? `${settings.paths.yaml} holds no token, and the entry reads its token from there; run ` +
      "'qualytics auth init --url <url> --token <token>'"
    : (() => {
      const check = checkToken(fileToken, ctx.now());
      return check.valid || check.reason !== "expired"
        ? undefined
        : `the token in ${settings.paths.yaml} expired on ${check.expiresAt.toISOString()}; ` +
          "renew it with 'qualytics auth login' (the entry picks up the new token)";
    })();

  if (!options.install) {
    ctx.stdout.write(block);
    if (tokenProblem) ui.warn(tokenProblem);
    ui.info(
      "Nothing was installed. Run again with --install to add this block to your crontab " +
        "(other entries are kept), or add it yourself with 'crontab -e'.",
    );
    return 0;
  }
  if (tokenProblem) throw new CliError(`Not installed: ${tokenProblem}.`);
  if (ctx.platform === "win32") {
    throw new CliError(
      "crontab is not available on Windows; schedule the printed curl command with Task Scheduler.",
    );
  }
  if (!ctx.runProgram) throw new CliError("Cannot run 'crontab' here.");
  let current: string;
  try {
    current = currentCrontab(await ctx.runProgram("crontab", ["-l"]));
  } catch (error) {
    if (error instanceof ScheduleInputError) throw new CliError(error.message);
    throw new CliError(`Could not run 'crontab -l': ${(error as Error).message}`);
  }
  let next: string;
  try {
    next = mergeCrontab(current, block, options.datastore);
  } catch (error) {
    if (error instanceof ScheduleInputError) throw new CliError(error.message);
    throw error;
  }
  ctx.stdout.write(block);
  if (next === current) {
    ui.success("The crontab already has this schedule; nothing changed.");
    return 0;
  }
  const result = await ctx.runProgram("crontab", ["-"], next);
  if (result.code !== 0) {
    throw new CliError(
      `'crontab -' failed (exit ${result.code}): ${result.stderr.trim() || "no message"}. ` +
        "Your crontab was not changed.",
    );
  }
  ui.success(
    `Crontab successfully updated (block 'qualytics export-metadata ${options.datastore}'). ` +
      "Run `crontab -l` to list all cronjobs.",
  );
  return 0;
}

/** The `schedule` group. */
export function scheduleCommand(runtime: Runtime): Command {
  const schedule = new Command("schedule").description("Schedule metadata exports.");
  schedule.command("export-metadata")
    .description("Print (or install) a crontab entry that exports metadata on a schedule.")
    .requiredOption(
      "--crontab <expression>",
      "When to run, as a 5-field cron expression (UTC on most servers).",
    )
    .requiredOption("--datastore <id>", "Datastore ID.", parseInteger)
    .option("--containers <ids>", "Only these container IDs (comma list).", parseIntegerList)
    .requiredOption(
      "--options <exports>",
      "What to export: all, or a comma list of anomalies, checks, field-profiles.",
    )
    .option("--install", "Add or update the entry in your crontab (in a marked block).", false)
    .addHelpText(
      "after",
      `
Without --install the block is printed on stdout and nothing changes. With --install the
block between '# BEGIN qualytics export-metadata <datastore>' and '# END …' is added or
replaced; every other crontab line is kept, and installing twice changes nothing.
The entry never contains the token: it reads it from ~/.qualytics/config.yaml each time
it runs, so renewing the token with 'qualytics auth login' is enough.

Examples:
  $ qualytics schedule export-metadata --crontab "0 2 * * *" --datastore 1 --options all
  $ qualytics schedule export-metadata --crontab "*/30 * * * *" --datastore 1 --containers 11,12 --options anomalies,checks --install
`,
    )
    .action(runtime.handle((options) => {
      if (!options.options.trim()) throw new UsageError("--options must not be empty.");
      return runScheduleExportMetadata(runtime, {
        crontab: options.crontab,
        datastore: options.datastore,
        containers: options.containers,
        options: options.options,
        install: !!options.install,
      });
    }));
  return schedule;
}
