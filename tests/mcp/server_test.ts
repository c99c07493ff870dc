/**
 * In-process tests of `createMcpServer` through the SDK's in-memory transport (and of the
 * streamable-HTTP server), with injected settings, clock and client factory.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { QualyticsClient } from "../../src/client/http_client.ts";
import { authStatus, maskTokenForMcp } from "../../src/mcp/auth_tools.ts";
import { createMcpServer, type McpDeps, type McpSettings } from "../../src/mcp/server.ts";
import { serveStreamableHttp } from "../../src/mcp/transports.ts";
import { makeJwt } from "../../src/testing/mod.ts";
import { nodeFileSystem } from "../../src/util/fs.ts";
import { fake } from "../helpers/fake.ts";

const NOW = new Date("2026-03-01T12:00:00Z");
const DAY = 86_400_000;

function settingsFor(url?: string, token?: string): McpSettings {
  return {
    url,
    token,
    sslVerify: true,
    configFile: "/home/me/.qualytics/config.yaml",
    urlSource: url ? "file" : "none",
    tokenSource: token ? "file" : "none",
  };
}

function depsFor(
  server: { url: string; token: string } | undefined,
  overrides: Partial<McpDeps> = {},
): McpDeps {
  return {
    client: () =>
      server
        ? Promise.resolve(new QualyticsClient({ baseUrl: server.url, token: server.token }))
        : Promise.reject(new Error("Configuration not found.")),
    settings: () => Promise.resolve(settingsFor(server?.url, server?.token)),
    fs: nodeFileSystem,
    env: {},
    cwd: Deno.cwd(),
    now: () => NOW,
    sleep: () => Promise.resolve(),
    ...overrides,
  };
}

/** A connected in-memory client of a fresh server; closes both at the end of the scope. */
async function connect(deps: McpDeps): Promise<Client & AsyncDisposable> {
  const server = createMcpServer(deps);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(clientSide);
  return Object.assign(client, {
    [Symbol.asyncDispose]: async () => {
      await client.close();
      await server.close();
    },
  });
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as Array<{ text: string }>)[0].text;
  return { isError: result.isError === true, text };
}

Deno.test("auth_status: valid, expired (no off-by-one), undecodable, not configured", () => {
  const url = "https://acme.qualytics.io/api/";
  const valid = makeJwt({ exp: (NOW.getTime() + 29.5 * DAY) / 1000 });
  const status = authStatus(settingsFor(url, valid), NOW);
  assert.equal(status.host, "acme.qualytics.io");
  assert.equal(status.authenticated, true);
  assert.equal(status.token_expired, false);
  assert.equal(status.expires_in_days, 29);
  assert.match(String(status.token_expires), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  assert.equal(status.token, `${valid.slice(0, 4)}****`);

  // 36 hours ago is 1 whole day; the original said 2.
  const expired = makeJwt({ exp: (NOW.getTime() - 1.5 * DAY) / 1000 });
  const old = authStatus(settingsFor(url, expired), NOW);
  assert.equal(old.authenticated, false);
  assert.equal(old.token_expired, true);
  assert.equal(old.expired_days_ago, 1);

  const opaque = authStatus(settingsFor(url, "not-a-jwt-but-long-enough"), NOW);
  assert.equal(opaque.token_decode_error, true);
  assert.equal(opaque.authenticated, true);

  assert.throws(() => authStatus(settingsFor(), NOW), /Not authenticated/);
  assert.equal(maskTokenForMcp("short"), "****");
});

Deno.test("tool errors: no client, zod validation, flag names, no stack, no token", async () => {
  const token = makeJwt({ sub: "secret-user" });
  await using client = await connect(depsFor(undefined, {
    settings: () => Promise.resolve(settingsFor("https://x.example/api/", token)),
    client: () => Promise.reject(new TypeError(`boom with ${token} inside`)),
  }));
  const failed = await call(client, "list_datastores");
  assert.equal(failed.isError, true);
  assert.equal(failed.text, "boom with *** inside");

  const invalid = await call(client, "get_container", { id: "seven" });
  assert.equal(invalid.isError, true);

  const missingQuery = await call(client, "create_container", {
    container_type: "computed_table",
    name: "x",
    datastore_id: 1,
  });
  assert.equal(missingQuery.isError, true);
  assert.equal(missingQuery.text, "query is required for computed_table");

  const noDir = await call(client, "import_config", { input_dir: "/does/not/exist" });
  assert.equal(noDir.isError, true);
  assert.match(noDir.text, /Input directory not found/);
  const aFile = await call(client, "import_config", {
    input_dir: new URL(import.meta.url).pathname,
  });
  assert.equal(aFile.isError, true);
  assert.match(aFile.text, /Input directory not found/);
  for (const result of [failed, invalid, missingQuery, noDir]) {
    assert.ok(!/\n\s+at /.test(result.text), "stack trace");
    assert.ok(!result.text.includes(token), "token");
  }
});

Deno.test("create_container: description and tags, which the create ignores, are set by one PUT", async () => {
  await using server = await fake({ seed: "demo" });
  await using client = await connect(depsFor(server));
  server.requests.clear();
  const result = await call(client, "create_container", {
    container_type: "computed_table",
    name: "big_orders",
    datastore_id: 1,
    query: "SELECT order_id, total_amount FROM orders",
    description: "Big ones",
    tags: ["curated"],
  });
  assert.equal(result.isError, false, result.text);
  const created = JSON.parse(result.text);
  assert.deepEqual(server.requests.writes().map((w) => `${w.method} ${w.path}`), [
    "POST /api/containers",
    `PUT /api/containers/${created.id}`,
  ]);
  const stored = server.state.containers.get(created.id);
  assert.equal(stored?.description, "Big ones");
  assert.deepEqual(stored?.global_tags, ["curated"]);
});

Deno.test("run_scan starts one operation per datastore and does not wait", async () => {
  await using server = await fake({ seed: "demo" });
  await using client = await connect(depsFor(server));
  server.requests.clear();
  const result = await call(client, "run_scan", {
    datastore_ids: [1, 2, 1],
    container_names: ["orders"],
  });
  assert.equal(result.isError, false, result.text);
  const runs = JSON.parse(result.text);
  assert.equal(runs.length, 2);
  assert.equal(runs[0].datastore_id, 1);
  assert.equal(runs[0].started, true);
  assert.equal(typeof runs[0].operation.id, "number");
  // One datastore's failure is reported next to the others' results.
  assert.equal(runs[1].datastore_id, 2);
  assert.equal(runs[1].started, false);
  assert.match(runs[1].error, /orders not found/);
  const posts = server.requests.filter("POST", "/api/operations/run");
  assert.deepEqual(posts.map((p) => (p.body as { datastore_id: number }).datastore_id).sort(), [
    1,
    2,
  ]);
  assert.equal(server.requests.count("GET", /\/api\/operations\/\d+/), 0, "no polling");

  const operation = JSON.parse(
    (await call(client, "get_operation", {
      operation_id: runs[0].operation.id,
    })).text,
  );
  assert.equal(operation.id, runs[0].operation.id);

  const bad = await call(client, "run_profile", {
    datastore_ids: [1],
    max_records_analyzed_per_partition: -5,
  });
  assert.equal(bad.isError, true);
});

Deno.test("anomalies and checks: archive status rules and a 404 as a tool error", async () => {
  await using server = await fake({ seed: "demo" });
  await using client = await connect(depsFor(server));
  const anomalies = JSON.parse((await call(client, "list_anomalies", { datastore_id: 1 })).text);
  assert.ok(anomalies.length > 0);
  server.requests.clear();
  const archived = await call(client, "archive_anomaly", { id: anomalies[0].id });
  assert.equal(archived.isError, false, archived.text);
  const deletes = server.requests.filter("DELETE", `/api/anomalies/${anomalies[0].id}`);
  assert.equal(deletes.length, 1);
  assert.deepEqual(deletes[0].query, { archive: ["true"], status: ["Resolved"] });

  const wrong = await call(client, "update_anomaly", { id: anomalies[0].id, status: "Resolved" });
  assert.equal(wrong.isError, true);

  const missing = await call(client, "get_check", { check_id: 987654 });
  assert.equal(missing.isError, true);
  assert.equal(missing.text, "Quality check with ID 987654 not found.");
});

Deno.test("streamable HTTP server in process: sessions, tools, unknown paths", async () => {
  await using server = await fake({ seed: "demo" });
  const http = await serveStreamableHttp(() => createMcpServer(depsFor(server)), {
    host: "127.0.0.1",
    port: 0,
  });
  try {
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    try {
      // As the API: source datastores unless enrichment_only is true.
      const datastores = JSON.parse((await call(client, "list_datastores")).text);
      assert.equal(datastores.length, 2);
      const enrichment = JSON.parse(
        (await call(client, "list_datastores", { enrichment_only: true })).text,
      );
      assert.deepEqual(enrichment.map((d: { name: string }) => d.name), ["DQ Enrichment"]);
    } finally {
      await client.close();
    }
    const stale = await fetch(http.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "mcp-session-id": "no-such-session",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    assert.equal(stale.status, 404);
    await stale.body?.cancel();
    const notInit = await fetch(http.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    assert.equal(notInit.status, 400);
    await notInit.body?.cancel();
  } finally {
    await http.close();
  }
});
