/**
 * What every MCP tool shares: the collaborators of the server, the registration helper that
 * turns a tool's result into redacted JSON text and any failure into an MCP tool error (a clear
 * message, never a stack trace, never a token or another secret).
 *
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { QualyticsApiError } from "../client/errors.ts";
import type { QualyticsClient } from "../client/http_client.ts";
import { AnomalyInputError } from "../services/anomalies.ts";
import { CheckInputError } from "../services/checks.ts";
import { DropFieldsConflictError } from "../services/containers.ts";
import { OperationOptionError } from "../services/operations.ts";
import { InvalidInputError } from "../services/resource_errors.ts";
import { InvalidIncludeError } from "../services/config/options.ts";
import type { FileSystem } from "../util/fs.ts";
import { stringifyJson } from "../util/json.ts";
import { redactSecrets, SecretRegistry } from "../util/redact.ts";

/** Where the server's settings point (for `auth_status`; never sent out with the full token). */
export interface McpSettings {
  url?: string;
  token?: string;
  sslVerify: boolean;
  /** The settings file the CLI reads and `auth login` writes. */
  configFile: string;
  urlSource: "env" | "file" | "none";
  tokenSource: "env" | "file" | "none";
}

/** The collaborators of the MCP server, injected so that tests run it in process. */
export interface McpDeps {
  /**
   * The authenticated client. Called once per tool call, so that a login made while the server
   * runs is picked up; rejects with an actionable message when not configured.
   */
  client: () => Promise<QualyticsClient>;
  /** The settings in force (no network). */
  settings: () => Promise<McpSettings>;
  fs: FileSystem;
  /**
   * Environment for the `${VAR}` placeholders of `import_config`'s connection files (no other
   * tool substitutes variables: a caller must not read the server's environment).
   */
  env: Record<string, string | undefined>;
  /** Folder that relative `output_dir` / `input_dir` paths are resolved against. */
  cwd: string;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Diagnostics (stderr): never stdout, which carries the protocol in stdio mode. */
  log?: (line: string) => void;
  /**
   * The secrets of the whole server run (the CLI's registry, which also scrubs its stderr):
   * scrubbed from every result, and what a tool call registers is added to it.
   */
  secrets?: SecretRegistry;
}

/** What a tool handler may do besides returning its result. */
export interface CallScope {
  /** The authenticated client (built on first use within this call). */
  client(): Promise<QualyticsClient>;
  /** Marks values (e.g. secrets resolved from `${VAR}`) to be scrubbed from any output. */
  secret(...values: unknown[]): void;
}

/** A tool handler's failure that already says what the caller must fix. */
export class ToolInputError extends Error {
  override name = "ToolInputError";
}

/** A result that is reported as a tool error but still carries data (a failed import). */
export class ToolFailure {
  constructor(readonly data: unknown) {}
}

/** Errors whose message is written for the user; others get a generic prefix. */
const INPUT_ERRORS = [
  InvalidInputError,
  CheckInputError,
  AnomalyInputError,
  OperationOptionError,
  DropFieldsConflictError,
  InvalidIncludeError,
];

/**
 * The message of a failure as a tool error. Service messages name CLI flags (`--datastore-id`);
 * a tool's caller knows parameters (`datastore_id`), so flags are renamed for input errors.
 */
export function describeToolError(error: unknown): string {
  if (error instanceof QualyticsApiError || error instanceof ToolInputError) return error.message;
  if (INPUT_ERRORS.some((type) => error instanceof type)) {
    return (error as Error).message.replace(
      /--([a-z][a-z-]*)/g,
      (_, flag: string) => flag.replaceAll("-", "_"),
    );
  }
  if (error instanceof Error) {
    // Errors from the settings and the client factory are written for people too; only
    // programming errors would read oddly, and they still must not show a stack trace.
    return error.message || error.name;
  }
  return String(error);
}

function text(value: string, isError = false): CallToolResult {
  return { content: [{ type: "text", text: value }], ...(isError ? { isError: true } : {}) };
}

/** Options of {@link addTool}. */
export interface ToolConfig<Shape extends z.ZodRawShape> {
  title: string;
  description: string;
  input: Shape;
  annotations?: ToolAnnotations;
  /**
   * Whether to redact secret keys of the result (default true). Only `auth_status` turns it off:
   * its `token` is already masked and would otherwise say nothing.
   */
  redact?: boolean;
}

/**
 * A strict object of `shape`: an unknown key is an error naming it and the accepted keys (zod
 * would drop it silently, so a caller using another name would get, e.g., an unfiltered list).
 * `owner` names the tool (or, for a nested object, the parameter) in the message.
 */
export function strictShape<Shape extends z.ZodRawShape>(
  shape: Shape,
  owner: string,
  noun = "parameter",
) {
  const accepted = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      const keys = issue.keys.map((key) => `'${key}'`).join(", ");
      return `Unknown ${noun}${issue.keys.length > 1 ? "s" : ""} ${keys} for ${owner}. ` +
        (accepted.length ? `Accepted: ${accepted.join(", ")}.` : `It takes no ${noun}s.`);
    },
  });
}

/** The parsed arguments of a tool with input shape `Shape`. */
export type ToolArgs<Shape extends z.ZodRawShape> = z.output<z.ZodObject<Shape>>;

/**
 * Registers a tool whose handler returns plain data: the result becomes pretty JSON text with
 * every secret redacted and the token scrubbed; a thrown error becomes an `isError` result with
 * its message; a {@link ToolFailure} becomes an `isError` result carrying its data.
 */
export function addTool<Shape extends z.ZodRawShape>(
  server: McpServer,
  deps: McpDeps,
  name: string,
  config: ToolConfig<Shape>,
  handler: (args: ToolArgs<Shape>, call: CallScope) => Promise<unknown>,
): void {
  const run = async (args: ToolArgs<Shape>): Promise<CallToolResult> => {
    // This call's secrets, plus the server's (a token, what earlier calls registered).
    const secrets = new SecretRegistry(deps.secrets);
    let client: Promise<QualyticsClient> | undefined;
    const call: CallScope = {
      client: () => client ??= deps.client(),
      secret: (...values) => {
        secrets.add(...values);
        deps.secrets?.add(...values);
      },
    };
    const scrub = async (output: string): Promise<string> => {
      const token = await deps.settings().then((s) => s.token).catch(() => undefined);
      secrets.add(token, deps.env.QUALYTICS_TOKEN);
      return secrets.scrub(output);
    };
    try {
      const result = await handler(args, call);
      const failed = result instanceof ToolFailure;
      const data = failed ? result.data : result;
      const shown = config.redact === false ? data : redactSecrets(data);
      return text(await scrub(stringifyJson(shown ?? null, { indent: 2 })), failed);
    } catch (error) {
      deps.log?.(`[mcp] ${name} failed: ${await scrub(describeToolError(error))}`);
      return text(await scrub(describeToolError(error)), true);
    }
  };
  server.registerTool(
    name,
    {
      title: config.title,
      description: config.description,
      // Strict: an unknown parameter is an error, never silently dropped.
      inputSchema: strictShape(config.input, name),
      annotations: config.annotations,
    },
    // The SDK's callback type is generic over its own zod compatibility layer; the arguments it
    // passes are exactly the parsed object of `config.input`.
    ((args: ToolArgs<Shape>) => run(args)) as never,
  );
}

/** Annotations of a tool that only reads. */
export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, openWorldHint: true };
/** Annotations of a tool that creates or changes something without destroying anything. */
export const WRITES: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  openWorldHint: true,
};
/** Annotations of a tool that deletes or overwrites something. */
export const DESTRUCTIVE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  openWorldHint: true,
};

/** A positive whole number id parameter. */
export function idParam(description: string) {
  return z.number().int().positive().describe(description);
}

/** Exactly one of `id` / `name`, or a {@link ToolInputError}. */
export function requireIdOrName(args: { id?: number; name?: string }): void {
  if ((args.id === undefined) === (args.name === undefined)) {
    throw new ToolInputError("Provide either 'id' or 'name' (exactly one).");
  }
}
