/**
 * Installing a shell completion script where Typer's `--install-completion` puts it (so that an
 * installation made by the original is recognised): the script in a file of its own and, for
 * bash and zsh, the lines that load it appended to the shell's rc file when they are missing.
 * Idempotent: a second run finds everything in place and writes nothing. An rc file is only
 * ever appended to, never rewritten.
 *
 * @module
 */
import * as path from "node:path";
import type { FileSystem } from "../util/fs.ts";

/** The shells a completion script can be installed for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;

/** One of {@link COMPLETION_SHELLS}. */
export type CompletionShell = typeof COMPLETION_SHELLS[number];

/** Whether `name` is a shell completion can be installed for. */
export function isCompletionShell(name: string): name is CompletionShell {
  return (COMPLETION_SHELLS as readonly string[]).includes(name);
}

/** What happened to one file. */
export type CompletionFileAction = "created" | "updated" | "unchanged" | "appended";

/** One file an installation looked at. */
export interface CompletionFileChange {
  file: string;
  /** The script file, or the rc file that loads it. */
  role: "script" | "rc";
  action: CompletionFileAction;
  /** The lines appended (rc files). */
  lines: string[];
}

/** The result of {@link installCompletion}. */
export interface CompletionInstall {
  shell: CompletionShell;
  /** Where the script is. */
  script: string;
  changes: CompletionFileChange[];
  /** Whether anything was written. */
  changed: boolean;
}

/** A file of the installation could not be read or written. */
export class CompletionInstallError extends Error {
  override name = "CompletionInstallError";
  constructor(readonly file: string, verb: "read" | "write" | "append to", cause: unknown) {
    super(`Could not ${verb} ${file}: ${reason(cause)}.`, { cause });
  }
}

function reason(error: unknown): string {
  const code = (error as { code?: string })?.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR" || code === "ERR_FS_EISDIR") return "it is a folder";
  if (code === "ENOTDIR" || code === "EEXIST") return "a part of its path is not a folder";
  if (code === "EROFS") return "read-only file system";
  if (code === "ENOSPC") return "no space left on the device";
  return (error as Error)?.message ?? String(error);
}

/** Quotes a word for bash (single quotes). */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Where a shell's script goes, relative to the home folder. */
export function completionScriptPath(shell: CompletionShell, homeDir: string): string {
  if (shell === "bash") return path.join(homeDir, ".bash_completions", "qualytics.sh");
  if (shell === "zsh") return path.join(homeDir, ".zfunc", "_qualytics");
  return path.join(homeDir, ".config", "fish", "completions", "qualytics.fish");
}

/** The rc file of a shell and the lines it needs (given its present lines), or none (fish). */
function rcPlan(
  shell: CompletionShell,
  homeDir: string,
  script: string,
): { file: string; missing: (lines: string[]) => string[] } | undefined {
  if (shell === "bash") {
    const source = `source ${shellQuote(script)}`;
    return {
      file: path.join(homeDir, ".bashrc"),
      missing: (lines) => (lines.includes(source) ? [] : [source]),
    };
  }
  if (shell === "zsh") {
    const fpath = "fpath+=~/.zfunc";
    const compinit = "autoload -Uz compinit && compinit";
    // What Typer (the original) appends, on one line.
    const typer = "fpath+=~/.zfunc; autoload -Uz compinit; compinit";
    return {
      file: path.join(homeDir, ".zshrc"),
      missing(lines) {
        const hasFpath = lines.some((line) => line === fpath || line.startsWith(`${fpath};`));
        if (!hasFpath) return [fpath, compinit]; // compinit must run after fpath changes
        return lines.includes(compinit) || lines.includes(typer) ? [] : [compinit];
      },
    };
  }
  return undefined;
}

async function attempt<T>(
  file: string,
  verb: "read" | "write" | "append to",
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new CompletionInstallError(file, verb, error);
  }
}

/**
 * Installs `text`, the completion script of `shell`, under `homeDir`: bash →
 * `~/.bash_completions/qualytics.sh` plus a `source` line in `~/.bashrc`; zsh →
 * `~/.zfunc/_qualytics` plus `fpath+=~/.zfunc` and `autoload -Uz compinit && compinit` in
 * `~/.zshrc`; fish → `~/.config/fish/completions/qualytics.fish`. The script is written first,
 * so an rc file never loads a missing file. Throws {@link CompletionInstallError}.
 *
 * @example
 * ```ts
 * const result = await installCompletion(nodeFileSystem, homedir(), "fish", script);
 * ```
 */
export async function installCompletion(
  fs: FileSystem,
  homeDir: string,
  shell: CompletionShell,
  text: string,
): Promise<CompletionInstall> {
  const script = completionScriptPath(shell, homeDir);
  const changes: CompletionFileChange[] = [];
  const existing = await attempt(script, "read", () => fs.readTextFile(script));
  if (existing !== text) await attempt(script, "write", () => fs.writeTextFile(script, text));
  changes.push({
    file: script,
    role: "script",
    action: existing === undefined ? "created" : existing === text ? "unchanged" : "updated",
    lines: [],
  });
  const rc = rcPlan(shell, homeDir, script);
  if (rc) {
    const content = await attempt(rc.file, "read", () => fs.readTextFile(rc.file));
    const missing = rc.missing((content ?? "").split(/\r?\n/).map((line) => line.trim()));
    if (missing.length > 0) {
      // After the last line, whether or not the file ends with a newline.
      const separator = content && !content.endsWith("\n") ? "\n" : "";
      await attempt(
        rc.file,
        "append to",
        () => fs.appendTextFile(rc.file, separator + missing.join("\n") + "\n"),
      );
    }
    changes.push({
      file: rc.file,
      role: "rc",
      action: missing.length === 0 ? "unchanged" : content === undefined ? "created" : "appended",
      lines: missing,
    });
  }
  return {
    shell,
    script,
    changes,
    changed: changes.some((change) => change.action !== "unchanged"),
  };
}
