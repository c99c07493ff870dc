/**
 * `config plan` / `config import --dry-run`: per-resource create / update / delete / unchanged with
 * field-level diffs, JSON on stdout with `--format json`, `--detailed-exitcode`, and no writes.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { envFor, fake } from "../helpers/fake.ts";
import { runQualytics, tempDir } from "../helpers/cli.ts";
import { GOLDEN } from "./golden.ts";
import { copyGolden, SECRETS } from "./import_fixtures.ts";

async function emptyRetail() {
  return await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "empty-server.json")),
  });
}

Deno.test("config plan: an empty target plans creates, writes nothing, exits 2 with --detailed-exitcode", async () => {
  await using server = await emptyRetail();
  const env = { ...envFor(server), ...SECRETS.retail };
  const folder = path.join(GOLDEN, "retail", "config-export");
  const plan = await runQualytics(["config", "plan", "-i", folder, "--format", "json"], { env });
  assert.equal(plan.code, 0, plan.stderr);
  const data = JSON.parse(plan.stdout);
  assert.equal(data.changes, true);
  assert.equal(data.summary.check.create, 32);
  assert.equal(data.summary.connection.create, 2);
  assert.equal(data.syncs.length, 3);
  assert.ok(data.items.every((i: { action: string }) => i.action === "create"));
  const detailed = await runQualytics(
    ["config", "import", "-i", folder, "--dry-run", "--detailed-exitcode"],
    { env },
  );
  assert.equal(detailed.code, 2, detailed.stderr);
  assert.match(detailed.stderr, /DRY RUN/);
  assert.match(
    detailed.stderr,
    /\+ create {2}Retail DW \/ sales_orders \/ sales_orders__between__discount_pct__2/,
  );
  assert.match(
    detailed.stderr,
    /Plan: 43 to create, 0 to update, 0 to delete, 0 unchanged, 3 sync\(s\)\./,
  );
  assert.equal(server.requests.writes().length, 0);
  assert.equal(plan.stdout.includes("retail-pg-prod-password"), false);
});

Deno.test("config plan: field-level diffs for updates; 0 with --detailed-exitcode once applied", async () => {
  await using server = await emptyRetail();
  const env = { ...envFor(server), ...SECRETS.retail };
  await using tmp = await tempDir();
  const root = await copyGolden("retail", String(tmp));
  assert.equal((await runQualytics(["config", "import", "-i", root], { env })).code, 0);

  const check = path.join(root, "datastores/retail_dw/checks/sales_orders/notnull__order_id.yaml");
  const text = await Deno.readTextFile(check);
  await Deno.writeTextFile(check, text.replace("coverage: 1.0", "coverage: 0.9"));
  const ds = path.join(root, "datastores/store_ops/_datastore.yaml");
  await Deno.writeTextFile(
    ds,
    (await Deno.readTextFile(ds)).replace(
      "high_count_rollup_threshold: 10",
      "high_count_rollup_threshold: 20",
    ),
  );
  server.requests.clear();
  const plan = await runQualytics([
    "config",
    "plan",
    "-i",
    root,
    "-f",
    "json",
    "--detailed-exitcode",
  ], {
    env,
  });
  assert.equal(plan.code, 2, plan.stderr);
  const data = JSON.parse(plan.stdout);
  const updates = data.items.filter((i: { action: string }) => i.action === "update");
  assert.deepEqual(updates.map((i: { name: string }) => i.name).sort(), [
    "Store Ops",
    "sales_orders__notnull__order_id",
  ]);
  const checkUpdate = updates.find((i: { kind: string }) => i.kind === "check");
  assert.deepEqual(checkUpdate.changes, [{ field: "coverage", before: 1.0, after: 0.9 }]);
  assert.equal(data.summary.check.unchanged, 31);
  const text2 = await runQualytics(["config", "plan", "-i", root], { env });
  assert.match(text2.stderr, /~ update {2}Store Ops/);
  assert.match(text2.stderr, /high_count_rollup_threshold: 10 → 20/);
  assert.match(text2.stderr, /coverage: 1\.0 → 0\.9/);
  assert.equal(server.requests.writes().length, 0);

  const apply = await runQualytics(["config", "import", "-i", root, "-f", "json"], { env });
  assert.equal(apply.code, 0, apply.stderr);
  const summary = JSON.parse(apply.stdout).summary;
  assert.equal(summary.check.updated, 1);
  assert.equal(summary.datastore.updated, 1);
  assert.deepEqual(
    server.requests.writes().map((w) => w.method).sort(),
    ["PUT", "PUT"],
  );
  const after = await runQualytics(["config", "plan", "-i", root, "--detailed-exitcode"], { env });
  assert.equal(after.code, 0, after.stderr);
});
