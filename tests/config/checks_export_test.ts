/**
 * `checks export` end to end against the fake controlplane serving the golden server data,
 * compared byte for byte with the original's `checks-export*` folders.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { Command } from "@commander-js/extra-typings";
import { checksExportCommand } from "../../src/cli/config_export.ts";
import { CliError } from "../../src/cli/errors.ts";
import { Ui } from "../../src/cli/output.ts";
import type { Runtime } from "../../src/cli/runtime.ts";
import { createClient } from "../../src/cli/session.ts";
import { nodeFileSystem } from "../../src/util/fs.ts";
import { type CliRun, runQualytics, tempDir } from "../helpers/cli.ts";
import { envFor, fake } from "../helpers/fake.ts";
import {
  assertSameAsGolden,
  GOLDEN,
  goldenCommands,
  mtimes,
  serverData,
  snapshot,
} from "./golden.ts";

/**
 * Runs `qualytics checks export …` through the real CLI; while the `checks` group still wires
 * a placeholder for `export`, runs the same command object in a minimal program instead.
 */
async function runChecksExport(
  args: string[],
  options: { env: Record<string, string>; cwd: string },
): Promise<CliRun> {
  const run = await runQualytics(args, options);
  if (!run.stderr.includes("is not implemented yet")) return run;
  let stdout = "";
  let stderr = "";
  const ctx = {
    stdout: { write: (text: string) => void (stdout += text), isTTY: false },
    stderr: { write: (text: string) => void (stderr += text), isTTY: false },
    env: { QUALYTICS_NO_BANNER: "1", ...options.env },
    cwd: options.cwd,
    homeDir: options.cwd,
    hostname: "test-host",
    platform: "linux",
    fs: nodeFileSystem,
    now: () => new Date(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    openBrowser: () => Promise.resolve(false),
    stdinIsTTY: false,
  };
  let code = 0;
  const runtime: Runtime = {
    ctx,
    ui: new Ui(ctx),
    globals: () => ({}),
    client: (request = {}) => createClient(ctx, request),
    handle: (action) => async (...actionArgs) => {
      const result = await action(...actionArgs);
      code = typeof result === "number" ? result : 0;
    },
  };
  const program = new Command("qualytics").exitOverride();
  const checks = new Command("checks").exitOverride();
  const command = checksExportCommand(runtime).exitOverride();
  checks.addCommand(command as unknown as Command);
  program.addCommand(checks as unknown as Command);
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    if (error instanceof CliError) {
      stderr += `Error: ${error.message}\n`;
      return { code: error.exitCode, stdout, stderr };
    }
    if ((error as { code?: string }).code?.startsWith("commander.")) {
      return { code: 2, stdout, stderr };
    }
    stderr += `Error: ${(error as Error).message}\n`;
    return { code: 1, stdout, stderr };
  }
  return { code, stdout, stderr };
}

for (const set of ["minimal", "retail"]) {
  Deno.test(`checks export reproduces golden/${set}/checks-export* byte for byte`, async () => {
    await using server = await fake({ data: await serverData(set) });
    await using cwd = await tempDir();
    const commands = await goldenCommands(set, "checks", "export");
    assert.ok(commands.length > 0);
    for (const args of commands) {
      const run = await runChecksExport(args, { env: envFor(server), cwd: String(cwd) });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, "");
      const output = args[args.indexOf("--output") + 1];
      const golden = await snapshot(path.join(GOLDEN, set, output));
      if (golden.size === 0) {
        assert.match(run.stderr, /No quality checks found matching the filters\./);
      } else {
        assert.match(run.stderr, /Exported \d+ checks across \d+ containers to /);
      }
      assertSameAsGolden(await snapshot(path.join(String(cwd), output)), golden, output);
    }
    // Each run lists the checks once and fetches references once per distinct id.
    assert.equal(server.requests.count("GET", /^\/api\/quality-checks\/\d+$/), 0);
    assert.equal(server.requests.count("GET", "/api/quality-checks"), commands.length);
  });
}

Deno.test("checks export: re-export is a no-op; deleted checks' files go, unmanaged stay", async () => {
  const data = await serverData("retail");
  await using server = await fake({ data });
  await using cwd = await tempDir();
  const env = envFor(server);
  const args = ["checks", "export", "--datastore-id", "21", "--output", "out"];
  assert.equal((await runChecksExport(args, { env, cwd: String(cwd) })).code, 0);
  const out = path.join(String(cwd), "out");
  await Deno.writeTextFile(path.join(out, "README.md"), "mine\n");
  await Deno.writeTextFile(path.join(out, "sales_orders", "draft.yml"), "mine\n");
  const before = await mtimes(out);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const again = await runChecksExport([...args, "--format", "json"], { env, cwd: String(cwd) });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout).files, { written: [], unchanged: 24, removed: [] });
  assert.deepEqual(await mtimes(out), before);

  // A filtered export is partial: it removes nothing.
  const filtered = await runChecksExport([...args, "--containers", "211"], {
    env,
    cwd: String(cwd),
  });
  assert.equal(filtered.code, 0, filtered.stderr);
  assert.deepEqual([...(await snapshot(out)).keys()], [...before.keys()]);

  // Server-side deletion of the only check of `daily_sales_v`.
  const victim = (JSON.parse(data).checks as Record<string, unknown>[]).find((check) =>
    check.container === 215 && check.deleted_at === null
  )!;
  const response = await fetch(`${server.url}/api/quality-checks/${victim.id}?archive=false`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${server.token}` },
  });
  await response.body?.cancel();
  assert.ok(response.ok);
  const third = await runChecksExport([...args, "--format", "json"], { env, cwd: String(cwd) });
  assert.equal(third.code, 0, third.stderr);
  assert.deepEqual(JSON.parse(third.stdout).files.removed, [
    "daily_sales_v/anynotnull__gross_total_net_total.yaml",
  ]);
  const after = await snapshot(out);
  assert.equal(after.get("README.md"), "mine\n");
  assert.equal(after.get("sales_orders/draft.yml"), "mine\n");
  assert.ok(![...after.keys()].some((file) => file.startsWith("daily_sales_v/")));
});

Deno.test("checks export: an invalid --status is a usage error", async () => {
  await using server = await fake({ data: await serverData("minimal") });
  await using cwd = await tempDir();
  const run = await runChecksExport(
    ["checks", "export", "--datastore-id", "10", "--status", "bogus"],
    { env: envFor(server), cwd: String(cwd) },
  );
  assert.equal(run.code, 2);
  assert.match(run.stderr, /Invalid --status 'bogus'/);
  assert.equal(server.requests.length, 0);
});
