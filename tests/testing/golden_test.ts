import assert from "node:assert/strict";
import { startFakeControlplane } from "../../src/testing/mod.ts";
import { parseJson } from "../../src/util/json.ts";
import { api } from "./_helpers.ts";

const GOLDEN = new URL("../../../shared/fixtures/golden/", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, GOLDEN));

Deno.test("golden minimal: objects served as given, references rendered, derived keys appended", async () => {
  const server = await startFakeControlplane({ data: await read("minimal/server.json") });
  try {
    const ds = await api(server, "GET", "/api/datastores/10");
    assert.deepEqual(Object.keys(ds.body).slice(0, 4), ["id", "name", "store_type", "type"]);
    assert.deepEqual(ds.body.enrich_datastore, {
      id: 20,
      name: "Enrichment",
      store_type: "dfs",
      type: "s3",
      enrichment_only: true,
    });
    assert.deepEqual(ds.body.global_tags, [{
      id: 3,
      name: "production",
      type: "global",
      color: "#FF0000",
      description: null,
      category: null,
      weight_modifier: 0,
    }]);
    assert.deepEqual(ds.body.teams, [{ id: 1, name: "Data Eng", permission: "Editor" }]);
    assert.equal(ds.body.check_count, 4);
    const ds20 = await api(server, "GET", "/api/datastores/20");
    assert.equal(
      ds20.text,
      '{"id": 20, "name": "Enrichment", "store_type": "dfs", "type": "s3", "connection_id": 2, "enrichment_only": true, "global_tags": [], "teams": []}',
    );
    const conn = await api(server, "GET", "/api/connections/1");
    assert.deepEqual(conn.body.datastores, [{ id: 10, name: "Sales Warehouse" }]);
    const containers = await api(server, "GET", "/api/containers?page=1&size=100&datastore=10");
    assert.deepEqual(containers.body.items.map((c: any) => c.id), [100, 101, 102, 103]);
    assert.equal(
      JSON.stringify(containers.body.items[0]),
      '{"id":100,"name":"orders","container_type":"table","datastore":{"id":10,"name":"Sales Warehouse"},"field_count":6}',
    );
    const join = containers.body.items[3];
    assert.deepEqual(Object.keys(join).slice(-3), [
      "datastore",
      "datastore_id",
      "right_datastore_id",
    ]);
    assert.deepEqual([join.datastore_id, join.right_datastore_id], [10, 10]);
    assert.ok(!("computed_fields" in containers.body.items[0]));
    const detail = await api(server, "GET", "/api/containers/100");
    assert.equal(detail.body.computed_fields[0].name, "total_int");
    assert.deepEqual(detail.body.computed_fields[0].source_fields.map((f: any) => f.name), [
      "total_amount",
    ]);
    const checks = await api(server, "GET", "/api/quality-checks?datastore=10&page=1&size=100");
    assert.match(checks.text, /"coverage": 1\.0/);
    assert.match(checks.text, /"properties": \{"min": 0, "max": 100000, "inclusive": true\}/);
    const first = checks.body.items[0];
    assert.deepEqual(Object.keys(first).at(-1), "datastore");
    assert.deepEqual(first.datastore, { id: 10, name: "Sales Warehouse" });
    assert.deepEqual(first.additional_metadata, { "from quality check id": "12", jira: "DQ-7" });
    assert.deepEqual(checks.body.items[3].fields.map((f: any) => f.name), ["region", "email"]);
  } finally {
    await server.close();
  }
});

Deno.test("golden retail: secrets never served, archived filtering, float types kept", async () => {
  const server = await startFakeControlplane({ data: await read("retail/server.json") });
  try {
    for (const id of [3, 4]) {
      const conn = await api(server, "GET", `/api/connections/${id}`);
      assert.ok(!conn.text.includes("stored-on-the-server-never-returned"));
    }
    const active = await api(server, "GET", "/api/quality-checks?datastore=21&size=100");
    assert.equal(active.body.total, 24);
    assert.ok(!active.body.items.some((c: any) => c.id === 624));
    const archived = await api(
      server,
      "GET",
      "/api/quality-checks?datastore=21&archived=only&size=100",
    );
    assert.deepEqual(archived.body.items.map((c: any) => c.id), [624]);
    assert.equal(
      (await api(server, "GET", "/api/quality-checks?datastore=22&size=100")).body.total,
      6,
    );
    assert.equal(
      (await api(server, "GET", "/api/quality-checks?datastore=23&size=100")).body.total,
      2,
    );
    const check602 = await api(server, "GET", "/api/quality-checks/602");
    assert.match(check602.text, /"min": 0\.0, "max": 0\.5/);
    const check621 = await api(server, "GET", "/api/quality-checks/621");
    assert.match(check621.text, /"value": 10000\.0/);
    const join = await api(server, "GET", "/api/containers/223");
    assert.deepEqual([join.body.datastore_id, join.body.right_datastore_id], [22, 21]);
  } finally {
    await server.close();
  }
});

Deno.test("golden retail: the empty server accepts the whole import with ids from id_base", async () => {
  const source = parseJson(await read("retail/server.json")) as any;
  const server = await startFakeControlplane({ data: await read("retail/empty-server.json") });
  try {
    const connIds = new Map<number, number>();
    for (const c of source.connections) {
      const {
        id,
        created: _c,
        datastores: _d,
        product_name: _p,
        product_version: _v,
        driver_name: _n,
        driver_version: _w,
        connection_type: _t,
        ...body
      } = c;
      const res = await api(server, "POST", "/api/connections", {
        body: { ...body, password: "pw", secret_key: "sk" },
      });
      assert.equal(res.status, 200, res.text);
      connIds.set(id, res.body.id);
    }
    assert.deepEqual([...connIds.values()], [5001, 5002]);
    const dsIds = new Map<number, number>();
    const ordered = [...source.datastores].sort((a: any, b: any) => a.name.localeCompare(b.name));
    for (const d of ordered) {
      const res = await api(server, "POST", "/api/datastores", {
        body: {
          name: d.name,
          connection_id: connIds.get(d.connection_id),
          database: d.database,
          schema: d.schema,
          root_path: d.root_path,
          enrichment_only: d.enrichment_only,
          enrichment_prefix: d.enrichment_prefix,
          enrichment_source_record_limit: d.enrichment_source_record_limit,
          enrichment_remediation_strategy: d.enrichment_remediation_strategy,
          // `append` needs the enrichment link at creation (its target sorts first).
          enrichment_datastore_id: dsIds.get(d.enrich_datastore),
          high_count_rollup_threshold: d.high_count_rollup_threshold,
          tags: d.global_tags,
          teams: d.teams,
        },
      });
      assert.equal(res.status, 200, res.text);
      dsIds.set(d.id, res.body.id);
      const sync = await api(server, "POST", "/api/operations/run", {
        body: { datastore_id: res.body.id, type: "sync", prune: false, recreate: false },
      });
      assert.deepEqual([sync.body.result, typeof sync.body.end_time], ["success", "string"]);
    }
    assert.deepEqual([...dsIds.values()], [5001, 5002, 5003]);
    for (const d of source.datastores) {
      if (d.enrich_datastore) {
        const res = await api(
          server,
          "PATCH",
          `/api/datastores/${dsIds.get(d.id)}/enrichment/${dsIds.get(d.enrich_datastore)}`,
        );
        assert.equal(res.status, 200, res.text);
      }
    }
    const byName = async (dsId: number) => {
      const listing = await api(server, "GET", `/api/containers/listing?datastore=${dsId}`);
      return new Map<string, number>(listing.body.map((c: any) => [c.name, c.id]));
    };
    const containerId = new Map<number, number>();
    const resolve = async (oldId: number) => {
      const old = source.containers.find((c: any) => c.id === oldId);
      return (await byName(dsIds.get(old.datastore)!)).get(old.name)!;
    };
    for (const c of source.containers) {
      if (!c.container_type.startsWith("computed")) {
        containerId.set(c.id, await resolve(c.id));
        continue;
      }
      const body: any = {
        container_type: c.container_type,
        name: c.name,
        description: c.description,
        additional_metadata: c.additional_metadata,
      };
      if (c.container_type === "computed_table") {
        Object.assign(body, { datastore_id: dsIds.get(c.datastore), query: c.query });
      }
      if (c.container_type === "computed_file") {
        Object.assign(body, {
          datastore_id: dsIds.get(c.datastore),
          source_container_id: await resolve(c.source_container_id),
          select_clause: c.select_clause,
          where_clause: c.where_clause,
          group_by_clause: c.group_by_clause,
        });
      }
      if (c.container_type === "computed_join") {
        for (
          const k of [
            "left_join_field_name",
            "right_join_field_name",
            "join_type",
            "select_clause",
            "where_clause",
            "group_by_clause",
            "left_prefix",
            "right_prefix",
          ]
        ) body[k] = c[k];
        body.left_container_id = await resolve(c.left_container_id);
        body.right_container_id = await resolve(c.right_container_id);
      }
      const res = await api(server, "POST", "/api/containers", { body });
      assert.equal(res.status, 200, res.text);
      containerId.set(c.id, res.body.id);
      const tagged = await api(server, "PATCH", "/api/containers", {
        body: [{ id: res.body.id, tags: c.global_tags }],
      });
      assert.equal(tagged.status, 200);
    }
    for (const cf of source.computed_fields) {
      const res = await api(server, "POST", "/api/computed-fields", {
        body: {
          name: cf.name,
          container_id: containerId.get(cf.container_id),
          transformation: cf.transformation_type,
          source_fields: cf.source_fields,
          properties: cf.properties,
          additional_metadata: cf.additional_metadata,
        },
      });
      assert.equal(res.status, 200, res.text);
    }
    let created = 0;
    for (const check of source.checks) {
      if (check.deleted_at) continue;
      const properties = { ...check.properties };
      if (properties.ref_container_id) {
        properties.ref_container_id = containerId.get(properties.ref_container_id);
      }
      if (properties.ref_datastore_id) {
        properties.ref_datastore_id = dsIds.get(properties.ref_datastore_id);
      }
      const res = await api(server, "POST", "/api/quality-checks", {
        body: {
          container_id: containerId.get(check.container),
          rule: check.rule_type,
          description: check.description ?? "x",
          fields: check.fields,
          coverage: check.coverage,
          filter: check.filter,
          properties,
          tags: check.global_tags,
          additional_metadata: check.additional_metadata ?? {},
          status: check.status,
          anomaly_message_field: check.anomaly_message_field,
        },
      });
      assert.equal(res.status, 200, `${check.id}: ${res.text}`);
      created++;
    }
    assert.equal(created, 32);
    assert.equal(server.errors.length, 0);
  } finally {
    await server.close();
  }
});
