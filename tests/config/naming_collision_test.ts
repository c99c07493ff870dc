/**
 * Config as code with names that share a slug (`Prod PG` / `prod-pg`) or slug to nothing
 * (`売上`): where the original overwrites one file with the other or writes `.yaml` and empty
 * folder names (config-as-code.md §2.1, §2.2, §15.6), every resource gets a path of its own —
 * `<stem>_<k>` numbered in id order over the instance's whole list of the kind, `<kind>_<hash>`
 * for an empty slug — and the folder round-trips: import into an empty instance, re-export
 * byte for byte, re-import writes nothing, plan and diff are clean.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import type { Rec, ServerData } from "../../src/testing/state.ts";
import { cast, envFor, failNth, fake, idsByName, notNull } from "../helpers/fake.ts";
import { runQualytics, tempDir, writeFiles } from "../helpers/cli.ts";
import { snapshot } from "./golden.ts";

type Server = Awaited<ReturnType<typeof fake>>;

const pg = (id: number, name: string): Rec => ({
  id,
  name,
  type: "postgresql",
  host: `pg${id}.example.com`,
  port: 5432,
  username: "dq",
  password: `secret-${id}`,
});

const datastore = (id: number, name: string, connection = 1): Rec => ({
  id,
  name,
  connection_id: connection,
  database: "analytics",
  schema: "public",
});

const enrichment = (id: number, name: string): Rec => ({
  ...datastore(id, name),
  enrichment_only: true,
});

/** An empty instance with the sync catalog of `data` (where its tables come from). */
const emptyFor = (data: ServerData) =>
  fake({ data: JSON.stringify({ catalog: state(data).catalog }) });

const table = (id: number, ds: number, name: string): Rec => ({
  id,
  datastore: ds,
  name,
  container_type: "table",
  table_type: "table",
  record_count: 10,
});

const computedTable = (id: number, ds: number, name: string, query: string): Rec => ({
  id,
  datastore: ds,
  name,
  container_type: "computed_table",
  query,
  description: `${name}, computed`,
  record_count: 3,
});

/**
 * A server state: its tables get an `id` field each (and are in the sync catalog), computed
 * containers an `id` field too, computed fields a field of their name.
 */
function state(data: ServerData): ServerData {
  const fields: Rec[] = [];
  const catalog: Record<string, Rec[]> = {};
  let fieldId = 0;
  for (const container of data.containers ?? []) {
    fields.push({ id: ++fieldId, name: "id", container_id: container.id, type: "Integral" });
    if (container.container_type !== "table") continue;
    const ds = data.datastores!.find((d) => d.id === container.datastore)!;
    const { id: _id, datastore: _ds, ...entry } = container;
    (catalog[ds.name] ??= []).push({ ...entry, fields: [{ name: "id", type: "Integral" }] });
  }
  for (const field of data.computed_fields ?? []) {
    fields.push({
      id: ++fieldId,
      name: field.name,
      container_id: field.container_id,
      type: "String",
      is_computed_field: true,
    });
  }
  return { ...data, fields, catalog };
}

/** `config export` of `ids` into `output`: the run and the folder's files. */
async function exportFrom(server: Server, ids: number[], output: string, ...extra: string[]) {
  const run = await runQualytics(
    ["config", "export", ...ids.flatMap((id) => ["--datastore-id", String(id)]), "-o", output]
      .concat(extra),
    { env: envFor(server) },
  );
  assert.equal(run.code, 0, run.stderr);
  return { run, files: await snapshot(output) };
}

/** `${VAR}` → a value, for every placeholder of the folder's connection files. */
function placeholders(files: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, text] of files) {
    if (!file.startsWith("connections/")) continue;
    for (const match of text.matchAll(/\$\{(\w+)\}/g)) out[match[1]] = `value-of-${match[1]}`;
  }
  return out;
}

/** `run`'s result, or a failure when it has not ended after 20 s (an import that waits forever). */
async function unlessStalled<T>(run: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the import stalled")), 20_000);
  });
  try {
    return await Promise.race([run, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Exports `ids` of `source`, imports the folder into an empty instance, exports that again and
 * expects the same files; then a second import writes nothing, `config plan --prune` and
 * `config diff` find nothing, and a re-export of the source writes nothing. Returns the files.
 */
async function roundTrip(data: ServerData, ids: number[]): Promise<
  AsyncDisposable & {
    files: Map<string, string>;
    stderr: string;
    target: Server;
    env: Record<string, string>;
    folder: string;
  }
> {
  const source = await fake({ data: state(data) });
  const target = await fake({
    data: JSON.stringify({ options: { id_base: 5001 }, catalog: state(data).catalog }),
  });
  const tmp = await tempDir();
  const dispose = async () => {
    await source.close();
    await target.close();
    await tmp[Symbol.asyncDispose]();
  };
  try {
    const folder = path.join(tmp.path, "source");
    const { run, files } = await exportFrom(source, ids, folder);
    const env = { ...envFor(target), ...placeholders(files) };
    const imported = await runQualytics(["config", "import", "-i", folder], { env });
    assert.equal(imported.code, 0, imported.stderr);

    const names = ids.map((id) => source.state.datastores.get(id)!.name);
    const again = await exportFrom(target, idsByName(target, names), path.join(tmp.path, "target"));
    assert.deepEqual([...again.files.keys()], [...files.keys()]);
    for (const [file, text] of files) assert.equal(again.files.get(file), text, file);

    const writes = target.requests.writes().length;
    const second = await runQualytics(["config", "import", "-i", folder], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(target.requests.writes().slice(writes).map((w) => w.path), []);
    const plan = await runQualytics(
      ["config", "plan", "-i", folder, "--prune", "--detailed-exitcode"],
      { env },
    );
    assert.equal(plan.code, 0, plan.stderr);
    const diff = await runQualytics(["config", "diff", "-i", folder, "--detailed-exitcode"], {
      env,
    });
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
    const sourceDiff = await runQualytics(
      ["config", "diff", "-i", folder, "--detailed-exitcode"],
      { env: envFor(source) },
    );
    assert.equal(sourceDiff.code, 0, sourceDiff.stdout + sourceDiff.stderr);

    const reexport = await runQualytics(
      ["config", "export", ...ids.flatMap((id) => ["--datastore-id", String(id)]), "-o", folder]
        .concat(["--format", "json"]),
      { env: envFor(source) },
    );
    assert.equal(reexport.code, 0, reexport.stderr);
    const summary = JSON.parse(reexport.stdout);
    assert.deepEqual([summary.files.written, summary.files.removed], [[], []]);
    return {
      files,
      stderr: run.stderr,
      target,
      env,
      folder,
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

Deno.test("config export: two connections whose names share a slug get a file each (_2 for the newer), with their own placeholders", async () => {
  await using trip = await roundTrip({
    connections: [pg(1, "Prod PG"), pg(2, "prod-pg"), pg(3, "заказы")],
    datastores: [datastore(10, "Sales", 1), datastore(11, "Finance", 2), datastore(12, "Ops", 3)],
    containers: [table(100, 10, "orders"), table(101, 11, "ledger"), table(102, 12, "x")],
    checks: [notNull(1000, 100), notNull(1001, 101), notNull(1002, 102)],
  }, [10, 11, 12]);
  const { files, stderr } = trip;
  assert.match(files.get("connections/prod_pg.yaml")!, /^name: Prod PG\n/);
  assert.match(files.get("connections/prod_pg.yaml")!, /password: \$\{PROD_PG_PASSWORD\}/);
  assert.match(files.get("connections/prod_pg_2.yaml")!, /^name: prod-pg\n/);
  assert.match(files.get("connections/prod_pg_2.yaml")!, /password: \$\{PROD_PG_2_PASSWORD\}/);
  // The original writes `connections/.yaml` with `${_PASSWORD}`.
  assert.match(
    files.get("connections/connection_c359203e.yaml")!,
    /^name: заказы\n[^]*password: \$\{CONNECTION_C359203E_PASSWORD\}/,
  );
  assert.match(
    stderr,
    /Warning: 1 name\(s\) share.*\n {2}connection 'prod-pg': connections\/prod_pg_2\.yaml \(prod_pg is taken/,
  );
});

Deno.test("config export: a datastore named 売上 gets datastores/datastore_<hash>/, a second one its own", async () => {
  await using trip = await roundTrip({
    connections: [pg(1, "PG")],
    datastores: [datastore(10, "売上"), datastore(11, "заказы")],
    containers: [table(100, 10, "orders"), table(101, 11, "orders")],
    checks: [notNull(1000, 100), notNull(1001, 101)],
  }, [10, 11]);
  const { files, stderr, target } = trip;
  assert.deepEqual([...files.keys()].filter((file) => file.startsWith("datastores/")), [
    "datastores/datastore_443fb948/_datastore.yaml",
    "datastores/datastore_443fb948/checks/orders/notnull__id.yaml",
    "datastores/datastore_c359203e/_datastore.yaml",
    "datastores/datastore_c359203e/checks/orders/notnull__id.yaml",
  ]);
  assert.match(files.get("datastores/datastore_443fb948/_datastore.yaml")!, /\nname: 売上\n/);
  // A fallback name is no collision: nothing to rename.
  assert.doesNotMatch(stderr, /Warning/);
  assert.deepEqual(
    target.state.datastores.values().map((d) => d.name).sort(),
    ["заказы", "売上"],
  );
});

Deno.test("config export: two computed containers whose names share a slug keep both _container.yaml files", async () => {
  await using trip = await roundTrip({
    connections: [pg(1, "PG")],
    datastores: [datastore(10, "Sales")],
    containers: [
      table(100, 10, "orders"),
      computedTable(101, 10, "Top Customers", "SELECT id FROM orders WHERE id > 10"),
      computedTable(102, 10, "top-customers", "SELECT id FROM orders WHERE id > 20"),
      computedTable(103, 10, "注文", "SELECT id FROM orders WHERE id > 30"),
    ],
    checks: [notNull(1000, 101), notNull(1001, 102)],
  }, [10]);
  const { files, stderr, target, env, folder } = trip;
  const dir = "datastores/sales/containers";
  assert.match(files.get(`${dir}/top_customers/_container.yaml`)!, /^name: Top Customers\n/);
  assert.match(files.get(`${dir}/top_customers_2/_container.yaml`)!, /^name: top-customers\n/);
  assert.match(files.get(`${dir}/container_266125dd/_container.yaml`)!, /^name: 注文\n/);
  assert.match(
    stderr,
    /container 'top-customers' in 'Sales': datastores\/sales\/containers\/top_customers_2\//,
  );
  const computed = target.state.containers.values().filter((c) =>
    c.container_type === "computed_table"
  );
  assert.deepEqual(computed.map((c) => c.name).sort(), ["Top Customers", "top-customers", "注文"]);
  // Created one after the other, in the order of their folders' numbers (ids as on the source).
  const id = (name: string) => computed.find((c) => c.name === name)!.id as number;
  assert.ok(id("Top Customers") < id("top-customers"));

  // With --prune nothing is deleted; without one of the folders, only its container is.
  await Deno.remove(path.join(folder, `${dir}/top_customers_2`), { recursive: true });
  await Deno.remove(path.join(folder, "datastores/sales/checks/top_customers/notnull__id_2.yaml"));
  const plan = await runQualytics(["config", "plan", "-i", folder, "--prune", "-f", "json"], {
    env,
  });
  assert.equal(plan.code, 0, plan.stderr);
  const deletes = (JSON.parse(plan.stdout).items as Rec[]).filter((i) => i.action === "delete");
  assert.deepEqual(deletes.map((i) => `${i.kind}:${i.name}`).sort(), [
    "check:top_customers__notnull__id__2",
    "container:top-customers",
  ]);

  // A table's _container.yaml naming what the target has as a computed container is a problem.
  await Deno.mkdir(path.join(folder, `${dir}/tc/computed_fields`), { recursive: true });
  await Deno.writeTextFile(
    path.join(folder, `${dir}/tc/_container.yaml`),
    "name: top-customers\ncontainer_type: table\n",
  );
  await Deno.writeTextFile(
    path.join(folder, `${dir}/tc/computed_fields/x.yaml`),
    "name: x\ntransformation_type: cast\nsource_fields: [id]\ntransformation: cast\n",
  );
  const mismatch = await runQualytics(["config", "plan", "-i", folder], { env });
  assert.equal(mismatch.code, 1, mismatch.stderr);
  assert.match(
    mismatch.stderr,
    /tc\/_container\.yaml: container 'top-customers' is a computed_table on the target, not a table/,
  );
});

Deno.test("config export: a plain table named 注文 with computed fields gets a _container.yaml naming it", async () => {
  const data: ServerData = {
    connections: [pg(1, "PG")],
    datastores: [datastore(10, "Sales")],
    containers: [table(100, 10, "注文"), table(101, 10, "orders"), table(102, 10, "Orders")],
    computed_fields: [
      cast(1, 100, "id_int"),
      cast(2, 100, "合計"),
      cast(3, 100, "ID-INT"),
      cast(4, 101, "id_int"),
      cast(5, 102, "id_int"),
    ],
    checks: [notNull(1000, 100, "id_int")],
  };
  await using trip = await roundTrip(data, [10]);
  const { files, stderr, target } = trip;
  const dir = "datastores/sales/containers";
  assert.deepEqual([...files.keys()].filter((file) => file.startsWith(dir)), [
    `${dir}/container_266125dd/_container.yaml`,
    `${dir}/container_266125dd/computed_fields/field_01fc1c55.yaml`,
    `${dir}/container_266125dd/computed_fields/id_int.yaml`,
    `${dir}/container_266125dd/computed_fields/id_int_2.yaml`,
    // `orders` is its folder's name: no _container.yaml (as the original).
    `${dir}/orders/computed_fields/id_int.yaml`,
    // `Orders` is not, its folder being `orders_2`.
    `${dir}/orders_2/_container.yaml`,
    `${dir}/orders_2/computed_fields/id_int.yaml`,
  ]);
  assert.equal(
    files.get(`${dir}/container_266125dd/_container.yaml`),
    "name: 注文\ncontainer_type: table\n",
  );
  assert.equal(
    files.get(`${dir}/orders_2/_container.yaml`),
    "name: Orders\ncontainer_type: table\n",
  );
  assert.match(
    files.get(`${dir}/container_266125dd/computed_fields/id_int_2.yaml`)!,
    /name: ID-INT/,
  );
  assert.match(stderr, /computed field 'ID-INT' of '注文' in 'Sales': .*id_int_2\.yaml/);
  assert.match(stderr, /container 'Orders' in 'Sales': datastores\/sales\/containers\/orders_2\//);
  // Each field on its own table, and no table was created or changed.
  const ids = new Map(target.state.containers.values().map((c) => [c.name, c.id]));
  assert.deepEqual(
    target.state.computedFields.values().map((f) => `${f.name}@${f.container_id}`).sort(),
    [
      `ID-INT@${ids.get("注文")}`,
      `id_int@${ids.get("Orders")}`,
      `id_int@${ids.get("orders")}`,
      `id_int@${ids.get("注文")}`,
      `合計@${ids.get("注文")}`,
    ].sort(),
  );
  assert.equal(
    target.requests.writes().filter((w) => /^\/api\/containers/.test(w.path)).length,
    0,
    "no container written",
  );
});

Deno.test("config export: the _container.yaml of a table is managed with the computed fields, not the computed containers", async () => {
  await using server = await fake({
    data: state({
      connections: [pg(1, "PG")],
      datastores: [datastore(10, "Sales")],
      containers: [table(100, 10, "注文"), computedTable(101, 10, "recent", "SELECT id FROM x")],
      computed_fields: [cast(1, 100, "id_int")],
      checks: [],
    }),
  });
  await using tmp = await tempDir();
  const dir = "datastores/sales/containers";
  const tableFile = `${dir}/container_266125dd/_container.yaml`;
  const computed = `${dir}/recent/_container.yaml`;
  const all = await exportFrom(server, [10], tmp.path);
  assert.ok(all.files.has(tableFile) && all.files.has(computed));
  // --include containers neither writes nor removes a table's file, --include computed_fields
  // neither a computed container's.
  const containers = await exportFrom(server, [10], tmp.path, "--include", "containers");
  assert.ok(containers.files.has(tableFile));
  const fields = await exportFrom(server, [10], tmp.path, "--include", "computed_fields");
  assert.ok(fields.files.has(computed));
  const diff = await runQualytics(
    ["config", "diff", "-i", tmp.path, "--include", "containers", "--detailed-exitcode"],
    { env: envFor(server) },
  );
  assert.equal(diff.code, 0, diff.stdout);

  // Its computed fields gone from the server, the next export removes the file and folder.
  server.state.computedFields.delete(1);
  const drift = await runQualytics(["config", "diff", "-i", tmp.path, "--detailed-exitcode"], {
    env: envFor(server),
  });
  assert.equal(drift.code, 2, drift.stdout);
  assert.match(
    drift.stderr,
    /- datastores\/sales\/containers\/container_266125dd\/_container\.yaml/,
  );
  const after = await exportFrom(server, [10], tmp.path);
  assert.deepEqual([...after.files.keys()].filter((file) => file.startsWith(dir)), [computed]);
});

Deno.test("config export: numbering is over every datastore of the instance, so exporting only the second of two gives it the same folder", async () => {
  await using server = await fake({
    data: state({
      connections: [pg(1, "PG")],
      datastores: [datastore(10, "Sales"), datastore(11, "sales"), datastore(12, "Other")],
      containers: [table(100, 10, "orders"), table(101, 11, "orders"), table(102, 12, "x")],
      checks: [notNull(1000, 100), notNull(1001, 101), notNull(1002, 102)],
    }),
  });
  await using tmp = await tempDir();
  const second = await exportFrom(server, [11], tmp.path);
  assert.deepEqual([...second.files.keys()].filter((file) => file.startsWith("datastores/")), [
    "datastores/sales_2/_datastore.yaml",
    "datastores/sales_2/checks/orders/notnull__id.yaml",
  ]);
  assert.match(second.files.get("datastores/sales_2/_datastore.yaml")!, /\nname: sales\n/);
  assert.match(second.run.stderr, /datastore 'sales': datastores\/sales_2\/ \(sales is taken/);
  // Both, in any order: the same folders, and the second's files are unchanged.
  const run = await runQualytics(
    [
      "config",
      "export",
      "--datastore-id",
      "11",
      "--datastore-id",
      "10",
      "-o",
      tmp.path,
      "--format",
      "json",
    ],
    { env: envFor(server) },
  );
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.deepEqual(
    summary.files.written,
    [
      "connections/pg.yaml",
      "datastores/sales/_datastore.yaml",
      "datastores/sales/checks/orders/notnull__id.yaml",
    ].filter((file) => !second.files.has(file)),
  );
  assert.deepEqual(summary.files.removed, []);
  assert.deepEqual(summary.numbered, [{
    kind: "datastore",
    name: "sales",
    path: "datastores/sales_2/",
    stem: "sales",
  }]);
  // The listings cost one request each (two for datastores: source and enrichment ones).
  assert.equal(server.requests.count("GET", "/api/datastores"), 2 * 2);
});

Deno.test("config import --concurrency 1: a link target sharing a slug with a datastore linked elsewhere does not stall the import", async () => {
  // `DQ` (a link target) and `dq` (linked to `Other`) share the stem `dq`. Were they one chain,
  // `dq` would wait for `Other` with the only slot held by that chain: the import never ends.
  const data: ServerData = {
    connections: [pg(1, "PG")],
    datastores: [
      enrichment(1, "DQ"),
      enrichment(2, "Other"),
      { ...datastore(3, "dq"), enrich_datastore: 2 },
      { ...datastore(4, "Sales"), enrich_datastore: 1 },
    ],
  };
  await using source = await fake({ data: state(data) });
  await using target = await emptyFor(data);
  await using tmp = await tempDir();
  const { files } = await exportFrom(source, [1, 2, 3, 4], tmp.path);
  const env = { ...envFor(target), ...placeholders(files) };
  const imported = await unlessStalled(
    runQualytics(["config", "import", "-i", tmp.path, "--concurrency", "1"], { env }),
  );
  assert.equal(imported.code, 0, imported.stderr);
  const linked = (name: string) => {
    const ds = target.state.datastores.values().find((d) => d.name === name)!;
    return target.state.datastores.get(ds.enrich_datastore as number)?.name;
  };
  assert.deepEqual([linked("dq"), linked("Sales")], ["Other", "DQ"]);
});

Deno.test("config import: a folder from the original names a table CUSTOMERS by its slug; its computed fields go to that table", async () => {
  // The original writes no _container.yaml for a table and names the folder by the slug
  // (config-as-code.md §8.4), then looks the table up by that slug as a name, which fails for
  // any table whose name is not its own slug. Exactly one table with that slug: it is that one.
  const data: ServerData = {
    connections: [pg(1, "PG")],
    datastores: [datastore(1, "Sales")],
    containers: [table(1, 1, "CUSTOMERS"), table(2, 1, "Order Items")],
  };
  await using target = await fake({ data: state(data) });
  await using tmp = await tempDir();
  const field = (name: string) =>
    `name: ${name}\ntransformation: cast\nsource_fields:\n- id\nproperties:\n  target_type: integer\n`;
  await writeFiles(tmp.path, {
    "datastores/sales/_datastore.yaml":
      "name: Sales\nconnection_name: PG\ndatabase: analytics\nschema: public\n",
    "datastores/sales/containers/customers/computed_fields/id_int.yaml": field("id_int"),
    "datastores/sales/containers/order_items/computed_fields/id_int.yaml": field("id_int"),
  });
  const env = envFor(target);
  const imported = await runQualytics(
    ["config", "import", "-i", tmp.path, "--include", "computed_fields"],
    { env },
  );
  assert.equal(imported.code, 0, imported.stderr);
  const fieldsOf = (name: string) => {
    const container = target.state.containers.values().find((c) => c.name === name)!;
    return target.state.computedFields.values()
      .filter((f) => f.container_id === container.id).map((f) => f.name);
  };
  assert.deepEqual([fieldsOf("CUSTOMERS"), fieldsOf("Order Items")], [["id_int"], ["id_int"]]);
  const plan = await runQualytics(
    ["config", "plan", "-i", tmp.path, "--include", "computed_fields", "--detailed-exitcode"],
    { env },
  );
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
});

Deno.test("config import: a failed link target leaves the next of its name for the next run, and what links to that does not wait forever", async () => {
  const data: ServerData = {
    connections: [pg(1, "PG")],
    datastores: [
      enrichment(1, "DQ"),
      enrichment(2, "dq"),
      { ...datastore(3, "Sales"), enrich_datastore: 2 },
      { ...datastore(4, "Ops"), enrich_datastore: 1 },
    ],
  };
  await using source = await fake({ data: state(data) });
  await using target = await emptyFor(data);
  await using tmp = await tempDir();
  const folder = path.join(tmp.path, "source");
  const { files } = await exportFrom(source, [1, 2, 3, 4], folder);
  const env = { ...envFor(target), ...placeholders(files) };
  // The first datastore create (`DQ`, in datastores/dq/) fails; `dq` (dq_2/) must not be
  // created before it, and `Sales`, linked to `dq`, must not wait for it forever.
  target.setFaults(failNth("POST", "/api/datastores", 1));
  const first = await unlessStalled(
    runQualytics(["config", "import", "-i", folder, "--sync", "never"], { env }),
  );
  target.setFaults(undefined);
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stderr, /datastores\/dq\/_datastore\.yaml, which failed/);
  const second = await runQualytics(["config", "import", "-i", folder], { env });
  assert.equal(second.code, 0, second.stderr);
  const ids = idsByName(target, ["DQ", "dq", "Sales", "Ops"]);
  const again = await exportFrom(target, ids, path.join(tmp.path, "target"));
  assert.deepEqual([...again.files].filter(([file, text]) => files.get(file) !== text), []);
});
