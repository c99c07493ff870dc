/**
 * End-to-end tests of `qualytics containers` against the fake controlplane.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import ExcelJS from "exceljs";
import { parse as parseYaml } from "yaml";
import { runQualytics, tempDir } from "../helpers/cli.ts";
import { envFor, fake } from "../helpers/fake.ts";

Deno.test("containers create: computed_table POST then description/tags PUT", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const run = await runQualytics([
    "containers",
    "create",
    "-t",
    "computed_table",
    "-n",
    "big_orders",
    "--datastore-id",
    "1",
    "-q",
    "SELECT order_id, total_amount FROM orders",
    "-d",
    "Big ones",
    "--tags",
    "curated",
    "-f",
    "json",
  ], { env });
  assert.equal(run.code, 0, run.stderr);
  const [post] = server.requests.filter("POST", "/api/containers");
  assert.deepEqual(post.body, {
    container_type: "computed_table",
    name: "big_orders",
    datastore_id: 1,
    query: "SELECT order_id, total_amount FROM orders",
    description: "Big ones",
    tags: ["curated"],
  });
  const created = JSON.parse(run.stdout);
  const [put] = server.requests.filter("PUT", `/api/containers/${created.id}`);
  assert.deepEqual(put.body, {
    container_type: "computed_table",
    name: "big_orders",
    query: "SELECT order_id, total_amount FROM orders",
    description: "Big ones",
    tags: ["curated"],
  });
  assert.equal(created.description, "Big ones");
  assert.match(run.stderr, /Container created successfully!/);
});

Deno.test("containers create --dry-run: computed_join payload, no request", async () => {
  const run = await runQualytics([
    "containers",
    "create",
    "--type",
    "computed_join",
    "--name",
    "oc",
    "--left-container-id",
    "1",
    "--right-container-id",
    "2",
    "--left-key-field",
    "customer_id",
    "--right-key-field",
    "customer_id",
    "--select-clause",
    "left.order_id, right.email",
    "--join-type",
    "left",
    "--dry-run",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(parseYaml(run.stdout), {
    container_type: "computed_join",
    name: "oc",
    left_container_id: 1,
    right_container_id: 2,
    left_join_field_name: "customer_id",
    right_join_field_name: "customer_id",
    select_clause: "left.order_id, right.email",
    join_type: "left",
  });
});

Deno.test("containers create: usage errors exit 2 without requests", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const bad = await runQualytics(["containers", "create", "-t", "table", "-n", "x"], { env });
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /--type must be one of: computed_file, computed_join, computed_table\./,
  );
  const missing = await runQualytics(
    ["containers", "create", "-t", "computed_table", "-n", "x", "--datastore-id", "1"],
    { env },
  );
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--query is required for computed_table/);
  const join = await runQualytics(
    ["containers", "create", "-t", "computed_join", "-n", "x", "--join-type", "cross"],
    { env },
  );
  assert.equal(join.code, 2);
  assert.match(join.stderr, /--join-type must be one of: full, inner, left, right\./);
  assert.equal(server.requests.length, 0);
  const dup = await runQualytics(
    [
      "containers",
      "create",
      "-t",
      "computed_table",
      "-n",
      "orders",
      "--datastore-id",
      "1",
      "-q",
      "SELECT 1 FROM t",
    ],
    { env },
  );
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /409/);
});

Deno.test("containers update: 409 on dropped fields, then --force-drop-fields", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const args = ["containers", "update", "--id", "7", "-q", "SELECT order_id FROM orders"];
  const refused = await runQualytics(args, { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /409 Conflict/);
  assert.match(refused.stderr, /Re-run with --force-drop-fields to proceed\./);
  assert.match(refused.stderr, /total_amount/);
  assert.equal(refused.stdout, "");
  server.requests.clear();
  const forced = await runQualytics([...args, "--force-drop-fields", "-f", "json"], { env });
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(server.requests.count("GET", "/api/containers/7"), 1);
  const [put] = server.requests.filter("PUT", "/api/containers/7");
  assert.deepEqual(put.body, {
    container_type: "computed_table",
    name: "high_value_orders",
    query: "SELECT order_id FROM orders",
    force_drop_fields: true,
  });
  assert.equal(JSON.parse(forced.stdout).query, "SELECT order_id FROM orders");
});

Deno.test("containers update: keeps the definition of a computed_file; errors", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const run = await runQualytics(["containers", "update", "--id", "12", "-n", "good_leads"], {
    env,
  });
  assert.equal(run.code, 0, run.stderr);
  const [put] = server.requests.filter("PUT", "/api/containers/12");
  assert.deepEqual(put.body, {
    container_type: "computed_file",
    source_container_id: 11,
    where_clause: "score >= 50",
    name: "good_leads",
    select_clause: "lead_id, email, company, score",
  });
  server.requests.clear();
  const empty = await runQualytics(["containers", "update", "--id", "12"], { env });
  assert.equal(empty.code, 2);
  assert.equal(server.requests.length, 0);
  const missing = await runQualytics(["containers", "update", "--id", "999", "-n", "x"], { env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Container with ID 999 not found\./);
});

Deno.test("containers get: with --profiles, and 404", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const run = await runQualytics(["containers", "get", "--id", "1", "--profiles", "-f", "json"], {
    env,
  });
  assert.equal(run.code, 0, run.stderr);
  const container = JSON.parse(run.stdout);
  assert.equal(container.name, "orders");
  assert.ok(container.field_profiles.some((p: { name: string }) => p.name === "order_id"));
  assert.equal(server.requests.count("GET", "/api/containers/1/field-profiles"), 1);
  const plain = await runQualytics(["containers", "get", "--id", "1"], { env });
  assert.equal(parseYaml(plain.stdout).field_profiles, undefined);
  const missing = await runQualytics(["containers", "get", "--id", "404"], { env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Container with ID 404 not found\./);
});

Deno.test("containers list: filters, formats, bad type", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const run = await runQualytics(
    [
      "containers",
      "list",
      "--datastore-id",
      "1",
      "-t",
      "computed_table,computed_join",
      "-f",
      "json",
    ],
    { env },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout).map((c: { id: number }) => c.id), [7, 8]);
  const [list] = server.requests.filter("GET", "/api/containers");
  assert.deepEqual(list.query.datastore, ["1"]);
  assert.deepEqual(list.query.container_type, ["computed_table", "computed_join"]);
  const table = await runQualytics(
    ["containers", "list", "--datastore-id", "1", "--format", "table", "--search", "order"],
    { env },
  );
  assert.equal(table.code, 0);
  assert.match(table.stdout, /order_items/);
  server.requests.clear();
  const bad = await runQualytics(["containers", "list", "--datastore-id", "1", "--type", "foo"], {
    env,
  });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Invalid container type\(s\): foo\./);
  assert.equal(server.requests.length, 0);
  const missing = await runQualytics(["containers", "list"], { env });
  assert.equal(missing.code, 2);
});

Deno.test("containers delete: success and 404", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const run = await runQualytics(["containers", "delete", "--id", "7"], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(server.requests.count("DELETE", "/api/containers/7"), 1);
  assert.deepEqual(parseYaml(run.stdout), {
    success: true,
    message: "Container deleted successfully",
  });
  const again = await runQualytics(["containers", "delete", "--id", "7"], { env });
  assert.equal(again.code, 1);
});

Deno.test("containers validate: valid exits 0, invalid exits 1", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const ok = await runQualytics(
    [
      "containers",
      "validate",
      "-t",
      "computed_table",
      "--datastore-id",
      "1",
      "-q",
      "SELECT order_id FROM orders",
      "--timeout",
      "30",
    ],
    { env },
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(parseYaml(ok.stdout), { valid: true });
  const [post] = server.requests.filter("POST", "/api/containers/validate");
  assert.deepEqual(post.query.timeout_seconds, ["30"]);
  assert.deepEqual(post.body, {
    container: {
      container_type: "computed_table",
      name: "validation_test",
      datastore_id: 1,
      query: "SELECT order_id FROM orders",
    },
  });
  const bad = await runQualytics(
    [
      "containers",
      "validate",
      "-t",
      "computed_table",
      "--datastore-id",
      "1",
      "-q",
      "not sql",
      "-f",
      "json",
    ],
    { env },
  );
  assert.equal(bad.code, 1);
  assert.equal(JSON.parse(bad.stdout).valid, false);
  assert.match(bad.stderr, /Validation failed/);
  const usage = await runQualytics([
    "containers",
    "validate",
    "-t",
    "computed_file",
    "--datastore-id",
    "1",
  ], {
    env,
  });
  assert.equal(usage.code, 2);
});

async function writeWorkbook(file: string, rows: unknown[][]): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("Definitions");
  for (const row of rows) sheet.addRow(row);
  const buffer = await workbook.xlsx.writeBuffer();
  await Deno.writeFile(file, new Uint8Array(buffer as ArrayBuffer));
}

Deno.test("containers import: xlsx creates tables and checks; re-import skips", async () => {
  await using tmp = await tempDir();
  const dir = String(tmp);
  const file = path.join(dir, "defs.xlsx");
  await writeWorkbook(file, [
    ["Name", "Description", "Query"],
    ["late_orders_SF", "Orders shipped late", "SELECT order_id, upper(status) FROM orders"],
    ["no_query", "skipped", ""],
  ]);
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const run = await runQualytics(
    [
      "containers",
      "import",
      "--datastore",
      "1",
      "--input",
      file,
      "--as-active",
      "--tags",
      "dq;imported",
    ],
    { env, home: dir },
  );
  assert.equal(run.code, 0, run.stderr);
  const [post] = server.requests.filter("POST", "/api/containers");
  const body = post.body as Record<string, any>;
  assert.equal(body.name, "ct_late_orders_SF");
  assert.equal(body.datastore_id, 1);
  assert.equal(body.query, "SELECT order_id, upper(status) AS expr_1 FROM orders");
  assert.equal(body.additional_metadata.rule_id, "late_orders");
  const [check] = server.requests.filter("POST", "/api/quality-checks");
  const checkBody = check.body as Record<string, any>;
  assert.equal(checkBody.rule, "satisfiesExpression");
  assert.equal(checkBody.status, "Active");
  assert.deepEqual(checkBody.tags, ["dq", "imported"]);
  assert.deepEqual(checkBody.fields, ["order_id", "expr_1"]);
  assert.equal(checkBody.properties.expression, "`order_id` IS NULL AND `expr_1` IS NULL");
  const summary = parseYaml(run.stdout);
  assert.equal(summary.computed_tables_created, 1);
  assert.equal(summary.checks_created, 1);
  assert.match(run.stderr, /Row 3: 'no_query' has empty query, skipping\./);
  const log = await Deno.readTextFile(
    path.join(
      dir,
      ".qualytics",
      (await Array.fromAsync(Deno.readDir(path.join(dir, ".qualytics"))))
        .find((e) => e.name.startsWith("computed-table-import-errors-"))!.name,
    ),
  );
  assert.match(log, /no_query/);

  server.requests.clear();
  const again = await runQualytics(
    ["containers", "import", "--datastore", "1", "--input", file],
    {
      env,
      home: dir,
    },
  );
  assert.equal(again.code, 0, again.stderr);
  assert.equal(server.requests.writes().length, 0);
  assert.equal(parseYaml(again.stdout).computed_tables_skipped, 1);
});

Deno.test("containers import: csv dry-run writes nothing; bad input exits 1", async () => {
  await using tmp = await tempDir();
  const dir = String(tmp);
  const csv = path.join(dir, "defs.csv");
  await Deno.writeTextFile(
    csv,
    'name,description,query\nhigh_value_orders_x,"Say ""hi""",SELECT * FROM orders\n',
  );
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const dry = await runQualytics(
    [
      "containers",
      "import",
      "--datastore",
      "1",
      "--input",
      csv,
      "--dry-run",
      "--prefix",
      "",
      "-f",
      "json",
    ],
    { env, home: dir },
  );
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(JSON.parse(dry.stdout), {
    dry_run: true,
    tables: [{
      computed_table_name: "high_value_orders_x",
      status: "create",
      description: 'Say "hi"',
      check: "satisfiesExpression",
    }],
  });
  assert.equal(server.requests.writes().length, 0);

  const empty = path.join(dir, "empty.csv");
  await Deno.writeTextFile(empty, "name,description,query\nonly_name,,\n");
  const invalid = await runQualytics([
    "containers",
    "import",
    "--datastore",
    "1",
    "--input",
    empty,
  ], {
    env,
    home: dir,
  });
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /No valid records to import after validation\./);

  const unsupported = await runQualytics(
    ["containers", "import", "--datastore", "1", "--input", path.join(dir, "x.json")],
    { env, home: dir },
  );
  assert.equal(unsupported.code, 1);
  assert.match(unsupported.stderr, /Unsupported file format: \.json/);
  const absent = await runQualytics(
    ["containers", "import", "--datastore", "1", "--input", path.join(dir, "absent.csv")],
    { env, home: dir },
  );
  assert.equal(absent.code, 1);
  assert.match(absent.stderr, /File not found/);
});

Deno.test("containers import: a failed create exits 1 and is logged", async () => {
  await using tmp = await tempDir();
  const dir = String(tmp);
  const csv = path.join(dir, "defs.csv");
  await Deno.writeTextFile(csv, "name,description,query\nbroken,,not a query\n");
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const run = await runQualytics(
    ["containers", "import", "--datastore", "1", "--input", csv, "--skip-profile-wait"],
    { env, home: dir },
  );
  assert.equal(run.code, 1);
  const summary = parseYaml(run.stdout);
  assert.equal(summary.computed_tables_failed, 1);
  assert.match(run.stderr, /Failed to create computed table: ct_broken/);
  const log = await Deno.readTextFile(summary.error_log);
  assert.match(log, /Failed to create computed table 'ct_broken': 400/);
});

Deno.test("containers preview: txt and xlsx, no configuration needed", async () => {
  await using tmp = await tempDir();
  const dir = String(tmp);
  const txt = path.join(dir, "defs.txt");
  await Deno.writeTextFile(
    txt,
    "name\tdescription\tquery\na\tfirst\tSELECT 1 FROM t\nb\t\tSELECT 2 FROM t\na\tagain\tSELECT 3 FROM t\n",
  );
  const run = await runQualytics(["containers", "preview", "--input", txt, "--limit", "2"]);
  assert.equal(run.code, 0, run.stderr);
  const preview = parseYaml(run.stdout);
  assert.equal(preview.records, 3);
  assert.deepEqual(preview.duplicates, [{ name: "a", rows: [2, 4] }]);
  assert.deepEqual(preview.preview[1], {
    row: 3,
    computed_table_name: "ct_b",
    description: "(none)",
    query: "SELECT 2 FROM t",
  });
  assert.match(run.stderr, /'a' appears at rows 2 and 4/);

  const xlsx = path.join(dir, "defs.xlsx");
  await writeWorkbook(xlsx, [["n", "d", "q"], [1000664, 3.5, "SELECT x FROM y"]]);
  const sheet = await runQualytics([
    "containers",
    "preview",
    "--input",
    xlsx,
    "-f",
    "json",
    "--prefix",
    "p_",
  ]);
  assert.equal(sheet.code, 0, sheet.stderr);
  assert.deepEqual(JSON.parse(sheet.stdout).preview[0], {
    row: 2,
    computed_table_name: "p_1000664",
    description: "3.5",
    query: "SELECT x FROM y",
  });
  const bad = await runQualytics(["containers", "preview", "--input", txt, "--limit", "x"]);
  assert.equal(bad.code, 2);
});

Deno.test("containers import --debug: log files never hold the token a server error echoes", async () => {
  await using tmp = await tempDir();
  const dir = String(tmp);
  const csv = path.join(dir, "defs.csv");
  await Deno.writeTextFile(csv, "name,description,query\nechoed,x,SELECT * FROM orders\n");
  await using server = await fake({ seed: "demo" });
  server.setFaults({
    failRate: 1,
    statuses: [400],
    echo: "detail",
    only: (r) => r.method === "POST" && r.path === "/api/containers",
  });
  const run = await runQualytics(
    ["containers", "import", "--datastore", "1", "--input", csv, "--debug"],
    { env: envFor(server), home: dir },
  );
  assert.equal(run.code, 1, run.stderr);
  const logs = path.join(dir, ".qualytics", "logs");
  const files = [...Deno.readDirSync(logs)].map((entry) => path.join(logs, entry.name));
  assert.ok(files.length > 0, "a debug log was written");
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    assert.match(text, /Bearer \*\*\*/, "the echo is in the log, scrubbed");
    assert.ok(!text.includes(server.token), file);
  }
});
