/**
 * Turns settings (file, environment, `.env`) and global flags into an authenticated client.
 *
 * @module
 */
import * as path from "node:path";
import { QualyticsClient } from "../client/http_client.ts";
import { normalizeBaseUrl } from "../client/url.ts";
import {
  readStoredConfig,
  type SettingsPaths,
  settingsPaths,
  type StoredConfig,
} from "../settings/config_file.ts";
import { checkToken } from "../settings/token.ts";
import { applyDotenv, parseDotenv } from "../util/dotenv.ts";
import type { Transport } from "../client/transport.ts";
import type { CliContext } from "./context.ts";
import { CliError, UsageError } from "./errors.ts";
import { Ui } from "./output.ts";

/** Flags every command accepts. */
export interface GlobalOptions {
  debug?: boolean;
}

/** The settings in force and where each came from. */
export interface ResolvedSettings {
  paths: SettingsPaths;
  file?: StoredConfig;
  url?: string;
  token?: string;
  sslVerify: boolean;
  timeoutSeconds: number;
  urlSource: "env" | "file" | "none";
  tokenSource: "env" | "file" | "none";
}

/** Loads `.env` of the working directory, then `~/.qualytics/.env`, never overriding. */
export async function loadDotenvFiles(ctx: CliContext): Promise<void> {
  const paths = settingsPaths(ctx.env, ctx.homeDir);
  for (const file of [path.join(ctx.cwd, ".env"), paths.dotenv]) {
    const text = await ctx.fs.readTextFile(file);
    if (text !== undefined) applyDotenv(ctx.env, parseDotenv(text, ctx.env));
  }
}

/**
 * The transport a client of this run uses: the context's, except without certificate checks,
 * where the client uses its own `node:https` transport.
 */
export function contextTransport(ctx: CliContext, sslVerify: boolean): Transport | undefined {
  return sslVerify === false ? undefined : ctx.transport;
}

/** The request time-out: `QUALYTICS_TIMEOUT`, else the file's `timeout`, else 30 s. */
export function timeoutSeconds(
  env: Record<string, string | undefined>,
  file?: StoredConfig,
): number {
  const fromEnv = Number(env.QUALYTICS_TIMEOUT);
  if (env.QUALYTICS_TIMEOUT && Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  return file?.timeout ?? 30;
}

/** Reads the settings, letting `QUALYTICS_URL` / `QUALYTICS_TOKEN` override the file. */
export async function resolveSettings(ctx: CliContext, ui?: Ui): Promise<ResolvedSettings> {
  const paths = settingsPaths(ctx.env, ctx.homeDir);
  const file = await readStoredConfig(ctx.fs, paths, (message) => ui?.warn(message));
  const envUrl = ctx.env.QUALYTICS_URL;
  const envToken = ctx.env.QUALYTICS_TOKEN;
  const url = envUrl ? normalizeBaseUrl(envUrl) : file?.url || undefined;
  const token = envToken || file?.token || undefined;
  // However it was configured, the token never appears in any output of this run.
  ctx.secrets?.add(token);
  return {
    paths,
    file,
    url,
    token,
    sslVerify: ctx.env.QUALYTICS_SSL_VERIFY
      ? !/^(0|false|no|off)$/i.test(ctx.env.QUALYTICS_SSL_VERIFY)
      : file?.ssl_verify ?? true,
    timeoutSeconds: timeoutSeconds(ctx.env, file),
    urlSource: envUrl ? "env" : file?.url ? "file" : "none",
    tokenSource: envToken ? "env" : file?.token ? "file" : "none",
  };
}

/** Options for building a client. */
export interface ClientRequest extends GlobalOptions {
  concurrency?: number;
}

/** Parses `--concurrency`. */
export function parseConcurrency(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 64) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 64, got '${value}'.`);
  }
  return number;
}

/**
 * The authenticated client, or a clear error: not configured, token expired, token not a JWT.
 */
export async function createClient(
  ctx: CliContext,
  options: ClientRequest = {},
): Promise<QualyticsClient> {
  const ui = new Ui(ctx);
  const settings = await resolveSettings(ctx, ui);
  if (!settings.url || !settings.token) {
    throw new CliError(
      "Configuration not found. Run 'qualytics auth login --url <your-url>' or " +
        "'qualytics auth init --url <url> --token <token>', or set QUALYTICS_URL and " +
        "QUALYTICS_TOKEN.",
    );
  }
  const check = checkToken(settings.token, ctx.now());
  if (!check.valid && check.reason === "expired") {
    throw new CliError(
      `Your token expired on ${check.expiresAt.toISOString()}. Get a new one with ` +
        `'qualytics auth login --url <your-url>' or 'qualytics auth init --url <url> --token <token>'.`,
    );
  }
  if (!check.valid && check.reason === "malformed") {
    throw new CliError(
      `Your token is not valid (${check.message}). Set a token issued by Qualytics with ` +
        `'qualytics auth init --url <url> --token <token>'.`,
    );
  }
  return new QualyticsClient({
    baseUrl: settings.url,
    token: settings.token,
    sslVerify: settings.sslVerify,
    transport: contextTransport(ctx, settings.sslVerify),
    timeoutMs: settings.timeoutSeconds * 1000,
    concurrency: options.concurrency,
    debug: options.debug ? (line) => ctx.stderr.write(`[debug] ${line}\n`) : undefined,
    notice: (message) => ui.warn(message),
    secrets: ctx.secrets,
    sleep: ctx.sleep,
  });
}
