/**
 * `config import` validates the whole folder first: every problem is reported together (file and
 * line), the exit code is 1 and not a single write request reaches the server.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { envFor, fake } from "../helpers/fake.ts";
import { runQualytics, tempDir } from "../helpers/cli.ts";
import { GOLDEN } from "./golden.ts";
import { copyGolden, SECRETS } from "./import_fixtures.ts";

async function write(root: string, file: string, text: string): Promise<void> {
  await Deno.mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await Deno.writeTextFile(path.join(root, file), text);
}

Deno.test("config import: a folder with many kinds of bad input reports them all and writes nothing", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "empty-server.json")),
  });
  await using tmp = await tempDir();
  const root = await copyGolden("retail", String(tmp));
  const dw = "datastores/retail_dw";
  // 1. YAML syntax error
  await write(root, "connections/broken.yaml", "name: Broken\ntype: [postgresql\n");
  // 2. a connection without a name
  await write(root, "connections/anonymous.yaml", "type: postgresql\nhost: h\n");
  // 3. unresolved ${VAR}s: the golden connections' placeholders are not set (all listed)
  // 4. trigger_catalog
  await write(
    root,
    "datastores/store_ops/_datastore.yaml",
    (await Deno.readTextFile(path.join(root, "datastores/store_ops/_datastore.yaml"))) +
      "trigger_catalog: true\n",
  );
  // 5. unknown connection and 6. unknown enrichment datastore
  await write(
    root,
    "datastores/ghost/_datastore.yaml",
    "connection_name: Nowhere\nenrich_datastore_name: No Such Enrichment\nname: Ghost\n",
  );
  // 7. wrong type (with its line)
  await write(
    root,
    `${dw}/checks/products/notnull__sku.yaml`,
    "rule_type: notNull\ncontainer: products\nfields: sku\ncoverage: high\n",
  );
  // 8. a check without rule_type
  await write(root, `${dw}/checks/products/norule.yaml`, "container: products\nfields: []\n");
  // 9. a check without container
  await write(root, `${dw}/checks/products/nocontainer.yaml`, "rule_type: notNull\nfields: [a]\n");
  // 10. a reference to a datastore that neither the folder nor the target has
  await write(
    root,
    `${dw}/checks/products/existsin__sku.yaml`,
    "rule_type: existsIn\ncontainer: products\nfields: [sku]\nproperties:\n" +
      "  field_name: sku\n  ref_container_name: skus\n  ref_datastore_name: Nowhere DS\n",
  );
  // 11. a _container.yaml of a table that tries to set more than the name it gives the folder
  await write(
    root,
    `${dw}/containers/plain/_container.yaml`,
    "name: plain\ncontainer_type: table\nquery: SELECT 1\n",
  );
  // 12. a computed field without transformation
  await write(root, `${dw}/containers/products/computed_fields/x.yaml`, "name: x\n");
  // 13. not a mapping
  await write(root, `${dw}/checks/products/list.yaml`, "- rule_type: notNull\n");
  // 14. a check moved... no: a missing _datastore.yaml under a folder with checks
  await write(
    root,
    "datastores/orphan/checks/t/notnull__a.yaml",
    "rule_type: notNull\ncontainer: t\nfields: [a]\n",
  );

  // (An invalid --include is a usage error reported before the folder is read: import_input_test.)
  const run = await runQualytics(
    [
      "config",
      "import",
      "-i",
      root,
      "--include",
      "checks,datastores,connections,containers,computed_fields",
    ],
    { env: envFor(server) },
  );
  assert.equal(run.code, 1);
  assert.equal(server.requests.writes().length, 0, "no write request");
  const expected = [
    /connections\/broken\.yaml:3: invalid YAML/,
    /connections\/anonymous\.yaml:1: no 'name' field/,
    /connections\/retail_lake\.yaml:\d+: Unresolved environment variable\(s\): RETAIL_LAKE_ACCESS_KEY, RETAIL_LAKE_SECRET_KEY/,
    /connections\/retail_pg_prod\.yaml:11: Unresolved environment variable\(s\): RETAIL_PG_PROD_PASSWORD/,
    /store_ops\/_datastore\.yaml:\d+: 'trigger_catalog' is no longer supported; use 'trigger_sync'/,
    /Connection 'Nowhere' not found for datastore 'Ghost'/,
    /Enrichment datastore 'No Such Enrichment' not found/,
    /notnull__sku\.yaml:3: 'fields' must be a list of strings, got "sku"/,
    /notnull__sku\.yaml:4: 'coverage' must be a number, got "high"/,
    /norule\.yaml:1: no 'rule_type' field/,
    /nocontainer\.yaml:1: no 'container' field/,
    /existsin__sku\.yaml: Referenced datastore 'Nowhere DS' not found/,
    /plain\/_container\.yaml:3: 'query' cannot be set here: the _container\.yaml of a table only names the table/,
    /computed_fields\/x\.yaml:1: no 'transformation' field/,
    /list\.yaml:1: expected a mapping/,
    /orphan\/_datastore\.yaml: missing/,
  ];
  for (const pattern of expected) assert.match(run.stderr, pattern);
  assert.match(run.stderr, /problem\(s\) found in the input; nothing was written/);
  // The problem count covers each of them.
  const count = Number(/(\d+) problem\(s\) found/.exec(run.stderr)![1]);
  assert.ok(count >= expected.length, `${count} problems`);
});

Deno.test("config import: a missing input folder exits 1 before any request", async () => {
  await using server = await fake({ seed: "empty" });
  const run = await runQualytics(["config", "import", "-i", "/nonexistent/folder"], {
    env: envFor(server),
  });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Input directory not found: \/nonexistent\/folder/);
  assert.equal(server.requests.length, 0);
});

Deno.test("config import: --sync never turns a container the target lacks into a problem", async () => {
  const data = await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json"));
  await using server = await fake({ data });
  await using tmp = await tempDir();
  const root = await copyGolden("retail", String(tmp));
  await write(
    root,
    "datastores/retail_dw/checks/missing_table/notnull__a.yaml",
    "rule_type: notNull\ncontainer: missing_table\nfields: [a]\n",
  );
  const env = {
    ...envFor(server),
    RETAIL_LAKE_ACCESS_KEY: "a",
    RETAIL_LAKE_SECRET_KEY: "b",
    RETAIL_PG_PROD_PASSWORD: "c",
  };
  const never = await runQualytics(["config", "plan", "-i", root, "--sync", "never"], { env });
  assert.equal(never.code, 1);
  assert.match(never.stderr, /Referenced container 'missing_table' \(container\) not found/);
  const auto = await runQualytics(["config", "plan", "-i", root], { env });
  assert.equal(auto.code, 0, auto.stderr);
  assert.match(auto.stderr, /sync +Retail DW +\(containers not discovered yet: missing_table\)/);
  assert.equal(server.requests.writes().length, 0);
});

Deno.test("config import: a broken file is reported once, not again through what refers to it", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "minimal", "empty-server.json")),
  });
  await using tmp = await tempDir();
  const root = await copyGolden("minimal", String(tmp));
  // The placeholders of lake_s3.yaml are left unset; prod_pg.yaml is not even YAML.
  await write(root, "connections/prod_pg.yaml", "name: [unclosed\n");
  const check = "datastores/sales_warehouse/checks/orders/notnull__order_id.yaml";
  const text = await Deno.readTextFile(path.join(root, check));
  await write(root, check, text.replace(/^rule_type: .*$/m, "rule_type: 42"));

  const result = await runQualytics(["config", "import", "-i", root], {
    env: envFor(server),
    cwd: String(tmp),
  });
  assert.equal(result.code, 1);
  const errors = result.stderr.split("\n").filter((line) => line.startsWith("Error: "));
  assert.equal(errors.filter((line) => line.includes("notnull__order_id.yaml")).length, 1);
  assert.ok(!errors.some((line) => line.includes("Connection 'Lake S3' not found")));
  assert.ok(
    errors.some((line) =>
      line.includes("Connection 'Prod PG' not found") && line.includes("could not be read")
    ),
  );
  assert.match(result.stderr, /4 problem\(s\) found in the input; nothing was written/);
  assert.equal(server.requests.writes().length, 0);
});

Deno.test("config import: --sync never into an instance without the datastore is a problem, not a half import", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "empty-server.json")),
  });
  await using tmp = await tempDir();
  const root = await copyGolden("retail", String(tmp));
  const env = { ...envFor(server), ...SECRETS.retail };
  for (const command of ["plan", "import"]) {
    const run = await runQualytics(["config", command, "-i", root, "--sync", "never"], { env });
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /Referenced container 'sales_orders' \(container\) not found in datastore 'Retail DW' \(the datastore is created in this run: only a sync discovers its containers, and --sync never\)/,
    );
  }
  assert.equal(server.requests.writes().length, 0);
  const auto = await runQualytics(["config", "plan", "-i", root], { env });
  assert.equal(auto.code, 0, auto.stderr);
});

Deno.test("config import: two folders for one datastore, or two files for one computed field, are problems", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "empty-server.json")),
  });
  await using tmp = await tempDir();
  const root = await copyGolden("retail", String(tmp));
  const env = { ...envFor(server), ...SECRETS.retail };
  assert.equal((await runQualytics(["config", "import", "-i", root], { env })).code, 0);
  const fields = "datastores/retail_dw/containers/sales_orders/computed_fields";
  await Deno.copyFile(
    path.join(root, fields, "net_amount_int.yaml"),
    path.join(root, fields, "net_amount_int_copy.yaml"),
  );
  // A second folder naming Retail DW, with one check: it would prune what only the first holds.
  await Deno.mkdir(path.join(root, "datastores/zz_copy/checks/sales_orders"), { recursive: true });
  await Deno.copyFile(
    path.join(root, "datastores/retail_dw/_datastore.yaml"),
    path.join(root, "datastores/zz_copy/_datastore.yaml"),
  );
  await Deno.copyFile(
    path.join(root, "datastores/retail_dw/checks/sales_orders/freshness.yaml"),
    path.join(root, "datastores/zz_copy/checks/sales_orders/freshness.yaml"),
  );
  server.requests.clear();
  const run = await runQualytics(["config", "import", "-i", root, "--prune"], { env });
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /datastores\/zz_copy\/_datastore\.yaml:1: datastore 'Retail DW' is also defined in datastores\/retail_dw\/_datastore\.yaml/,
  );
  assert.match(
    run.stderr,
    /net_amount_int_copy\.yaml:\d+: computed field 'net_amount_int' of container 'sales_orders' is also defined in datastores\/retail_dw\/containers\/sales_orders\/computed_fields\/net_amount_int\.yaml/,
  );
  assert.equal(server.requests.writes().length, 0);
});

Deno.test("config import: --include without datastores into an instance that lacks them is a problem", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "empty-server.json")),
  });
  await using tmp = await tempDir();
  const root = await copyGolden("retail", String(tmp));
  const env = { ...envFor(server), ...SECRETS.retail };
  const run = await runQualytics(["config", "import", "-i", root, "--include", "checks"], { env });
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /datastores\/retail_dw\/_datastore\.yaml: Datastore 'Retail DW' does not exist on the target \(and --include leaves out datastores\)/,
  );
  assert.equal(server.requests.writes().length, 0);
});

Deno.test("config import: a rule type the target does not know is a problem; known ones cost no request", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "empty-server.json")),
  });
  await using tmp = await tempDir();
  const root = await copyGolden("retail", String(tmp));
  const env = { ...envFor(server), ...SECRETS.retail };
  const checks = path.join(root, "datastores/retail_dw/checks/sales_orders");
  await write(
    root,
    "datastores/retail_dw/checks/sales_orders/cased.yaml",
    "rule_type: NotNull\ncontainer: sales_orders\nfields:\n- order_id\n",
  );
  await write(
    root,
    "datastores/retail_dw/checks/sales_orders/bogus.yaml",
    "rule_type: bogusRule\ncontainer: sales_orders\nfields:\n- order_id\n",
  );
  const specs = "/api/quality-checks/specifications/rules";
  const run = await runQualytics(["config", "plan", "-i", root], { env });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /cased\.yaml: unknown rule_type 'NotNull': did you mean 'notNull'\?/);
  assert.match(
    run.stderr,
    /bogus\.yaml: unknown rule_type 'bogusRule' \(the target's rule types: afterDateTime, .*notNull, /,
  );
  assert.equal(server.requests.count("GET", specs), 1);
  assert.equal(server.requests.writes().length, 0);

  // Once every rule type of the folder is on the target, the specifications are not read.
  await Deno.remove(path.join(checks, "cased.yaml"));
  await Deno.remove(path.join(checks, "bogus.yaml"));
  assert.equal((await runQualytics(["config", "import", "-i", root], { env })).code, 0);
  server.requests.clear();
  const again = await runQualytics(["config", "plan", "-i", root, "--detailed-exitcode"], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(server.requests.count("GET", specs), 0);
});
