/** Running the CLI and the library on Node: the `node` on PATH, and `deno bundle` for it. */
import * as path from "node:path";
import assert from "node:assert/strict";

const repoRoot = path.resolve(import.meta.dirname!, "../..");
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** `node --version`, or undefined where no `node` is installed (tests are ignored there). */
export const nodeVersion: string | undefined = await new Deno.Command("node", {
  args: ["--version"],
  stdout: "piped",
}).output().then((out) => out.success ? decode(out.stdout).trim() : undefined, () => undefined);

/**
 * Bundles `entry` (a path relative to the repository) for Node into the folder `dir` and
 * returns the bundled entry's path. With code splitting, as a package would ship it: the
 * packages some commands load lazily (exceljs, yaml, the MCP SDK) stay dynamic imports on Node
 * too, and each start parses a fifth of the code.
 */
export async function bundleForNode(entry: string, dir: string): Promise<string> {
  const bundled = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "node", "--code-splitting", "--outdir", dir, entry],
    cwd: repoRoot,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(bundled.success, decode(bundled.stderr));
  await Deno.writeTextFile(path.join(dir, "package.json"), '{ "type": "module" }\n');
  return path.join(dir, `${path.basename(entry, path.extname(entry))}.js`);
}
