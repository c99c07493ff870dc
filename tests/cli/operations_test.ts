/**
 * End-to-end tests of `qualytics operations` against the fake controlplane: triggers that
 * succeed, fail, time out, are aborted or run in the background; payloads; get, list, abort.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { cliFor, fake, plain } from "../helpers/fake.ts";
import { tempDir } from "../helpers/cli.ts";

const FAST = ["--poll-interval", "0.05"];

Deno.test("operations scan: two datastores succeed, with progress on stderr", async () => {
  await using server = await fake({ seed: "demo", operationDurationMs: 300 });
  const run = cliFor(server);
  server.requests.clear();
  const result = await run(
    ["operations", "scan", "--datastore-id", "1,2", "--incremental", ...FAST],
    { tty: true, env: { QUALYTICS_NO_BANNER: "" } },
  );
  assert.equal(result.code, 0, result.stderr);
  const posts = server.requests.filter("POST", "/api/operations/run");
  assert.deepEqual(
    posts.map((post) => plain(post.body)).sort((a, b) => a.datastore_id - b.datastore_id),
    [
      { datastore_id: 1, type: "scan", incremental: true },
      { datastore_id: 2, type: "scan", incremental: true },
    ],
  );
  assert.ok(server.requests.count("GET", /^\/api\/operations\/\d+$/) >= 2);
  const operations = parseYaml(result.stdout);
  assert.equal(operations.length, 2);
  assert.ok(operations.every((op: { result: string }) => op.result === "success"));
  assert.match(result.stderr, /Started Scan operation \d+ for datastore: 1/);
  assert.match(result.stderr, /Successfully Finished Scan operation \d+ for datastore: 2/);
  assert.match(result.stderr, /operations \[[#-]{20}\] \d+\/\d+ containers/);
});

Deno.test("operations sync: a failed operation exits 1 with its message, logged as the original does", async () => {
  await using server = await fake({ seed: "demo", operationDurationMs: 100 });
  await using home = await tempDir();
  const run = cliFor(server, { home: home.path });
  server.state.connections.get(1)!.host = "unreachable.example.com";
  const result = await run([
    "operations",
    "sync",
    "--datastore-id",
    "1",
    "--include",
    "table,view",
    "--prune",
    ...FAST,
    "--format",
    "json",
  ]);
  assert.equal(result.code, 1);
  assert.deepEqual(plain(server.requests.filter("POST", "/api/operations/run")[0].body), {
    datastore_id: 1,
    type: "sync",
    include: ["table", "view"],
    prune: true,
    recreate: false,
  });
  const [operation] = JSON.parse(result.stdout);
  assert.equal(operation.result, "failure");
  assert.match(
    result.stderr,
    /Failed Sync \d+ for datastore: 1: Connection refused.*, Please check the path: ~\/\.qualytics\/operation-error\.txt/,
  );
  // Every failure appends an entry (the original's format); earlier entries stay.
  assert.equal((await run(["operations", "sync", "--datastore-id", "1", ...FAST])).code, 1);
  const log = await Deno.readTextFile(path.join(home.path, ".qualytics", "operation-error.txt"));
  const entry =
    /\[\d\d-\d\d-\d{4} \d\d:\d\d:\d\d\]: Error executing sync operation: .*Connection refused.*\n\n/g;
  assert.equal(log.match(entry)?.length, 2, log);
});

Deno.test("operations profile: times out with exit 1", async () => {
  await using server = await fake({ seed: "demo", operationDurationMs: 60_000 });
  const run = cliFor(server);
  const result = await run([
    "operations",
    "profile",
    "--datastore-id",
    "1",
    "--ai-effort",
    "3",
    "--infer-as-draft",
    "--greater-than-time",
    "2024-05-01",
    "--timeout",
    "0.3",
    "--poll-interval",
    "0.1",
  ]);
  assert.equal(result.code, 1);
  assert.deepEqual(plain(server.requests.filter("POST", "/api/operations/run")[0].body), {
    datastore_id: 1,
    type: "profile",
    ai_effort: "high",
    infer_as_draft: true,
    greater_than_time: "2024-05-01T00:00:00.000Z",
  });
  assert.match(result.stderr, /timed out after 0\.3s/);
  assert.equal(parseYaml(result.stdout)[0].result, "running");
});

Deno.test("operations scan: an operation aborted while waiting exits 1", async () => {
  await using server = await fake({ seed: "demo", operationDurationMs: 60_000 });
  const run = cliFor(server);
  const waiting = run(["operations", "scan", "--datastore-id", "1", ...FAST, "--timeout", "20"]);
  while (server.state.running.size === 0) await new Promise((r) => setTimeout(r, 20));
  const [id] = [...server.state.running.keys()];
  const abort = await run(["operations", "abort", "--id", String(id), "--format", "json"]);
  assert.equal(abort.code, 0, abort.stderr);
  assert.equal(server.requests.filter("PUT", `/api/operations/abort/${id}`).length, 1);
  assert.match(abort.stderr, new RegExp(`Operation ${id} aborted\\.`));
  assert.equal(JSON.parse(abort.stdout).result, "aborted");
  const result = await waiting;
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`Scan operation ${id} for datastore: 1 was aborted`));

  const again = await run(["operations", "abort", "--id", String(id)]);
  assert.equal(again.code, 0);
  assert.match(again.stderr, /already finished|aborted/);
  const missing = await run(["operations", "abort", "--id", "9999"]);
  assert.equal(missing.code, 1);
});

Deno.test("operations export --background: returns the started operations at once", async () => {
  await using server = await fake({ seed: "demo", operationDurationMs: 60_000 });
  const run = cliFor(server);
  server.requests.clear();
  const result = await run([
    "operations",
    "export",
    "--datastore-id",
    "1",
    "--asset-type",
    "anomalies",
    "--container-ids",
    "1,2",
    "--background",
    "--format",
    "json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(server.requests.count("GET"), 0);
  assert.deepEqual(plain(server.requests.last()!.body), {
    datastore_id: 1,
    type: "export",
    asset_type: "anomalies",
    container_ids: [1, 2],
    include_deleted: false,
  });
  const [operation] = JSON.parse(result.stdout);
  assert.equal(operation.result, "running");
  assert.equal(operation.type, "export");

  // The server refuses an export for a datastore without enrichment: exit 1.
  const refused = await run([
    "operations",
    "export",
    "--datastore-id",
    "3",
    "--asset-type",
    "checks",
    "--background",
  ]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Failed Export for datastore: 3/);
});

Deno.test("operations materialize: container names are sent", async () => {
  await using server = await fake({ seed: "demo", operationDurationMs: 50 });
  const run = cliFor(server);
  const result = await run([
    "operations",
    "materialize",
    "--datastore-id",
    "1",
    "--container-names",
    "high_value_orders",
    "--max-records-per-partition",
    "100",
    ...FAST,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(plain(server.requests.filter("POST", "/api/operations/run")[0].body), {
    datastore_id: 1,
    type: "materialize",
    container_names: ["high_value_orders"],
    max_records_per_partition: 100,
  });
});

Deno.test("operations triggers: bad flag values are usage errors without requests", async () => {
  await using server = await fake({ seed: "demo" });
  const run = cliFor(server);
  server.requests.clear();
  const cases = [
    ["operations", "profile", "--datastore-id", "1", "--ai-effort", "10"],
    [
      "operations",
      "profile",
      "--datastore-id",
      "1",
      "--max-records-analyzed-per-partition",
      "-5",
    ],
    ["operations", "scan", "--datastore-id", "1", "--remediation", "append"],
    ["operations", "scan", "--datastore-id", "1", "--enrichment-source-record-limit", "0"],
    [
      "operations",
      "scan",
      "--datastore-id",
      "1",
      "--container-names",
      "a",
      "--container-tags",
      "b",
    ],
    ["operations", "scan", "--datastore-id", "1", "--greater-than-time", "May 1st"],
    ["operations", "export", "--datastore-id", "1", "--asset-type", "foo"],
    ["operations", "sync", "--datastore-id", "one"],
    ["operations", "sync", "--datastore-id", "1", "--poll-interval", "0"],
    ["operations", "sync"],
  ];
  for (const args of cases) {
    const result = await run(args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stdout, "");
  }
  const ai = await run(["operations", "profile", "--datastore-id", "1", "--ai-effort", "10"]);
  assert.match(ai.stderr, /--ai-effort must be one of: off, low, medium, high, xhigh, max/);
  assert.equal(server.requests.length, 0);
});

Deno.test("operations get and list", async () => {
  await using server = await fake({ seed: "demo" });
  const run = cliFor(server);
  const got = await run(["operations", "get", "--id", "5", "--format", "json"]);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(JSON.parse(got.stdout).result, "failure");
  assert.equal(server.requests.last()!.path, "/api/operations/5");
  const missing = await run(["operations", "get", "--id", "9999"]);
  assert.equal(missing.code, 1);

  const listed = await run([
    "operations",
    "list",
    "--datastore-id",
    "1,2",
    "--type",
    "scan",
    "--status",
    "success,failure",
    "--start-date",
    "2026-01-01",
  ]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(server.requests.last()!.query, {
    datastore: ["1", "2"],
    operation_type: ["scan"],
    result: ["success", "failure"],
    start_date: ["2026-01-01"],
    sort_created: ["desc"],
    page: ["1"],
    size: ["100"],
  });
  const operations = parseYaml(listed.stdout);
  assert.deepEqual(operations.map((op: { id: number }) => op.id), [5, 4]);
  assert.match(listed.stderr, /Found 2 operations\./);

  const bad = await run(["operations", "list", "--status", "done"]);
  assert.equal(bad.code, 2);
});
