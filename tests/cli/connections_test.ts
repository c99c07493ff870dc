/**
 * End-to-end tests of `qualytics connections` against the fake controlplane.
 */
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { runQualytics } from "../helpers/cli.ts";
import { envFor, fake } from "../helpers/fake.ts";

const SECRET = "pg-Sup3r-Secret-value";

function assertNoSecret(run: { stdout: string; stderr: string }): void {
  assert.ok(!run.stdout.includes(SECRET), "secret leaked on stdout");
  assert.ok(!run.stderr.includes(SECRET), "secret leaked on stderr");
}

Deno.test("connections create: resolves ${VAR}, merges --parameters, redacts output", async () => {
  await using server = await fake({ seed: "demo" });
  const env = { ...envFor(server), PG_PASS: SECRET };
  const run = await runQualytics([
    "connections",
    "create",
    "-t",
    "postgresql",
    "-n",
    "new-pg",
    "--host",
    "db.internal",
    "--port",
    "5432",
    "--username",
    "app",
    "--password",
    "${PG_PASS}",
    "--parameters",
    '{"passphrase": "${PG_PASS}", "role": "ANALYST", "port": 6543}',
  ], { env });
  assert.equal(run.code, 0, run.stderr);
  const posts = server.requests.filter("POST", "/api/connections");
  assert.equal(posts.length, 1);
  assert.deepEqual(posts[0].body, {
    type: "postgresql",
    name: "new-pg",
    host: "db.internal",
    port: 6543,
    username: "app",
    password: SECRET,
    passphrase: SECRET,
    parameters: { role: "ANALYST" },
  });
  const created = parseYaml(run.stdout);
  assert.equal(created.name, "new-pg");
  assert.equal(typeof created.id, "number");
  assert.match(run.stderr, /Connection created successfully!/);
  assertNoSecret(run);
});

Deno.test("connections create --dry-run: no request, no configuration, secrets redacted", async () => {
  const run = await runQualytics([
    "connections",
    "create",
    "--type",
    "s3",
    "--name",
    "lake",
    "--uri",
    "s3://bucket",
    "--secret-key",
    "${PG_PASS}",
    "--authentication-type",
    "IAM_ROLE",
    "--role-arn",
    "arn:aws:iam::1:role/q",
    "--dry-run",
    "--format",
    "json",
  ], { env: { PG_PASS: SECRET } });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    type: "s3",
    name: "lake",
    uri: "s3://bucket",
    secret_key: "*** redacted ***",
    parameters: { authentication_type: "IAM_ROLE", role_arn: "arn:aws:iam::1:role/q" },
  });
  assert.match(run.stderr, /Dry run successful\. No HTTP request was made\./);
  assertNoSecret(run);
});

Deno.test("connections create: input errors", async (t) => {
  await using server = await fake({ seed: "demo" });
  const env = { ...envFor(server), PG_PASS: SECRET };
  await t.step("missing --type exits 2", async () => {
    const run = await runQualytics(["connections", "create", "-n", "x"], { env });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--type is required/);
  });
  await t.step("unresolved ${VAR} exits 1 and names it", async () => {
    const run = await runQualytics(
      ["connections", "create", "-t", "postgresql", "--password", "${NOT_SET_XYZ}"],
      { env },
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Unresolved environment variable\(s\): NOT_SET_XYZ\./);
  });
  await t.step("invalid --parameters JSON exits 2", async () => {
    const run = await runQualytics(
      ["connections", "create", "-t", "postgresql", "--parameters", "{oops"],
      { env },
    );
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Invalid JSON in --parameters/);
  });
  await t.step("--parameters must be an object", async () => {
    const run = await runQualytics(
      ["connections", "create", "-t", "postgresql", "--parameters", "[1]"],
      { env },
    );
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--parameters must be a JSON object/);
  });
  await t.step("IAM_ROLE without --role-arn exits 2", async () => {
    const run = await runQualytics(
      ["connections", "create", "-t", "s3", "--authentication-type", "IAM_ROLE"],
      { env },
    );
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--role-arn is required when --authentication-type is IAM_ROLE\./);
  });
  await t.step("bad --port value exits 2", async () => {
    const run = await runQualytics(
      ["connections", "create", "-t", "postgresql", "--port", "abc"],
      { env },
    );
    assert.equal(run.code, 2);
  });
  await t.step("a 422 from the server exits 1", async () => {
    const run = await runQualytics(
      ["connections", "create", "-t", "postgresql", "-n", "nohost"],
      {
        env,
      },
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /422/);
    assert.equal(run.stdout, "");
  });
  assert.equal(server.requests.writes().filter((w) => w.status < 400).length, 0);
});

Deno.test("connections update: GET-merge-PUT with resolved secret", async () => {
  await using server = await fake({ seed: "demo" });
  const env = { ...envFor(server), PG_PASS: SECRET };
  const run = await runQualytics(
    [
      "connections",
      "update",
      "--id",
      "1",
      "--host",
      "new-db.internal",
      "--password",
      "${PG_PASS}",
      "--parameters",
      '{"ssl": true}',
      "-f",
      "json",
    ],
    { env },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(server.requests.count("GET", "/api/connections/1"), 1);
  const [put] = server.requests.filter("PUT", "/api/connections/1");
  assert.deepEqual(put.body, {
    name: "Warehouse PG",
    type: "postgresql",
    host: "new-db.internal",
    port: 5432,
    username: "dq_reader",
    jdbc_fetch_size: 1000,
    max_parallelization: 8,
    parameters: { sslmode: "require", ssl: true },
    password: SECRET,
  });
  const updated = JSON.parse(run.stdout);
  assert.equal(updated.host, "new-db.internal");
  assert.match(run.stderr, /Connection 1 updated successfully\./);
  assertNoSecret(run);
});

Deno.test("connections update: nothing to change exits 2, unknown id exits 1", async () => {
  await using server = await fake({ seed: "demo" });
  const env = { ...envFor(server), PG_PASS: SECRET };
  const empty = await runQualytics(["connections", "update", "--id", "1"], { env });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /No fields to update\. Provide at least one option\./);
  assert.equal(server.requests.length, 0);
  const missing = await runQualytics(["connections", "update", "--id", "999", "--host", "h"], {
    env,
  });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Connection with ID 999 not found\./);
  assert.equal(server.requests.writes().length, 0);
});

Deno.test("connections get: by id, by name (one filtered lookup), errors", async () => {
  await using server = await fake({ seed: "demo" });
  const env = { ...envFor(server), PG_PASS: SECRET };
  const byId = await runQualytics(["connections", "get", "--id", "2"], { env });
  assert.equal(byId.code, 0, byId.stderr);
  const s3 = parseYaml(byId.stdout);
  assert.equal(s3.name, "Lakehouse S3");
  assert.notEqual(s3.access_key, "AKIADEMOEXAMPLE0001");

  server.requests.clear();
  const byName = await runQualytics([
    "connections",
    "get",
    "--name",
    "Warehouse PG",
    "-f",
    "json",
  ], {
    env,
  });
  assert.equal(byName.code, 0, byName.stderr);
  assert.equal(JSON.parse(byName.stdout).id, 1);
  const lookups = server.requests.filter("GET", "/api/connections");
  assert.equal(lookups.length, 1);
  assert.deepEqual(lookups[0].query.name, ["Warehouse PG"]);

  const both = await runQualytics(["connections", "get", "--id", "1", "--name", "x"], { env });
  assert.equal(both.code, 2);
  assert.match(both.stderr, /Cannot specify both --id and --name/);
  const neither = await runQualytics(["connections", "get"], { env });
  assert.equal(neither.code, 2);
  assert.match(neither.stderr, /Must specify either --id or --name/);
  const missing = await runQualytics(["connections", "get", "--name", "nope"], { env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Connection with name 'nope' not found\./);
  const missingId = await runQualytics(["connections", "get", "--id", "404"], { env });
  assert.equal(missingId.code, 1);
  assert.match(missingId.stderr, /Connection with ID 404 not found\./);
});

Deno.test("connections list: filters, formats, redaction", async () => {
  await using server = await fake({ seed: "demo" });
  const env = { ...envFor(server), PG_PASS: SECRET };
  const run = await runQualytics(["connections", "list", "-t", "postgresql,s3", "-f", "json"], {
    env,
  });
  assert.equal(run.code, 0, run.stderr);
  const items = JSON.parse(run.stdout);
  assert.deepEqual(items.map((c: { name: string }) => c.name), ["Warehouse PG", "Lakehouse S3"]);
  assert.equal(items[1].access_key, "*** redacted ***");
  const [list] = server.requests.filter("GET", "/api/connections");
  assert.deepEqual(list.query.type, ["postgresql", "s3"]);
  assert.deepEqual(list.query.size, ["100"]);
  assert.match(run.stderr, /Found 2 connections\./);

  const yaml = await runQualytics(["connections", "list", "--name", "Lakehouse S3"], { env });
  assert.equal(yaml.code, 0);
  assert.equal(parseYaml(yaml.stdout).length, 1);

  const table = await runQualytics(["connections", "list", "--format", "table"], { env });
  assert.equal(table.code, 0);
  assert.match(table.stdout, /Warehouse PG/);

  const bad = await runQualytics(["connections", "list", "--format", "xml"], { env });
  assert.equal(bad.code, 2);
});

Deno.test("connections delete: success, and a 409 names the datastores using it", async () => {
  await using server = await fake({ seed: "demo" });
  const env = { ...envFor(server), PG_PASS: SECRET };
  const inUse = await runQualytics(["connections", "delete", "--id", "1"], { env });
  assert.equal(inUse.code, 1);
  assert.match(inUse.stderr, /Cannot delete connection 1: datastores still reference it\./);
  assert.match(inUse.stderr, /Sales DW \(ID 1\)/);
  assert.match(inUse.stderr, /Remove or reassign those datastores first\./);
  assert.equal(inUse.stdout, "");

  const created = await runQualytics(
    ["connections", "create", "-t", "postgresql", "-n", "spare", "--host", "h", "-f", "json"],
    { env },
  );
  const id = JSON.parse(created.stdout).id;
  server.requests.clear();
  const run = await runQualytics(["connections", "delete", "--id", String(id)], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(server.requests.count("DELETE", `/api/connections/${id}`), 1);
  assert.deepEqual(parseYaml(run.stdout), {
    success: true,
    message: "Connection deleted successfully",
  });
  const again = await runQualytics(["connections", "delete", "--id", String(id)], { env });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /not found/);
});

Deno.test("connections test: pass exits 0, failure exits 1, overrides are merged", async () => {
  await using server = await fake({ seed: "demo" });
  const env = { ...envFor(server), PG_PASS: SECRET };
  const ok = await runQualytics(["connections", "test", "--id", "1"], { env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(parseYaml(ok.stdout), { connected: true });
  assert.match(ok.stderr, /Connection 1: test passed successfully\./);
  const [plain] = server.requests.filter("POST", "/api/connections/1/test");
  assert.equal(plain.body, undefined);

  server.requests.clear();
  const failed = await runQualytics(
    [
      "connections",
      "test",
      "--id",
      "1",
      "--host",
      "unreachable.example.com",
      "--password",
      "${PG_PASS}",
      "-f",
      "json",
    ],
    { env },
  );
  assert.equal(failed.code, 1);
  assert.equal(JSON.parse(failed.stdout).connected, false);
  assert.match(failed.stderr, /Connection 1: test failed — Connection refused/);
  const [override] = server.requests.filter("POST", "/api/connections/1/test");
  const body = override.body as Record<string, unknown>;
  assert.equal(body.host, "unreachable.example.com");
  assert.equal(body.password, SECRET);
  assert.equal(body.name, "Warehouse PG");
  assertNoSecret(failed);

  const missing = await runQualytics(["connections", "test", "--id", "77"], { env });
  assert.equal(missing.code, 1);
});

Deno.test("connections: a bad --id value is a usage error", async () => {
  const run = await runQualytics(["connections", "delete", "--id", "abc"]);
  assert.equal(run.code, 2);
});
