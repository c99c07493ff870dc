/**
 * `qualytics completions bash|zsh|fish`: shell completion scripts generated from the command
 * tree itself, so they never fall behind the commands, with values for `--format`.
 *
 * @module
 */
import { Command, type Option } from "@commander-js/extra-typings";
import { CliError } from "./errors.ts";
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
  const cases = nodes.map((node) =>
    `    "${node.path.join(" ")}") words="${
      [...node.subcommands, ...node.flags, "--help"].join(" ")
    }" ;;`
  ).join("\n");
  const values = Object.entries(FLAG_VALUES).map(([flag, list]) =>
    `    ${flag}) COMPREPLY=( $(compgen -W "${list.join(" ")}" -- "$cur") ); return ;;`
  ).join("\n");
  return `# bash completion for qualytics; load with: source <(qualytics completions bash)
_qualytics() {
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
complete -F _qualytics qualytics
`;
}

function zsh(nodes: Node[]): string {
  return `#compdef qualytics
# zsh completion for qualytics; load with: source <(qualytics completions zsh)
autoload -U bashcompinit && bashcompinit
${bash(nodes)}`;
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
      "\nExamples:\n  $ source <(qualytics completions bash)\n  $ qualytics completions fish | source\n",
    )
    .action(runtime.handle((shell) => {
      runtime.ctx.stdout.write(completionScript(program(), shell));
    })) as unknown as Command;
}
