/**
 * The entry function of the CLI: builds the command tree, runs it against an injected
 * context and returns the exit code (0 success, 1 failure, 2 usage error).
 *
 * @module
 */
import { Command, CommanderError } from "@commander-js/extra-typings";
import type { QualyticsClient } from "../client/http_client.ts";
import { QualyticsApiError } from "../client/errors.ts";
import { SettingsFileError } from "../settings/config_file.ts";
import { parseJson } from "../util/json.ts";
import { SECRET_KEYS, SecretRegistry, secretValues } from "../util/redact.ts";
import { VERSION } from "../version.ts";
import { authCommand } from "./auth.ts";
import { commandGroups } from "./groups.ts";
import { completionOption, completionsCommand, runCompletionOption } from "./completions.ts";
import type { CliContext, OutputStream } from "./context.ts";
import { CliError } from "./errors.ts";
import { Ui } from "./output.ts";
import type { Runtime } from "./runtime.ts";
import { createClient, type GlobalOptions, loadDotenvFiles } from "./session.ts";

/**
 * Multi-letter short flags of the original (commander takes one-letter short flags only), each
 * rewritten to its long form before parsing.
 */
export const MULTI_LETTER_FLAGS: Readonly<Record<string, string>> = {
  "-cn": "--connection-name",
  "-db": "--database",
  "-sc": "--schema",
};

/** Rewrites `-cn x` / `-cn=x` style flags to their long names; stops at `--`. */
export function expandMultiLetterFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  let passthrough = false;
  for (const arg of argv) {
    if (passthrough || arg === "--") {
      passthrough = true;
      out.push(arg);
      continue;
    }
    const [flag, ...rest] = arg.split("=");
    const long = MULTI_LETTER_FLAGS[flag];
    out.push(long ? [long, ...rest].join("=") : arg);
  }
  return out;
}

/** Builds the whole command tree for a context. */
export function buildProgram(runtime: Runtime): Command {
  const { ctx } = runtime;
  const program = new Command("qualytics")
    .description(
      "Manage Qualytics data quality from the command line: connections, datastores, " +
        "containers, checks, anomalies, operations, and configuration as code.",
    )
    .version(`Qualytics CLI Version: ${VERSION}`, "-V, --version", "Show the version and exit.")
    .option("--debug", "Trace HTTP requests (secrets redacted) and show stack traces on errors.")
    // Typer's options of the original, answered by runCli before parsing (completions.ts).
    .option(
      "--install-completion [shell]",
      "Install completion for the current shell ($SHELL), or for bash, zsh or fish.",
    )
    .option(
      "--show-completion [shell]",
      "Show completion for the current shell ($SHELL), to copy it or customize the installation.",
    )
    .showSuggestionAfterError(true)
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      `
Examples:
  $ qualytics auth init --url https://acme.qualytics.io --token "$QUALYTICS_TOKEN"
  $ qualytics datastores list --format table
  $ qualytics config export --datastore-id 1 --output ./qualytics-config
  $ qualytics config import --input ./qualytics-config --dry-run
  $ qualytics --install-completion        # shell completion for $SHELL (bash, zsh or fish)
  $ qualytics --show-completion zsh > ~/.zfunc/_qualytics

Environment: QUALYTICS_URL, QUALYTICS_TOKEN (override ~/.qualytics/config.yaml),
QUALYTICS_CONFIG_DIR, QUALYTICS_TIMEOUT, QUALYTICS_NO_BANNER, NO_COLOR.`,
    );
  program.configureOutput({
    writeOut: (text) => ctx.stdout.write(text),
    writeErr: (text) => ctx.stderr.write(text),
    outputError: (text, write) => write(runtime.ui.colors.red(text)),
  });
  const commands = [
    authCommand(runtime),
    ...commandGroups(runtime),
    completionsCommand(runtime, () => program),
  ];
  for (const command of commands) program.addCommand(command as unknown as Command);
  applyRecursively(program, (command) => {
    command.exitOverride();
    command.configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
      outputError: (text, write) => write(runtime.ui.colors.red(text)),
    });
    command.showSuggestionAfterError(true);
  });
  return program;
}

function applyRecursively(command: Command, fn: (command: Command) => void): void {
  fn(command);
  for (const child of command.commands) applyRecursively(child as Command, fn);
}

/**
 * The values of secret flags on the command line (`--token`, `--password`, `--secret-key`…, as
 * `--flag value` or `--flag=value`) and the secret keys of a `--parameters` JSON: registered
 * before parsing, so that not even a usage error can print them.
 */
export function secretArguments(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/s.exec(argv[i]);
    if (!match) continue;
    const key = match[1].replaceAll("-", "_");
    const value = match[2] ?? argv[i + 1];
    if (value === undefined) continue;
    if (SECRET_KEYS.has(key)) out.push(value);
    else if (key === "parameters") {
      try {
        secretValues(parseJson(value), out);
      } catch {
        // Not JSON: the command reports it.
      }
    }
  }
  return out;
}

/** `stream` with every secret of `secrets` scrubbed from what is written to it. */
function scrubbed(stream: OutputStream, secrets: SecretRegistry): OutputStream {
  return {
    write: (text) => stream.write(secrets.scrub(text)),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}

function describeError(error: unknown, debug: boolean): string {
  if (error instanceof CliError || error instanceof QualyticsApiError) return error.message;
  if (error instanceof SettingsFileError) return error.message;
  if (debug) return (error as Error)?.stack ?? String(error);
  return `${(error as Error)?.message ?? String(error)} (run with --debug for details)`;
}

/**
 * Runs the CLI with `args` (without the program name) and returns the exit code.
 *
 * Everything the run writes (data, messages, `--debug` traces, commander's help and errors)
 * goes through one registry of the run's secrets: the token however it was configured, secret
 * flags, values resolved from `${VAR}` and every secret key of a body sent. Secrets shorter
 * than 4 characters are not scrubbed (key-based redaction still hides them).
 *
 * @example
 * ```ts
 * const code = await runCli(["datastores", "list", "--format", "json"], context);
 * ```
 */
export async function runCli(args: readonly string[], outer: CliContext): Promise<number> {
  const secrets = new SecretRegistry(outer.secrets);
  const ctx: CliContext = {
    ...outer,
    secrets,
    stdout: scrubbed(outer.stdout, secrets),
    stderr: scrubbed(outer.stderr, secrets),
  };
  const ui = new Ui(ctx);
  let exitCode = 0;
  let client: QualyticsClient | undefined;
  let program: Command | undefined;
  const globals = (): GlobalOptions => (program?.opts() ?? {}) as GlobalOptions;
  const runtime: Runtime = {
    ctx,
    ui,
    globals,
    async client(options = {}) {
      client ??= await createClient(ctx, { ...globals(), ...options });
      return client;
    },
    handle(action) {
      return async (...actionArgs) => {
        const code = await action(...actionArgs);
        exitCode = typeof code === "number" ? code : 0;
      };
    },
  };
  const argv = expandMultiLetterFlags(args);
  const debug = argv.includes("--debug");
  secrets.add(...secretArguments(argv));
  try {
    await loadDotenvFiles(ctx);
    secrets.add(ctx.env.QUALYTICS_TOKEN);
    program = buildProgram(runtime);
    const completion = completionOption(argv);
    if (completion) return await runCompletionOption(runtime, program, completion);
    const groupOnly = argv.filter((arg) => arg !== "--debug");
    if (groupOnly.length === 0) {
      ctx.stdout.write(program.helpInformation());
      return 0;
    }
    const group = program.commands.find((command) => command.name() === groupOnly[0]);
    if (group && groupOnly.length === 1 && group.commands.length > 0) {
      ctx.stdout.write(group.helpInformation());
      return 0;
    }
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" || error.code === "commander.version" ||
        error.code === "commander.help"
      ) return 0;
      return error.exitCode === 0 ? 0 : 2;
    }
    const message = describeError(error, debug);
    ui.error(message);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
