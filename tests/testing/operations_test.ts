import assert from "node:assert/strict";
import { startFakeControlplane } from "../../src/testing/mod.ts";
import { api, fakeClock } from "./_helpers.ts";

Deno.test("operations: running with growing counters, then success with end_time", async () => {
  const clock = fakeClock();
  const server = await startFakeControlplane({
    seed: "demo",
    now: clock.now,
    operationDurationMs: 10_000,
  });
  try {
    const started = await api(server, "POST", "/api/operations/run", {
      body: {
        type: "scan",
        datastore_id: 1,
        incremental: false,
        container_names: ["orders", "customers", "products", "payments"],
      },
    });
    assert.equal(started.status, 200);
    assert.equal(started.body.result, "running");
    assert.equal(started.body.end_time, null);
    assert.equal(started.body.status.total_containers, 4);
    assert.equal(started.body.status.containers_analyzed, 0);
    const id = started.body.id;
    clock.advance(5_000);
    const half = await api(server, "GET", `/api/operations/${id}`);
    assert.equal(half.body.result, "running");
    assert.equal(half.body.status.containers_analyzed, 2);
    assert.ok(half.body.status.records_processed > 0);
    const before = (await api(server, "GET", "/api/anomalies?datastore=1&size=100")).body.total;
    clock.advance(5_000);
    const done = await api(server, "GET", `/api/operations/${id}`);
    assert.equal(done.body.result, "success");
    assert.ok(done.body.end_time);
    assert.equal(done.body.status.containers_analyzed, 4);
    const after = (await api(server, "GET", "/api/anomalies?datastore=1&size=100")).body.total;
    assert.equal(after - before, done.body.status.anomalies_identified);
    assert.ok(done.body.status.anomalies_identified > 0);
    const list = await api(
      server,
      "GET",
      "/api/operations?datastore=1&operation_type=scan&result=success&sort_created=desc&size=1",
    );
    assert.equal(list.body.items[0].id, id);
    const running = await api(server, "GET", "/api/operations?finished=false");
    assert.equal(running.body.total, 0);
  } finally {
    await server.close();
  }
});

Deno.test("operations: sync discovers tables; abort; validation", async () => {
  const clock = fakeClock();
  const server = await startFakeControlplane({
    seed: "demo",
    now: clock.now,
    operationDurationMs: 1_000,
  });
  try {
    const sync = await api(server, "POST", "/api/operations/run", {
      body: { type: "sync", datastore_id: 1, prune: false, recreate: false },
    });
    clock.advance(1_000);
    const done = await api(server, "GET", `/api/operations/${sync.body.id}`);
    assert.equal(done.body.result, "success");
    const listing = await api(server, "GET", "/api/containers/listing?datastore=1");
    const names = listing.body.map((c: any) => c.name);
    assert.ok(names.includes("returns") && names.includes("inventory_snapshot_v"));
    const view = listing.body.find((c: any) => c.name === "inventory_snapshot_v");
    assert.deepEqual([view.container_type, view.table_type], ["table", "view"]);
    const profile = await api(server, "POST", "/api/operations/run", {
      body: { type: "profile", datastore_id: 1 },
    });
    const aborted = await api(server, "PUT", `/api/operations/abort/${profile.body.id}`);
    assert.equal(aborted.body.result, "aborted");
    assert.ok(aborted.body.end_time);
    clock.advance(5_000);
    assert.equal(
      (await api(server, "GET", `/api/operations/${profile.body.id}`)).body.result,
      "aborted",
    );
    const both = await api(server, "POST", "/api/operations/run", {
      body: { type: "scan", datastore_id: 1, container_names: ["orders"], container_tags: ["x"] },
    });
    assert.equal(both.status, 422);
    const remediation = await api(server, "POST", "/api/operations/run", {
      body: { type: "scan", datastore_id: 1, remediation: "append" },
    });
    assert.equal(remediation.status, 422);
    assert.equal(remediation.body.detail[0].type, "extra_forbidden");
    const missing = await api(server, "POST", "/api/operations/run", {
      body: { type: "scan", datastore_id: 999 },
    });
    assert.equal(missing.status, 404);
    const badType = await api(server, "POST", "/api/operations/run", {
      body: { type: "dance", datastore_id: 1 },
    });
    assert.equal(badType.status, 422);
  } finally {
    await server.close();
  }
});

Deno.test("operations: duration 0 finishes in the POST; unreachable connections fail", async () => {
  const server = await startFakeControlplane({ seed: "demo", operationDurationMs: 0 });
  try {
    const op = await api(server, "POST", "/api/operations/run", {
      body: { type: "catalog", datastore_id: 2 },
    });
    assert.equal(op.body.type, "sync");
    assert.equal(op.body.result, "success");
    assert.ok(op.body.end_time);
    const conn = await api(server, "POST", "/api/connections", {
      body: { name: "Down", type: "postgresql", host: "unreachable.example" },
    });
    const ds = await api(server, "POST", "/api/datastores", {
      body: { name: "Down DS", connection_id: conn.body.id, trigger_sync: true },
    });
    const ops = await api(server, "GET", `/api/operations?datastore=${ds.body.id}`);
    assert.equal(ops.body.items[0].result, "failure");
    assert.match(ops.body.items[0].message, /Connection refused/);
  } finally {
    await server.close();
  }
});
