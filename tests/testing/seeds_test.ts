import assert from "node:assert/strict";
import { startFakeControlplane } from "../../src/testing/mod.ts";
import { api } from "./_helpers.ts";

async function all(server: Awaited<ReturnType<typeof startFakeControlplane>>, path: string) {
  const items: any[] = [];
  for (let page = 1;; page++) {
    const res = await api(
      server,
      "GET",
      `${path}${path.includes("?") ? "&" : "?"}page=${page}&size=100`,
    );
    items.push(...res.body.items);
    if (page * 100 >= res.body.total) return items;
  }
}

Deno.test("demo seed looks like a warehouse", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    // The listing has source datastores unless enrichment_only=true is sent.
    const datastores = [
      ...await all(server, "/api/datastores"),
      ...await all(server, "/api/datastores?enrichment_only=true"),
    ];
    assert.equal(datastores.length, 3);
    assert.equal(datastores.filter((d) => d.enrichment_only).length, 1);
    assert.equal(new Set(datastores.map((d) => d.connection_id)).size, 2);
    const containers = await all(server, "/api/containers");
    const kinds = new Set(
      containers.map((c) => c.container_type === "table" ? c.table_type : c.container_type),
    );
    for (
      const kind of ["table", "view", "file", "computed_table", "computed_file", "computed_join"]
    ) {
      assert.ok(kinds.has(kind), kind);
    }
    const checks = await all(server, "/api/quality-checks");
    assert.ok(checks.length >= 50, `${checks.length} checks`);
    assert.ok(new Set(checks.map((c) => c.rule_type)).size >= 15);
    const anomalies = await all(server, "/api/anomalies?archived=include");
    assert.ok(new Set(anomalies.map((a) => a.status)).size >= 5);
    assert.ok((await all(server, "/api/global-tags")).length >= 5);
    assert.ok((await all(server, "/api/teams")).length >= 3);
    assert.ok((await all(server, "/api/users")).length >= 3);
    const detail = await api(server, "GET", "/api/containers/2");
    assert.equal(detail.body.computed_fields.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("scale seed is deterministic and sized datastores × containers × checks", async () => {
  const a = await startFakeControlplane({
    seed: "scale",
    scale: { datastores: 2, containers: 30, checks: 25 },
  });
  const b = await startFakeControlplane({
    seed: "scale",
    scale: { datastores: 2, containers: 30, checks: 25 },
  });
  try {
    const page = "/api/quality-checks?datastore=2&size=100&page=3";
    const [x, y] = [await api(a, "GET", page), await api(b, "GET", page)];
    assert.equal(x.body.total, 30 * 25);
    assert.equal(x.text, y.text);
    assert.equal((await api(a, "GET", "/api/containers?size=1")).body.total, 60);
    const sync = await api(a, "POST", "/api/operations/run", {
      body: { type: "sync", datastore_id: 1 },
    });
    assert.equal(sync.status, 200);
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("snapshot round-trips the state (for --state FILE)", async () => {
  const first = await startFakeControlplane({ seed: "demo", operationDurationMs: 0 });
  let snapshot = "";
  try {
    await api(first, "POST", "/api/global-tags", { body: { type: "global", name: "persisted" } });
    await api(first, "POST", "/api/operations/run", { body: { type: "sync", datastore_id: 1 } });
    snapshot = first.snapshot();
  } finally {
    await first.close();
  }
  const second = await startFakeControlplane({ data: snapshot });
  try {
    assert.equal(second.token, first.token);
    assert.equal((await api(second, "GET", "/api/global-tags/persisted")).status, 200);
    const listing = await api(second, "GET", "/api/containers/listing?datastore=1");
    assert.ok(listing.body.some((c: any) => c.name === "returns"));
    assert.equal((await api(second, "GET", "/api/quality-checks/1")).body.id, 1);
  } finally {
    await second.close();
  }
});
