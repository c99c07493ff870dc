import assert from "node:assert/strict";
import { startFakeControlplane } from "../../src/testing/mod.ts";
import { api } from "./_helpers.ts";

Deno.test("connections: secrets never served, 409 on duplicate name and on delete in use", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    const created = await api(server, "POST", "/api/connections", {
      body: {
        name: "New PG",
        type: "postgresql",
        host: "db",
        port: 5432,
        username: "u",
        password: "p",
        parameters: { ssl: true },
      },
    });
    assert.equal(created.status, 200);
    assert.equal(created.body.connection_type, "jdbc");
    assert.ok(!("password" in created.body));
    const fetched = await api(server, "GET", `/api/connections/${created.body.id}`);
    assert.ok(!fetched.text.includes('"p"'));
    const s3 = await api(server, "GET", "/api/connections/2");
    assert.ok(!("secret_key" in s3.body));
    assert.equal(s3.body.access_key, "AKIADEMOEXAMPLE0001");
    const dup = await api(server, "POST", "/api/connections", {
      body: { name: "New PG", type: "postgresql", host: "x" },
    });
    assert.equal(dup.status, 409);
    const topLevel = await api(server, "POST", "/api/connections", {
      body: { name: "S3 IAM", type: "s3", uri: "s3://b", authentication_type: "IAM_ROLE" },
    });
    assert.equal(topLevel.status, 422);
    assert.equal(topLevel.body.detail[0].type, "extra_forbidden");
    const partial = await api(server, "PUT", `/api/connections/${created.body.id}`, {
      body: { host: "db2" },
    });
    assert.equal(partial.status, 422);
    const put = await api(server, "PUT", `/api/connections/${created.body.id}`, {
      body: {
        name: "New PG",
        type: "postgresql",
        host: "db2",
        parameters: { sslmode: "verify-full" },
      },
    });
    assert.equal(put.body.host, "db2");
    assert.deepEqual(put.body.parameters, { sslmode: "verify-full" });
    const inUse = await api(server, "DELETE", "/api/connections/1");
    assert.equal(inUse.status, 409);
    assert.equal(typeof inUse.body.detail, "string");
    const gone = await api(server, "DELETE", `/api/connections/${created.body.id}`);
    assert.equal(gone.status, 204);
  } finally {
    await server.close();
  }
});

Deno.test("datastores: tags auto-created and replaced, teams as objects, full-body PUT, enrichment", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    const created = await api(server, "POST", "/api/datastores", {
      body: {
        name: "Finance DW",
        connection_id: 1,
        database: "fin",
        schema: "gl",
        tags: ["finance", "brand-new"],
        teams: ["Analytics"],
      },
    });
    assert.equal(created.status, 200);
    const id = created.body.id;
    assert.deepEqual(created.body.global_tags.map((t: any) => t.name), ["finance", "brand-new"]);
    assert.equal(typeof created.body.global_tags[1].id, "number");
    assert.deepEqual(created.body.teams, [{ id: 3, name: "Analytics", permission: "Author" }]);
    const tag = await api(server, "GET", "/api/global-tags/brand-new");
    assert.equal(tag.status, 200);
    const dup = await api(server, "POST", "/api/datastores", {
      body: { name: "Finance DW", connection_id: 1 },
    });
    assert.equal(dup.status, 409);
    const partial = await api(server, "PUT", `/api/datastores/${id}`, {
      body: { description: "x" },
    });
    assert.equal(partial.status, 422);
    const full = {
      ...created.body,
      teams: ["Analytics"],
      tags: ["staging"],
      description: "General ledger",
    };
    const put = await api(server, "PUT", `/api/datastores/${id}`, { body: full });
    assert.equal(put.status, 200);
    assert.deepEqual(put.body.global_tags.map((t: any) => t.name), ["staging"]);
    assert.equal(put.body.description, "General ledger");
    const notEnrichment = await api(server, "PATCH", `/api/datastores/${id}/enrichment/1`);
    assert.equal(notEnrichment.status, 409);
    const link = await api(server, "PATCH", `/api/datastores/${id}/enrichment/3`);
    assert.equal(link.body.enrich_datastore.id, 3);
    const unlink = await api(server, "DELETE", `/api/datastores/${id}/enrichment`);
    assert.equal(unlink.status, 204);
    assert.equal((await api(server, "GET", `/api/datastores/${id}`)).body.enrich_datastore, null);
    const filtered = await api(server, "GET", "/api/datastores?name=Finance+DW");
    assert.equal(filtered.body.total, 1);
    const enrichment = await api(server, "GET", "/api/datastores?enrichment_only=True");
    assert.deepEqual(enrichment.body.items.map((d: any) => d.name), ["DQ Enrichment"]);
    // enrichment_only defaults to false (endpoints.md): source datastores only.
    for (const query of ["", "?enrichment_only=False"]) {
      const sources = await api(server, "GET", `/api/datastores${query}`);
      assert.ok(sources.body.items.length > 0);
      assert.ok(sources.body.items.every((d: any) => d.enrichment_only === false), query);
      assert.ok(!sources.body.items.some((d: any) => d.name === "DQ Enrichment"), query);
    }
    const namedEnrichment = await api(server, "GET", "/api/datastores?name=DQ+Enrichment");
    assert.equal(namedEnrichment.body.total, 0);
    const verify = await api(server, "POST", `/api/datastores/${id}/connection`);
    assert.deepEqual(verify.body, { connected: true });
    assert.equal((await api(server, "DELETE", `/api/datastores/${id}`)).status, 204);
  } finally {
    await server.close();
  }
});

Deno.test("datastores: root_path for DFS, remediation needs a link, PUT needs the full body", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    const post = (body: Record<string, unknown>) =>
      api(server, "POST", "/api/datastores", { body });
    const detail = (res: { body: any }) => res.body.detail.map((i: any) => [i.loc, i.msg]);
    // entities.md §2.2: root_path is required for DFS (connection 2 is s3).
    const noRoot = await post({ name: "Lake", connection_id: 2 });
    assert.equal(noRoot.status, 422);
    assert.deepEqual(detail(noRoot), [[
      ["body"],
      "Value error, root_path is required for DFS datastores",
    ]]);
    assert.equal((await post({ name: "Lake", connection_id: 2, root_path: null })).status, 422);
    const lake = await post({ name: "Lake", connection_id: 2, root_path: "/raw/" });
    assert.equal(lake.status, 200, lake.text);
    // entities.md §2.2: append/overwrite require a linked enrichment datastore.
    const append = await post({
      name: "Appender",
      connection_id: 1,
      enrichment_remediation_strategy: "append",
    });
    assert.equal(append.status, 422);
    assert.match(append.body.detail[0].msg, /'append' requires a linked enrichment datastore/);
    const linked = await post({
      name: "Appender",
      connection_id: 1,
      enrichment_remediation_strategy: "overwrite",
      enrichment_datastore_id: 3,
    });
    assert.equal(linked.status, 200, linked.text);
    assert.equal(linked.body.enrich_datastore.id, 3);
    // endpoints.md §10 item 5: a partial PUT fails, each writable field it leaves out listed.
    const id = lake.body.id;
    const partial = await api(server, "PUT", `/api/datastores/${id}`, {
      body: { name: "Lake 2", connection_id: 2 },
    });
    assert.equal(partial.status, 422);
    assert.deepEqual(
      partial.body.detail.map((i: any) => i.loc[1]),
      // The writable fields its GET shows (those it was created without are not shown).
      ["root_path", "enrichment_only", "tags", "teams"],
    );
    assert.equal((await api(server, "GET", `/api/datastores/${id}`)).body.name, "Lake");
    const { global_tags, teams, ...rest } = lake.body;
    const full = { ...rest, tags: global_tags, teams, name: "Lake 2" };
    const noLink = await api(server, "PUT", `/api/datastores/${id}`, {
      body: { ...full, enrichment_remediation_strategy: "append" },
    });
    assert.equal(noLink.status, 422);
    const put = await api(server, "PUT", `/api/datastores/${id}`, { body: full });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.name, "Lake 2");
    // A linked datastore's full PUT may keep append.
    const appender = linked.body;
    const { global_tags: t, teams: m, ...others } = appender;
    const again = await api(server, "PUT", `/api/datastores/${appender.id}`, {
      body: { ...others, tags: t, teams: m, enrichment_remediation_strategy: "append" },
    });
    assert.equal(again.status, 200, again.text);
  } finally {
    await server.close();
  }
});

Deno.test("containers: computed create, duplicates, listing, validate, 409 on dropping checked fields", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    const body = {
      container_type: "computed_table",
      name: "big_orders",
      datastore_id: 1,
      query: "SELECT order_id, total_amount FROM orders WHERE total_amount > 5000",
      description: "Big",
      tags: ["curated"],
      additional_metadata: { owner: "me", nested: { a: [1, 2] } },
    };
    const created = await api(server, "POST", "/api/containers", { body });
    assert.equal(created.status, 200);
    assert.deepEqual(created.body.additional_metadata, body.additional_metadata);
    assert.deepEqual(created.body.datastore, { id: 1, name: "Sales DW" });
    // description and tags are ignored on create (endpoints.md §3), their keys kept in place.
    assert.equal(created.body.description, null);
    assert.deepEqual(created.body.global_tags, []);
    const id = created.body.id;
    assert.equal((await api(server, "POST", "/api/containers", { body })).status, 409);
    const missing = await api(server, "POST", "/api/containers", {
      body: { container_type: "computed_table", name: "x", datastore_id: 1 },
    });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.detail[0].loc, ["body", "query"]);
    const badType = await api(server, "POST", "/api/containers", {
      body: { container_type: "table", name: "t" },
    });
    assert.equal(badType.status, 422);
    const validate = await api(server, "POST", "/api/containers/validate?timeout_seconds=60", {
      body: { container: body },
    });
    assert.equal(validate.status, 204);
    const listing = await api(server, "GET", "/api/containers/listing?datastore=1");
    assert.ok(listing.body.some((c: any) => c.id === id && c.container_type === "computed_table"));
    const check = await api(server, "POST", "/api/quality-checks", {
      body: {
        container_id: id,
        rule: "notNull",
        description: "x",
        fields: ["total_amount"],
        coverage: 1,
        properties: {},
        tags: [],
        status: "Active",
      },
    });
    assert.equal(check.status, 200);
    const drop = {
      container_type: "computed_table",
      name: "big_orders",
      query: "SELECT order_id FROM orders",
    };
    const conflict = await api(server, "PUT", `/api/containers/${id}`, { body: drop });
    assert.equal(conflict.status, 409);
    assert.match(conflict.body.detail, /total_amount/);
    const noType = await api(server, "PUT", `/api/containers/${id}`, {
      body: { name: "big_orders", query: "SELECT 1" },
    });
    assert.equal(noType.status, 422);
    const forced = await api(server, "PUT", `/api/containers/${id}`, {
      body: { ...drop, force_drop_fields: true },
    });
    assert.equal(forced.status, 200);
    const same = await api(server, "PUT", `/api/containers/${id}`, {
      body: { ...drop, description: "only text", tags: ["a", "b"] },
    });
    assert.equal(same.status, 200);
    assert.deepEqual(same.body.global_tags.map((t: any) => t.name), ["a", "b"]);
    const patched = await api(server, "PATCH", "/api/containers", {
      body: [{ id, tags: ["pii"] }],
    });
    assert.deepEqual(patched.body[0].global_tags.map((t: any) => t.name), ["pii"]);
    const profiles = await api(server, "GET", "/api/containers/1/field-profiles?size=100");
    assert.ok(profiles.body.items.some((p: any) => p.name === "order_id"));
    assert.equal((await api(server, "DELETE", `/api/containers/${id}`)).status, 204);
    assert.equal((await api(server, "GET", `/api/containers/${id}`)).status, 404);
  } finally {
    await server.close();
  }
});

Deno.test("computed fields: create, duplicate, update, delete; detail lists them", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    const body = {
      name: "amount_x2",
      container_id: 1,
      transformation: "customExpression",
      source_fields: null,
      properties: { column_expression: "total_amount * 2" },
      additional_metadata: { k: "v" },
    };
    const created = await api(server, "POST", "/api/computed-fields", { body });
    assert.equal(created.status, 200);
    assert.equal(created.body.transformation_type, "customExpression");
    assert.equal((await api(server, "POST", "/api/computed-fields", { body })).status, 409);
    const bad = await api(server, "POST", "/api/computed-fields", {
      body: { ...body, name: "y", source_fields: ["a"] },
    });
    assert.equal(bad.status, 422);
    const { container_id: _c, ...update } = body;
    const put = await api(server, "PUT", `/api/computed-fields/${created.body.id}`, {
      body: {
        ...update,
        transformation: "cast",
        source_fields: ["total_amount"],
        properties: { target_type: "long" },
      },
    });
    assert.deepEqual(put.body.source_fields.map((f: any) => f.name), ["total_amount"]);
    const detail = await api(server, "GET", "/api/containers/1");
    assert.ok(detail.body.computed_fields.some((cf: any) => cf.id === created.body.id));
    assert.equal(
      (await api(server, "DELETE", `/api/computed-fields/${created.body.id}`)).status,
      204,
    );
  } finally {
    await server.close();
  }
});

Deno.test("quality checks: create, 409 duplicate, full-body PUT, metadata round-trip, archive, templates", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    const body = {
      container_id: 4,
      rule: "between",
      description: "price range",
      fields: ["list_price"],
      coverage: 1,
      filter: "category = 'x'",
      properties: { min: 1, max: 10 },
      tags: ["finance", "auto-tag"],
      additional_metadata: { _qualytics_check_uid: "products__between__list_price", jira: "DQ-1" },
      status: "Draft",
    };
    const created = await api(server, "POST", "/api/quality-checks", { body });
    assert.equal(created.status, 200);
    assert.equal(created.body.rule_type, "between");
    assert.match(created.text, /"coverage": 1\.0/);
    assert.deepEqual(created.body.container, { id: 4, name: "products" });
    assert.deepEqual(created.body.fields.map((f: any) => f.name), ["list_price"]);
    assert.equal(typeof created.body.fields[0].id, "number");
    assert.deepEqual(created.body.additional_metadata, body.additional_metadata);
    assert.deepEqual(created.body.datastore, { id: 1, name: "Sales DW" });
    const dup = await api(server, "POST", "/api/quality-checks", { body });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.detail, `The existing check with id: ${created.body.id} conflicts`);
    const missing = await api(server, "POST", "/api/quality-checks", {
      body: { rule: "notNull", fields: ["x"] },
    });
    assert.equal(missing.status, 422);
    const badRule = await api(server, "POST", "/api/quality-checks", {
      body: { ...body, rule: "noSuchRule" },
    });
    assert.equal(badRule.body.detail[0].type, "enum");
    const noProps = await api(server, "POST", "/api/quality-checks", {
      body: { ...body, properties: {}, filter: null },
    });
    assert.equal(noProps.status, 422);
    const id = created.body.id;
    const partial = await api(server, "PUT", `/api/quality-checks/${id}`, {
      body: { status: "Active" },
    });
    assert.equal(partial.status, 422);
    const { container_id: _c, rule: _r, ...update } = body;
    const put = await api(server, "PUT", `/api/quality-checks/${id}`, {
      body: { ...update, status: "Active", tags: ["critical"], additional_metadata: { x: 1 } },
    });
    assert.equal(put.status, 200);
    assert.deepEqual(put.body.global_tags.map((t: any) => t.name), ["critical"]);
    assert.deepEqual(put.body.additional_metadata, { x: 1 });
    const archived = await api(
      server,
      "DELETE",
      `/api/quality-checks/${id}?archive=true&status=Invalid&delete_anomalies=true`,
    );
    assert.equal(archived.status, 204);
    const onlyArchived = await api(
      server,
      "GET",
      "/api/quality-checks?datastore=1&archived=only&size=100",
    );
    assert.ok(onlyArchived.body.items.some((c: any) => c.id === id && c.status === "Invalid"));
    const active = await api(server, "GET", "/api/quality-checks?datastore=1&size=100");
    assert.ok(!active.body.items.some((c: any) => c.id === id));
    const restored = await api(server, "PUT", `/api/quality-checks/${id}`, {
      body: { ...update, status: "Active" },
    });
    assert.equal(restored.body.deleted_at, null);
    const bulk = await api(server, "DELETE", "/api/quality-checks", {
      body: [{ id, archive: false }],
    });
    assert.equal(bulk.status, 204);
    assert.equal((await api(server, "GET", `/api/quality-checks/${id}`)).status, 404);
    const template = await api(server, "POST", "/api/quality-check-templates", {
      body: {
        rule: "notNull",
        description: "tpl",
        coverage: 1,
        filter: null,
        properties: {},
        tags: [],
        template_locked: true,
        additional_metadata: {},
      },
    });
    assert.equal(template.body.is_template, true);
    const templates = await api(server, "GET", "/api/quality-checks?template_only=true");
    assert.deepEqual(templates.body.items.map((t: any) => t.id), [template.body.id]);
    const exported = await api(
      server,
      "POST",
      `/api/export/check-templates?enrich_datastore_id=3&template_ids=${template.body.id}`,
    );
    assert.equal(exported.status, 204);
  } finally {
    await server.close();
  }
});

Deno.test("anomalies: filters, update, bulk, archive and delete", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    const open = await api(server, "GET", "/api/anomalies?datastore=1&size=100");
    assert.ok(open.body.items.every((a: any) => ["Active", "Acknowledged"].includes(a.status)));
    const both = await api(
      server,
      "GET",
      "/api/anomalies?status=Active&status=Resolved&archived=include",
    );
    assert.ok(both.body.items.some((a: any) => a.status === "Resolved"));
    assert.ok(!both.body.items.some((a: any) => a.status === "Invalid"));
    const bad = await api(server, "PUT", "/api/anomalies/1", { body: { status: "Resolved" } });
    assert.equal(bad.status, 422);
    const put = await api(server, "PUT", "/api/anomalies/1", {
      body: { status: "Acknowledged", tags: ["x", "y"], assignee_ids: [] },
    });
    assert.equal(put.body.status, "Acknowledged");
    assert.deepEqual(put.body.global_tags.map((t: any) => t.name), ["x", "y"]);
    assert.equal(put.body.failed_checks[0].quality_check.id, 4);
    const bulk = await api(server, "PATCH", "/api/anomalies", {
      body: [{ id: 2, status: "Acknowledged" }],
    });
    assert.equal(bulk.status, 200);
    assert.equal(
      (await api(server, "DELETE", "/api/anomalies/1?archive=true&status=Invalid")).status,
      204,
    );
    const after = await api(server, "GET", "/api/anomalies/1");
    assert.deepEqual([after.body.status, after.body.archived], ["Invalid", true]);
    assert.equal(
      (await api(server, "PUT", "/api/anomalies/1", { body: { status: "Active" } })).status,
      409,
    );
    assert.equal(
      (await api(server, "DELETE", "/api/anomalies", { body: [{ id: 3, archive: false }] })).status,
      204,
    );
    assert.equal((await api(server, "GET", "/api/anomalies/3")).status, 404);
  } finally {
    await server.close();
  }
});

Deno.test("tags, teams, users", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    const created = await api(server, "POST", "/api/global-tags", {
      body: { type: "global", name: "gold", color: "#FFD700", weight_modifier: 3 },
    });
    assert.equal(created.status, 200);
    assert.equal(
      (await api(server, "POST", "/api/global-tags", { body: { type: "global", name: "gold" } }))
        .status,
      409,
    );
    assert.equal(
      (await api(server, "POST", "/api/global-tags", { body: { name: "w", weight_modifier: 11 } }))
        .status,
      422,
    );
    assert.equal((await api(server, "GET", "/api/global-tags/gold")).body.color, "#FFD700");
    assert.equal((await api(server, "DELETE", "/api/global-tags/sales")).status, 204);
    const ds = await api(server, "GET", "/api/datastores/1");
    assert.deepEqual(ds.body.global_tags.map((t: any) => t.name), ["production"]);
    assert.equal((await api(server, "GET", "/api/global-tags/nope")).status, 404);
    const teams = await api(server, "GET", "/api/teams");
    assert.ok(teams.body.total >= 4);
    const team = await api(server, "GET", "/api/teams/2");
    assert.deepEqual(team.body.users.map((u: any) => u.email), [
      "admin@example.com",
      "manager@example.com",
    ]);
    const users = await api(server, "GET", "/api/users?size=2");
    assert.equal(users.body.items.length, 2);
    const user = await api(server, "GET", "/api/users/3");
    assert.equal(user.body.role, "Member");
  } finally {
    await server.close();
  }
});

Deno.test("quality checks: a twin with an integer beyond 2^53 in its properties is a 409, not a 500", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    const body = {
      container_id: 1,
      rule: "sum",
      fields: ["total_amount"],
      properties: { value: 9007199254740993n },
    };
    const created = await api(server, "POST", "/api/quality-checks", { body });
    assert.equal(created.status, 200);
    const dup = await api(server, "POST", "/api/quality-checks", { body });
    assert.equal(dup.status, 409, dup.text);
    const other = await api(server, "POST", "/api/quality-checks", {
      body: { ...body, properties: { value: 9007199254740995n } },
    });
    assert.equal(other.status, 200, other.text);
    assert.deepEqual(server.errors, []);
  } finally {
    await server.close();
  }
});
