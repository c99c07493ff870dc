/**
 * Secrets never reach the CLI's output, whatever a server or proxy echoes back: the token
 * however it was configured, secrets the CLI sent, and values resolved from `${VAR}`. The real
 * CLI against the fake controlplane over HTTP, with faults that echo the request.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import type { FaultEcho } from "../../src/testing/mod.ts";
import { type CliRun, runQualytics, tempDir } from "../helpers/cli.ts";
import { envFor, fake } from "../helpers/fake.ts";
import { copyGolden, SECRETS } from "../config/import_fixtures.ts";
import { GOLDEN } from "../config/golden.ts";

function assertNotIn(run: CliRun, secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!run.stdout.includes(secret), `${secret} leaked on stdout:\n${run.stdout}`);
    assert.ok(!run.stderr.includes(secret), `${secret} leaked on stderr:\n${run.stderr}`);
  }
}

const onConnectionWrites = ({ method, path }: { method: string; path: string }) =>
  (method === "POST" || method === "PUT") && /^\/api\/connections(\/\d+)?$/.test(path);

Deno.test("a 401 echoing the Authorization header never shows a token read from config.yaml", async () => {
  await using server = await fake({ seed: "demo" });
  await using home = await tempDir();
  const init = await runQualytics(
    ["auth", "init", "--url", server.url, "--token", server.token],
    { home: home.path },
  );
  assert.equal(init.code, 0, init.stderr);
  for (const echo of ["detail", "object", "validation", "text"] as FaultEcho[]) {
    server.setFaults({ failRate: 1, statuses: [401], echo });
    for (const debug of [[], ["--debug"]]) {
      const run = await runQualytics([...debug, "datastores", "list"], { home: home.path });
      assert.equal(run.code, 1, `${echo} ${debug}`);
      assert.match(run.stderr, /Authentication failed \(HTTP 401\)/);
      assertNotIn(run, [server.token]);
    }
  }
});

Deno.test("secrets the CLI sent are not printed when the server echoes them in an error", async () => {
  await using server = await fake({ seed: "demo" });
  const password = "literal-Pa55word-value";
  const fromEnv = "env-Pa55word-value";
  const env = { ...envFor(server), PG_PASS: fromEnv, PG_HOST: "db-from-env.internal" };
  const cases: Array<[FaultEcho, number]> = [
    ["object", 400],
    ["text", 502],
    ["validation", 422],
    ["detail", 409],
  ];
  for (const [echo, status] of cases) {
    server.setFaults({ failRate: 1, statuses: [status], echo, only: onConnectionWrites });
    for (const debug of [[], ["--debug"]]) {
      const create = await runQualytics([
        ...debug,
        "connections",
        "create",
        "-t",
        "postgresql",
        "-n",
        `pg-${echo}`,
        "--host",
        "${PG_HOST}",
        "--username",
        "app",
        "--password",
        password,
        "--parameters",
        '{"passphrase": "${PG_PASS}"}',
      ], { env });
      assert.equal(create.code, 1, `${echo}: ${create.stderr}`);
      // The host came from the environment too, but it is no secret: it may be shown.
      assertNotIn(create, [password, fromEnv, server.token]);
      const update = await runQualytics(
        [...debug, "connections", "update", "--id", "1", "--password", "${PG_PASS}"],
        { env },
      );
      assert.equal(update.code, 1, `${echo}: ${update.stderr}`);
      assertNotIn(update, [fromEnv, server.token]);
    }
  }
  assert.equal(server.state.connections.values().find((c) => c.name.startsWith("pg-")), undefined);
});

Deno.test("config import: resolved secrets are not printed when the server echoes them", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "minimal", "empty-server.json")),
  });
  await using tmp = await tempDir();
  const folder = await copyGolden("minimal", tmp.path);
  const env = { ...envFor(server), ...SECRETS.minimal };
  for (const [echo, status] of [["object", 400], ["text", 502], ["validation", 422]] as const) {
    server.setFaults({ failRate: 1, statuses: [status], echo, only: onConnectionWrites });
    for (const format of [[], ["--format", "json"]]) {
      const run = await runQualytics(["config", "import", "-i", folder, ...format], { env });
      assert.equal(run.code, 1, run.stderr);
      assertNotIn(run, [...Object.values(SECRETS.minimal), server.token]);
    }
  }
});

async function withHostPlaceholder(dir: string): Promise<string> {
  const folder = await copyGolden("minimal", dir);
  const file = path.join(folder, "connections", "prod_pg.yaml");
  const text = await Deno.readTextFile(file);
  await Deno.writeTextFile(
    file,
    text.replace("host: db.prod.example.com", "host: ${PROD_PG_HOST}")
      .replace("username: qualytics_reader", "username: ${PROD_PG_USER}"),
  );
  return folder;
}

Deno.test("config import resolves ${VAR} in every value of a connection file", async () => {
  await using tmp = await tempDir();
  const folder = await withHostPlaceholder(tmp.path);
  const base = { ...SECRETS.minimal, PROD_PG_USER: "qualytics_reader" };

  // Unresolved: every missing variable is reported together and nothing is written.
  {
    await using server = await fake({
      data: await Deno.readTextFile(path.join(GOLDEN, "minimal", "empty-server.json")),
    });
    const rest: Record<string, string> = { ...base };
    delete rest.PROD_PG_PASSWORD;
    const run = await runQualytics(["config", "import", "-i", folder], {
      env: { ...envFor(server), ...rest },
    });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /Unresolved environment variable\(s\): PROD_PG_HOST, PROD_PG_PASSWORD/,
    );
    assert.deepEqual(server.requests.writes(), []);
  }

  // The plan compares resolved values with the server: the source's own host is unchanged.
  {
    await using server = await fake({
      data: await Deno.readTextFile(path.join(GOLDEN, "minimal", "server.json")),
    });
    const env = { ...envFor(server), ...base, PROD_PG_HOST: "db.prod.example.com" };
    const same = await runQualytics(
      ["config", "plan", "-i", folder, "--include", "connections", "--format", "json"],
      { env },
    );
    assert.equal(same.code, 0, same.stderr);
    const item = JSON.parse(same.stdout).items.find((i: { name: string }) => i.name === "Prod PG");
    assert.equal(item.action, "unchanged");

    // Another host: an update that shows the placeholder, never the value.
    const other = "db.promoted.example.com";
    const changed = await runQualytics(
      ["config", "plan", "-i", folder, "--include", "connections", "--format", "json"],
      { env: { ...env, PROD_PG_HOST: other } },
    );
    assert.equal(changed.code, 0, changed.stderr);
    const update = JSON.parse(changed.stdout).items.find((i: { name: string }) =>
      i.name === "Prod PG"
    );
    assert.equal(update.action, "update");
    assert.deepEqual(update.changes, [
      { field: "host", before: "db.prod.example.com", after: "${PROD_PG_HOST}" },
    ]);
    const text = await runQualytics(["config", "plan", "-i", folder, "--include", "connections"], {
      env: { ...env, PROD_PG_HOST: other },
    });
    assert.match(text.stderr, /host: "db\.prod\.example\.com" → "\$\{PROD_PG_HOST\}"/);
    assertNotIn(changed, [other]);
    assertNotIn(text, [other]);
  }

  // Applied: the server receives the resolved values.
  {
    await using server = await fake({
      data: await Deno.readTextFile(path.join(GOLDEN, "minimal", "empty-server.json")),
    });
    const host = "db.promoted.example.com";
    const run = await runQualytics(["config", "import", "-i", folder, "--include", "connections"], {
      env: { ...envFor(server), ...base, PROD_PG_HOST: host },
    });
    assert.equal(run.code, 0, run.stderr);
    const post = server.requests.filter("POST", "/api/connections")
      .find((r) => (r.body as { name: string }).name === "Prod PG");
    const body = post?.body as Record<string, unknown>;
    assert.equal(body.host, host);
    assert.equal(body.username, "qualytics_reader");
    assert.equal(body.password, SECRETS.minimal.PROD_PG_PASSWORD);
    assertNotIn(run, [host, SECRETS.minimal.PROD_PG_PASSWORD]);
  }
});

Deno.test("scrubbing never corrupts data: a password that is also a word or a port", async () => {
  await using server = await fake({ seed: "demo" });
  for (const [password, port] of [["postgres", "5432"], ["5432", "5432"]]) {
    const run = await runQualytics([
      "connections",
      "create",
      "-t",
      "postgresql",
      "-n",
      `scrub-${password}`,
      "--host",
      "db.example.com",
      "--port",
      port,
      "--username",
      "postgres",
      "--password",
      password,
      "--format",
      "json",
    ], { env: envFor(server) });
    assert.equal(run.code, 0, run.stderr);
    const created = JSON.parse(run.stdout);
    assert.equal(created.type, "postgresql");
    assert.equal(created.port, 5432);
  }
});
