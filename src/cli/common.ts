/**
 * What several command groups do alike: service errors as exit codes, `Examples:` help, the
 * one-object commands (`get`, `delete`, … by `--id`) and the count line before a list.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import type { ApiObject } from "../api/types.ts";
import type { QualyticsClient } from "../client/http_client.ts";
import { ConnectionInUseError } from "../services/connections.ts";
import {
  InvalidInputError,
  requireOneOf,
  ResourceNotFoundError,
} from "../services/resource_errors.ts";
import { UnresolvedVariablesError } from "../util/env_placeholders.ts";
import { redactSecrets } from "../util/redact.ts";
import { CliError, UsageError } from "./errors.ts";
import { type Format, parseObjectFormat, type Ui } from "./output.ts";
import { parseInteger, type Runtime } from "./runtime.ts";

/**
 * Runs a service call, turning its input errors into CLI errors: a wrong or missing option
 * exits 2, an unknown object or unset variable exits 1.
 */
export async function withServiceErrors<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw error.usage ? new UsageError(error.message) : new CliError(error.message);
    }
    if (
      error instanceof ResourceNotFoundError || error instanceof UnresolvedVariablesError ||
      error instanceof ConnectionInUseError
    ) {
      throw new CliError(error.message);
    }
    throw error;
  }
}

/** `Examples:` help text from command lines. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join("\n")}\n`;
}

/** A command on one object: a required `--id` and a yaml or json `--format`. */
export function idCommand(
  name: string,
  description: string,
  idHelp: string,
  formatHelp = "Output format: yaml or json.",
) {
  return new Command(name)
    .description(description)
    .requiredOption("--id <id>", idHelp, parseInteger)
    .option("-f, --format <format>", formatHelp, parseObjectFormat, "yaml" as Format);
}

/** Options of a command on one object by id. */
export interface ByIdOptions {
  id: number;
  format: Format;
}

/** Prints what `fetch` returns for the id. */
export async function runGetById(
  runtime: Runtime,
  options: ByIdOptions,
  fetch: (client: QualyticsClient, id: number) => Promise<unknown>,
): Promise<number> {
  const client = await runtime.client();
  runtime.ui.data(await fetch(client, options.id), options.format);
  return 0;
}

/** Options of a `get` by `--id` or by exact `--name`. */
export interface ByIdOrNameOptions {
  id?: number;
  name?: string;
  format: Format;
}

/** Prints the object `--id` or `--name` selects (exactly one of them), secrets redacted. */
export async function runGetByIdOrName(
  runtime: Runtime,
  options: ByIdOrNameOptions,
  lookup: (client: QualyticsClient, selector: { id?: number; name?: string }) => Promise<ApiObject>,
): Promise<number> {
  // Checked before the client is built, so a wrong call is reported even without configuration.
  await withServiceErrors(() => requireOneOf("--id", options.id, "--name", options.name));
  const client = await runtime.client();
  const found = await withServiceErrors(() =>
    lookup(client, { id: options.id, name: options.name })
  );
  runtime.ui.data(redactSecrets(found), options.format);
  return 0;
}

/** A `get` that prints the object `--id` names, as `fetch` returns it. */
export function getByIdCommand(runtime: Runtime, spec: {
  description: string;
  idHelp: string;
  examples: string[];
  fetch: (client: QualyticsClient, id: number) => Promise<unknown>;
}) {
  return idCommand("get", spec.description, spec.idHelp, "yaml or json.")
    .addHelpText("after", examples(...spec.examples))
    .action(runtime.handle((options) => runGetById(runtime, options, spec.fetch)));
}

/** A `get` that prints the object `--id` or `--name` selects, as `lookup` finds it. */
export function getByIdOrNameCommand(runtime: Runtime, spec: {
  description: string;
  /** Starts the flags' help (`Connection` → `Connection ID.`). */
  noun: string;
  examples: string[];
  lookup: (client: QualyticsClient, selector: { id?: number; name?: string }) => Promise<ApiObject>;
}) {
  return new Command("get")
    .description(spec.description)
    .option("--id <id>", `${spec.noun} ID.`, parseInteger)
    .option("--name <name>", `${spec.noun} name (exact match).`)
    .option(
      "-f, --format <format>",
      "Output format: yaml or json.",
      parseObjectFormat,
      "yaml" as Format,
    )
    .addHelpText("after", examples(...spec.examples))
    .action(runtime.handle((options) => runGetByIdOrName(runtime, options, spec.lookup)));
}

/** Deletes by id, then reports `message` and prints the server's answer. */
export async function runDeleteById(
  runtime: Runtime,
  options: ByIdOptions,
  remove: (client: QualyticsClient, id: number) => Promise<unknown>,
  message: string,
): Promise<number> {
  const client = await runtime.client();
  const result = await withServiceErrors(() => remove(client, options.id));
  runtime.ui.success(message);
  runtime.ui.data(result, options.format);
  return 0;
}

/** Prints a list after a `Found N <noun>.` line. */
export function printFound(
  ui: Ui,
  items: unknown[],
  noun: string,
  format: Format,
  columns: string[],
): void {
  ui.info(`Found ${items.length} ${noun}.`);
  ui.data(items, format, columns);
}
