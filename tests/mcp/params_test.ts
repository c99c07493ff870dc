/**
 * Tool parameters over stdio (the real CLI against the fake controlplane): unknown parameters
 * are errors that name the key and the accepted ones, and the original server's parameter names
 * and forms (generation A of spec original/mcp.md) work next to ours.
 */
import assert from "node:assert/strict";
import { runOperation } from "../../src/api/operations.ts";
import { QualyticsClient } from "../../src/client/http_client.ts";
import { tempDir } from "../helpers/cli.ts";
import { fake, plain } from "../helpers/fake.ts";
import { serveMcp } from "../helpers/mcp.ts";

interface JsonSchema {
  type?: string;
  description?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: unknown;
}

Deno.test("mcp serve (stdio): unknown parameters fail; the original's parameters work", async (t) => {
  await using server = await fake({ seed: "demo" });
  await using home = await tempDir();
  await using checksDir = await tempDir();
  const { client, call } = await serveMcp(server, home.path);
  const data = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await call(name, args);
    assert.equal(result.isError, false, `${name}: ${result.text}`);
    return JSON.parse(result.text);
  };
  const failure = async (name: string, args: Record<string, unknown>) => {
    const result = await call(name, args);
    assert.equal(result.isError, true, `${name} should fail: ${result.text.slice(0, 300)}`);
    return result.text;
  };
  /** The query of the last GET of `path`. */
  const lastQuery = (route: string) => {
    const gets = server.requests.filter("GET", route);
    assert.ok(gets.length > 0, `no GET ${route}`);
    const { page: _p, size: _s, ...query } = gets[gets.length - 1].query;
    return query;
  };
  const ids = (items: Array<{ id: number }>) => items.map((item) => item.id).sort((a, b) => a - b);

  try {
    const tools: Array<{ name: string; inputSchema: JsonSchema }> =
      (await client.listTools()).tools;
    const schemaOf = (name: string) => tools.find((tool) => tool.name === name)!.inputSchema;

    await t.step("every tool's schema says that other parameters are not accepted", () => {
      for (const tool of tools) {
        assert.equal(
          tool.inputSchema.additionalProperties,
          false,
          `${tool.name} must declare additionalProperties: false`,
        );
      }
    });

    await t.step("an unknown parameter is an error naming it and the accepted ones", async () => {
      const all = await data("list_checks", { datastore_id: 1 });
      server.requests.clear();
      const typo = await failure("list_checks", { datastore_id: 1, container: 1 });
      assert.match(typo, /'container'/);
      assert.match(typo, /list_checks/);
      for (const accepted of ["datastore_id", "container_ids", "tags", "status"]) {
        assert.ok(typo.includes(accepted), `${accepted} not named in: ${typo}`);
      }
      assert.equal(server.requests.length, 0, "nothing is requested");
      assert.ok(all.length > 1);

      const two = await failure("list_anomalies", { datastore_id: 1, state: "x", page: 2 });
      assert.match(two, /'state'/);
      assert.match(two, /'page'/);
      assert.match(await failure("auth_status", { verbose: true }), /'verbose'/);
      assert.match(
        await failure("get_connection", { id: 1, include_secrets: true }),
        /'include_secrets'/,
      );
      assert.match(
        await failure("run_sync", { datastore_ids: [1], wait: true }),
        /'wait'.*accepted.*datastore_ids/is,
      );
      assert.match(
        await failure("export_config", { datastore_ids: [1], output: "x" }),
        /'output'/,
      );
      assert.equal(server.requests.length, 0, "nothing is requested");
    });

    await t.step("list_checks: container_id and tag (the original's names)", async () => {
      const ours = await data("list_checks", { datastore_id: 1, container_ids: [1] });
      const oursQuery = lastQuery("/api/quality-checks");
      const original = await data("list_checks", { datastore_id: 1, container_id: 1 });
      assert.deepEqual(lastQuery("/api/quality-checks"), oursQuery);
      assert.deepEqual(lastQuery("/api/quality-checks").container, ["1"]);
      assert.deepEqual(ids(original), ids(ours));
      assert.ok(original.every((check: { container: { id: number } }) => check.container.id === 1));

      const tagged = await data("list_checks", { datastore_id: 1, tag: "critical" });
      assert.deepEqual(lastQuery("/api/quality-checks").tag, ["critical"]);
      assert.deepEqual(
        ids(tagged),
        ids(
          await data("list_checks", {
            datastore_id: 1,
            tags: ["critical"],
          }),
        ),
      );
      assert.ok(tagged.length > 0);

      // The same value twice is fine; two different values are an error.
      await data("list_checks", { datastore_id: 1, container_id: 1, container_ids: [1] });
      const both = await failure("list_checks", {
        datastore_id: 1,
        container_id: 1,
        container_ids: [2],
      });
      assert.match(both, /container_id/);
      assert.match(both, /container_ids/);
      assert.match(
        await failure("list_checks", { datastore_id: 1, tag: "pii", tags: ["critical"] }),
        /'tag'.*'tags'|'tags'.*'tag'/,
      );
    });

    await t.step("type filters take a comma-separated string too", async () => {
      const connections = await data("list_connections", { type: "postgresql, s3" });
      assert.deepEqual(lastQuery("/api/connections").type, ["postgresql", "s3"]);
      assert.equal(connections.length, 2);
      const pg = await data("list_connections", { type: "postgresql" });
      assert.deepEqual(ids(pg), ids(await data("list_connections", { type: ["postgresql"] })));
      assert.equal(pg.length, 1);

      await data("list_datastores", { type: "PostgreSQL,S3" });
      assert.deepEqual(lastQuery("/api/datastores").datastore_type, ["PostgreSQL", "S3"]);

      const views = await data("list_containers", { datastore_id: 1, type: "view" });
      assert.deepEqual(lastQuery("/api/containers").container_type, ["view"]);
      assert.deepEqual(
        ids(views),
        ids(await data("list_containers", { datastore_id: 1, type: ["view"] })),
      );
      await data("list_containers", { datastore_id: 1, type: "table,view" });
      assert.deepEqual(lastQuery("/api/containers").container_type, ["table", "view"]);
      const bad = await failure("list_containers", { datastore_id: 1, type: "table,tabel" });
      assert.match(bad, /tabel|expected one of/);

      const schema = schemaOf("list_connections").properties!.type;
      assert.ok(schema.anyOf?.some((branch) => branch.type === "string"), "string accepted");
      assert.ok(schema.anyOf?.some((branch) => branch.type === "array"), "array accepted");
      assert.match(schema.description ?? "", /comma/i);
    });

    await t.step("list_anomalies: status as a string, tag", async () => {
      const active = await data("list_anomalies", { datastore_id: 1, status: "Active" });
      assert.deepEqual(lastQuery("/api/anomalies").status, ["Active"]);
      assert.deepEqual(
        ids(active),
        ids(await data("list_anomalies", { datastore_id: 1, status: ["Active"] })),
      );
      await data("list_anomalies", { datastore_id: 1, status: "Active,Resolved" });
      assert.deepEqual(lastQuery("/api/anomalies").status, ["Active", "Resolved"]);
      assert.deepEqual(lastQuery("/api/anomalies").archived, ["include"]);
      assert.match(
        await failure("list_anomalies", { datastore_id: 1, status: "Active,Fixed" }),
        /expected one of/,
      );
      const sales = await data("list_anomalies", { tag: "sales" });
      assert.deepEqual(lastQuery("/api/anomalies").tag, ["sales"]);
      assert.ok(sales.length > 0);
      assert.ok(sales.length < (await data("list_anomalies", {})).length);
      assert.match(
        await failure("list_anomalies", { status: "Active", tag: "a", tags: ["b"] }),
        /'tag'/,
      );
      const status = schemaOf("list_anomalies").properties!.status;
      assert.ok(status.anyOf?.some((branch) => branch.type === "string"));
    });

    await t.step("list_operations: every page unless a limit is given; status string", async () => {
      const api = new QualyticsClient({ baseUrl: server.url, token: server.token });
      for (let i = 0; i < 120; i++) {
        await runOperation(api, { type: "sync", datastore_id: 1 + (i % 2) });
      }
      const total = server.state.operations.values().length;
      assert.ok(total > 100, "more than one page");
      const all = await data("list_operations", {});
      assert.equal(all.length, total);
      const limited = await data("list_operations", { limit: 3 });
      assert.deepEqual(limited, all.slice(0, 3));

      const succeeded = await data("list_operations", { status: "success" });
      assert.deepEqual(lastQuery("/api/operations").result, ["success"]);
      assert.deepEqual(
        ids(succeeded),
        ids(await data("list_operations", { status: ["success"] })),
      );
      await data("list_operations", { status: "success,failure", datastore_id: 1 });
      assert.deepEqual(lastQuery("/api/operations").result, ["success", "failure"]);
      const limit = schemaOf("list_operations").properties!.limit;
      assert.ok(!schemaOf("list_operations").required?.includes("limit"));
      assert.match(limit.description ?? "", /all/i);
    });

    await t.step("create_check and update_check take the original's payload", async () => {
      server.requests.clear();
      const flat = await data("create_check", {
        container_id: 2,
        rule: "notNull",
        fields: ["first_name"],
        description: "flat form",
      });
      const payload = await data("create_check", {
        payload: {
          container_id: 2,
          rule: "notNull",
          fields: ["last_name"],
          description: "payload form",
          tags: ["pii"],
        },
      });
      const posts = server.requests.filter("POST", "/api/quality-checks");
      assert.equal(posts.length, 2);
      const { fields: f1, description: d1, tags: _, ...flatRest } = plain(posts[0].body);
      const { fields: f2, description: d2, tags, ...payloadRest } = plain(posts[1].body);
      assert.deepEqual([f1, d1, f2, d2, tags], [
        ["first_name"],
        "flat form",
        ["last_name"],
        "payload form",
        ["pii"],
      ]);
      assert.deepEqual(payloadRest, flatRest);
      assert.equal(payload.rule_type, "notNull");
      assert.notEqual(payload.id, flat.id);

      const conflict = await failure("create_check", {
        container_id: 2,
        rule: "notNull",
        fields: ["country"],
        payload: { container_id: 2, rule: "isUnique", fields: ["country"] },
      });
      assert.match(conflict, /rule/);
      assert.match(conflict, /payload/);
      const unknown = await failure("create_check", {
        payload: { container_id: 2, rule: "notNull", fields: ["segment"], template: 1 },
      });
      assert.match(unknown, /'template'/);
      assert.match(await failure("create_check", { fields: ["x"] }), /container_id/);

      server.requests.clear();
      const updated = await data("update_check", {
        check_id: payload.id,
        payload: { description: "updated through payload" },
      });
      assert.equal(updated.description, "updated through payload");
      assert.equal(server.requests.filter("PUT", `/api/quality-checks/${payload.id}`).length, 1);
      assert.match(
        await failure("update_check", {
          check_id: payload.id,
          changes: { description: "a" },
          payload: { description: "b" },
        }),
        /changes.*payload|payload.*changes/,
      );
      assert.match(await failure("update_check", { check_id: payload.id }), /changes/);
      assert.match(
        await failure("update_check", { check_id: payload.id, changes: { rule: "isUnique" } }),
        /'rule'/,
      );
      const schema = schemaOf("create_check");
      assert.match(schema.properties!.payload.description ?? "", /original/i);
    });

    await t.step("import_checks takes datastore_id", async () => {
      await data("export_checks", { datastore_id: 1, output_dir: checksDir.path });
      server.requests.clear();
      const planned = await data("import_checks", {
        datastore_id: 1,
        input_dir: checksDir.path,
        dry_run: true,
      });
      assert.equal(planned.dry_run, true);
      assert.equal(planned.plan.changes, false);
      assert.equal(server.requests.writes().length, 0);
      assert.match(
        await failure("import_checks", {
          datastore_id: 1,
          datastore_ids: [2],
          input_dir: checksDir.path,
          dry_run: true,
        }),
        /datastore_id/,
      );
      assert.match(
        await failure("import_checks", { input_dir: checksDir.path, dry_run: true }),
        /datastore_ids/,
      );
    });

    await t.step("create_connection accepts the original's database (unused)", async () => {
      server.requests.clear();
      const created = await data("create_connection", {
        type: "postgresql",
        name: "with-database",
        host: "db.internal",
        port: 5432,
        username: "app",
        password: "pw",
        database: "analytics",
      });
      assert.equal(created.name, "with-database");
      const posts = server.requests.filter("POST", "/api/connections");
      assert.equal(posts.length, 1);
      assert.equal("database" in (posts[0].body as object), false);
    });
  } finally {
    await client.close();
  }
});
