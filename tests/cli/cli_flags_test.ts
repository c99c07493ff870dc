/**
 * The CLI's flags (`scripts/cli_flags.ts`) are what the binaries, `deno task qualytics` and the
 * bench start it with: this runtime must accept them, they must do what they are there for, and
 * the task must pass the same ones.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { CLI_V8_FLAGS, cliRunArgs, v8FlagsArgs } from "../../scripts/cli_flags.ts";

const repo = path.resolve(import.meta.dirname!, "../..");

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** The young generation's capacity (MB) of a fresh process started with `flags`. */
async function newSpaceCapacityMb(flags: readonly string[]): Promise<number> {
  const script = 'import { getHeapSpaceStatistics } from "node:v8";' +
    'const s = getHeapSpaceStatistics().find((x) => x.space_name === "new_space");' +
    "console.log((s.space_used_size + s.space_available_size) / 2 ** 20);";
  const { code, stdout, stderr } = await run(["eval", ...v8FlagsArgs(flags), script]);
  assert.equal(code, 0, stderr);
  return Number(stdout.trim());
}

Deno.test("the CLI starts with its flags (Deno and V8 know them) and prints its version", async () => {
  const { code, stdout, stderr } = await run([
    "run",
    "-A",
    "--quiet",
    ...cliRunArgs(),
    "cli.ts",
    "--version",
  ]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /\d+\.\d+\.\d+/);
  assert.doesNotMatch(stderr, /did not recognize/);
});

Deno.test("the CLI's V8 flags start the young generation at 8 MB semi-spaces", async () => {
  assert.ok(CLI_V8_FLAGS.includes("--min-semi-space-size=8"));
  const [defaults, cli] = [await newSpaceCapacityMb([]), await newSpaceCapacityMb(CLI_V8_FLAGS)];
  assert.ok(defaults < 4, `V8's default young generation: ${defaults} MB`);
  assert.ok(cli >= 7.5, `with the CLI's flags: ${cli} MB`);
});

Deno.test("deno task qualytics passes the CLI's flags", async () => {
  const config = JSON.parse(await Deno.readTextFile(path.join(repo, "deno.json")));
  const task: string = config.tasks.qualytics;
  assert.equal(task, `deno run -A ${cliRunArgs().join(" ")} cli.ts`);
});
