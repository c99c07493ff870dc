/**
 * `checks import` as the original runs it (`config-as-code.md` §10.2, §10.5), end to end: the
 * real CLI against the fake controlplane. Each datastore id once, in the given order, with its
 * own progress line and summary row; YAML files that are no checks (no `rule_type`) skipped with
 * one warning; an input that is not a folder is an error.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { envFor, fake } from "../helpers/fake.ts";
import { runQualytics, tempDir } from "../helpers/cli.ts";
import { GOLDEN } from "./golden.ts";

/** The 6 checks of `Store Ops` (datastore 22), as `checks export` writes them. */
const STORE_OPS = path.join(GOLDEN, "retail", "checks-export", "store_ops");
/** The same datastore as `config export` writes it (`_datastore.yaml`, `containers/`, `checks/`). */
const STORE_OPS_CONFIG = path.join(GOLDEN, "retail", "config-export", "datastores", "store_ops");
const RETAIL_DW_CONFIG = path.join(GOLDEN, "retail", "config-export", "datastores", "retail_dw");

/**
 * The retail server plus datastore 24, `Store Ops Copy`: the containers of `Store Ops` (ids
 * 241–243) and no checks, so the same folder creates 6 checks there and changes nothing in 22.
 */
async function withStoreOpsCopy(): Promise<string> {
  const data = JSON.parse(await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json")));
  const source = data.datastores.find((d: { id: number }) => d.id === 22);
  data.datastores.push({ ...source, id: 24, name: "Store Ops Copy", check_count: 0 });
  for (
    const container of data.containers.filter((c: { datastore: number }) => c.datastore === 22)
  ) {
    data.containers.push({ ...container, id: container.id + 20, datastore: 24 });
  }
  return JSON.stringify(data);
}

/** The body rows of the table(s) in `text`: cells trimmed, header rows left out. */
function tableRows(text: string): string[][] {
  return text.split("\n")
    .filter((line) => line.startsWith("│"))
    .map((line) => line.split("│").slice(1, -1).map((cell) => cell.trim()))
    .filter((cells) => !cells.includes("Created"));
}

const checkPosts = (server: { requests: { count(m: string, p: string): number } }) =>
  server.requests.count("POST", "/api/quality-checks");

Deno.test("checks import: a repeated --datastore-id imports into that datastore once", async () => {
  await using server = await fake({ data: await withStoreOpsCopy() });
  const run = await runQualytics(
    ["checks", "import", "--datastore-id", "24", "--datastore-id", "24", "-i", STORE_OPS],
    { env: envFor(server) },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(checkPosts(server), 6, "each check created once");
  assert.equal(server.requests.writes().length, 6);
  assert.equal(server.state.checks.values().filter((c) => c.container >= 241).length, 6);
});

Deno.test("checks import: one progress line and one summary row per datastore, in the given order", async () => {
  await using server = await fake({ data: await withStoreOpsCopy() });
  const run = await runQualytics(
    ["checks", "import", "--datastore-id", "24", "--datastore-id", "22", "-i", STORE_OPS],
    { env: envFor(server) },
  );
  assert.equal(run.code, 0, run.stderr);
  const progress = run.stderr.split("\n").filter((line) => line.startsWith("Importing to"));
  assert.deepEqual(progress, ["Importing to datastore 24...", "Importing to datastore 22..."]);
  const summary = run.stderr.slice(run.stderr.indexOf("Import Summary"));
  assert.match(summary, /Datastore ID\s*│\s*Created\s*│\s*Updated/);
  assert.deepEqual(tableRows(summary), [
    ["24", "6", "0", "0", "0", "0"],
    ["22", "0", "0", "6", "0", "0"],
  ]);
  assert.equal(checkPosts(server), 6);
});

Deno.test("checks import: --format json gives one summary entry per datastore", async () => {
  await using server = await fake({ data: await withStoreOpsCopy() });
  const run = await runQualytics(
    [
      "checks",
      "import",
      "--datastore-id",
      "24",
      "--datastore-id",
      "22",
      "-i",
      STORE_OPS,
      "-f",
      "json",
    ],
    { env: envFor(server) },
  );
  assert.equal(run.code, 0, run.stderr);
  const data = JSON.parse(run.stdout);
  assert.deepEqual(data.datastores, [
    {
      datastore_id: 24,
      datastore: "Store Ops Copy",
      created: 6,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      failed: 0,
    },
    {
      datastore_id: 22,
      datastore: "Store Ops",
      created: 0,
      updated: 0,
      unchanged: 6,
      deleted: 0,
      failed: 0,
    },
  ]);
  assert.deepEqual(data.errors, []);
});

Deno.test("checks import --dry-run: [DRY RUN] progress per datastore, plan per datastore in json", async () => {
  await using server = await fake({ data: await withStoreOpsCopy() });
  const args = [
    "checks",
    "import",
    "--datastore-id",
    "22",
    "--datastore-id",
    "24",
    "-i",
    STORE_OPS,
    "--dry-run",
  ];
  const text = await runQualytics(args, { env: envFor(server) });
  assert.equal(text.code, 0, text.stderr);
  const progress = text.stderr.split("\n").filter((line) => line.includes("Importing to"));
  assert.deepEqual(progress, [
    "[DRY RUN] Importing to datastore 22...",
    "[DRY RUN] Importing to datastore 24...",
  ]);
  const json = await runQualytics([...args, "-f", "json"], { env: envFor(server) });
  assert.equal(json.code, 0, json.stderr);
  const plan = JSON.parse(json.stdout);
  assert.deepEqual(plan.datastores, [
    {
      datastore_id: 22,
      datastore: "Store Ops",
      changes: false,
      create: 0,
      update: 0,
      delete: 0,
      unchanged: 6,
      sync: false,
    },
    {
      datastore_id: 24,
      datastore: "Store Ops Copy",
      changes: true,
      create: 6,
      update: 0,
      delete: 0,
      unchanged: 0,
      sync: false,
    },
  ]);
  assert.equal(plan.items.length, 12);
  assert.equal(server.requests.writes().length, 0);
});

Deno.test("checks import: YAML files without rule_type are skipped with one warning", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json")),
  });
  // A config export's datastore folder: _datastore.yaml and _container.yaml are no checks.
  const run = await runQualytics(
    [
      "checks",
      "import",
      "--datastore-id",
      "22",
      "-i",
      STORE_OPS_CONFIG,
      "--dry-run",
      "--detailed-exitcode",
    ],
    { env: envFor(server) },
  );
  assert.equal(run.code, 0, run.stderr);
  const warnings = run.stderr.split("\n").filter((line) => line.includes("Skipped"));
  assert.deepEqual(warnings, [
    "Warning: Skipped 2 YAML file(s) without 'rule_type' (not quality checks): " +
    "_datastore.yaml, containers/visits_with_orders/_container.yaml",
  ]);
  assert.match(run.stderr, /Loaded 6 check definitions/);
  assert.doesNotMatch(run.stderr, /problem/);
  // More than three: the first three and how many more.
  const many = await runQualytics(
    ["checks", "import", "--datastore-id", "21", "-i", RETAIL_DW_CONFIG, "--dry-run"],
    { env: envFor(server) },
  );
  assert.equal(many.code, 0, many.stderr);
  assert.deepEqual(many.stderr.split("\n").filter((line) => line.includes("Skipped")), [
    "Warning: Skipped 5 YAML file(s) without 'rule_type' (not quality checks): " +
    "_datastore.yaml, containers/sales_orders/computed_fields/net_amount_int.yaml, " +
    "containers/sales_orders/computed_fields/order_channel_label.yaml and 2 more",
  ]);
  assert.match(many.stderr, /Loaded 24 check definitions/);
  assert.equal(server.requests.writes().length, 0);
});

Deno.test("checks import: a README.yaml is skipped, invalid YAML and broken checks stay problems", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json")),
  });
  await using tmp = await tempDir();
  const dir = String(tmp);
  await Deno.mkdir(path.join(dir, "stores"));
  await Deno.copyFile(
    path.join(STORE_OPS, "stores", "unique__store_id.yaml"),
    path.join(dir, "stores", "unique__store_id.yaml"),
  );
  await Deno.writeTextFile(path.join(dir, "README.yaml"), "note: hello\n");
  const clean = await runQualytics(
    ["checks", "import", "--datastore-id", "22", "-i", dir],
    { env: envFor(server) },
  );
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(
    clean.stderr,
    /Warning: Skipped 1 YAML file\(s\) without 'rule_type' \(not quality checks\): README\.yaml\n/,
  );
  assert.match(clean.stderr, /Loaded 1 check definitions/);
  // Only README.yaml and no check: nothing to import.
  await Deno.remove(path.join(dir, "stores"), { recursive: true });
  const none = await runQualytics(["checks", "import", "--datastore-id", "22", "-i", dir], {
    env: envFor(server),
  });
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stderr, /README\.yaml/);
  assert.match(none.stderr, /No check YAML files found in /);
  // Invalid YAML, and a check (it has rule_type) without its container: problems as before.
  await Deno.writeTextFile(path.join(dir, "broken.yaml"), "rule_type: [unclosed\n");
  await Deno.writeTextFile(path.join(dir, "nocontainer.yaml"), "rule_type: notNull\nfields: [a]\n");
  const bad = await runQualytics(["checks", "import", "--datastore-id", "22", "-i", dir], {
    env: envFor(server),
  });
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /broken\.yaml:\d+: invalid YAML/);
  assert.match(bad.stderr, /nocontainer\.yaml:1: no 'container' field/);
  assert.doesNotMatch(bad.stderr, /README\.yaml:/);
  assert.match(bad.stderr, /2 problem\(s\) found/);
  assert.equal(server.requests.writes().length, 0);
});

Deno.test("config import: a YAML file without rule_type in checks/ is still a problem", async () => {
  await using tmp = await tempDir();
  const checks = path.join(String(tmp), "datastores", "store_ops", "checks");
  await Deno.mkdir(checks, { recursive: true });
  await Deno.copyFile(
    path.join(STORE_OPS_CONFIG, "_datastore.yaml"),
    path.join(String(tmp), "datastores", "store_ops", "_datastore.yaml"),
  );
  await Deno.writeTextFile(path.join(checks, "README.yaml"), "note: hello\n");
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json")),
  });
  const run = await runQualytics(
    ["config", "plan", "-i", String(tmp), "--include", "checks"],
    { env: envFor(server) },
  );
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /datastores\/store_ops\/checks\/README\.yaml:1: no 'rule_type' field/);
});

Deno.test("checks import: an input that is not a directory exits 1", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json")),
  });
  await using tmp = await tempDir();
  const file = path.join(String(tmp), "check.yaml");
  await Deno.copyFile(path.join(STORE_OPS, "stores", "unique__store_id.yaml"), file);
  for (const input of [file, path.join(String(tmp), "missing")]) {
    for (const dryRun of [[], ["--dry-run"]]) {
      const run = await runQualytics(
        ["checks", "import", "--datastore-id", "22", "-i", input, ...dryRun],
        { env: envFor(server) },
      );
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stderr.trim(), `Error: Input directory not found: ${input}`);
    }
  }
  assert.equal(server.requests.writes().length, 0);
  // The template commands take files, not folders: unaffected.
  const templates = path.join(String(tmp), "templates.yaml");
  await Deno.writeTextFile(templates, "- rule_type: notNull\n  description: Never null\n");
  const imported = await runQualytics(
    ["checks", "import-templates", "--input", templates],
    { env: envFor(server) },
  );
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stderr, /Created a total of 1 check templates\./);
  const out = path.join(String(tmp), "out.yaml");
  const exported = await runQualytics(
    ["checks", "export-templates", "--output", out],
    { env: envFor(server) },
  );
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(await Deno.readTextFile(out), /Never null/);
});
