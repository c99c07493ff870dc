/**
 * `qualytics completions bash|zsh|fish`: shell completion scripts generated from the command
 * tree itself, so they never fall behind the commands, with values for `--format`. Also Typer's
 * root options `--show-completion [SHELL]` and `--install-completion [SHELL]` of the original.
 *
 * @module
 */
import { Command, type Option } from "@commander-js/extra-typings";
import {
  COMPLETION_SHELLS,
  CompletionInstallError,
  type CompletionShell,
  installCompletion,
  isCompletionShell,
} from "../services/completion_install.ts";
import { CliError, UsageError } from "./errors.ts";
import type { Runtime } from "./runtime.ts";

interface Node {
  path: string[];
  subcommands: string[];
  flags: string[];
}

const FLAG_VALUES: Record<string, string[]> = {
  "--format": ["yaml", "json", "table"],
  "-f": ["yaml", "json", "table"],
  "--sync": ["auto", "always", "never"],
  "--transport": ["stdio", "streamable-http"],
  "--show-completion": [...COMPLETION_SHELLS],
  "--install-completion": [...COMPLETION_SHELLS],
};

function walk(command: Command, path: string[], out: Node[]): void {
  const flags = (command.options as readonly Option[]).flatMap((option) =>
    [option.short, option.long].filter((flag): flag is string => !!flag)
  );
  out.push({ path, subcommands: command.commands.map((child) => child.name()), flags });
  for (const child of command.commands) {
    walk(child as unknown as Command, [...path, child.name()], out);
  }
}

function bash(nodes: Node[]): string {
  return `# bash completion for qualytics; load with: source <(qualytics completions bash)
${bashFunctions(nodes, "_qualytics")}`;
}

/** The bash completion functions, the main one named \`fn\`, and their registration. */
function bashFunctions(nodes: Node[], fn: string): string {
  const cases = nodes.map((node) =>
    `    "${node.path.join(" ")}") words="${
      [...node.subcommands, ...node.flags, "--help"].join(" ")
    }" ;;`
  ).join("\n");
  const values = Object.entries(FLAG_VALUES).map(([flag, list]) =>
    `    ${flag}) COMPREPLY=( $(compgen -W "${list.join(" ")}" -- "$cur") ); return ;;`
  ).join("\n");
  return `${fn}() {
  local cur prev path word words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${values}
  esac
  path=""
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in -*) ;; *) if _qualytics_has "\${path:+$path }$word"; then path="\${path:+$path }$word"; fi ;; esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
_qualytics_has() {
  case "$1" in
${nodes.map((node) => `    "${node.path.join(" ")}") return 0 ;;`).join("\n")}
  esac
  return 1
}
complete -F ${fn} qualytics
`;
}

function zsh(nodes: Node[]): string {
  // Also an autoloaded completion function: as \`_qualytics\` in a folder of $fpath
  // (\`--install-completion zsh\`), its first call defines the functions and must answer too.
  return `#compdef qualytics
# zsh completion for qualytics; load with: source <(qualytics completions zsh)
# or save it as _qualytics in a folder of $fpath (qualytics --install-completion zsh)
autoload -U bashcompinit && bashcompinit
${bashFunctions(nodes, "_qualytics_bash")}if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _bash_complete -F _qualytics_bash
fi
`;
}

function fish(nodes: Node[]): string {
  const lines = ["# fish completion for qualytics; load with: qualytics completions fish | source"];
  lines.push("complete -c qualytics -f");
  for (const node of nodes) {
    const condition = node.path.length === 0
      ? "__fish_use_subcommand"
      : `__fish_seen_subcommand_from ${node.path[node.path.length - 1]}`;
    for (const sub of node.subcommands) {
      lines.push(`complete -c qualytics -n '${condition}' -a '${sub}'`);
    }
    for (const flag of node.flags.filter((item) => item.startsWith("--"))) {
      const values = FLAG_VALUES[flag];
      lines.push(
        `complete -c qualytics -n '${condition}' -l '${flag.slice(2)}'${
          values ? ` -x -a '${values.join(" ")}'` : ""
        }`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

/** Builds a completion script for a shell from the command tree. */
export function completionScript(program: Command, shell: string): string {
  const nodes: Node[] = [];
  walk(program, [], nodes);
  if (shell === "bash") return bash(nodes);
  if (shell === "zsh") return zsh(nodes);
  if (shell === "fish") return fish(nodes);
  throw new CliError(`Unknown shell '${shell}'. Use bash, zsh or fish.`, 2);
}

/** The `completions` command; `program` is the root it describes. */
export function completionsCommand(runtime: Runtime, program: () => Command): Command {
  return new Command("completions")
    .description("Print a shell completion script (bash, zsh or fish).")
    .argument("<shell>", "bash, zsh or fish")
    .addHelpText(
      "after",
      "\nExamples:\n  $ source <(qualytics completions bash)\n  $ qualytics completions fish | source\n" +
        "  $ qualytics --install-completion zsh   # write it where zsh loads it\n",
    )
    .action(runtime.handle((shell) => {
      runtime.ctx.stdout.write(completionScript(program(), shell));
    })) as unknown as Command;
}

/** A root `--show-completion` / `--install-completion` option, with its shell if one was named. */
export interface CompletionOption {
  kind: "show" | "install";
  shell?: string;
}

/**
 * Finds `--show-completion [SHELL]` or `--install-completion [SHELL]` (also `=SHELL`) among the
 * root options, before any command: like Typer's eager options, it answers instead of the
 * command line. Only `--debug` may come before it (`--help` and `--version` win).
 */
export function completionOption(argv: readonly string[]): CompletionOption | undefined {
  for (let i = 0; i < argv.length; i++) {
    const match = /^--(show|install)-completion(?:=(.*))?$/s.exec(argv[i]);
    if (match) {
      const next = argv[i + 1];
      const shell = match[2] ?? (next !== undefined && !next.startsWith("-") ? next : undefined);
      return { kind: match[1] as CompletionOption["kind"], shell };
    }
    if (argv[i] !== "--debug") return undefined;
  }
  return undefined;
}

/** The shell named by `$SHELL` (its file name: `/usr/bin/zsh` → `zsh`), if set. */
export function detectShell(env: Record<string, string | undefined>): string | undefined {
  const value = env.SHELL?.trim();
  if (!value) return undefined;
  return value.split(/[\\/]/).pop()?.replace(/\.exe$/i, "") || undefined;
}

function shellFor(
  option: CompletionOption,
  env: Record<string, string | undefined>,
): CompletionShell {
  const choices = `Supported shells: ${COMPLETION_SHELLS.join(", ")}; name one ` +
    `(qualytics --${option.kind}-completion zsh) or print a script with ` +
    `'qualytics completions <shell>'.`;
  if (option.shell !== undefined) {
    if (isCompletionShell(option.shell)) return option.shell;
    throw new UsageError(`Unknown shell '${option.shell}'. ${choices}`);
  }
  const detected = detectShell(env);
  if (detected && isCompletionShell(detected)) return detected;
  throw new UsageError(
    `Could not tell the shell from $SHELL (${
      env.SHELL?.trim() ? `'${env.SHELL}'` : "not set"
    }). ${choices}`,
  );
}

/**
 * Runs a root completion option: prints the script on stdout (`--show-completion`) or installs
 * it under the home folder, saying on stderr what was written (`--install-completion`).
 */
export async function runCompletionOption(
  runtime: Runtime,
  program: Command,
  option: CompletionOption,
): Promise<number> {
  const { ctx, ui } = runtime;
  const shell = shellFor(option, ctx.env);
  const text = completionScript(program, shell);
  if (option.kind === "show") {
    ctx.stdout.write(text);
    return 0;
  }
  let result;
  try {
    result = await installCompletion(ctx.fs, ctx.homeDir, shell, text);
  } catch (error) {
    if (error instanceof CompletionInstallError) throw new CliError(error.message);
    throw error;
  }
  for (const change of result.changes) {
    if (change.role === "script") {
      ui.info(
        change.action === "unchanged"
          ? `${change.file} is up to date.`
          : `${change.action === "created" ? "Wrote" : "Updated"} ${change.file}.`,
      );
    } else if (change.action === "unchanged") {
      ui.info(`${change.file} already loads it.`);
    } else {
      ui.info(
        `${change.action === "created" ? "Created" : "Appended to"} ${change.file}:\n` +
          change.lines.map((line) => `  ${line}`).join("\n"),
      );
    }
  }
  ui.success(
    result.changed
      ? `${shell} completion installed. Restart your shell (or open a new terminal) to use it.`
      : `${shell} completion is already installed; nothing changed. Restart your shell if ` +
        `it does not complete yet.`,
  );
  return 0;
}
