/** End-to-end tests of `qualytics anomalies` against the fake controlplane. */
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { cliFor, fake, plain } from "../helpers/fake.ts";

Deno.test("anomalies get: prints the anomaly; 404 exits 1", async () => {
  await using server = await fake({ seed: "demo" });
  const run = cliFor(server);
  const result = await run(["anomalies", "get", "--id", "6"]);
  assert.equal(result.code, 0, result.stderr);
  const anomaly = parseYaml(result.stdout);
  assert.equal(anomaly.id, 6);
  assert.equal(anomaly.status, "Acknowledged");
  assert.equal(server.requests.last()!.path, "/api/anomalies/6");
  const missing = await run(["anomalies", "get", "--id", "9999", "--format", "json"]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, "");
});

Deno.test("anomalies list: every filter goes into the query", async () => {
  await using server = await fake({ seed: "demo" });
  const run = cliFor(server);
  const result = await run([
    "anomalies",
    "list",
    "--datastore-id",
    "1",
    "--container",
    "1",
    "--check-id",
    "4",
    "--status",
    "Active,Resolved",
    "--type",
    "record",
    "--tag",
    "sales",
    "--start-date",
    "2026-01-01",
    "--end-date",
    "2026-12-31",
    "--source-enriched",
    "--format",
    "json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(server.requests.last()!.query, {
    datastore: ["1"],
    container: ["1"],
    quality_check: ["4"],
    status: ["Active", "Resolved"],
    archived: ["include"],
    anomaly_type: ["record"],
    tag: ["sales"],
    start_date: ["2026-01-01"],
    end_date: ["2026-12-31"],
    source_enriched: ["true"],
    page: ["1"],
    size: ["100"],
  });
  assert.ok(Array.isArray(JSON.parse(result.stdout)));
  assert.match(result.stderr, /Found \d+ anomalies\./);

  const archived = await run([
    "anomalies",
    "list",
    "--datastore-id",
    "1",
    "--status",
    "Resolved,Invalid",
  ]);
  assert.equal(archived.code, 0);
  assert.deepEqual(server.requests.last()!.query.archived, ["only"]);
  const items = parseYaml(archived.stdout);
  assert.ok(items.length > 0);
  assert.ok(
    items.every((item: { status: string }) => ["Resolved", "Invalid"].includes(item.status)),
  );

  const open = await run([
    "anomalies",
    "list",
    "--datastore-id",
    "1",
    "--status",
    "Active,Acknowledged",
    "--no-source-enriched",
  ]);
  assert.equal(open.code, 0);
  assert.equal(server.requests.last()!.query.archived, undefined);
  assert.deepEqual(server.requests.last()!.query.source_enriched, ["false"]);

  const bad = await run([
    "anomalies",
    "list",
    "--datastore-id",
    "1",
    "--start-date",
    "yesterday",
  ]);
  assert.equal(bad.code, 2);
  const badType = await run(["anomalies", "list", "--datastore-id", "1", "--type", "weird"]);
  assert.equal(badType.code, 2);
});

Deno.test("anomalies update: single PUT, bulk PATCH, archive statuses refused", async () => {
  await using server = await fake({ seed: "demo" });
  const run = cliFor(server);
  server.requests.clear();
  const single = await run([
    "anomalies",
    "update",
    "--id",
    "1",
    "--status",
    "Acknowledged",
    "--tags",
    "sales,finance",
    "--assignee-ids",
    "",
  ]);
  assert.equal(single.code, 0, single.stderr);
  const put = server.requests.last()!;
  assert.equal(put.method, "PUT");
  assert.equal(put.path, "/api/anomalies/1");
  assert.deepEqual(plain(put.body), {
    status: "Acknowledged",
    tags: ["sales", "finance"],
    assignee_ids: [],
  });
  assert.equal(parseYaml(single.stdout).status, "Acknowledged");
  assert.match(single.stderr, /Anomaly 1 updated to 'Acknowledged'\./);

  const bulk = await run([
    "anomalies",
    "update",
    "--ids",
    "2,3",
    "--status",
    "active",
    "--description",
    "Looking into it",
  ]);
  assert.equal(bulk.code, 0, bulk.stderr);
  const patch = server.requests.last()!;
  assert.equal(patch.method, "PATCH");
  assert.equal(patch.path, "/api/anomalies");
  assert.deepEqual(plain(patch.body), [
    { id: 2, status: "Active", description: "Looking into it" },
    { id: 3, status: "Active", description: "Looking into it" },
  ]);
  assert.match(bulk.stderr, /Updated 2 anomalies to 'Active'\./);

  server.requests.clear();
  const archived = await run(["anomalies", "update", "--id", "1", "--status", "Resolved"]);
  assert.equal(archived.code, 2);
  assert.match(archived.stderr, /Use 'Active' or 'Acknowledged'/);
  const none = await run(["anomalies", "update", "--status", "Active"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Must specify --id or --ids\./);
  assert.equal(server.requests.length, 0);

  const missing = await run(["anomalies", "update", "--id", "9999", "--status", "Active"]);
  assert.equal(missing.code, 1);
});

Deno.test("anomalies archive: default Resolved, custom status, bulk, bad status", async () => {
  await using server = await fake({ seed: "demo" });
  const run = cliFor(server);
  const single = await run(["anomalies", "archive", "--id", "2"]);
  assert.equal(single.code, 0, single.stderr);
  const del = server.requests.last()!;
  assert.equal(del.method, "DELETE");
  assert.equal(del.path, "/api/anomalies/2");
  assert.deepEqual(del.query, { archive: ["true"], status: ["Resolved"] });
  assert.match(single.stderr, /Anomaly 2 archived as 'Resolved'\./);

  const bulk = await run(["anomalies", "archive", "--ids", "3,4", "--status", "invalid"]);
  assert.equal(bulk.code, 0, bulk.stderr);
  assert.deepEqual(plain(server.requests.last()!.body), [
    { id: 3, archive: true, status: "Invalid" },
    { id: 4, archive: true, status: "Invalid" },
  ]);
  assert.match(bulk.stderr, /Archived 2 anomalies as 'Invalid'\./);

  const bad = await run(["anomalies", "archive", "--id", "5", "--status", "Active"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Must be one of: Discarded, Duplicate, Invalid, Resolved\./);

  const got = await run(["anomalies", "get", "--id", "2", "--format", "json"]);
  assert.equal(JSON.parse(got.stdout).status, "Resolved");
});

Deno.test("anomalies delete: single and bulk hard deletes; 404 exits 1", async () => {
  await using server = await fake({ seed: "demo" });
  const run = cliFor(server);
  const single = await run(["anomalies", "delete", "--id", "7"]);
  assert.equal(single.code, 0, single.stderr);
  const del = server.requests.last()!;
  assert.equal(del.path, "/api/anomalies/7");
  assert.deepEqual(del.query, { archive: ["false"] });
  assert.match(single.stderr, /Deleted anomaly 7\./);

  const bulk = await run(["anomalies", "delete", "--ids", "8,9"]);
  assert.equal(bulk.code, 0, bulk.stderr);
  assert.deepEqual(plain(server.requests.last()!.body), [
    { id: 8, archive: false },
    { id: 9, archive: false },
  ]);
  assert.match(bulk.stderr, /Deleted 2 anomalies\./);

  const gone = await run(["anomalies", "get", "--id", "7"]);
  assert.equal(gone.code, 1);
  const missing = await run(["anomalies", "delete", "--id", "7"]);
  assert.equal(missing.code, 1);
  const none = await run(["anomalies", "delete"]);
  assert.equal(none.code, 2);
});
