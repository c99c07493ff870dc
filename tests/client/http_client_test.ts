import assert from "node:assert/strict";
import * as https from "node:https";
import {
  AuthenticationError,
  ConflictError,
  NetworkError,
  NotFoundError,
  ServerError,
  TimeoutError,
  ValidationError,
} from "../../src/client/errors.ts";
import { encodeQuery, QualyticsClient } from "../../src/client/http_client.ts";
import { JsonFloat } from "../../src/util/json.ts";
import { fake } from "../helpers/fake.ts";

function clientFor(
  server: { url: string; token: string },
  options: Partial<ConstructorParameters<typeof QualyticsClient>[0]> = {},
) {
  return new QualyticsClient({ baseUrl: server.url, token: server.token, ...options });
}

Deno.test("status codes map to typed errors with the server's detail", async () => {
  await using server = await fake({ seed: "demo" });
  const client = clientFor(server, { maxRetries: 0 });

  const anonymous = new QualyticsClient({ baseUrl: server.url, maxRetries: 0 });
  await assert.rejects(anonymous.get("connections"), (error) => {
    assert.ok(error instanceof AuthenticationError);
    assert.equal(error.status, 401);
    assert.match(error.message, /qualytics auth login/);
    return true;
  });
  const unknownToken = new QualyticsClient({
    baseUrl: server.url,
    token: "a.b.c",
    maxRetries: 0,
  });
  await assert.rejects(unknownToken.get("connections"), AuthenticationError);

  await assert.rejects(client.get("connections/987654"), (error) => {
    assert.ok(error instanceof NotFoundError);
    assert.equal(error.status, 404);
    assert.match(error.message, /HTTP 404/);
    return true;
  });

  await assert.rejects(client.get("connections", { query: { page: 1, size: 101 } }), (error) => {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.status, 422);
    assert.match(error.message, /size/);
    return true;
  });

  const datastores = await client.paginate<{ connection_id?: number }>("datastores");
  const used = datastores.find((datastore) => typeof datastore.connection_id === "number");
  assert.ok(used, "the demo seed has a datastore on a connection");
  await assert.rejects(client.delete(`connections/${used.connection_id}`), (error) => {
    assert.ok(error instanceof ConflictError);
    assert.equal(error.status, 409);
    return true;
  });
});

Deno.test("a 500 is not retried and says what to do", async () => {
  await using server = await fake({
    seed: "demo",
    faults: { failRate: 1, statuses: [500] },
  });
  const client = clientFor(server, { retryBaseMs: 1 });
  await assert.rejects(client.get("connections"), (error) => {
    assert.ok(error instanceof ServerError);
    assert.match(error.message, /HTTP 500/);
    return true;
  });
  assert.equal(server.requests.count("GET"), 1);
});

Deno.test("a 503 on a GET is retried with backoff and succeeds", async () => {
  let faulted = 0;
  await using server = await fake({
    seed: "demo",
    faults: { failRate: 1, statuses: [503], only: () => faulted++ < 2 },
  });
  const waits: number[] = [];
  const client = clientFor(server, {
    retryBaseMs: 100,
    random: () => 0,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  const connections = await client.paginate("connections");
  assert.ok(connections.length > 0);
  assert.equal(server.requests.count("GET"), 3);
  assert.equal(waits.length, 2);
});

Deno.test("a 429 honours Retry-After", async () => {
  let faulted = 0;
  await using server = await fake({
    seed: "demo",
    faults: { failRate: 1, statuses: [429], retryAfterSeconds: 2, only: () => faulted++ < 1 },
  });
  const waits: number[] = [];
  const client = clientFor(server, {
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  await client.get("connections");
  assert.deepEqual(waits, [2000]);
});

Deno.test("a POST that may have reached the server is never retried", async () => {
  await using server = await fake({
    seed: "empty",
    faults: { failRate: 1, statuses: [503], only: (request) => request.method === "POST" },
  });
  const client = clientFor(server, { sleep: () => Promise.resolve() });
  await assert.rejects(
    client.post("global-tags", { body: { type: "global", name: "x" } }),
    ServerError,
  );
  assert.equal(server.requests.count("POST"), 1);
});

Deno.test("a slow answer times out with advice", async () => {
  await using server = await fake({ seed: "empty", latencyMs: 400 });
  const client = clientFor(server, { timeoutMs: 50, maxRetries: 0 });
  await assert.rejects(client.get("connections"), (error) => {
    assert.ok(error instanceof TimeoutError);
    assert.match(error.message, /QUALYTICS_TIMEOUT/);
    return true;
  });
});

Deno.test("paginate fetches every page once, in order", async () => {
  await using server = await fake({
    seed: "scale",
    scale: { datastores: 1, containers: 230, checks: 0 },
  });
  const client = clientFor(server);
  const containers = await client.paginate<{ id: number }>("containers");
  assert.equal(containers.length, 230);
  const ids = containers.map((container) => container.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  assert.equal(server.requests.count("GET"), 3);
});

Deno.test("floats keep their float-ness through the client", async () => {
  await using server = await fake({ seed: "demo" });
  const client = clientFor(server);
  const checks = await client.get<{ items: Array<{ coverage: unknown }> }>("quality-checks", {
    query: { page: 1, size: 100 },
  });
  assert.ok(checks.items.some((check) => check.coverage instanceof JsonFloat));
});

Deno.test("--debug traces requests without the token or secrets", async () => {
  await using server = await fake({ seed: "empty" });
  const lines: string[] = [];
  const client = clientFor(server, { debug: (line) => lines.push(line) });
  await client.post("connections", {
    body: { name: "pg", type: "postgresql", host: "db", password: "hunter2-secret" },
  }).catch(() => {});
  const trace = lines.join("\n");
  assert.match(trace, /POST .*\/api\/connections/);
  assert.doesNotMatch(trace, /hunter2-secret/);
  assert.ok(!trace.includes(server.token));
});

Deno.test("ssl_verify false trusts a self-signed server for that client only", async () => {
  const dir = new URL("../fixtures/tls/", import.meta.url);
  const server = https.createServer({
    key: await Deno.readTextFile(new URL("key.pem", dir)),
    cert: await Deno.readTextFile(new URL("cert.pem", dir)),
  }, (_request, response) => {
    response.writeHead(200, { "Content-Type": "application/json" }).end('{"ok": true}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  try {
    const { port } = server.address() as { port: number };
    const url = `https://127.0.0.1:${port}`;
    const insecure = new QualyticsClient({ baseUrl: url, token: "t", sslVerify: false });
    assert.deepEqual(await insecure.get("status"), { ok: true });
    const verifying = new QualyticsClient({ baseUrl: url, token: "t", maxRetries: 0 });
    await assert.rejects(verifying.get("status"), /TLS handshake/);
    await assert.rejects(fetch(`${url}/api/status`));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

Deno.test("queries repeat list keys and skip empty values", () => {
  assert.equal(
    encodeQuery({ status: ["Active", "Resolved"], page: 1, name: undefined, tag: null, q: "a b" }),
    "?status=Active&status=Resolved&page=1&q=a+b",
  );
  assert.equal(encodeQuery({}), "");
});

Deno.test("an unreachable server is a network error that says what to check", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  let sleeps = 0;
  const client = new QualyticsClient({
    baseUrl: `http://127.0.0.1:${port}`,
    token: "t",
    maxRetries: 2,
    sleep: () => {
      sleeps++;
      return Promise.resolve();
    },
  });
  await assert.rejects(client.get("status"), (error) => {
    assert.ok(error instanceof NetworkError);
    assert.equal(error.refused, true);
    assert.match(error.message, /Could not connect to .*Check that the server is running/);
    return true;
  });
  assert.equal(sleeps, 2, "GETs are retried on network errors");
  // A refused connection never reached the server, so even a POST may be retried.
  sleeps = 0;
  await assert.rejects(client.post("connections", { body: {} }), NetworkError);
  assert.equal(sleeps, 2);
});

Deno.test("paginate with an expected total gives the same items whatever the guess", async () => {
  await using server = await fake({
    seed: "scale",
    scale: { datastores: 1, containers: 230, checks: 0 },
  });
  const client = clientFor(server);
  const plain = await client.paginate<{ id: number }>("containers");
  for (const [guess, gets] of [[0, 3], [150, 3], [230, 3], [1000, 10]] as const) {
    server.requests.clear();
    const items = await client.paginate<{ id: number }>("containers", {}, 100, guess);
    assert.deepEqual(items.map((item) => item.id), plain.map((item) => item.id), `guess ${guess}`);
    assert.equal(server.requests.count("GET"), gets, `guess ${guess}`);
  }
});

Deno.test("a connection cut before the answer says so, not 'could not connect'", async () => {
  await using server = await fake({ seed: "demo", faults: { dropRate: 1 } });
  const client = new QualyticsClient({
    baseUrl: server.url,
    token: server.token,
    maxRetries: 1,
    sleep: () => Promise.resolve(),
  });
  await assert.rejects(client.get("datastores"), (error) => {
    assert.ok(error instanceof NetworkError);
    assert.equal(error.refused, false);
    assert.match(error.message, /connection to .* closed before the server answered/);
    assert.doesNotMatch(error.message, /Could not connect/);
    return true;
  });
});
