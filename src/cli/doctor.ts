/**
 * `qualytics doctor`: checks settings, token, connectivity, server version, API compatibility
 * and TLS, printing ✓/⚠/✗ lines on stderr (or the checklist as data with `--format`).
 *
 * @module
 */
import process from "node:process";
import { Command } from "@commander-js/extra-typings";
import { type DoctorStatus, runDoctor } from "../services/doctor.ts";
import { VERSION } from "../version.ts";
import { type Format, parseObjectFormat } from "./output.ts";
import type { Runtime } from "./runtime.ts";
import { contextTransport, resolveSettings } from "./session.ts";

/**
 * The runtime and its version, e.g. `Deno/2.9.6`, `Bun/1.3.0` or `Node.js/20.20.2`: Node has no
 * `navigator` before 21, and its user agent names only the major version (`Node.js/22`).
 */
function runtimeDescription(): string | undefined {
  const agent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent;
  if (agent && !agent.startsWith("Node.js/")) return agent;
  return process.versions?.node ? `Node.js/${process.versions.node}` : agent || undefined;
}

/** Runs the checklist; exit 1 when any check failed. */
export async function runDoctorCommand(
  runtime: Runtime,
  options: { format?: Format },
): Promise<number> {
  const { ctx, ui } = runtime;
  const settings = await resolveSettings(ctx, ui);
  const report = await runDoctor({
    version: VERSION,
    runtime: runtimeDescription(),
    url: settings.url,
    token: settings.token,
    urlSource: settings.urlSource,
    tokenSource: settings.tokenSource,
    configFile: settings.paths.yaml,
    configFileExists: await ctx.fs.exists(settings.paths.yaml),
    sslVerify: settings.sslVerify,
    transport: contextTransport(ctx, settings.sslVerify),
    now: ctx.now,
    timeoutMs: Math.min(settings.timeoutSeconds, 10) * 1000,
  });
  const marks: Record<DoctorStatus, string> = {
    pass: ui.colors.green("✓"),
    warn: ui.colors.yellow("⚠"),
    fail: ui.colors.red("✗"),
  };
  for (const check of report.checks) ui.info(`${marks[check.status]} ${check.message}`);
  const { passed, warnings, failed } = report.summary;
  ui.info("");
  if (warnings === 0 && failed === 0) ui.success("All checks passed!");
  else {
    ui.info(`${passed} passed, ${warnings} warning(s), ${failed} failed`);
  }
  if (options.format) ui.data(report, options.format);
  return report.ok ? 0 : 1;
}

/** The top-level `doctor` command. */
export function doctorCommand(runtime: Runtime): Command {
  return new Command("doctor")
    .description("Check configuration, token, connectivity and server compatibility.")
    .option(
      "-f, --format <format>",
      "Also print the checklist as data: yaml or json.",
      parseObjectFormat,
    )
    .addHelpText(
      "after",
      `
Checks: settings, token expiry, GET /api/status (with latency), the server's version, the API
operations this CLI needs (from the server's openapi.json), and TLS. Warnings do not fail the
run; exit code 1 when any check failed.

Examples:
  $ qualytics doctor
  $ qualytics doctor --format json
`,
    )
    .action(runtime.handle((options) => runDoctorCommand(runtime, options)));
}
