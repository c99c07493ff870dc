/**
 * `qualytics auth`: login (browser), init (URL and token), status.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { normalizeBaseUrl } from "../client/url.ts";
import { writeStoredConfig } from "../settings/config_file.ts";
import { checkToken, describeExpiry } from "../settings/token.ts";
import { browserLogin, BrowserLoginError } from "../services/browser_login.ts";
import { maskToken } from "../util/redact.ts";
import { CliError } from "./errors.ts";
import { type Format, parseObjectFormat } from "./output.ts";
import { integerAtLeast, type Runtime } from "./runtime.ts";
import { resolveSettings } from "./session.ts";

/** Options of `auth init`. */
export interface AuthInitOptions {
  url: string;
  token: string;
  verifySsl: boolean;
}

function tokenProblem(token: string, now: Date): string | undefined {
  const check = checkToken(token, now);
  if (check.valid) return undefined;
  if (check.reason === "expired") {
    return `The token expired on ${check.expiresAt.toISOString()}; get a new one from Qualytics ` +
      `(Settings → Tokens) or use 'qualytics auth login'.`;
  }
  return `The token is not valid (${check.message}); paste the whole token issued by Qualytics.`;
}

/** Validates the token, then saves URL, token and SSL setting. */
export async function runAuthInit(runtime: Runtime, options: AuthInitOptions): Promise<number> {
  const { ctx, ui } = runtime;
  const problem = tokenProblem(options.token, ctx.now());
  if (problem) throw new CliError(`${problem} Nothing was saved.`);
  const settings = await resolveSettings(ctx);
  await writeStoredConfig(ctx.fs, settings.paths, {
    url: normalizeBaseUrl(options.url),
    token: options.token,
    ssl_verify: options.verifySsl,
  });
  ui.success(`Configuration saved to ${settings.paths.yaml}`);
  if (!options.verifySsl) ui.warn("SSL verification is disabled. Use with caution.");
  return 0;
}

/** Options of `auth login`. */
export interface AuthLoginOptions {
  url: string;
  timeoutSeconds: number;
  verifySsl: boolean;
}

/** Signs in through the browser and saves the token it returns. */
export async function runAuthLogin(runtime: Runtime, options: AuthLoginOptions): Promise<number> {
  const { ctx, ui } = runtime;
  const baseUrl = normalizeBaseUrl(options.url);
  let token: string;
  try {
    token = await browserLogin({
      baseUrl,
      hostname: ctx.hostname,
      timeoutMs: options.timeoutSeconds * 1000,
      openBrowser: ctx.openBrowser,
      onUrl: (url) => {
        ui.info("Opening browser for authentication...");
        ui.info("If the browser doesn't open, visit:");
        ui.info(url);
        ui.info("Waiting for browser authentication...");
      },
    });
  } catch (error) {
    if (error instanceof BrowserLoginError) throw new CliError(error.message);
    throw error;
  }
  ctx.secrets?.add(token);
  const problem = tokenProblem(token, ctx.now());
  if (problem) throw new CliError(`Received token is invalid or expired. ${problem}`);
  const settings = await resolveSettings(ctx);
  await writeStoredConfig(ctx.fs, settings.paths, {
    url: baseUrl,
    token,
    ssl_verify: options.verifySsl,
  });
  ui.success("Authentication successful! Configuration saved.");
  if (!options.verifySsl) ui.warn("SSL verification is disabled. Use with caution.");
  return 0;
}

/** Shows where the CLI points, the masked token and its expiry. Exit 1 when not usable. */
export async function runAuthStatus(runtime: Runtime, format?: Format): Promise<number> {
  const { ctx, ui } = runtime;
  const settings = await resolveSettings(ctx, ui);
  if (!settings.url || !settings.token) {
    throw new CliError(
      "Not logged in. Run 'qualytics auth login --url <your-url>' or " +
        "'qualytics auth init --url <url> --token <token>'.",
    );
  }
  const now = ctx.now();
  const check = checkToken(settings.token, now);
  const expired = !check.valid && check.reason === "expired";
  const expiry = check.valid
    ? check.expiresAt ? describeExpiry(check.expiresAt, now) : undefined
    : check.reason === "expired"
    ? describeExpiry(check.expiresAt, now)
    : "Could not decode token expiry";
  const status = {
    url: settings.url,
    status: expired ? "Token expired" : "Logged in",
    token: maskToken(settings.token),
    expires_at: "expiresAt" in check && check.expiresAt ? check.expiresAt.toISOString() : null,
    expiry: expiry ?? null,
    ssl_verify: settings.sslVerify,
    timeout_seconds: settings.timeoutSeconds,
    config_file: settings.paths.yaml,
    url_source: settings.urlSource,
    token_source: settings.tokenSource,
  };
  if (format) {
    ui.data(status, format);
  } else {
    const host = new URL(settings.url).hostname;
    const lines = [
      host,
      `  URL:              ${status.url}${
        settings.urlSource === "env" ? " (from QUALYTICS_URL)" : ""
      }`,
      `  Status:           ${status.status}`,
      `  Token:            ${status.token}${
        settings.tokenSource === "env" ? " (from QUALYTICS_TOKEN)" : ""
      }`,
      ...(expiry ? [`  Expiry:           ${expiry}`] : []),
      `  SSL Verification: ${settings.sslVerify ? "enabled" : "disabled"}`,
      `  Request timeout:  ${settings.timeoutSeconds}s`,
      `  Config file:      ${settings.paths.yaml}`,
    ];
    ctx.stdout.write(lines.join("\n") + "\n");
  }
  if (expired) {
    ui.info("Run 'qualytics auth login --url <your-url>' to re-authenticate.");
    return 1;
  }
  return 0;
}

/** The `auth` group. */
export function authCommand(runtime: Runtime): Command {
  const auth = new Command("auth").description("Authenticate with a Qualytics instance.");
  auth.command("login")
    .description("Sign in through the browser and save the token it issues.")
    .requiredOption("-u, --url <url>", "The Qualytics instance URL.")
    .option(
      "--timeout <seconds>",
      "Seconds to wait for the browser callback.",
      integerAtLeast(1),
      120,
    )
    .option("--no-verify-ssl", "Do not verify the server's TLS certificate.")
    .addHelpText(
      "after",
      "\nExamples:\n  $ qualytics auth login --url https://acme.qualytics.io\n",
    )
    .action(runtime.handle((options) =>
      runAuthLogin(runtime, {
        url: options.url,
        timeoutSeconds: options.timeout,
        verifySsl: options.verifySsl,
      })
    ));
  auth.command("init")
    .description("Save the instance URL and an API token.")
    .requiredOption("--url <url>", "The Qualytics instance URL.")
    .requiredOption("--token <token>", "An API token (JWT) issued by Qualytics.")
    .option("--no-verify-ssl", "Do not verify the server's TLS certificate.")
    .addHelpText(
      "after",
      '\nExamples:\n  $ qualytics auth init --url https://acme.qualytics.io --token "$QUALYTICS_TOKEN"\n',
    )
    .action(runtime.handle((options) =>
      runAuthInit(runtime, {
        url: options.url,
        token: options.token,
        verifySsl: options.verifySsl,
      })
    ));
  auth.command("status")
    .description("Show the configured instance, the masked token and its expiry.")
    .option("-f, --format <format>", "Print as data: yaml or json.", parseObjectFormat)
    .addHelpText(
      "after",
      "\nExamples:\n  $ qualytics auth status\n  $ qualytics auth status -f json\n",
    )
    .action(runtime.handle((options) => runAuthStatus(runtime, options.format)));
  return auth;
}
