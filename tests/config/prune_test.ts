/**
 * `config import --prune`: deletes checks (marked with our UID), computed fields and computed
 * containers (marked `_qualytics_managed` by the import) that are no longer in the folder, lists
 * them in the plan first, and never touches objects the folder never managed.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { envFor, fake } from "../helpers/fake.ts";
import { runQualytics, tempDir } from "../helpers/cli.ts";
import { api } from "../testing/_helpers.ts";
import { GOLDEN, snapshot } from "./golden.ts";
import { copyGolden, importedRetail, SECRETS } from "./import_fixtures.ts";

const DW = "datastores/retail_dw";

Deno.test("config import --prune: deletes only marked, absent resources, listed in the plan first", async () => {
  await using tmp = await tempDir();
  const { server, env, root } = await importedRetail(String(tmp));
  await using _server = server;

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

const ENRICH = "datastores/dq_enrichment";

Deno.test("config import --prune: computed containers and fields made in the UI survive; imported ones go", async () => {
  await using tmp = await tempDir();
  const { server, env, root } = await importedRetail(String(tmp));
  await using _server = server;
  const dq = server.state.datastores.values().find((d) => d.name === "DQ Enrichment")!;
  const posExports = server.state.containers.values().find((c) => c.name === "pos_exports")!;
  const salesOrders = server.state.containers.values().find((c) => c.name === "sales_orders")!;
  // Made in the UI: no marker, never in the folder.
  const uiContainer = await api(server, "POST", "/api/containers", {
    body: {
      container_type: "computed_file",
      name: "pos_exports_ui",
      datastore_id: dq.id,
      source_container_id: posExports.id,
      select_clause: "store_id",
      additional_metadata: { owner: "ui" },
    },
  });
  assert.equal(uiContainer.status, 200, uiContainer.text);
  const uiField = await api(server, "POST", "/api/computed-fields", {
    body: {
      name: "ui_amount",
      container_id: salesOrders.id,
      transformation: "customExpression",
      source_fields: null,
      properties: { column_expression: "net_amount * 2" },
    },
  });
  assert.equal(uiField.status, 200, uiField.text);

  // The imported ones carry the marker on the server.
  const imported = server.state.containers.values().find((c) => c.name === "pos_exports_clean")!;
  assert.equal(imported.additional_metadata._qualytics_managed, true);
  assert.equal(imported.additional_metadata.format, "csv");

  // Remove an imported computed container (and its checks) and an imported computed field.
  await Deno.remove(path.join(root, `${ENRICH}/containers/pos_exports_clean`), { recursive: true });
  await Deno.remove(path.join(root, `${ENRICH}/checks/pos_exports_clean`), { recursive: true });
  await Deno.remove(
    path.join(root, `${DW}/containers/sales_orders/computed_fields/net_amount_int.yaml`),
  );

  server.requests.clear();
  const plan = await runQualytics(["config", "plan", "-i", root, "--prune", "-f", "json"], { env });
  assert.equal(plan.code, 0, plan.stderr);
  const items = JSON.parse(plan.stdout).items as { kind: string; action: string; name: string }[];
  const deletes = items.filter((i) => i.action === "delete");
  assert.deepEqual(deletes.map((i) => `${i.kind}:${i.name}`).sort(), [
    "check:pos_exports_clean__istype__amount",
    "computed_field:net_amount_int",
    "container:pos_exports_clean",
  ]);
  for (const kind of ["container", "computed_field"]) {
    const first = items.find((i) => i.kind === kind)!;
    assert.equal(first.action, "delete", `${kind} deletes are listed first`);
  }
  assert.equal(server.requests.writes().length, 0);

  const apply = await runQualytics(["config", "import", "-i", root, "--prune", "-f", "json"], {
    env,
  });
  assert.equal(apply.code, 0, apply.stderr);
  const summary = JSON.parse(apply.stdout).summary;
  assert.equal(summary.container.deleted, 1);
  assert.equal(summary.computed_field.deleted, 1);
  const names = server.state.containers.values().map((c) => c.name);
  assert.ok(!names.includes("pos_exports_clean"));
  assert.ok(names.includes("pos_exports_ui"), "the UI-made computed container survives");
  const fields = server.state.computedFields.values().map((f) => f.name);
  assert.ok(!fields.includes("net_amount_int"));
  assert.ok(fields.includes("ui_amount"), "the UI-made computed field survives");

  // Converged: the survivors stay, nothing more to do.
  const again = await runQualytics(
    ["config", "plan", "-i", root, "--prune", "--detailed-exitcode"],
    { env },
  );
  assert.equal(again.code, 0, again.stderr);
});

Deno.test("config import --prune: objects made without config import are neither marked nor pruned", async () => {
  // The source server's objects were made without config import (no marker).
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json")),
  });
  const env = { ...envFor(server), ...SECRETS.retail };
  await using tmp = await tempDir();
  const root = await copyGolden("retail", String(tmp));
  await Deno.remove(path.join(root, `${ENRICH}/containers/pos_exports_clean`), { recursive: true });
  await Deno.remove(path.join(root, `${ENRICH}/checks/pos_exports_clean`), { recursive: true });
  await Deno.remove(
    path.join(root, `${DW}/containers/sales_orders/computed_fields/net_amount_int.yaml`),
  );
  const run = await runQualytics(["config", "import", "-i", root, "--prune", "-f", "json"], {
    env,
  });
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout).summary;
  assert.equal(summary.container.deleted, 0);
  assert.equal(summary.computed_field.deleted, 0);
  assert.equal(summary.container.updated, 0);
  assert.equal(summary.computed_field.updated, 0);
  // Unchanged objects are not written just to add the marker, and unmarked ones are not pruned.
  assert.deepEqual(server.requests.writes().map((w) => `${w.method} ${w.path}`), []);
  const kept = server.state.containers.values().find((c) => c.name === "pos_exports_clean")!;
  assert.equal(kept.additional_metadata._qualytics_managed, undefined);
  const top = server.state.containers.values().find((c) => c.name === "Top Customers (EU)")!;
  assert.equal(top.additional_metadata._qualytics_managed, undefined);
});

Deno.test("config export: files never contain the managed marker", async () => {
  await using tmp = await tempDir();
  const { server, env } = await importedRetail(path.join(String(tmp), "in"));
  await using _server = server;
  const marked = server.state.computedFields.values().filter((f) =>
    f.additional_metadata?._qualytics_managed !== undefined
  );
  assert.equal(marked.length, 3, "every imported computed field is marked");
  const ids = server.state.datastores.values().flatMap((d) => ["--datastore-id", String(d.id)]);
  const out = path.join(String(tmp), "out");
  const run = await runQualytics(["config", "export", ...ids, "--output", out], { env });
  assert.equal(run.code, 0, run.stderr);
  const files = await snapshot(out);
  assert.ok(files.size > 0);
  for (const [file, text] of files) {
    assert.ok(!text.includes("_qualytics_managed"), `${file} shows the marker`);
  }
});

Deno.test("config import --prune: a computed container that folder files still use is not deleted", async () => {
  await using tmp = await tempDir();
  const { server, env, root } = await importedRetail(String(tmp));
  await using _server = server;
  // The container's definition is gone, its checks are still in the folder.
  await Deno.remove(path.join(root, `${ENRICH}/containers/pos_exports_clean`), { recursive: true });

  server.requests.clear();
  for (const command of ["plan", "import"]) {
    const run = await runQualytics(["config", command, "-i", root, "--prune"], { env });
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `${ENRICH}/checks/pos_exports_clean/istype__amount\\.yaml.*Referenced container ` +
          `'pos_exports_clean' \\(container\\) in datastore 'DQ Enrichment' would be deleted by --prune`,
      ),
    );
  }
  assert.equal(server.requests.writes().length, 0);
  assert.ok(server.state.containers.values().some((c) => c.name === "pos_exports_clean"));

  // Without --prune the container stays on the target and the folder is in sync with it.
  const plain = await runQualytics(["config", "plan", "-i", root, "--detailed-exitcode"], { env });
  assert.equal(plain.code, 0, plain.stderr);
});
