/**
 * `checks import`: a `checks export` folder into one or more datastores, matched by UID (stored,
 * else the one an export would compute), planned before anything is written.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { QualyticsClient } from "../../src/client/http_client.ts";
import { applyImport } from "../../src/services/config/import_apply.ts";
import { fetchTarget, planCounts, planImport } from "../../src/services/config/import_plan.ts";
import { loadChecksFolder } from "../../src/services/config/load.ts";
import { nodeFileSystem } from "../../src/util/fs.ts";
import { envFor, fake } from "../helpers/fake.ts";
import { runQualytics } from "../helpers/cli.ts";
import { GOLDEN } from "./golden.ts";
import { SECRETS } from "./import_fixtures.ts";

const CHECKS = path.join(GOLDEN, "retail", "checks-export", "retail_dw");
const include = new Set(["checks" as const]);

async function importChecks(server: { url: string; token: string }, ids: number[], dryRun = false) {
  const client = new QualyticsClient({ baseUrl: server.url, token: server.token });
  const folder = await loadChecksFolder(nodeFileSystem, CHECKS, ids);
  const target = await fetchTarget(client, folder, { include });
  const plan = planImport(folder, target, { include });
  const result = dryRun ? undefined : await applyImport(client, plan, {
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => new Date(),
  });
  return { plan, result };
}

Deno.test("checks import: back into the source datastore updates nothing and creates nothing", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json")),
  });
  const { plan, result } = await importChecks(server, [21]);
  assert.deepEqual(plan.problems, []);
  assert.equal(planCounts(plan).check.unchanged, 24);
  assert.equal(result!.summary.check.created, 0);
  assert.equal(server.requests.writes().length, 0);
});

Deno.test("checks import: into a fresh datastore creates every check once, then is a no-op", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "empty-server.json")),
  });
  // Connections and datastores first (their sync discovers the tables), no checks.
  const env = { ...envFor(server), ...SECRETS.retail };
  const setup = await runQualytics(
    [
      "config",
      "import",
      "-i",
      path.join(GOLDEN, "retail", "config-export"),
      "--include",
      "connections,datastores",
    ],
    { env },
  );
  assert.equal(setup.code, 0, setup.stderr);
  const dw = server.state.datastores.values().find((d) => d.name === "Retail DW")!;
  // Missing the computed container `top_customers_eu`: its 2 checks cannot resolve before it exists.
  const dry = await importChecks(server, [dw.id], true);
  assert.equal(dry.plan.problems.length, 0);
  assert.equal(dry.plan.syncs.length, 1, "auto sync for containers not discovered yet");
  const { result } = await importChecks(server, [dw.id]);
  assert.equal(result!.summary.check.created, 22);
  assert.equal(result!.summary.check.failed, 2);
  assert.match(result!.errors[0].message, /top_customers_eu|Top Customers/);
  server.requests.clear();
  const again = await importChecks(server, [dw.id], true);
  assert.equal(planCounts(again.plan).check.unchanged, 22);
  assert.equal(planCounts(again.plan).check.create, 2);
});

Deno.test("checks import: an unknown datastore id is a problem, nothing is written", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json")),
  });
  const { plan } = await importChecks(server, [21, 999], true);
  assert.deepEqual(plan.problems.map((p) => p.message), ["Datastore 999 not found"]);
  assert.equal(server.requests.writes().length, 0);
});

Deno.test("checks import: the CLI command plans without writing", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json")),
  });
  const run = await runQualytics(
    ["checks", "import", "--datastore-id", "21", "-i", CHECKS, "--dry-run", "--detailed-exitcode"],
    { env: envFor(server) },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Loaded 24 check definitions/);
  assert.equal(server.requests.writes().length, 0);
});
