/**
 * Runs the fake Qualytics controlplane from the shell.
 *
 *   deno task fake-server [--port N] [--host H] [--seed demo|empty|scale] [--datastores N]
 *     [--containers N] [--checks N] [--data FILE] [--state FILE] [--latency-ms N]
 *     [--fail-rate R] [--drop-rate R] [--fault-statuses 500,503,429] [--fault-seed N]
 *     [--operation-ms N]
 *
 * Prints `QUALYTICS_URL=<url>` and `QUALYTICS_TOKEN=<admin token>` as the first two lines of
 * stdout (then the manager and member tokens), and serves until SIGINT/SIGTERM, saving the
 * state to `--state FILE` when given (and loading it at start when the file exists).
 */
import { parseArgs } from "node:util";
import { startFakeControlplane } from "../src/testing/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    seed: { type: "string", default: "demo" },
    datastores: { type: "string" },
    containers: { type: "string" },
    checks: { type: "string" },
    data: { type: "string" },
    state: { type: "string" },
    "latency-ms": { type: "string" },
    "fail-rate": { type: "string" },
    "drop-rate": { type: "string" },
    "fault-statuses": { type: "string" },
    "fault-seed": { type: "string" },
    "operation-ms": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(
    "usage: deno task fake-server [--port N] [--seed demo|empty|scale] [--datastores N] " +
      "[--containers N] [--checks N] [--data FILE] [--state FILE] [--latency-ms N] " +
      "[--fail-rate R] [--drop-rate R] [--fault-statuses 500,503,429] [--fault-seed N] [--operation-ms N]",
  );
  Deno.exit(0);
}

const num = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) {
    console.error(`--${name} must be a number, got '${text}'`);
    Deno.exit(2);
  }
  return value;
};

const seed = values.seed;
if (seed !== "demo" && seed !== "empty" && seed !== "scale") {
  console.error(`--seed must be demo, empty or scale, got '${seed}'`);
  Deno.exit(2);
}

let data: string | undefined;
if (values.data) data = await Deno.readTextFile(values.data);
if (values.state) {
  try {
    data = await Deno.readTextFile(values.state);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

const failRate = num("fail-rate", values["fail-rate"]);
const dropRate = num("drop-rate", values["drop-rate"]);
const server = await startFakeControlplane({
  port: num("port", values.port),
  host: values.host,
  seed,
  scale: {
    datastores: num("datastores", values.datastores),
    containers: num("containers", values.containers),
    checks: num("checks", values.checks),
  },
  data,
  latencyMs: num("latency-ms", values["latency-ms"]),
  operationDurationMs: num("operation-ms", values["operation-ms"]) ??
    (values.data ? 0 : 1500),
  faults: failRate || dropRate
    ? {
      failRate,
      dropRate,
      seed: num("fault-seed", values["fault-seed"]) ?? 1,
      statuses: values["fault-statuses"]?.split(",").map((s) => Number(s.trim())),
      only: ({ path }) => path !== "/api/cli/authorize",
    }
    : undefined,
});

console.log(`QUALYTICS_URL=${server.url}`);
console.log(`QUALYTICS_TOKEN=${server.token}`);
console.log(`QUALYTICS_MANAGER_TOKEN=${server.tokens.manager}`);
console.log(`QUALYTICS_MEMBER_TOKEN=${server.tokens.member}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  if (values.state) {
    const temp = `${values.state}.tmp`;
    await Deno.writeTextFile(temp, server.snapshot() + "\n");
    await Deno.rename(temp, values.state);
    console.error(`state saved to ${values.state}`);
  }
  await server.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
