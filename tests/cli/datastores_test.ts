/**
 * End-to-end tests of `qualytics datastores` against the fake controlplane.
 */
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { runQualytics } from "../helpers/cli.ts";
import { envFor, fake } from "../helpers/fake.ts";

Deno.test("datastores create: -cn/-db/-sc, one name lookup, exact payload", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const run = await runQualytics([
    "datastores",
    "create",
    "-n",
    "Finance DW",
    "-cn",
    "Warehouse PG",
    "-db",
    "finance",
    "-sc",
    "public",
    "--tags",
    "finance, production",
    "--teams",
    "Analytics",
    "--enrichment-source-record-limit",
    "5",
    "--no-trigger-sync",
  ], { env });
  assert.equal(run.code, 0, run.stderr);
  const lookups = server.requests.filter("GET", "/api/connections");
  assert.equal(lookups.length, 1);
  assert.deepEqual(lookups[0].query.name, ["Warehouse PG"]);
  const [post] = server.requests.filter("POST", "/api/datastores");
  assert.deepEqual(post.body, {
    name: "Finance DW",
    connection_id: 1,
    enrichment_only: false,
    enrichment_remediation_strategy: "none",
    trigger_sync: false,
    tags: ["finance", "production"],
    teams: ["Analytics"],
    database: "finance",
    schema: "public",
    enrichment_source_record_limit: 5,
  });
  const created = parseYaml(run.stdout);
  assert.equal(created.name, "Finance DW");
  assert.match(run.stderr, /Datastore created successfully!/);
  assert.match(run.stderr, /Connection ID: 1/);
});

Deno.test("datastores create --dry-run with --connection-id: no request, no configuration", async () => {
  const run = await runQualytics([
    "datastores",
    "create",
    "--name",
    "w",
    "--connection-id",
    "1",
    "--database",
    "d",
    "--schema",
    "s",
    "--dry-run",
    "-f",
    "json",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    name: "w",
    connection_id: 1,
    enrichment_only: false,
    enrichment_remediation_strategy: "none",
    trigger_sync: true,
    tags: null,
    teams: null,
    database: "d",
    schema: "s",
  });
});

Deno.test("datastores create: errors", async (t) => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const base = ["datastores", "create", "-n", "x", "-db", "d", "-sc", "s"];
  await t.step("both connection flags exit 2", async () => {
    const run = await runQualytics([...base, "-cn", "a", "--connection-id", "1"], { env });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Cannot specify both --connection-name and --connection-id/);
  });
  await t.step("neither connection flag exits 2", async () => {
    const run = await runQualytics(base, { env });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Must specify either --connection-name or --connection-id/);
  });
  await t.step("missing --database exits 2", async () => {
    const run = await runQualytics(["datastores", "create", "-n", "x", "--connection-id", "1"], {
      env,
    });
    assert.equal(run.code, 2);
  });
  await t.step("unknown connection name exits 1", async () => {
    const run = await runQualytics([...base, "-cn", "No Such"], { env });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Connection 'No Such' not found\. Create it first with/);
  });
  await t.step("record limit below 1 exits 2", async () => {
    const run = await runQualytics(
      [...base, "--connection-id", "1", "--enrichment-source-record-limit", "0"],
      { env },
    );
    assert.equal(run.code, 2);
  });
  await t.step("a duplicate name (409) exits 1", async () => {
    const run = await runQualytics(
      ["datastores", "create", "-n", "Sales DW", "--connection-id", "1", "-db", "d", "-sc", "s"],
      { env },
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /409/);
    assert.match(run.stderr, /already exists/);
  });
  assert.equal(server.requests.writes().filter((w) => w.status < 400).length, 0);
});

Deno.test("datastores update: GET-merge-PUT with writable keys only", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const run = await runQualytics(
    ["datastores", "update", "--id", "1", "-db", "sales2", "--tags", "production", "-f", "json"],
    { env },
  );
  assert.equal(run.code, 0, run.stderr);
  const [put] = server.requests.filter("PUT", "/api/datastores/1");
  assert.deepEqual(put.body, {
    name: "Sales DW",
    description: "Orders, customers, products and payments",
    connection_id: 1,
    database: "sales2",
    schema: "public",
    enrichment_only: false,
    enrichment_prefix: "_sales_dw",
    enrichment_source_record_limit: 25,
    enrichment_remediation_strategy: "append",
    high_count_rollup_threshold: 50,
    tags: ["production"],
    teams: ["Data Engineering", "Analytics", "Business"],
  });
  assert.equal(JSON.parse(run.stdout).database, "sales2");
  assert.match(run.stderr, /Datastore 1 updated successfully\./);
});

Deno.test("datastores update: errors", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const empty = await runQualytics(["datastores", "update", "--id", "1"], { env });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /No fields to update/);
  const strategy = await runQualytics(
    ["datastores", "update", "--id", "1", "--enrichment-remediation-strategy", "merge"],
    { env },
  );
  assert.equal(strategy.code, 2);
  assert.match(
    strategy.stderr,
    /--enrichment-remediation-strategy must be one of: append, none, overwrite\./,
  );
  assert.equal(server.requests.length, 0);
  const missing = await runQualytics(["datastores", "update", "--id", "99", "-n", "x"], { env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Datastore with ID 99 not found\./);
});

Deno.test("datastores get: by id and by name; errors", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const byId = await runQualytics(["datastores", "get", "--id", "2"], { env });
  assert.equal(byId.code, 0, byId.stderr);
  assert.equal(parseYaml(byId.stdout).name, "Marketing Lake");
  server.requests.clear();
  const byName = await runQualytics(["datastores", "get", "--name", "Sales DW", "-f", "json"], {
    env,
  });
  assert.equal(JSON.parse(byName.stdout).id, 1);
  // The API lists enrichment datastores only when asked: source and enrichment, at once.
  assert.deepEqual(
    server.requests.filter("GET", "/api/datastores").map((r) => r.query.enrichment_only ?? null)
      .sort(),
    [["True"], null],
  );
  const enrichment = await runQualytics(["datastores", "get", "--name", "DQ Enrichment"], { env });
  assert.equal(enrichment.code, 0, enrichment.stderr);
  assert.equal(parseYaml(enrichment.stdout).enrichment_only, true);
  const both = await runQualytics(["datastores", "get", "--id", "1", "--name", "a"], { env });
  assert.equal(both.code, 2);
  const missing = await runQualytics(["datastores", "get", "--name", "nope"], { env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Datastore with name 'nope' not found\./);
});

Deno.test("datastores list: filters and formats", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const run = await runQualytics(
    ["datastores", "list", "--type", "s3", "--enrichment-only", "-f", "json"],
    { env },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout).map((d: { name: string }) => d.name), [
    "DQ Enrichment",
  ]);
  const [list] = server.requests.filter("GET", "/api/datastores");
  assert.deepEqual(list.query.datastore_type, ["s3"]);
  assert.deepEqual(list.query.enrichment_only, ["True"]);
  // Without the flag, as the API does: source datastores only (the flag is not sent).
  server.requests.clear();
  const all = await runQualytics(["datastores", "list"], { env });
  assert.deepEqual(parseYaml(all.stdout).map((d: { name: string }) => d.name).sort(), [
    "Marketing Lake",
    "Sales DW",
  ]);
  assert.match(all.stderr, /Found 2 datastores\./);
  assert.equal(
    server.requests.filter("GET", "/api/datastores")[0].query.enrichment_only,
    undefined,
  );
  const sources = await runQualytics(["datastores", "list", "--no-enrichment-only"], { env });
  assert.equal(parseYaml(sources.stdout).length, 2);
  assert.deepEqual(
    server.requests.filter("GET", "/api/datastores")[1].query.enrichment_only,
    ["False"],
  );
  const table = await runQualytics(["datastores", "list", "-f", "table", "--tag", "marketing"], {
    env,
  });
  assert.match(table.stdout, /Marketing Lake/);
  assert.doesNotMatch(table.stdout, /Sales DW/);
});

Deno.test("datastores delete: success and 404", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const run = await runQualytics(["datastores", "delete", "--id", "2"], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(server.requests.count("DELETE", "/api/datastores/2"), 1);
  assert.deepEqual(parseYaml(run.stdout), {
    success: true,
    message: "Datastore deleted successfully",
  });
  assert.match(run.stderr, /Datastore with ID 2 deleted successfully!/);
  const again = await runQualytics(["datastores", "delete", "--id", "2"], { env });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /Datastore with ID 2 not found\./);
});

Deno.test("datastores verify: connected exits 0, failed exits 1", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const ok = await runQualytics(["datastores", "verify", "--id", "1"], { env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(parseYaml(ok.stdout), { connected: true });
  assert.equal(server.requests.count("POST", "/api/datastores/1/connection"), 1);
  server.state.connection(1).host = "unreachable.example.com";
  const failed = await runQualytics(["datastores", "verify", "--id", "1", "-f", "json"], { env });
  assert.equal(failed.code, 1);
  assert.equal(JSON.parse(failed.stdout).connected, false);
  assert.match(failed.stderr, /Datastore 1: connection failed — Connection refused/);
});

Deno.test("datastores enrichment: link, unlink and flag errors", async () => {
  await using server = await fake({ seed: "demo" });
  const env = envFor(server);
  const unlink = await runQualytics(["datastores", "enrichment", "--id", "1", "--unlink"], {
    env,
  });
  assert.equal(unlink.code, 0, unlink.stderr);
  assert.equal(server.requests.count("DELETE", "/api/datastores/1/enrichment"), 1);
  assert.match(unlink.stderr, /Enrichment unlinked from datastore 1\./);
  const link = await runQualytics(
    ["datastores", "enrichment", "--id", "1", "--link", "3", "-f", "json"],
    { env },
  );
  assert.equal(link.code, 0, link.stderr);
  assert.equal(server.requests.count("PATCH", "/api/datastores/1/enrichment/3"), 1);
  assert.equal(JSON.parse(link.stdout).enrich_datastore.id, 3);
  assert.match(link.stderr, /Enrichment datastore 3 linked to datastore 1\./);
  const notEnrichment = await runQualytics(
    ["datastores", "enrichment", "--id", "1", "--link", "2"],
    { env },
  );
  assert.equal(notEnrichment.code, 1);
  assert.match(notEnrichment.stderr, /409/);
  const both = await runQualytics(
    ["datastores", "enrichment", "--id", "1", "--link", "3", "--unlink"],
    { env },
  );
  assert.equal(both.code, 2);
  assert.match(both.stderr, /Cannot specify both --link and --unlink\./);
  const neither = await runQualytics(["datastores", "enrichment", "--id", "1"], { env });
  assert.equal(neither.code, 2);
  assert.match(neither.stderr, /Must specify either --link <enrichment_id> or --unlink\./);
});
