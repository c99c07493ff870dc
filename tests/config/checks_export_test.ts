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
    // Each run lists the checks once (a filtered run also lists them unfiltered, for the
    // numbering) and fetches references once per distinct id.
    assert.equal(server.requests.count("GET", /^\/api\/quality-checks\/\d+$/), 0);
    const filtered = commands.filter((args) => args.includes("--status")).length;
    assert.equal(server.requests.count("GET", "/api/quality-checks"), commands.length + filtered);
    assert.equal(
      server.requests.count("GET", "/api/containers/listing"),
      commands.length - filtered,
    );
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

/** Writes `files` (relative path → text) below `root`. */
async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await Deno.mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await Deno.writeTextFile(path.join(root, file), text);
  }
}

/** Hard-deletes checks on the fake server. */
async function deleteChecks(server: { url: string; token: string }, ids: number[]) {
  for (const id of ids) {
    const response = await fetch(`${server.url}/api/quality-checks/${id}?archive=false`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${server.token}` },
    });
    await response.body?.cancel();
    assert.ok(response.ok, `DELETE check ${id}: ${response.status}`);
  }
}

Deno.test("checks export -o .: removes only stale check files in the datastore's container folders", async () => {
  await using server = await fake({ data: await serverData("retail") });
  await using cwd = await tempDir();
  const env = envFor(server);
  const args = ["checks", "export", "--datastore-id", "21", "-o", "."];
  assert.equal((await runChecksExport(args, { env, cwd: String(cwd) })).code, 0);
  // A repository (or a home folder) that the export was pointed at.
  const foreign: Record<string, string> = {
    ".github/dependabot.yaml": "version: 2\nupdates: []\n",
    ".qualytics/config.yaml": "url: https://acme.qualytics.io\ntoken: t\n",
    ".archive/notnull__x.yaml": "rule_type: notNull\ncontainer: x\n",
    "config/app.yaml": "port: 8080\n",
    "other_team/notnull__a.yaml": "rule_type: notNull\ncontainer: other_team\n",
    "sales_orders/notes.yaml": "todo: review the thresholds\n",
    "sales_orders/list.yaml": "- rule_type: notNull\n",
    "sales_orders/empty.yaml": "",
    "sales_orders/broken.yaml": "rule_type: [\n",
    "notnull__root.yaml": "rule_type: notNull\n",
  };
  await writeFiles(String(cwd), foreign);
  // Stale: a check file of a managed folder that no export writes any more, and the only
  // check of `daily_sales_v` (215), deleted on the server: its folder is managed because the
  // datastore still has that container.
  await writeFiles(String(cwd), {
    "sales_orders/notnull__gone.yaml": "rule_type: notNull\ncontainer: sales_orders\n",
  });
  await deleteChecks(server, [623]);
  const run = await runChecksExport([...args, "--format", "json"], { env, cwd: String(cwd) });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout).files.removed, [
    "daily_sales_v/anynotnull__gross_total_net_total.yaml",
    "sales_orders/notnull__gone.yaml",
  ]);
  const after = await snapshot(String(cwd));
  for (const [file, text] of Object.entries(foreign)) assert.equal(after.get(file), text, file);
  assert.ok(![...after.keys()].some((file) => file.startsWith("daily_sales_v/")));
});

Deno.test("checks export: no checks found and nothing it wrote — nothing is removed", async () => {
  await using server = await fake({ data: await serverData("minimal") });
  await using home = await tempDir();
  const files: Record<string, string> = {
    ".qualytics/config.yaml": "url: https://acme.qualytics.io\ntoken: t\n",
    ".github/dependabot.yaml": "version: 2\n",
    "config/app.yaml": "port: 8080\n",
    // Check files, but in the folder of another datastore's container.
    "orders/notnull__order_id.yaml": "rule_type: notNull\ncontainer: orders\n",
  };
  await writeFiles(String(home), files);
  // Datastore 20 (`Enrichment`) has no checks and no containers.
  const run = await runChecksExport(
    ["checks", "export", "--datastore-id", "20", "-o", String(home), "--format", "json"],
    { env: envFor(server), cwd: String(home) },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /No quality checks found matching the filters\./);
  assert.deepEqual(JSON.parse(run.stdout).files, { written: [], unchanged: 0, removed: [] });
  assert.deepEqual(Object.fromEntries(await snapshot(String(home))), files);
});

Deno.test("checks export: all checks gone — the files it wrote go, nothing else", async () => {
  const data = await serverData("retail");
  await using server = await fake({ data });
  await using cwd = await tempDir();
  const env = envFor(server);
  const args = ["checks", "export", "--datastore-id", "23", "-o", "."];
  assert.equal((await runChecksExport(args, { env, cwd: String(cwd) })).code, 0);
  const written = [...(await snapshot(String(cwd))).keys()];
  assert.equal(written.length, 2);
  await writeFiles(String(cwd), { "config/app.yaml": "port: 8080\n" });
  await deleteChecks(server, [633, 634]);
  const run = await runChecksExport([...args, "--format", "json"], { env, cwd: String(cwd) });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /No quality checks found matching the filters\./);
  assert.deepEqual(JSON.parse(run.stdout).files.removed, written);
  assert.deepEqual([...(await snapshot(String(cwd))).keys()], ["config/app.yaml"]);
});

Deno.test("checks export with filters writes the files and UIDs of the unfiltered export", async () => {
  await using server = await fake({ data: await serverData("retail") });
  await using cwd = await tempDir();
  const env = envFor(server);
  const base = ["checks", "export", "--datastore-id", "21"];
  assert.equal((await runChecksExport([...base, "-o", "all"], { env, cwd: String(cwd) })).code, 0);
  const all = await snapshot(path.join(String(cwd), "all"));
  // 603 is the second `between` check of sales_orders.discount_pct, and a Draft.
  assert.match(
    all.get("sales_orders/between__discount_pct_2.yaml")!,
    /status: Draft\n[^]*_qualytics_check_uid: sales_orders__between__discount_pct__2\n/,
  );
  const filters = [
    ["--status", "draft"],
    ["--containers", "211", "--status", "Draft"],
    ["--containers", "211,212"],
    ["--tags", "revenue,pii"],
  ];
  for (const [index, filter] of filters.entries()) {
    server.requests.clear();
    const output = `filtered-${index}`;
    const run = await runChecksExport([...base, ...filter, "-o", output], {
      env,
      cwd: String(cwd),
    });
    assert.equal(run.code, 0, run.stderr);
    const files = await snapshot(path.join(String(cwd), output));
    assert.ok(files.size > 0 && files.size < all.size, filter.join(" "));
    for (const [file, text] of files) assert.equal(text, all.get(file), `${filter}: ${file}`);
    // One extra listing, unfiltered, for the numbering.
    const listings = server.requests.filter("GET", "/api/quality-checks");
    assert.equal(listings.length, 2);
    assert.ok(
      listings.some((entry) => Object.keys(entry.query).sort().join() === "datastore,page,size"),
    );
  }
});

Deno.test("checks export → checks import keeps integers beyond 2^53 exact", async () => {
  const big = "12345678901234567890";
  const text = (await serverData("minimal")).replace(
    '"jira": "DQ-7"',
    `"jira": "DQ-7", "big": ${big}, "ids": [${big}, -9007199254740993]`,
  );
  assert.ok(text.includes(big));
  await using server = await fake({ data: text });
  await using cwd = await tempDir();
  const run = await runChecksExport(
    ["checks", "export", "--datastore-id", "10", "--output", "out"],
    { env: envFor(server), cwd: String(cwd) },
  );
  assert.equal(run.code, 0, run.stderr);
  const file = await Deno.readTextFile(path.join(String(cwd), "out/orders/notnull__order_id.yaml"));
  assert.match(file, new RegExp(`\n  big: ${big}\n  ids:\n  - ${big}\n  - -9007199254740993\n`));

  // Into a server without checks: the create sends the numbers as they are in the file.
  const data = JSON.parse(await serverData("minimal"));
  data.checks = [];
  await using target = await fake({ data });
  const imported = await runQualytics(
    ["checks", "import", "--datastore-id", "10", "--input", "out"],
    { env: envFor(target), cwd: String(cwd) },
  );
  assert.equal(imported.code, 0, imported.stderr);
  const posted = target.requests.filter("POST", "/api/quality-checks")
    .map((entry) => entry.body as { additional_metadata: Record<string, unknown> })
    .find((body) => "big" in body.additional_metadata)!;
  assert.equal(posted.additional_metadata.big, 12345678901234567890n);
  assert.deepEqual(posted.additional_metadata.ids, [12345678901234567890n, -9007199254740993n]);

  // And the source, where those checks are, finds them unchanged.
  const again = await runQualytics(
    [
      "checks",
      "import",
      "--datastore-id",
      "10",
      "--input",
      "out",
      "--dry-run",
      "--detailed-exitcode",
    ],
    { env: envFor(server), cwd: String(cwd) },
  );
  assert.equal(again.code, 0, again.stderr);
});
