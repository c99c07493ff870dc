/** End-to-end tests of `qualytics doctor` against the fake controlplane. */
import assert from "node:assert/strict";
import { makeJwt, startFakeControlplane } from "../../src/testing/mod.ts";
import { runQualytics } from "../helpers/cli.ts";
import { cliTransport } from "../../cli.ts";
import type { Transport } from "../../src/client/transport.ts";
import { envFor, fake } from "../helpers/fake.ts";

Deno.test("doctor: all checks pass against the fake controlplane", async () => {
  await using server = await fake({ seed: "demo" });
  server.requests.clear();
  const result = await runQualytics(["doctor"], {
    env: envFor(server),
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /All checks passed!/);
  assert.match(result.stderr, /✓ 54 required method\/path operations supported/);
  assert.deepEqual(server.requests.entries.map((e) => `${e.method} ${e.path}`), [
    "GET /api/status",
    "GET /api/openapi.json",
  ]);

  const json = await runQualytics(["doctor", "--format", "json"], {
    env: envFor(server),
  });
  assert.equal(json.code, 0);
  const report = JSON.parse(json.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.summary.failed, 0);
  assert.ok(report.checks.some((check: { name: string }) => check.name === "server_version"));
});

Deno.test("doctor: an expired token fails with exit 1", async () => {
  await using server = await fake({ seed: "demo" });
  const expired = makeJwt({ sub: "1", exp: Math.floor(Date.now() / 1000) - 3600 });
  const result = await runQualytics(["doctor", "-f", "yaml"], {
    env: { QUALYTICS_URL: server.url, QUALYTICS_TOKEN: expired },
  });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /✗ Expired/);
  assert.match(result.stderr, /\d+ passed, \d+ warning\(s\), 1 failed/);
});

Deno.test("doctor: an unreachable server and a missing configuration fail", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  const url = server.url;
  const token = server.token;
  await server.close();
  const unreachable = await runQualytics(["doctor"], {
    env: { QUALYTICS_URL: url, QUALYTICS_TOKEN: token },
  });
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /✗ Cannot reach/);

  const missing = await runQualytics(["doctor"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /✗ No configuration/);

  const bad = await runQualytics(["doctor", "--format", "xml"]);
  assert.equal(bad.code, 2);
});

Deno.test("doctor: its requests go through the CLI's transport, as every command's do", async () => {
  await using server = await fake({ seed: "demo" });
  const sent: string[] = [];
  const base = cliTransport()!;
  const transport: Transport = (request) => {
    sent.push(`${request.method} ${new URL(request.url).pathname}`);
    return base(request);
  };
  const result = await runQualytics(["doctor"], { env: envFor(server), transport });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(sent, ["GET /api/status", "GET /api/openapi.json"]);

  // Without certificate checks the client keeps its own node:https transport instead.
  sent.length = 0;
  const insecure = await runQualytics(["doctor"], {
    env: { ...envFor(server), QUALYTICS_SSL_VERIFY: "false" },
    transport,
  });
  assert.deepEqual(sent, [], insecure.stderr);
});
