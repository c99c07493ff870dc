/**
 * `config import` end to end: the real CLI against the fake controlplane over HTTP, with the
 * golden folders of `fixtures/golden/` (the last command of each `commands.txt`).
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { dropNthAfterApply, emptyLike, envFor, failNth, fake } from "../helpers/fake.ts";
import { runQualytics, tempDir } from "../helpers/cli.ts";
import { assertSameAsGolden, exportFolder, GOLDEN, snapshot } from "./golden.ts";
import { SECRETS } from "./import_fixtures.ts";

/** Created counts of commands.txt's Import Summary, with PRODUCT.md's fix (no merged checks). */
const EXPECTED: Record<string, Record<string, number>> = {
  minimal: { connection: 2, datastore: 2, sync: 2, container: 2, computed_field: 1, check: 4 },
  retail: { connection: 2, datastore: 3, sync: 3, container: 3, computed_field: 3, check: 32 },
};

/** Datastore names in the order of server.json (the order the golden export used). */
async function datastoreOrder(set: string): Promise<string[]> {
  const data = JSON.parse(await Deno.readTextFile(path.join(GOLDEN, set, "server.json")));
  return data.datastores.map((d: { name: string }) => d.name);
}

const CONTAINER_PUT = /^\/api\/containers\/\d+$/;

function folderOf(set: string): string {
  return path.join(GOLDEN, set, "config-export");
}

async function emptyServer(set: string, extra: Parameters<typeof fake>[0] = {}) {
  return await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, set, "empty-server.json")),
    ...extra,
  });
}

for (const set of ["minimal", "retail"]) {
  Deno.test(`config import: golden ${set} imports, re-imports with zero writes, re-exports identically`, async () => {
    await using server = await emptyServer(set);
    const env = { ...envFor(server), ...SECRETS[set] };
    const first = await runQualytics(
      ["config", "import", "--input", folderOf(set), "--format", "json"],
      { env },
    );
    assert.equal(first.code, 0, first.stderr);
    const summary = JSON.parse(first.stdout).summary;
    for (const [kind, created] of Object.entries(EXPECTED[set])) {
      assert.equal(summary[kind].created, created, `${kind} created`);
      assert.equal(summary[kind].failed, 0, `${kind} failed`);
    }
    assert.equal(summary.check.updated, 0, "no check is merged into another");
    assert.match(first.stderr, /Import complete!/);
    // The create ignores description and tags (endpoints.md §3): one PUT per created computed
    // container that has them completes it, so a plan right after has nothing to do.
    assert.equal(server.requests.count("PUT", CONTAINER_PUT), set === "retail" ? 3 : 1);
    const plan = await runQualytics(
      ["config", "plan", "-i", folderOf(set), "--detailed-exitcode"],
      { env },
    );
    assert.equal(plan.code, 0, plan.stderr);

    // A second import of the same folder changes nothing and writes nothing.
    server.requests.clear();
    const second = await runQualytics(["config", "import", "-i", folderOf(set)], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(server.requests.writes().map((w) => `${w.method} ${w.path}`), []);
    assert.match(second.stderr, /No changes/);

    // Export of the imported server reproduces the golden folder.
    const ids: string[] = [];
    for (const name of await datastoreOrder(set)) {
      const ds = server.state.datastores.values().find((d) => d.name === name);
      assert.ok(ds, name);
      ids.push("--datastore-id", String(ds.id));
    }
    await using out = await tempDir();
    const exported = await runQualytics(
      ["config", "export", ...ids, "--output", path.join(String(out), "config-export")],
      { env },
    );
    assert.equal(exported.code, 0, exported.stderr);
    const actual = await snapshot(path.join(String(out), "config-export"));
    const golden = await snapshot(folderOf(set));
    // Byte for byte: the only allowed difference is PRODUCT.md's `__2` UID line.
    const suffixed = assertSameAsGolden(actual, golden, set);
    assert.equal(suffixed, set === "retail" ? 1 : 0);
  });

  Deno.test(`config import: golden ${set} back into its source server creates nothing`, async () => {
    await using server = await fake({
      data: await Deno.readTextFile(path.join(GOLDEN, set, "server.json")),
    });
    const env = { ...envFor(server), ...SECRETS[set] };
    const before = server.state.checks.values().length;
    const run = await runQualytics(
      ["config", "import", "-i", folderOf(set), "--format", "json"],
      { env },
    );
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout).summary;
    for (const kind of Object.keys(EXPECTED[set])) {
      assert.equal(summary[kind].created, 0, `${kind} created`);
    }
    assert.equal(server.requests.count("POST"), 0);
    assert.equal(server.state.checks.values().length, before);
  });
}

Deno.test("config import: a failed description/tags follow-up is reported; a re-run completes the container", async () => {
  await using server = await emptyServer("retail", {
    faults: {
      failRate: 1,
      statuses: [400],
      only: (r) => r.method === "PUT" && CONTAINER_PUT.test(r.path),
    },
  });
  const env = { ...envFor(server), ...SECRETS.retail };
  const args = ["config", "import", "-i", folderOf("retail"), "--format", "json"];
  const failed = await runQualytics(args, { env });
  assert.equal(failed.code, 1, failed.stderr);
  const { summary, errors } = JSON.parse(failed.stdout);
  assert.deepEqual([summary.container.created, summary.container.failed], [0, 3]);
  assert.equal(summary.computed_field.created, 3, "the containers exist and are used");
  assert.equal(summary.check.created, 32);
  for (const error of errors) {
    assert.match(error.message, /^created \(ID \d+\), but setting its description and tags failed/);
  }
  const computed = server.state.containers.values()
    .filter((c) => String(c.container_type).startsWith("computed_"));
  assert.equal(computed.length, 3);
  assert.ok(computed.every((c) => c.description === null), "the create ignored description");

  server.setFaults(undefined);
  const plan = await runQualytics(
    ["config", "plan", "-i", folderOf("retail"), "--detailed-exitcode"],
    { env },
  );
  assert.equal(plan.code, 2, plan.stderr);
  assert.match(plan.stderr, /Plan: 0 to create, 3 to update, 0 to delete/);
  const rerun = await runQualytics(args, { env });
  assert.equal(rerun.code, 0, rerun.stderr);
  const again = JSON.parse(rerun.stdout).summary;
  assert.deepEqual([again.container.created, again.container.updated], [0, 3]);
  server.requests.clear();
  const third = await runQualytics(["config", "import", "-i", folderOf("retail")], { env });
  assert.equal(third.code, 0, third.stderr);
  assert.equal(server.requests.writes().length, 0);
});

Deno.test("config import: secrets are never printed, traced or written", async () => {
  await using server = await emptyServer("retail");
  const env = { ...envFor(server), ...SECRETS.retail };
  const runs = [
    await runQualytics(["config", "plan", "-i", folderOf("retail"), "--format", "json"], { env }),
    await runQualytics(["--debug", "config", "import", "-i", folderOf("retail")], { env }),
    await runQualytics(["--debug", "config", "import", "-i", folderOf("retail"), "-f", "json"], {
      env,
    }),
  ];
  for (const run of runs) {
    for (const secret of Object.values(SECRETS.retail)) {
      assert.ok(!run.stdout.includes(secret), `stdout shows ${secret}`);
      assert.ok(!run.stderr.includes(secret), `stderr shows ${secret}`);
    }
  }
  // The secrets did reach the server (so they were resolved), only there.
  const pg = server.state.connections.values().find((c) => c.name === "Retail PG (prod)");
  assert.equal(pg?.password, SECRETS.retail.RETAIL_PG_PROD_PASSWORD);
});

Deno.test("config import: a run that fails midway exits 1, and a re-run converges without duplicates", async () => {
  let creates = 0;
  await using server = await emptyServer("retail", {
    faults: {
      failRate: 1,
      statuses: [500],
      only: (r) => r.method === "POST" && r.path === "/api/quality-checks" && ++creates > 10,
    },
  });
  const env = { ...envFor(server), ...SECRETS.retail };
  const failed = await runQualytics(["config", "import", "-i", folderOf("retail")], { env });
  assert.equal(failed.code, 1, failed.stderr);
  assert.match(failed.stderr, /error\(s\) encountered during import/);
  const afterFailure = server.state.checks.values().length;
  assert.ok(afterFailure >= 10 && afterFailure < 32, `${afterFailure} checks after the failure`);

  server.setFaults(undefined);
  const rerun = await runQualytics(
    ["config", "import", "-i", folderOf("retail"), "--format", "json"],
    { env },
  );
  assert.equal(rerun.code, 0, rerun.stderr);
  const summary = JSON.parse(rerun.stdout).summary;
  assert.equal(summary.check.created, 32 - afterFailure);
  assert.equal(summary.connection.created, 0);
  assert.equal(summary.datastore.created, 0);
  const uids = server.state.checks.values().map((c) => c.additional_metadata?._qualytics_check_uid);
  assert.equal(uids.length, 32);
  assert.equal(new Set(uids).size, 32, "no duplicate check");

  server.requests.clear();
  const third = await runQualytics(["config", "import", "-i", folderOf("retail")], { env });
  assert.equal(third.code, 0, third.stderr);
  assert.equal(server.requests.writes().length, 0);
});

Deno.test("config import: a dropped create never leaves a duplicate behind", async () => {
  let creates = 0;
  await using server = await emptyServer("minimal", {
    faults: {
      dropRate: 1,
      only: (r) => r.method === "POST" && r.path === "/api/quality-checks" && ++creates === 2,
    },
  });
  const env = { ...envFor(server), ...SECRETS.minimal };
  const first = await runQualytics(["config", "import", "-i", folderOf("minimal")], { env });
  assert.ok(first.code === 0 || first.code === 1, first.stderr);
  server.setFaults(undefined);
  const second = await runQualytics(["config", "import", "-i", folderOf("minimal")], { env });
  assert.equal(second.code, 0, second.stderr);
  const uids = server.state.checks.values().map((c) => c.additional_metadata?._qualytics_check_uid);
  assert.equal(uids.length, 4);
  assert.equal(new Set(uids).size, 4);
});

Deno.test("config import: a create applied whose answer was lost is found, not reported failed", async () => {
  // The server applies the second check create and the connection drops before the answer: the
  // client sees a network error (or, on a reused connection, replays the request and gets 409
  // for the check that now exists). Either way the check exists once and the import succeeded.
  await using server = await emptyServer("minimal", {
    faults: dropNthAfterApply("POST", "/api/quality-checks", 2),
  });
  const env = { ...envFor(server), ...SECRETS.minimal };
  const run = await runQualytics(["config", "import", "-i", folderOf("minimal")], { env });
  assert.equal(run.code, 0, run.stderr);
  const uids = server.state.checks.values().map((c) => c.additional_metadata?._qualytics_check_uid);
  assert.equal(uids.length, 4);
  assert.equal(new Set(uids).size, 4);
  server.setFaults(undefined);
  const again = await runQualytics(
    ["config", "plan", "-i", folderOf("minimal"), "--detailed-exitcode"],
    { env },
  );
  assert.equal(again.code, 0, again.stderr);
});

Deno.test("config import: a sync whose answer is lost after the server started it is not started again", async () => {
  // The datastore created in this run is synced; the server starts the sync and the connection
  // closes before the answer. Deno's fetch would send the request again on its own over the
  // kept-alive connection (a second sync); it goes on a connection of its own, so the loss is
  // reported instead.
  await using server = await emptyServer("minimal", {
    faults: dropNthAfterApply("POST", "/api/operations/run", 1),
  });
  const env = { ...envFor(server), ...SECRETS.minimal };
  const run = await runQualytics(["config", "import", "-i", folderOf("minimal")], { env });
  // One sync for each of the two datastores created, the first one's answer lost.
  assert.equal(server.requests.filter("POST", "/api/operations/run").length, 2, run.stderr);
  assert.equal(server.state.operations.size, 2);
  assert.match(run.stderr, /Sync: Enrichment: .*closed before the server answered/);
  assert.equal(run.code, 1);
});

Deno.test("config import: an update keeps the server's float values of keys a file leaves out", async () => {
  // The plan reads the target's checks faster than exactly (`100000.0` as `100000`, which
  // compares alike); what an update sends back of the server's check must still be `100000.0`,
  // or the next export would write `max: 100000` where the folder says nothing.
  const data = await Deno.readTextFile(path.join(GOLDEN, "minimal", "server.json"));
  assert.match(data, /"max": 100000,/);
  await using server = await fake({ data: data.replace(/"max": 100000,/, '"max": 100000.0,') });
  await using dir = await tempDir();
  const input = path.join(dir.path, "in");
  for (const [file, text] of await snapshot(folderOf("minimal"))) {
    await Deno.mkdir(path.dirname(path.join(input, file)), { recursive: true });
    await Deno.writeTextFile(path.join(input, file), text);
  }
  const between = path.join(
    input,
    "datastores/sales_warehouse/checks/orders/between__total_amount.yaml",
  );
  const text = await Deno.readTextFile(between);
  const partial = text.replace(/^properties:\n( {2}.*\n)+/m, "").replace(
    /^description: .*$/m,
    "description: changed",
  );
  assert.doesNotMatch(partial, /max:/);
  await Deno.writeTextFile(between, partial);
  const env = { ...envFor(server), ...SECRETS.minimal };
  const run = await runQualytics(["config", "import", "-i", input], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(server.requests.count("PUT", "/api/quality-checks/502"), 1, run.stderr);
  const after = await exportFolder(server, [10, 20], path.join(dir.path, "out"));
  const exported = after.get(
    "datastores/sales_warehouse/checks/orders/between__total_amount.yaml",
  )!;
  assert.match(exported, /^description: changed$/m);
  assert.match(exported, /^ {2}max: 100000\.0$/m);
});

Deno.test("config import: two server checks storing one UID are refused, never merged", async () => {
  // Both checks of container 100 carry the same stored UID (copied in the UI with the rest of
  // the metadata, say). The export writes it into both files; an import that matched by it would
  // update one check with the other's content and create a duplicate. It must stop instead.
  const data = JSON.parse(await Deno.readTextFile(path.join(GOLDEN, "minimal", "server.json")));
  const shared = "orders__shared_uid";
  for (const check of data.checks.filter((c: { id: number }) => c.id === 501 || c.id === 502)) {
    check.additional_metadata = { ...check.additional_metadata, _qualytics_check_uid: shared };
  }
  await using server = await fake({ data: JSON.stringify(data) });
  await using cwd = await tempDir();
  const env = { ...envFor(server), ...SECRETS.minimal };
  const out = path.join(String(cwd), "folder");
  const exported = await runQualytics(
    ["config", "export", "--datastore-id", "10", "--output", out],
    { env },
  );
  assert.equal(exported.code, 0, exported.stderr);

  for (const args of [["--prune"], ["--dry-run", "--prune"], []]) {
    server.requests.clear();
    const run = await runQualytics(["config", "import", "-i", out, ...args], { env });
    assert.equal(run.code, 1, run.stderr);
    for (const file of ["between__total_amount.yaml", "notnull__order_id.yaml"]) {
      assert.match(
        run.stderr,
        new RegExp(
          `checks/orders/${file}: checks 501, 502 on the target all store the UID ` +
            `'${shared}'.*give each its own additional_metadata._qualytics_check_uid`,
        ),
      );
    }
    assert.doesNotMatch(run.stderr, /delete/);
    assert.equal(server.requests.writes().length, 0, "nothing written");
  }
});

Deno.test("config plan: the retail golden folder plans no change on its own server and once imported", async () => {
  // The API lists only source datastores unless enrichment_only=True is sent: the plan must ask
  // for the enrichment ones too, or it plans to create 'DQ Enrichment' and the import gets 409.
  await using source = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json")),
  });
  await using empty = await emptyServer("retail");
  const imported = await runQualytics(["config", "import", "-i", folderOf("retail")], {
    env: { ...envFor(empty), ...SECRETS.retail },
  });
  assert.equal(imported.code, 0, imported.stderr);
  for (const server of [source, empty]) {
    const env = { ...envFor(server), ...SECRETS.retail };
    server.requests.clear();
    const plan = await runQualytics(
      ["config", "plan", "-i", folderOf("retail"), "--detailed-exitcode"],
      { env },
    );
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stderr, /Plan: 0 to create, 0 to update, 0 to delete, 43 unchanged/);
    assert.doesNotMatch(plan.stderr, /DQ Enrichment {2}\(/);
    const lists = server.requests.filter("GET", "/api/datastores")
      .map((r) => String(r.query.enrichment_only ?? "-")).sort();
    assert.deepEqual(lists, ["-", "True"]);
    const again = await runQualytics(["config", "import", "-i", folderOf("retail")], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /No changes/);
    assert.deepEqual(server.requests.writes().map((w) => `${w.method} ${w.path}`), []);
  }
});

Deno.test("config import: an enrichment datastore created without an answer is found by name, not created twice", async () => {
  await using server = await emptyServer("minimal");
  // A gateway in front of the fake: the enrichment datastore's create reaches the server, but
  // its answer is lost (502), so the import must look the datastore up by name.
  let lost = 0;
  const gateway = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = req.method === "GET" ? undefined : await req.text();
    const answer = await fetch(`${server.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers: req.headers,
      body,
    });
    if (
      req.method === "POST" && url.pathname === "/api/datastores" &&
      JSON.parse(body!).enrichment_only === true && answer.ok && !lost++
    ) {
      await answer.body?.cancel();
      return Response.json({ detail: "Bad Gateway" }, { status: 502 });
    }
    return answer;
  });
  try {
    const env = {
      QUALYTICS_URL: `http://127.0.0.1:${gateway.addr.port}`,
      QUALYTICS_TOKEN: server.token,
      ...SECRETS.minimal,
    };
    const run = await runQualytics(["config", "import", "-i", folderOf("minimal")], { env });
    assert.equal(lost, 1, "the enrichment datastore's answer was lost");
    assert.equal(run.code, 0, run.stderr);
    const named = server.state.datastores.values().filter((d) => d.name === "Enrichment");
    assert.equal(named.length, 1);
    assert.equal(server.requests.count("POST", "/api/datastores"), 2);
    const lookup = server.requests.filter("GET", "/api/datastores")
      .filter((r) => String(r.query.name) === "Enrichment");
    assert.ok(lookup.some((r) => String(r.query.enrichment_only) === "True"), "looked up");
  } finally {
    await gateway.shutdown();
  }
});

Deno.test("config import: a hand-written datastore file with server defaults left null imports in one go", async () => {
  // The server fills `enrichment_prefix` (and the other defaults) where the file says null; the
  // import then writes the file's values back with a full body (the API refuses partial PUTs),
  // so that the next plan finds nothing to do.
  await using server = await emptyServer("minimal");
  await using tmp = await tempDir();
  const root = path.join(String(tmp), "folder");
  await Deno.mkdir(path.join(root, "connections"), { recursive: true });
  await Deno.mkdir(path.join(root, "datastores", "sales_warehouse"), { recursive: true });
  await Deno.copyFile(
    path.join(folderOf("minimal"), "connections", "prod_pg.yaml"),
    path.join(root, "connections", "prod_pg.yaml"),
  );
  await Deno.writeTextFile(
    path.join(root, "datastores", "sales_warehouse", "_datastore.yaml"),
    "connection_name: Prod PG\nname: Sales Warehouse\ndatabase: analytics\nschema: public\n" +
      "enrichment_prefix: null\n",
  );
  const env = { ...envFor(server), ...SECRETS.minimal };
  const run = await runQualytics(["config", "import", "-i", root, "--sync", "never"], { env });
  assert.equal(run.code, 0, run.stderr);
  const again = await runQualytics(
    ["config", "plan", "-i", root, "--sync", "never", "--detailed-exitcode"],
    { env },
  );
  assert.equal(again.code, 0, again.stderr);
});

/** The connection placeholders of the scale seed. */
const SCALE_SECRETS = { SCALE_PG_PASSWORD: "x", SCALE_SNOWFLAKE_PASSWORD: "x" };

/** The id of a server's one datastore. */
const idOf = (server: Awaited<ReturnType<typeof fake>>) =>
  [...server.state.datastores.values()][0].id as number;

Deno.test("config import: checks that share a file name are created in file order, so a re-export names each file as the folder did", async () => {
  // The scale seed gives each container 7 pairs of checks with one rule and field (unique__id.yaml
  // and unique__id_2.yaml): the `_2` goes to the later check in the API's (creation) order.
  await using source = await fake({
    seed: "scale",
    scale: { datastores: 1, containers: 4, checks: 25 },
  });
  await using target = await emptyLike(source);
  await using tmp = await tempDir();
  const exported = path.join(tmp.path, "source");
  const reexported = path.join(tmp.path, "target");
  const files = await exportFolder(source, [idOf(source)], exported);
  assert.equal([...files.keys()].filter((file) => file.endsWith("_2.yaml")).length, 28);
  const imported = await runQualytics(["config", "import", "-i", exported], {
    env: { ...envFor(target), ...SCALE_SECRETS },
  });
  assert.equal(imported.code, 0, imported.stderr);
  const again = await exportFolder(target, [idOf(target)], reexported);
  const moved = [...files].filter(([file, text]) => again.get(file) !== text).map(([file]) => file);
  assert.deepEqual(moved, []);
});

Deno.test("config import: when the create of x.yaml fails, x_2.yaml waits for the next run, so the instance converges to the same file names", async () => {
  await using source = await fake({
    seed: "scale",
    scale: { datastores: 1, containers: 1, checks: 25 },
  });
  await using target = await emptyLike(source);
  await using tmp = await tempDir();
  const exported = path.join(tmp.path, "source");
  const reexported = path.join(tmp.path, "target");
  const env = { ...envFor(target), ...SCALE_SECRETS };
  const before = await exportFolder(source, [idOf(source)], exported);
  // The first check create of the run (that of the first file, `between__amount.yaml`) fails.
  target.setFaults(failNth("POST", "/api/quality-checks", 1));
  const first = await runQualytics(["config", "import", "-i", exported, "--format", "json"], {
    env,
  });
  target.setFaults(undefined);
  assert.equal(first.code, 1);
  const errors = JSON.parse(first.stdout).errors as { name: string; message: string }[];
  const files = errors.map((e) => e.name.replace(/^.*\//, ""));
  assert.deepEqual(files, ["between__amount.yaml", "between__amount_2.yaml"]);
  assert.match(errors[1].message, /between__amount\.yaml/);
  const second = await runQualytics(["config", "import", "-i", exported], { env });
  assert.equal(second.code, 0, second.stderr);
  const after = await exportFolder(target, [idOf(target)], reexported);
  assert.deepEqual([...before].filter(([file, text]) => after.get(file) !== text), []);
});
