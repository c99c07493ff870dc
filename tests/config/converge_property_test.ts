/**
 * Config as code, convergence after faults (PRODUCT.md "Idempotent requests … a create is never
 * sent twice blindly. A run interrupted at any point and re-run converges, with no duplicates"):
 * for generated server states (generated_state.ts, as the round-trip test), export every datastore,
 * then import the folder into an empty instance whose fake controlplane injects faults — error
 * statuses (500, 502–504, 429 with Retry-After), dropped connections, drops after the request was
 * applied (the answer is lost: the ambiguous case), a run cut off after its first n requests — on
 * writes only, reads only or everywhere, for a run or two; then re-run with the faults off. The
 * first run without faults must exit 0, and then the target has no duplicates (names, check UIDs),
 * re-exports the very same bytes, one more import writes nothing and `config plan
 * --detailed-exitcode` exits 0.
 *
 * `CONVERGE_SEEDS=1-100` (or `5,17`) runs other seeds; each seed draws its fault scenario.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import type { FaultOptions } from "../../src/testing/faults.ts";
import { Rng } from "../../src/testing/rng.ts";
import type { Rec } from "../../src/testing/state.ts";
import {
  cast,
  emptyLike,
  envFor,
  failNth,
  fake,
  notNull,
  slowChecksGateway,
} from "../helpers/fake.ts";
import { type CliRun, runQualytics, tempDir } from "../helpers/cli.ts";
import { exportFolder, exportNamesakes } from "./golden.ts";
import { assertSameFiles, generateState, placeholderValues } from "./generated_state.ts";

type Request = { method: string; path: string };
const writes = ({ method }: Request) => method !== "GET";
const reads = ({ method }: Request) => method === "GET";

/** A fault scenario: what a run with faults injects, and for how many runs. */
interface Scenario {
  label: string;
  /** The faults of one run (called once per run with faults), and how to describe them. */
  faults: () => [options: Omit<FaultOptions, "seed">, description: string];
  /** Runs with the faults on (unless one of them exits 0) before they are switched off. */
  faultyRuns: number;
}

/** The scenario of `seed`: the kind cycles with the seed, rates and runs are drawn. */
function scenarioFor(seed: number): Scenario {
  const rng = new Rng(seed * 7919);
  const rate = (min: number, max: number) =>
    Math.round((min + rng.next() * (max - min)) * 100) / 100;
  const faultyRuns = rng.int(1, 2);
  const kinds: Array<() => [string, Omit<FaultOptions, "seed">]> = [
    () => ["500 everywhere", { failRate: rate(0.05, 0.2), statuses: [500] }],
    () => [
      "retryable statuses everywhere",
      { failRate: rate(0.1, 0.35), statuses: [429, 502, 503, 504] },
    ],
    () => ["drops on writes", { dropRate: rate(0.1, 0.3), only: writes }],
    () => [
      "drops after apply on writes",
      { dropRate: rate(0.1, 0.4), dropAfterApply: true, only: writes },
    ],
    () => ["statuses and drops after apply everywhere", {
      failRate: rate(0.05, 0.15),
      statuses: [500, 502, 503, 429],
      dropRate: rate(0.05, 0.15),
      dropAfterApply: true,
    }],
    () => [
      "statuses on reads",
      { failRate: rate(0.1, 0.5), statuses: [500, 503, 504, 429], only: reads },
    ],
    () => ["drops on reads", { dropRate: rate(0.5, 0.9), only: reads }],
    () => [
      "500 and drops on writes",
      { failRate: rate(0.1, 0.3), statuses: [500], dropRate: rate(0, 0.1), only: writes },
    ],
    // The run is cut off after its first n requests (as a killed process or a lost network):
    // every later one is dropped unanswered. Most of the import happens in the runs after.
    () => ["cut off", { dropRate: 1 }],
  ];
  const [label, faults] = kinds[seed % kinds.length]();
  if (label !== "cut off") {
    return { label, faults: () => [faults, JSON.stringify(faults)], faultyRuns };
  }
  return {
    label,
    faultyRuns,
    faults: () => {
      const after = rng.int(1, 80);
      let n = after;
      return [{ ...faults, only: () => --n < 0 }, `after ${after} requests`];
    },
  };
}

/** Same-named objects of a kind the API keeps unique, and check UIDs stored twice. */
function duplicates(target: Awaited<ReturnType<typeof fake>>): string[] {
  const out: string[] = [];
  const twice = (kind: string, keys: string[]) => {
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) out.push(`${kind} ${key}`);
      seen.add(key);
    }
  };
  const state = target.state;
  twice("connection", state.connections.values().map((c) => String(c.name)));
  twice("datastore", state.datastores.values().map((d) => String(d.name)));
  twice("container", state.containers.values().map((c) => `${c.datastore}/${c.name}`));
  twice(
    "computed field",
    state.computedFields.values().map((f) => `${f.container_id}/${f.name}`),
  );
  const datastoreOf = new Map(state.containers.values().map((c) => [c.id, c.datastore]));
  const uid = (check: Rec) => (check.additional_metadata as Rec | null)?._qualytics_check_uid;
  twice(
    "check",
    state.checks.values().filter((c) => !c.deleted_at && uid(c) !== undefined).map((c) =>
      `${datastoreOf.get(c.container ?? c.container_id)}/${uid(c)}`
    ),
  );
  return out;
}

/** A short account of runs, for failure messages. */
function account(runs: Array<CliRun & { faults?: string }>): string {
  return runs.map((run, i) =>
    `--- run ${i + 1} (${run.faults ?? "no faults"}): exit ${run.code}\n${run.stderr}`
  ).join("\n");
}

/** The seeds run by default (a few seconds in all; each kind of scenario at least once). */
function seeds(): number[] {
  const spec = Deno.env.get("CONVERGE_SEEDS");
  if (!spec) return [1, 2, 3, 5, 6, 7, 8, 9, 22];
  return spec.split(",").flatMap((part) => {
    const [from, to = from] = part.split("-").map(Number);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

/** Backoff and Retry-After waits, cut to 2 ms (tests/client checks their lengths). */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 2)));

for (const seed of seeds()) {
  const scenario = scenarioFor(seed);
  Deno.test(`config import converges after faults: generated state #${seed}, ${scenario.label}`, async () => {
    const { data, datastoreIds } = generateState(seed);
    await using source = await fake({ data });
    await using target = await emptyLike(source);
    await using tmp = await tempDir();
    const folder = path.join(tmp.path, "source");
    const exported = await exportFolder(source, datastoreIds, folder);
    const env = { ...envFor(target), ...placeholderValues(exported) };
    const context = () => `seed ${seed} (${scenario.label})`;

    const runs: Array<CliRun & { faults?: string }> = [];
    for (let n = 0;; n++) {
      const [faults, description] = n < scenario.faultyRuns ? scenario.faults() : [];
      target.setFaults(faults && { ...faults, seed: seed * 31 + n });
      const run = await runQualytics(["config", "import", "-i", folder], { env, sleep });
      target.setFaults(undefined);
      runs.push({ ...run, faults: description });
      assert.ok([0, 1].includes(run.code), `${context()}: exit ${run.code}\n${account(runs)}`);
      assert.deepEqual(duplicates(target), [], `${context()}: duplicates\n${account(runs)}`);
      if (run.code === 0) break;
      // Once the faults are off, one run completes what the interrupted ones left.
      assert.ok(faults, `${context()}: no convergence without faults\n${account(runs)}`);
    }
    assert.deepEqual(target.errors, [], `${context()}: the fake failed`);

    const again = await exportNamesakes(
      source,
      target,
      datastoreIds,
      path.join(tmp.path, "target"),
    );
    assertSameFiles(exported, again, `${context()}: the re-export differs`, account(runs));

    const before = target.requests.writes().length;
    const more = await runQualytics(["config", "import", "-i", folder], { env });
    assert.equal(more.code, 0, `${context()}: ${more.stderr}`);
    assert.deepEqual(
      target.requests.writes().slice(before).map((w) => `${w.method} ${w.path}`),
      [],
      `${context()}: one more import wrote:\n${more.stderr}`,
    );
    const plan = await runQualytics(["config", "plan", "-i", folder, "--detailed-exitcode"], {
      env,
    });
    assert.equal(plan.code, 0, `${context()}: ${plan.stderr}`);
  });
}

const ORDERS = { name: "orders", container_type: "table", table_type: "table", record_count: 5 };

/** A PostgreSQL datastore `DW` with one table, `orders`, which its sync finds (with `id`); and `rest`. */
function ordersOfDw(rest: Record<string, unknown>) {
  return {
    connections: [{ id: 1, name: "PG", type: "postgresql", host: "h", username: "u" }],
    datastores: [{ id: 1, name: "DW", connection_id: 1, database: "db", schema: "s" }],
    containers: [{ id: 1, datastore: 1, ...ORDERS }],
    catalog: { DW: [{ ...ORDERS, fields: [{ name: "id", type: "Integral" }] }] },
    ...rest,
  };
}

Deno.test("config import: a check on a computed field whose create failed waits for the next run, which then creates both", async () => {
  // Created in the same run, the check named a field the table lacked, which the server took as
  // a plain field of that name: from then on it refused the computed field (409), every run.
  const data = ordersOfDw({
    fields: [
      { id: 1, name: "id", container_id: 1, type: "Integral" },
      { id: 2, name: "id_int", container_id: 1, type: "String", is_computed_field: true },
    ],
    computed_fields: [cast(1, 1, "id_int")],
    checks: [notNull(1, 1, "id_int")],
  });
  await using source = await fake({ data });
  await using target = await fake({ data: { catalog: data.catalog } });
  await using tmp = await tempDir();
  const folder = path.join(tmp.path, "source");
  await exportFolder(source, [1], folder);
  const env = { ...envFor(target), PG_PASSWORD: "x" };
  target.setFaults({
    failRate: 1,
    statuses: [500],
    only: ({ method, path }) => method === "POST" && path === "/api/computed-fields",
  });
  const first = await runQualytics(["config", "import", "-i", folder], { env });
  target.setFaults(undefined);
  assert.equal(first.code, 1, first.stderr);
  assert.match(
    first.stderr,
    /notnull__id_int\.yaml: not applied: it uses the computed field 'id_int'/,
  );
  assert.equal(target.state.checks.size, 0);
  const second = await runQualytics(["config", "import", "-i", folder], { env });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(target.state.computedFields.values().map((f) => f.name), ["id_int"]);
  assert.equal(target.state.checks.size, 1);
});

Deno.test("config import: when only x_3.yaml and x_4.yaml are left to create, x_3.yaml is still created first", async () => {
  // The re-run after x_3.yaml's create failed has two checks to create, x_3 and x_4: the order
  // of a numbered chain must not depend on how many checks the run creates (x_4 looked back at
  // x.yaml and x_2.yaml only, so the two went in parallel and could swap files). A gateway holds
  // back the create of x_3.yaml, so that parallel creates reorder.
  const check = (id: number, description: string) => ({
    id,
    rule_type: "notNull",
    description,
    container: 1,
    fields: ["id"],
    coverage: 1,
    filter: `id > ${id}`,
    properties: {},
    global_tags: [],
    additional_metadata: null,
    status: "Active",
  });
  const data = ordersOfDw({
    fields: [{ id: 1, name: "id", container_id: 1, type: "Integral" }],
    checks: [check(1, "first"), check(2, "second"), check(3, "slow"), check(4, "fourth")],
  });
  await using source = await fake({ data });
  await using target = await fake({ data: { catalog: data.catalog } });
  await using tmp = await tempDir();
  const folder = path.join(tmp.path, "source");
  await exportFolder(source, [1], folder);
  await using gateway = slowChecksGateway(target);
  const env = { ...envFor(gateway), PG_PASSWORD: "x" };
  target.setFaults(failNth("POST", "/api/quality-checks", 3));
  const first = await runQualytics(["config", "import", "-i", folder], { env });
  target.setFaults(undefined);
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stderr, /notnull__id_3\.yaml: Injected fault/);
  const second = await runQualytics(["config", "import", "-i", folder], { env });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(
    target.state.checks.values().map((c) => c.description),
    ["first", "second", "slow", "fourth"],
  );
});

Deno.test("config import: a computed field that reads another is created after it, and waits for the next run when that one fails", async () => {
  // `a` reads `z` (files in that order). Created first, `a` named a field the table lacked,
  // which the server took as a plain field `z`: from then on it refused the computed field `z`.
  const field = (id: number, name: string, source: string) => ({
    id,
    container_id: 1,
    name,
    transformation_type: "cast",
    source_fields: [source],
    properties: { target_type: "integer" },
    additional_metadata: null,
  });
  const data = ordersOfDw({
    fields: [
      { id: 1, name: "id", container_id: 1, type: "Integral" },
      { id: 2, name: "z", container_id: 1, type: "String", is_computed_field: true },
      { id: 3, name: "a", container_id: 1, type: "String", is_computed_field: true },
    ],
    computed_fields: [field(1, "z", "id"), field(2, "a", "z")],
  });
  await using source = await fake({ data });
  await using tmp = await tempDir();
  const folder = path.join(tmp.path, "source");
  await exportFolder(source, [1], folder);
  for (const faults of [false, true]) {
    await using target = await fake({ data: { catalog: data.catalog } });
    const env = { ...envFor(target), PG_PASSWORD: "x" };
    if (faults) {
      target.setFaults(failNth("POST", "/api/computed-fields", 1));
      const first = await runQualytics(["config", "import", "-i", folder], { env });
      target.setFaults(undefined);
      assert.equal(first.code, 1, first.stderr);
      assert.match(first.stderr, /z\.yaml: Injected fault/);
      assert.match(first.stderr, /a\.yaml: not applied: it reads the computed field 'z'/);
    }
    const run = await runQualytics(["config", "import", "-i", folder], { env });
    assert.equal(run.code, 0, `faults ${faults}: ${run.stderr}`);
    assert.deepEqual(
      target.state.computedFields.values().map((f) => f.name),
      ["z", "a"],
    );
  }
});
