/**
 * The `qualytics` command. Runs on Deno (and Node or Bun) through `node:` builtins, with Deno's
 * own calls for the file reads a config folder makes by the thousand.
 *
 * @example
 * ```sh
 * deno run -A cli.ts datastores list --format json
 * ```
 *
 * @module
 */
import { realpathSync } from "node:fs";
import { homedir, hostname } from "node:os";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { runCli } from "./src/cli/main.ts";
import { fetchTransportWith, type Transport } from "./src/client/transport.ts";
import { type FileSystem, nodeFileSystem, withBlockingReads } from "./src/util/fs.ts";

/** `node:child_process`, loaded by the few commands that start programs, not at every start-up. */
const childProcess = () => import("node:child_process");

async function openBrowser(url: string): Promise<boolean> {
  const { spawn } = await childProcess();
  const command = process.env.BROWSER ??
    (process.platform === "darwin"
      ? "open"
      : process.platform === "win32"
      ? "explorer"
      : "xdg-open");
  return new Promise((resolve) => {
    try {
      const child = spawn(command, [url], { stdio: "ignore", detached: true });
      child.on("error", () => resolve(false));
      child.on("spawn", () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

async function runProgram(program: string, args: string[], input?: string) {
  const { spawn } = await childProcess();
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => stdout += chunk);
    child.stderr.on("data", (chunk) => stderr += chunk);
    child.on("error", (error) => resolve({ code: 127, stdout, stderr: String(error) }));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/**
 * A reader that stops reading (`qualytics … | head`) is not a failure of ours: end quietly, as
 * other command-line tools do, instead of dying with an EPIPE stack trace.
 */
function endQuietlyOnClosedPipe(stream: typeof process.stdout | typeof process.stderr): void {
  stream.on("error", (error: Error & { code?: string }) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(process.exitCode ?? 0);
  });
}

/**
 * The CLI's file system: `node:fs`, with Deno's own blocking reads where it runs on Deno (they
 * skip the argument handling and Buffers of Deno's `node:fs` layer, which a config folder of
 * thousands of check files pays per file).
 */
export function cliFileSystem(): FileSystem {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (!deno) return nodeFileSystem;
  return withBlockingReads({
    readTextFile: (file) => deno.readTextFileSync(file),
    readDir: (dir) =>
      Array.from(deno.readDirSync(dir), ({ name, isFile, isDirectory }) => ({
        name,
        isFile,
        isDirectory,
      })),
  });
}

/**
 * On Deno, `fetch` with requests sent at most once on connections of their own: Deno resends a
 * request whose kept-alive connection closed before the answer, even one the server received
 * (see `TransportRequest.once`). Elsewhere, the client's default.
 */
export function cliTransport(): Transport | undefined {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (!deno?.createHttpClient) return undefined;
  let single: Deno.HttpClient | undefined;
  return fetchTransportWith((request) =>
    request.once ? { client: single ??= deno.createHttpClient({ poolMaxIdlePerHost: 0 }) } : {}
  );
}

/** Runs the CLI with the process's arguments, streams and environment. */
export async function main(args: string[] = process.argv.slice(2)): Promise<number> {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  return await runCli(args, {
    stdout: {
      write: (text) => void process.stdout.write(text),
      isTTY: !!process.stdout.isTTY,
      columns: process.stdout.columns,
    },
    stderr: {
      write: (text) => void process.stderr.write(text),
      isTTY: !!process.stderr.isTTY,
      columns: process.stderr.columns,
    },
    env: process.env,
    cwd: process.cwd(),
    homeDir: process.env.HOME ?? process.env.USERPROFILE ?? homedir(),
    hostname: hostname(),
    platform: process.platform,
    fs: cliFileSystem(),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    openBrowser,
    runProgram,
    stdinIsTTY: !!process.stdin.isTTY,
    transport: cliTransport(),
  });
}

/**
 * Whether this module is the program being run. `import.meta.main` where the runtime has it
 * (Deno, Bun, Node 24+); on older Node, whether the script Node was started with is this file.
 */
function isProgram(meta: ImportMeta): boolean {
  const flag = (meta as { main?: unknown }).main;
  if (typeof flag === "boolean") return flag;
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === meta.url;
  } catch {
    return false;
  }
}

if (isProgram(import.meta)) {
  process.exitCode = await main();
}
