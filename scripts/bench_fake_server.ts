/**
 * `deno task bench:fake-server`: throughput of the fake controlplane on the list endpoints the
 * CLI pages through, with latency 0.
 *
 * The server runs in a subprocess (`scripts/fake_server.ts --seed scale`) pinned to one core
 * with `taskset -c 0` when available, so the number is "requests per second on one core" and
 * does not include this client's work. Each endpoint gets sequential keep-alive GETs (one in
 * flight at a time, like the CLI's pager); the table shows the median of several runs, and the
 * script exits 1 when any median is below the threshold.
 *
 *   deno task bench:fake-server [--requests 2000] [--runs 3] [--min 300] [--no-pin]
 *     [--server scripts/fake_server.ts]
 *
 * Before measuring, one scan of datastore 1 (operations finish at once: `--operation-ms 0`)
 * creates the anomalies the anomaly rows list; the scale seed has none of its own.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    requests: { type: "string", default: "2000" },
    runs: { type: "string", default: "3" },
    min: { type: "string", default: "300" },
    warmup: { type: "string", default: "300" },
    server: { type: "string" },
    "no-pin": { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(
    "usage: deno task bench:fake-server [--requests N] [--runs N] [--min REQ_PER_S] " +
      "[--warmup N] [--no-pin] [--server PATH]",
  );
  Deno.exit(0);
}

const positive = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number, got '${text}'`);
    Deno.exit(2);
  }
  return value;
};
const requests = Math.round(positive("requests", values.requests));
const runs = Math.round(positive("runs", values.runs));
const minRate = positive("min", values.min);
const warmup = Math.round(Number(values.warmup) || 0);
const repoRoot = path.resolve(import.meta.dirname!, "..");
const serverScript = path.resolve(values.server ?? path.join(repoRoot, "scripts/fake_server.ts"));

/** Whether `taskset -c 0` works here (missing binary, or a cpuset without core 0, fail). */
async function canPin(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("taskset", {
      args: ["-c", "0", "true"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

const pinned = !values["no-pin"] && await canPin();
const serverArgs = [
  "run",
  "-A",
  "--quiet",
  serverScript,
  "--seed",
  "scale",
  "--port",
  "0",
  "--operation-ms",
  "0",
];
const child = new Deno.Command(pinned ? "taskset" : Deno.execPath(), {
  args: pinned ? ["-c", "0", Deno.execPath(), ...serverArgs] : serverArgs,
  stdin: "null",
  stdout: "piped",
  stderr: "inherit",
}).spawn();

// The first lines of the server's stdout carry its URL and admin token; the rest is drained so
// the pipe never fills up.
const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
const announced: Record<string, string> = {};
let buffered = "";
while (!("QUALYTICS_URL" in announced && "QUALYTICS_TOKEN" in announced)) {
  const { value, done } = await lines.read();
  if (done) {
    console.error("the fake server exited before printing QUALYTICS_URL/QUALYTICS_TOKEN");
    Deno.exit(2);
  }
  buffered += value;
  let newline;
  while ((newline = buffered.indexOf("\n")) >= 0) {
    const line = buffered.slice(0, newline).trim();
    buffered = buffered.slice(newline + 1);
    const eq = line.indexOf("=");
    if (eq > 0) announced[line.slice(0, eq)] = line.slice(eq + 1);
  }
}
(async () => {
  while (!(await lines.read()).done) { /* drain */ }
})();

const baseUrl = announced.QUALYTICS_URL;
const headers = { Authorization: `Bearer ${announced.QUALYTICS_TOKEN}` };

async function get(pathAndQuery: string): Promise<number> {
  const res = await fetch(`${baseUrl}${pathAndQuery}`, { headers });
  const body = await res.arrayBuffer();
  if (res.status !== 200) {
    throw new Error(`GET ${pathAndQuery}: HTTP ${res.status} ${new TextDecoder().decode(body)}`);
  }
  return body.byteLength;
}

interface Target {
  label: string;
  /** The paths requested in turn (several pages of one list). */
  paths: string[];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function setup(): Promise<Target[]> {
  // Anomalies for the anomaly rows: one scan of datastore 1 (finishes in the POST).
  const res = await fetch(`${baseUrl}/api/operations/run`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ type: "scan", datastore_id: 1 }),
  });
  const op = await res.json();
  if (res.status !== 200 || op.result !== "success") {
    throw new Error(`scan setup failed: HTTP ${res.status} ${JSON.stringify(op)}`);
  }
  const total = async (pathAndQuery: string): Promise<number> => {
    const r = await fetch(`${baseUrl}${pathAndQuery}`, { headers });
    return (await r.json()).total;
  };
  const checkPages = Math.ceil((await total("/api/quality-checks?datastore=1&size=1")) / 100);
  const anomalyPages = Math.ceil((await total("/api/anomalies?datastore=1&size=1")) / 100);
  return [
    { label: "GET /api/quality-checks/1 (single object)", paths: ["/api/quality-checks/1"] },
    { label: "GET /api/containers/1 (single object)", paths: ["/api/containers/1"] },
    { label: "GET /api/datastores/1 (single object)", paths: ["/api/datastores/1"] },
    {
      label: "GET /api/containers?datastore=1&size=100",
      paths: ["/api/containers?datastore=1&size=100"],
    },
    {
      label: "GET /api/quality-checks?datastore=1&page=1&size=100",
      paths: ["/api/quality-checks?datastore=1&page=1&size=100"],
    },
    {
      label: `GET /api/quality-checks?datastore=1&page=1..${checkPages}&size=100 (in turn)`,
      paths: range(checkPages).map((p) => `/api/quality-checks?datastore=1&page=${p}&size=100`),
    },
    {
      label: `GET /api/anomalies?datastore=1&page=1..${anomalyPages}&size=100 (in turn)`,
      paths: range(anomalyPages).map((p) => `/api/anomalies?datastore=1&page=${p}&size=100`),
    },
    {
      label: "GET /api/anomalies?status=Active&size=100",
      paths: ["/api/anomalies?status=Active&size=100"],
    },
  ];
}

interface Row {
  label: string;
  bytes: number;
  rates: number[];
  median: number;
}

async function measure(target: Target): Promise<Row> {
  let bytes = 0;
  for (let i = 0; i < warmup; i++) await get(target.paths[i % target.paths.length]);
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    let total = 0;
    const start = performance.now();
    for (let i = 0; i < requests; i++) total += await get(target.paths[i % target.paths.length]);
    const seconds = (performance.now() - start) / 1000;
    rates.push(requests / seconds);
    bytes = total / requests;
  }
  const sorted = [...rates].sort((a, b) => a - b);
  return { label: target.label, bytes, rates, median: sorted[Math.floor(sorted.length / 2)] };
}

let failed = false;
try {
  const targets = await setup();
  const rows: Row[] = [];
  for (const target of targets) {
    const row = await measure(target);
    rows.push(row);
    console.error(`${row.label}: ${row.median.toFixed(0)} req/s`);
  }
  console.log(
    `\nFake server: seed scale, latency 0, ${
      pinned ? "pinned to core 0 (taskset -c 0)" : "NOT pinned (taskset unavailable or --no-pin)"
    }; ${requests} sequential keep-alive GETs per run, median of ${runs} runs; threshold ${minRate} req/s.\n`,
  );
  console.log(`| endpoint | body (KB) | runs (req/s) | median req/s | ≥ ${minRate} |`);
  console.log("| --- | ---: | --- | ---: | :---: |");
  for (const row of rows) {
    const pass = row.median >= minRate;
    if (!pass) failed = true;
    console.log(
      `| \`${row.label}\` | ${(row.bytes / 1024).toFixed(1)} | ${
        row.rates.map((r) => r.toFixed(0)).join(", ")
      } | ${row.median.toFixed(0)} | ${pass ? "yes" : "**no**"} |`,
    );
  }
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  try {
    child.kill("SIGTERM");
  } catch { /* already gone */ }
  await child.status;
}
Deno.exit(failed ? 1 : 0);
