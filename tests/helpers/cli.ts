/**
 * Runs the real CLI in tests: in process through its entry function with captured streams, or
 * as a subprocess (`deno run cli.ts`) — both against a fake controlplane over real HTTP.
 */
import * as path from "node:path";
import { runCli } from "../../src/cli/main.ts";
import { cliTransport } from "../../cli.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { nodeFileSystem } from "../../src/util/fs.ts";

/** What a CLI run produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runQualytics}. */
export interface RunOptions {
  /** Home folder (default: a fresh temporary one). */
  home?: string;
  /** Environment variables (nothing is inherited from the test process). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  now?: () => Date;
  openBrowser?: (url: string) => Promise<boolean>;
  /** Pretend stdout/stderr are terminals. */
  tty?: boolean;
  hostname?: string;
  runProgram?: CliContext["runProgram"];
  /** Waits (retry backoff, polling); default a real timer. Tests may shorten it. */
  sleep?: (ms: number) => Promise<void>;
  /** How requests are sent (default the one cli.ts gives the CLI). */
  transport?: CliContext["transport"];
}

/** A temporary folder that removes itself at the end of a `using` scope. */
export class TempDir implements AsyncDisposable {
  constructor(readonly path: string) {}
  toString(): string {
    return this.path;
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.path, { recursive: true }).catch(() => {});
  }
}

/** A fresh temporary folder: `await using tmp = await tempDir(); tmp.path`. */
export async function tempDir(prefix = "qualytics-test-"): Promise<TempDir> {
  return new TempDir(await Deno.makeTempDir({ prefix }));
}

/** Runs the CLI in process with captured output. */
export async function runQualytics(args: string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const home = options.home ?? await Deno.makeTempDir({ prefix: "qualytics-home-" });
  const code = await runCli(args, {
    stdout: { write: (text) => void (stdout += text), isTTY: options.tty ?? false },
    stderr: { write: (text) => void (stderr += text), isTTY: options.tty ?? false },
    env: { QUALYTICS_NO_BANNER: "1", ...options.env },
    cwd: options.cwd ?? home,
    homeDir: home,
    hostname: options.hostname ?? "test-host",
    platform: "linux",
    fs: nodeFileSystem,
    now: options.now ?? (() => new Date()),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    openBrowser: options.openBrowser ?? (() => Promise.resolve(false)),
    runProgram: options.runProgram,
    stdinIsTTY: false,
    transport: options.transport ?? cliTransport(),
  });
  if (!options.home) await Deno.remove(home, { recursive: true }).catch(() => {});
  return { code, stdout, stderr };
}

const repoRoot = path.resolve(import.meta.dirname!, "../..");

/** Runs `deno run -A cli.ts …` as a subprocess with only the given environment. */
export async function runQualyticsProcess(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; home: string; stdin?: string },
): Promise<CliRun> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", path.join(repoRoot, "cli.ts"), ...args],
    cwd: options.cwd ?? options.home,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: options.home,
      // Keep Deno's module cache where it is, whatever HOME the test uses.
      DENO_DIR: Deno.env.get("DENO_DIR") ?? path.join(Deno.env.get("HOME") ?? "", ".cache/deno"),
      QUALYTICS_NO_BANNER: "1",
      ...options.env,
    },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

/** Writes `files` (relative path → text) below `root`, creating their folders. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await Deno.mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await Deno.writeTextFile(path.join(root, file), text);
  }
}
