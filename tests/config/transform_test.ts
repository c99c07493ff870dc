import assert from "node:assert/strict";
import { GOLDEN, ServedSet } from "./served_objects.ts";
import { planChecksExport, planConfigExport } from "../../src/services/config/plan.ts";
import {
  exportCheck,
  exportComputedField,
  exportConnection,
  exportContainer,
  exportDatastore,
  type ExportLookups,
} from "../../src/services/config/transform.ts";
import {
  checksExportQuery,
  InvalidIncludeError,
  parseInclude,
  parseListOption,
} from "../../src/services/config/options.ts";
import { JsonFloat } from "../../src/util/json.ts";

/** Files below `dir` (relative, `/`-separated), sorted. */
async function readTree(dir: URL): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (url: URL, prefix: string) => {
    for await (const entry of Deno.readDir(url)) {
      if (entry.isDirectory) await walk(new URL(`${entry.name}/`, url), `${prefix}${entry.name}/`);
      else files.set(prefix + entry.name, await Deno.readTextFile(new URL(entry.name, url)));
    }
  };
  try {
    await walk(dir, "");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The one deliberate difference from the original (PRODUCT.md "No silent merges"): the second
 * check sharing a computed UID carries `<uid>__2`.
 */
const OUR_UID_FIXES: Record<string, [string, string]> = {
  "sales_orders/between__discount_pct_2.yaml": [
    "  _qualytics_check_uid: sales_orders__between__discount_pct\n",
    "  _qualytics_check_uid: sales_orders__between__discount_pct__2\n",
  ],
};

function expectedContent(path: string, golden: string): string {
  for (const [suffix, [from, to]] of Object.entries(OUR_UID_FIXES)) {
    if (path.endsWith(suffix)) {
      assert.ok(golden.includes(from), `golden ${path} has the original's repeated UID`);
      return golden.replace(from, to);
    }
  }
  return golden;
}

function assertSameFiles(label: string, planned: Map<string, string>, golden: Map<string, string>) {
  assert.deepEqual([...planned.keys()].sort(), [...golden.keys()].sort(), `${label}: file set`);
  for (const [path, content] of golden) {
    assert.equal(planned.get(path), expectedContent(path, content), `${label}: ${path}`);
  }
}

let reproduced = 0;

for (const set of ["minimal", "retail"]) {
  Deno.test(`golden ${set}: config export reproduces config-export/ byte for byte`, async () => {
    const served = await ServedSet.load(set);
    const plan = planConfigExport(
      served.datastoreIds.map((id) => served.exportData(id)),
      served.lookups(),
    );
    const golden = await readTree(new URL(`${set}/config-export/`, GOLDEN));
    assertSameFiles(set, new Map(plan.files.map((f) => [f.path, f.content])), golden);
    reproduced += golden.size;
  });

  Deno.test(`golden ${set}: checks export reproduces checks-export*/ byte for byte`, async () => {
    const served = await ServedSet.load(set);
    const lookups = served.lookups();
    for (
      const [folder, archived] of [["checks-export", "none"], [
        "checks-export-archived",
        "only",
      ]] as const
    ) {
      for (const id of served.datastoreIds) {
        const datastore = served.datastore(id);
        const dir = (datastore.name as string).toLowerCase().replace(/[^a-z0-9]+/g, "_");
        const golden = await readTree(new URL(`${set}/${folder}/${dir}/`, GOLDEN));
        const checks = served.checkListing(id, archived);
        // No checks: the original prints a message and writes nothing (no folder).
        if (checks.length === 0) {
          assert.equal(golden.size, 0, `${folder}/${dir} should not exist`);
          continue;
        }
        const plan = planChecksExport(checks, lookups);
        const planned = new Map(plan.files.map((f) => [`${dir}/${f.path}`, f.content]));
        const prefixed = new Map([...golden].map(([p, c]) => [`${dir}/${p}`, c]));
        assertSameFiles(`${set} ${folder}`, planned, prefixed);
        assert.equal(plan.exported, checks.length);
        reproduced += golden.size;
      }
    }
  });
}

Deno.test("golden summary counts match commands.txt", async () => {
  const served = await ServedSet.load("retail");
  const plan = planConfigExport(
    served.datastoreIds.map((id) => served.exportData(id)),
    served.lookups(),
  );
  assert.deepEqual(plan.counts, {
    connections: 2,
    datastores: 3,
    containers: 3,
    computed_fields: 3,
    checks: 32,
  });
  const lookups = served.lookups();
  const retailDw = planChecksExport(served.checkListing(21), lookups);
  assert.equal(retailDw.exported, 24);
  assert.equal(retailDw.containers, 6);
  const archived = planChecksExport(served.checkListing(21, "only"), lookups);
  assert.deepEqual([archived.exported, archived.containers], [1, 1]);
  const minimal = await ServedSet.load("minimal");
  assert.deepEqual(
    planConfigExport(minimal.datastoreIds.map((id) => minimal.exportData(id)), minimal.lookups())
      .counts,
    { connections: 2, datastores: 2, containers: 2, computed_fields: 1, checks: 4 },
  );
});

Deno.test("every golden file was compared", () => {
  // Runs after the golden tests above (Deno runs tests of a file in order).
  assert.ok(reproduced >= 91, `compared ${reproduced} files`);
});

Deno.test("--include limits the planned files", async () => {
  const served = await ServedSet.load("retail");
  const data = served.datastoreIds.map((id) => served.exportData(id));
  const plan = planConfigExport(data, served.lookups(), { include: ["checks"] });
  assert.ok(plan.files.every((f) => f.path.includes("/checks/")));
  assert.equal(plan.counts.checks, 32);
  assert.equal(plan.counts.connections, 0);
  const fields = planConfigExport(data, served.lookups(), { include: ["computed_fields"] });
  assert.deepEqual(fields.files.map((f) => f.path).sort(), [
    "datastores/retail_dw/containers/sales_orders/computed_fields/net_amount_int.yaml",
    "datastores/retail_dw/containers/sales_orders/computed_fields/order_channel_label.yaml",
    "datastores/retail_dw/containers/top_customers_eu/computed_fields/ltv_eur.yaml",
  ]);
});

// --- §7.1 connections (tests.md 9, 10) -------------------------------------------------------

Deno.test("connection: JDBC without password gets a password placeholder", () => {
  assert.deepEqual(
    exportConnection({
      id: 1,
      name: "prod-pg",
      type: "postgresql",
      connection_type: "jdbc",
      host: "h",
      username: "u",
      created: "x",
    }),
    {
      name: "prod-pg",
      type: "postgresql",
      host: "h",
      username: "u",
      password: "${PROD_PG_PASSWORD}",
    },
  );
});

Deno.test("connection: DFS access key and secret key placeholders", () => {
  assert.deepEqual(
    exportConnection({
      name: "my db (main)",
      connection_type: "DFS",
      access_key: "AK",
      uri: "s3://b",
    }),
    {
      name: "my db (main)",
      access_key: "${MY_DB_MAIN_ACCESS_KEY}",
      uri: "s3://b",
      secret_key: "${MY_DB_MAIN_SECRET_KEY}",
    },
  );
});

Deno.test("connection: secrets_manager gains credentials_payload, no password added", () => {
  assert.deepEqual(
    exportConnection({
      name: "vault-db",
      connection_type: "jdbc",
      username: "u",
      secrets_manager: { type: "vault", path: "p" },
      passphrase: null,
    }),
    {
      name: "vault-db",
      username: "u",
      secrets_manager: {
        type: "vault",
        path: "p",
        credentials_payload: "${VAULT_DB_CREDENTIALS_PAYLOAD}",
      },
      passphrase: "${VAULT_DB_PASSPHRASE}",
    },
  );
  // An existing credentials_payload is kept verbatim.
  const kept = exportConnection({ name: "v", secrets_manager: { credentials_payload: "x" } });
  assert.deepEqual(kept.secrets_manager, { credentials_payload: "x" });
});

// --- §7.2 datastore (tests.md 11) ------------------------------------------------------------

Deno.test("datastore: connection name, tags as names, server keys dropped", () => {
  assert.deepEqual(
    exportDatastore(
      {
        id: 5,
        name: "DW",
        connection_id: 1,
        store_type: "jdbc",
        type: "postgresql",
        global_tags: [{ name: "production" }],
        teams: [{ id: 1, name: "Eng" }, "Ops"],
        score: 3,
        trigger_sync: true,
      },
      { id: 1, name: "prod-pg" },
    ),
    {
      connection_name: "prod-pg",
      name: "DW",
      tags: ["production"],
      teams: ["Eng", "Ops"],
      trigger_sync: true,
    },
  );
  assert.deepEqual(exportDatastore({ name: "x", connection_id: 7 }), {
    connection_id: 7,
    name: "x",
  });
  assert.deepEqual(exportDatastore({ name: "x", enrich_datastore: { id: 2 } }, { id: 3 }), {
    connection_id: 3,
    enrich_datastore_name: "",
    name: "x",
  });
});

// --- §7.3 containers (tests.md 12) -----------------------------------------------------------

const lookups: ExportLookups = {
  containers: new Map([
    [100, { id: 100, name: "orders", datastore: { id: 10, name: "sales" } }],
    [200, { id: 200, name: "customers", datastore: { id: 20, name: "crm" } }],
  ]),
  datastores: new Map([[10, { id: 10, name: "sales" }], [20, { id: 20, name: "crm" }]]),
};

Deno.test("container: SQL-mode join sources become names", () => {
  const out = exportContainer(
    {
      id: 1,
      name: "j",
      container_type: "computed_join",
      sources: [
        { container_id: 100, datastore_id: 10, alias: "o", ordinal: 0 },
        { container_id: 200, datastore_id: 20, alias: "c", ordinal: 1 },
        { container_id: 999, alias: "x" },
      ],
      datastore_id: 10,
    },
    "sales",
    lookups,
  );
  assert.deepEqual(out, {
    name: "j",
    container_type: "computed_join",
    sources: [
      { alias: "o", container_name: "orders" },
      { alias: "c", container_name: "customers", datastore_name: "crm" },
      { container_id: 999, alias: "x" },
    ],
    datastore_name: "sales",
  });
});

Deno.test("container: join sides resolved first, unresolved ids kept", () => {
  const out = exportContainer(
    {
      name: "j",
      container_type: "computed_join",
      left_container_id: 100,
      right_container_id: 404,
      global_tags: [{ name: "t" }],
      right_datastore_id: 10,
    },
    "sales",
    lookups,
  );
  assert.deepEqual(Object.keys(out), [
    "left_container_name",
    "name",
    "container_type",
    "right_container_id",
    "tags",
    "datastore_name",
  ]);
});

// --- §7.4 computed fields --------------------------------------------------------------------

Deno.test("computed field: references moved to the end of properties", () => {
  assert.deepEqual(
    exportComputedField(
      {
        id: 1,
        name: "n",
        container_id: 3,
        transformation_type: "entityNameLookup",
        source_fields: [{ id: 1, name: "a" }],
        properties: { ref_datastore_id: 20, ref_container_id: 200, x: 1 },
        last_editor: { id: 1 },
      },
      lookups,
    ),
    {
      name: "n",
      transformation: "entityNameLookup",
      source_fields: ["a"],
      properties: { x: 1, ref_container_name: "customers", ref_datastore_name: "crm" },
    },
  );
});

// --- §7.5 checks (tests.md 20–22) ------------------------------------------------------------

Deno.test("check: strip_for_export keys, defaults and metadata", () => {
  const out = exportCheck(
    {
      id: 9,
      rule_type: "notNull",
      description: null,
      container: { id: 1, name: "users" },
      fields: [{ id: 1, name: "email" }],
      created: "x",
      anomaly_count: 2,
      additional_metadata: { "from quality check id": "1", "main datastore id": "2", k: "v" },
    },
    "users__notnull__email",
    lookups,
  );
  assert.deepEqual(out, {
    rule_type: "notNull",
    description: "notNull quality check",
    container: "users",
    fields: ["email"],
    coverage: null,
    filter: null,
    anomaly_message_field: null,
    properties: {},
    tags: [],
    status: "Active",
    additional_metadata: { _qualytics_check_uid: "users__notnull__email", k: "v" },
  });
});

Deno.test("check: existsIn references become names; a stored UID is kept in place", () => {
  const out = exportCheck(
    {
      rule_type: "existsIn",
      container: { id: 1, name: "orders" },
      fields: [],
      coverage: new JsonFloat(1),
      properties: { ref_container_id: 200, ref_datastore_id: 20, field_name: "id" },
      additional_metadata: { a: 1, _qualytics_check_uid: "kept" },
    },
    "kept",
    lookups,
  );
  assert.deepEqual(out.properties, {
    field_name: "id",
    ref_container_name: "customers",
    ref_datastore_name: "crm",
  });
  assert.deepEqual(Object.entries(out.additional_metadata as object), [
    ["_qualytics_check_uid", "kept"],
    ["a", 1],
  ]);
  assert.equal(exportCheck({}, "u", lookups).description, "Quality quality check");
});

Deno.test("checks export: duplicates numbered, _no_container, __k UIDs", () => {
  const check = (container: unknown, id: number) => ({
    id,
    rule_type: "notNull",
    container,
    fields: [{ name: "email" }],
  });
  const plan = planChecksExport(
    [
      check({ id: 1, name: "users" }, 1),
      check({ id: 1, name: "users" }, 2),
      check({ id: 1, name: "users" }, 3),
      check(null, 4),
    ],
    lookups,
  );
  assert.deepEqual(plan.files.map((f) => f.path), [
    "users/notnull__email.yaml",
    "users/notnull__email_2.yaml",
    "users/notnull__email_3.yaml",
    "_no_container/notnull__email.yaml",
  ]);
  assert.deepEqual(
    plan.files.map((f) => f.content.match(/_qualytics_check_uid: (.*)/)![1]),
    [
      "users__notnull__email",
      "users__notnull__email__2",
      "users__notnull__email__3",
      "__notnull__email",
    ],
  );
  assert.equal(plan.containers, 2);
});

// --- options ---------------------------------------------------------------------------------

Deno.test("--include parsing", () => {
  assert.equal(parseInclude(undefined), undefined);
  assert.deepEqual([...parseInclude(" Checks, ,connections")!], ["checks", "connections"]);
  assert.throws(() => parseInclude("checks,zzz,aaa"), (error: unknown) => {
    assert.ok(error instanceof InvalidIncludeError);
    assert.equal(
      error.message,
      "Invalid --include value(s): aaa, zzz. Valid: checks, computed_fields, connections, containers, datastores",
    );
    return true;
  });
});

Deno.test("checks export query", () => {
  assert.deepEqual(parseListOption("[1, 2,]"), ["1", "2"]);
  assert.deepEqual(
    checksExportQuery({ datastoreId: 3, containers: [1, 2], tags: ["prod"], status: "active" }),
    [["datastore", "3"], ["container", "1"], ["container", "2"], ["tag", "prod"], [
      "status",
      "Active",
    ]],
  );
  assert.deepEqual(checksExportQuery({ datastoreId: 3, status: "ARCHIVED" }), [
    ["datastore", "3"],
    ["archived", "only"],
  ]);
});

Deno.test("exportContainer / exportComputedField: the managed marker never reaches a file", () => {
  const lookups = { containers: new Map(), datastores: new Map() };
  const container = (metadata: unknown) =>
    exportContainer(
      {
        id: 1,
        name: "c",
        container_type: "computed_table",
        query: "SELECT 1",
        additional_metadata: metadata,
      },
      "DS",
      lookups,
    );
  assert.deepEqual(container({ _qualytics_managed: true }).additional_metadata, null);
  assert.deepEqual(container({ owner: "dana", _qualytics_managed: true }).additional_metadata, {
    owner: "dana",
  });
  assert.ok(!("additional_metadata" in container({ _qualytics_managed: "no_metadata" })));
  assert.deepEqual(container({}).additional_metadata, {});
  const field = exportComputedField(
    {
      id: 2,
      name: "f",
      transformation_type: "cast",
      additional_metadata: { _qualytics_managed: true },
    },
    lookups,
  );
  assert.equal(field.additional_metadata, null);
});
