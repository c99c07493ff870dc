import assert from "node:assert/strict";
import { startFakeControlplane } from "../../src/testing/mod.ts";
import { api } from "./_helpers.ts";

async function statuses(seed: number): Promise<number[]> {
  const server = await startFakeControlplane({
    seed: "empty",
    faults: { failRate: 0.4, statuses: [500, 503, 429], retryAfterSeconds: 7, seed },
  });
  try {
    const out: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await api(server, "GET", "/api/global-tags");
      if (res.status === 429) assert.equal(res.headers.get("retry-after"), "7");
      if (res.status >= 500 || res.status === 429) assert.match(res.body.detail, /Injected fault/);
      out.push(res.status);
    }
    assert.equal(server.requests.count(), 40);
    return out;
  } finally {
    await server.close();
  }
}

Deno.test("faults: error statuses are reproducible with a seed", async () => {
  const a = await statuses(7);
  const b = await statuses(7);
  const c = await statuses(8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const failed = a.filter((s) => s !== 200).length;
  assert.ok(failed > 5 && failed < 30, `failed ${failed}`);
  assert.ok(a.includes(429) && a.includes(500) && a.includes(503));
});

Deno.test("faults: dropped connections, only(), setFaults and latency", async () => {
  const server = await startFakeControlplane({ seed: "empty", faults: { dropRate: 1, seed: 3 } });
  try {
    await assert.rejects(fetch(`${server.url}/api/status`));
    assert.equal(server.requests.last()?.status, 0);
    server.setFaults({ dropRate: 1, only: ({ path }) => path.startsWith("/api/users") });
    assert.equal((await api(server, "GET", "/api/status")).status, 200);
    await assert.rejects(
      fetch(`${server.url}/api/users`, { headers: { authorization: `Bearer ${server.token}` } }),
    );
    server.setFaults(undefined);
    server.setLatency(120);
    const start = performance.now();
    assert.equal((await api(server, "GET", "/api/status")).status, 200);
    assert.ok(performance.now() - start >= 100);
  } finally {
    await server.close();
  }
});

Deno.test("latency: the answer is prepared at once and leaves when the latency has passed", async () => {
  // As a server handling requests in parallel: concurrent requests do not queue behind the
  // fake's own work, each answer takes the latency from its request's arrival.
  const server = await startFakeControlplane({ seed: "empty", latencyMs: 400 });
  try {
    const start = performance.now();
    let answeredAt = 0;
    const created = api(server, "POST", "/api/global-tags", {
      body: { type: "global", name: "while-waiting" },
    }).then((result) => {
      answeredAt = performance.now();
      return result;
    });
    const applied = () => server.state.tags.values().some((tag) => tag.name === "while-waiting");
    while (!applied() && performance.now() < start + 300) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.ok(applied(), "applied before the answer");
    assert.equal(answeredAt, 0, "not answered yet");
    assert.equal((await created).status, 200);
    assert.ok(answeredAt - start >= 390, `answered after ${answeredAt - start} ms`);
  } finally {
    await server.close();
  }
});
