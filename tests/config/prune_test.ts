/**
 * `config import --prune`: deletes checks (marked with our UID), computed fields and computed
 * containers that are no longer in the folder, lists them in the plan first, and never touches
 * checks the folder never managed.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { envFor, fake } from "../helpers/fake.ts";
import { runQualytics, tempDir } from "../helpers/cli.ts";
import { GOLDEN } from "./golden.ts";
import { copyGolden, SECRETS } from "./import_fixtures.ts";

const DW = "datastores/retail_dw";

Deno.test("config import --prune: deletes only marked, absent resources, listed in the plan first", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "empty-server.json")),
  });
  const env = { ...envFor(server), ...SECRETS.retail };
  await using tmp = await tempDir();
  const root = await copyGolden("retail", String(tmp));
  assert.equal((await runQualytics(["config", "import", "-i", root], { env })).code, 0);

  await Deno.remove(path.join(root, `${DW}/checks/sales_orders/freshness.yaml`));
  await Deno.remove(
    path.join(root, `${DW}/containers/top_customers_eu/computed_fields/ltv_eur.yaml`),
  );

  // Without --prune nothing is deleted.
  const plain = await runQualytics(["config", "plan", "-i", root, "-f", "json"], { env });
  assert.equal(JSON.parse(plain.stdout).changes, false);

  server.requests.clear();
  const plan = await runQualytics(["config", "plan", "-i", root, "--prune", "-f", "json"], { env });
  assert.equal(plan.code, 0, plan.stderr);
  const items = JSON.parse(plan.stdout).items as { kind: string; action: string; name: string }[];
  const deletes = items.filter((i) => i.action === "delete");
  assert.deepEqual(deletes.map((i) => `${i.kind}:${i.name}`).sort(), [
    "check:sales_orders__freshness",
    "computed_field:ltv_eur",
  ]);
  const firstCheck = items.findIndex((i) => i.kind === "check");
  assert.equal(items[firstCheck].action, "delete", "deletes are listed first");
  const text = await runQualytics(["config", "plan", "-i", root, "--prune"], { env });
  assert.match(text.stderr, /- delete {2}Retail DW \/ sales_orders \/ sales_orders__freshness/);
  assert.equal(server.requests.writes().length, 0);

  const apply = await runQualytics(["config", "import", "-i", root, "--prune", "-f", "json"], {
    env,
  });
  assert.equal(apply.code, 0, apply.stderr);
  const summary = JSON.parse(apply.stdout).summary;
  assert.equal(summary.check.deleted, 1);
  assert.equal(summary.computed_field.deleted, 1);
  assert.deepEqual(server.requests.writes().map((w) => w.method), ["DELETE", "DELETE"]);
  const active = server.state.checks.values().filter((c) => !c.deleted_at);
  assert.equal(active.length, 31);
  assert.equal(server.state.computedFields.values().length, 2);

  // Converged: a second prune run changes nothing.
  const again = await runQualytics(
    ["config", "plan", "-i", root, "--prune", "--detailed-exitcode"],
    {
      env,
    },
  );
  assert.equal(again.code, 0, again.stderr);

  // Putting the file back restores the archived check instead of creating a second one.
  await Deno.copyFile(
    path.join(GOLDEN, "retail/config-export", `${DW}/checks/sales_orders/freshness.yaml`),
    path.join(root, `${DW}/checks/sales_orders/freshness.yaml`),
  );
  const restore = await runQualytics(["config", "import", "-i", root, "-f", "json"], { env });
  assert.equal(restore.code, 0, restore.stderr);
  assert.equal(JSON.parse(restore.stdout).summary.check.updated, 1);
  assert.equal(server.state.checks.values().length, 32);
});

Deno.test("config import --prune: checks made in the UI (no UID marker) are never deleted", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json")),
  });
  const env = { ...envFor(server), ...SECRETS.retail };
  await using tmp = await tempDir();
  const root = await copyGolden("retail", String(tmp));
  await Deno.remove(path.join(root, `${DW}/checks/sales_orders/freshness.yaml`));
  const run = await runQualytics([
    "config",
    "import",
    "-i",
    root,
    "--prune",
    "--include",
    "checks",
    "-f",
    "json",
  ], {
    env,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).summary.check.deleted, 0);
  assert.equal(server.requests.count("DELETE"), 0);
});
