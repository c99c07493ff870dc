/**
 * Running the CLI and the library on Node and on Bun: the `node` and `bun` on PATH, and
 * `deno bundle` for them (Bun runs the bundle made for Node).
 */
import * as path from "node:path";
import { tmpdir } from "node:os";
import assert from "node:assert/strict";

const repoRoot = path.resolve(import.meta.dirname!, "../..");
/** Held while a test bundles (see {@link bundleForNode}); in the system's temp folder. */
const BUNDLE_LOCK = path.join(tmpdir(), "qualytics-tests-deno-bundle.lock");
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** `<command> --version`, or undefined where it is not installed. */
function versionOf(command: string): Promise<string | undefined> {
  return new Deno.Command(command, { args: ["--version"], stdout: "piped", stderr: "null" })
    .output()
    .then((out) => out.success ? decode(out.stdout).trim() : undefined, () => undefined);
}

/** A runtime other than Deno that runs the bundle: how to start it. */
export interface BundleRuntime {
  /** As people write it: `Node`, `Bun`. */
  name: string;
  command: string;
  /** Its `--version`; undefined where it is not installed (its tests are ignored there). */
  version: string | undefined;
  /** Environment it needs besides PATH and HOME. */
  env: Record<string, string>;
}

/**
 * Node, and Bun (CI installs it through npm; not needed elsewhere). Bun writes a transpiler
 * cache into HOME unless told not to, which would show up among the files a run leaves.
 */
export const BUNDLE_RUNTIMES: BundleRuntime[] = [
  { name: "Node", command: "node", version: await versionOf("node"), env: {} },
  {
    name: "Bun",
    command: "bun",
    version: await versionOf("bun"),
    env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" },
  },
];

/**
 * Bundles `entry` (a path relative to the repository) for Node (and Bun) into `dir` and
 * returns the bundled entry's path. With code splitting, as a package would ship it: the
 * packages some commands load lazily (exceljs, yaml, the MCP SDK) stay dynamic imports on Node
 * too, and each start parses a fifth of the code.
 */
export async function bundleForNode(entry: string, dir: string): Promise<string> {
  // `deno bundle` unpacks esbuild into DENO_DIR on its first use, and two doing that at once
  // can fail ("failed to copy esbuild binary", seen in CI): test files bundle one at a time.
  const lock = await Deno.open(BUNDLE_LOCK, { create: true, write: true });
  let bundled: Deno.CommandOutput;
  try {
    await lock.lock(true);
    bundled = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "node", "--code-splitting", "--outdir", dir, entry],
      cwd: repoRoot,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } finally {
    lock.close();
  }
  assert.ok(bundled.success, decode(bundled.stderr));
  await Deno.writeTextFile(path.join(dir, "package.json"), '{ "type": "module" }\n');
  return path.join(dir, `${path.basename(entry, path.extname(entry))}.js`);
}
