/**
 * End-to-end tests of `qualytics mcp serve`: the real CLI as a subprocess, spoken to with the
 * SDK's MCP client over stdio (and streamable HTTP), against the fake controlplane.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { REDACTED } from "../../src/util/redact.ts";
import { tempDir } from "../helpers/cli.ts";
import { envFor, fake } from "../helpers/fake.ts";
import { callTool, CLI, DENO_DIR, serveMcp, type ToolText } from "../helpers/mcp.ts";

const ALL_TOOLS = [
  "auth_status",
  "list_connections",
  "get_connection",
  "create_connection",
  "delete_connection",
  "test_connection",
  "list_datastores",
  "get_datastore",
  "create_datastore",
  "delete_datastore",
  "verify_datastore_connection",
  "link_enrichment",
  "unlink_enrichment",
  "list_containers",
  "get_container",
  "get_field_profiles",
  "create_container",
  "delete_container",
  "validate_container",
  "list_checks",
  "get_check",
  "create_check",
  "update_check",
  "delete_check",
  "list_anomalies",
  "get_anomaly",
  "update_anomaly",
  "archive_anomaly",
  "delete_anomaly",
  "run_sync",
  "run_profile",
  "run_scan",
  "run_materialize",
  "get_operation",
  "list_operations",
  "abort_operation",
  "export_config",
  "import_config",
  "export_checks",
  "import_checks",
];

/** The parts of a listed tool the tests look at. */
interface Tool {
  name: string;
  description?: string;
  inputSchema: { type: string; properties?: Record<string, unknown> };
}

function data(result: ToolText): any {
  assert.equal(result.isError, false, result.text);
  return JSON.parse(result.text);
}

Deno.test("mcp serve (stdio): tools over the real CLI against the fake controlplane", async () => {
  await using server = await fake({ seed: "demo" });
  await using home = await tempDir();
  await using out = await tempDir();
  const secret = "mcp-Sup3r-Secret-pg";
  const { client, stderr } = await serveMcp(server, home.path, { MCP_TEST_PG_PASS: secret });
  const texts: string[] = [];
  const run = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await callTool(client, name, args);
    texts.push(result.text);
    return result;
  };
  try {
    assert.match(client.getInstructions() ?? "", /auth_status first/);

    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool: Tool) => tool.name).sort(), [...ALL_TOOLS].sort());
    for (const tool of tools) {
      assert.ok((tool.description ?? "").length > 20, `${tool.name} needs a description`);
      assert.equal(tool.inputSchema.type, "object");
    }
    const getConnection = tools.find((tool: Tool) => tool.name === "get_connection")!;
    assert.ok("id" in (getConnection.inputSchema.properties ?? {}));

    // auth_status: no request, masked token.
    server.requests.clear();
    const status = data(await run("auth_status"));
    assert.equal(server.requests.length, 0);
    assert.equal(status.authenticated, true);
    assert.equal(status.host, "127.0.0.1");
    assert.equal(status.token, `${server.token.slice(0, 4)}****`);
    assert.equal(status.token_source, "env");

    const datastores = data(await run("list_datastores"));
    assert.ok(datastores.some((ds: { name: string }) => ds.name === "Sales DW"));

    // Secrets the server returns are redacted.
    const lake = data(await run("get_connection", { id: 2 }));
    assert.equal(lake.name, "Lakehouse S3");
    assert.equal(lake.access_key, REDACTED);
    const byName = data(await run("get_connection", { name: "Warehouse PG" }));
    assert.equal(byName.id, 1);

    // A create sends what it is given (no ${VAR} from the server's environment) and never
    // echoes the secret.
    server.requests.clear();
    const created = data(
      await run("create_connection", {
        type: "postgresql",
        name: "mcp-pg",
        host: "db.internal",
        port: 5432,
        username: "app",
        password: secret,
        parameters: { role: "ANALYST" },
      }),
    );
    assert.equal(created.name, "mcp-pg");
    const posts = server.requests.filter("POST", "/api/connections");
    assert.equal(posts.length, 1);
    assert.deepEqual(posts[0].body, {
      type: "postgresql",
      name: "mcp-pg",
      host: "db.internal",
      port: 5432,
      username: "app",
      password: secret,
      parameters: { role: "ANALYST" },
    });

    // Errors are tool errors with a clear message.
    const missing = await run("get_connection", { id: 999 });
    assert.equal(missing.isError, true);
    assert.equal(missing.text, "Connection with ID 999 not found.");
    const neither = await run("get_connection", {});
    assert.equal(neither.isError, true);
    assert.match(neither.text, /Provide either 'id' or 'name'/);
    const apiError = await run("get_container", { id: 424242 });
    assert.equal(apiError.isError, true);
    assert.match(apiError.text, /not found/i);

    // export_config writes the folder; a dry-run import of it plans without writing.
    const exported = data(
      await run("export_config", { datastore_ids: [1], output_dir: out.path }),
    );
    assert.equal(exported.output, out.path);
    assert.ok(exported.exported.checks > 0);
    assert.ok(exported.files.written.length > 0);
    for (const file of exported.files.written as string[]) {
      assert.ok((await Deno.stat(path.join(out.path, file))).isFile, `${file} was not written`);
    }
    assert.ok(
      (exported.files.written as string[]).some((file) => file.endsWith("_datastore.yaml")),
    );
    server.requests.clear();
    // Connection secrets are placeholders that the server's environment does not set.
    const unresolved = await run("import_config", { input_dir: out.path, dry_run: true });
    assert.equal(unresolved.isError, true);
    assert.match(JSON.parse(unresolved.text).problems.join("\n"), /WAREHOUSE_PG_PASSWORD/);
    const planned = data(
      await run("import_config", {
        input_dir: out.path,
        dry_run: true,
        include: ["datastores", "containers", "computed_fields", "checks"],
      }),
    );
    assert.equal(planned.dry_run, true);
    assert.ok(planned.plan.items.length > 0);
    assert.equal(planned.plan.changes, false, "a fresh export plans no change");
    assert.equal(server.requests.writes().length, 0);
  } finally {
    await client.close();
  }
  for (const text of [...texts, stderr()]) {
    assert.ok(!text.includes(server.token), "the token leaked");
    assert.ok(!text.includes(secret), "a secret leaked");
    assert.ok(!text.includes("AKIADEMOEXAMPLE0001"), "a returned secret leaked");
    assert.ok(!/\n\s+at /.test(text), "a stack trace leaked");
  }
});

Deno.test("mcp serve --transport http: streamable HTTP on the given host and port", async () => {
  await using server = await fake({ seed: "demo" });
  await using home = await tempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", CLI, "mcp", "serve", "-t", "http", "--port", "0"],
    cwd: home.path,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: home.path,
      DENO_DIR,
      QUALYTICS_NO_BANNER: "1",
      ...envFor(server),
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Read stderr until the server says where it listens, then keep draining it.
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  let url: string | undefined;
  while (!url) {
    const { value, done } = await reader.read();
    if (done) break;
    stderr += value;
    url = /listening on (http:\/\/\S+\/mcp)/.exec(stderr)?.[1];
  }
  const drained = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      stderr += value;
    }
  })();
  const stdout = new Response(child.stdout).text();
  try {
    assert.ok(url, `no URL announced: ${stderr}`);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new Client({ name: "qualytics-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    try {
      const { tools } = await client.listTools();
      assert.equal(tools.length, ALL_TOOLS.length);
      const status = data(await callTool(client, "auth_status"));
      assert.equal(status.authenticated, true);
      const connections = data(await callTool(client, "list_connections"));
      assert.equal(connections.length, 2);
    } finally {
      await client.close();
    }
    const other = await fetch(url.replace(/\/mcp$/, "/elsewhere"));
    assert.equal(other.status, 404);
    await other.body?.cancel();
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    await drained;
    assert.equal(await stdout, "", "stdout must stay empty");
    assert.equal(status.code, 0, stderr);
  }
});
