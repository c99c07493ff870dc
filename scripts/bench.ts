/**
 * `deno task bench`: config-as-code at scale against the fake controlplane (`scale` seed:
 * 2 datastores × 100 containers × 25 checks, 20 ms latency per request).
 *
 * Phases: `config export` of the seeded server, first `config import` of that folder into an
 * empty instance (same tag/team registries and sync catalog), and a no-change re-import. Each
 * phase runs the real CLI as a subprocess; export and re-import `--runs` times (default 7, each
 * export into a fresh folder), the first import once (it takes a fresh instance). Reported per
 * phase, as the median of its runs: wall time (and wall time minus the CLI's start-up: the
 * median of `--version` runs made between the phase's runs), requests by method, the lower bound
 * `requests / concurrency × latency`, the ratio of (start-up adjusted) wall time to it, and the
 * peak RSS of the CLI process (VmHWM, the largest of the runs).
 *
 * The lower bound counts the network only. The export and the re-import also have a floor of
 * their own — parsing and rendering thousands of files, and (export) creating thousands of files,
 * whose cost on this machine's disk varies by an order of magnitude with recent deletions — so
 * both are run once more with zero latency, and a second table compares each phase with
 * `max(lower bound, floor)`: what perfect overlap of the network and the local work would take.
 *
 * The exported folders go to a memory file system where there is one (`/dev/shm`), else to the
 * temp folder; `--dir` chooses (see below why).
 *
 * The CLI runs as `deno task qualytics` starts it (`scripts/cli_flags.ts`: lazy dynamic imports,
 * and the V8 flags its binaries are built with); `--v8-flags A,B` measures it with other V8
 * flags, `--v8-flags ""` with V8's defaults.
 *
 * Usage: deno task bench [--concurrency N] [--latency MS] [--runs N] [--dir PATH] [--v8-flags F]
 */
import * as path from "node:path";
import { startFakeControlplane } from "../src/testing/mod.ts";
import { parseJson } from "../src/util/json.ts";
import { CLI_V8_FLAGS, cliRunArgs } from "./cli_flags.ts";

const args = Deno.args;
const option = (name: string, fallback: number) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const CONCURRENCY = option("--concurrency", 8);
const LATENCY = option("--latency", 20);
const RUNS = option("--runs", 7);
const flagsArg = args.indexOf("--v8-flags");
const V8_FLAGS = flagsArg === -1
  ? CLI_V8_FLAGS
  : (args[flagsArg + 1] ?? "").split(",").filter((flag) => flag !== "");
const repo = path.resolve(import.meta.dirname!, "..");
/**
 * Where the exported folders go: `--dir`, else a memory file system where there is one. This
 * machine's disk (ext4 mounted with `discard`) makes creating thousands of files several times
 * slower for seconds after thousands were deleted — by the last bench or test run — which
 * would be measured as export time (and the kernel's discards take CPU from everything else).
 */
const dirArg = args.indexOf("--dir");
const parent = dirArg !== -1
  ? args[dirArg + 1]
  : (await Deno.stat("/dev/shm").then((info) => info.isDirectory, () => false))
  ? "/dev/shm"
  : undefined;
const work = await Deno.makeTempDir({ prefix: "qualytics-bench-", dir: parent });

interface PhaseResult {
  phase: string;
  wallMs: number;
  adjustedMs: number;
  requests: Record<string, number>;
  total: number;
  lowerBoundMs: number;
  peakRssMb: number;
  code: number;
  writes: number;
}

/** Runs the CLI, sampling its peak RSS from /proc (VmHWM, where available). */
async function cli(
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number; ms: number; peakKb: number; stderr: string; stdout: string }> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...cliRunArgs(V8_FLAGS), path.join(repo, "cli.ts"), ...argv],
    cwd: work,
    env: { QUALYTICS_NO_BANNER: "1", HOME: work, ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peakKb = 0;
  const sample = async () => {
    try {
      const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
      const hwm = /VmHWM:\s+(\d+)/.exec(status);
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch {
      // Not Linux, or the process has exited.
    }
  };
  const timer = setInterval(sample, 25);
  const output = await child.output();
  clearInterval(timer);
  return {
    code: output.code,
    ms: performance.now() - started,
    peakKb,
    stderr: new TextDecoder().decode(output.stderr),
    stdout: new TextDecoder().decode(output.stdout),
  };
}

const source = await startFakeControlplane({ seed: "scale", latencyMs: LATENCY });
// The empty instance: the seeded registries and sync catalog, no objects.
const seeded = parseJson(source.snapshot()) as Record<string, unknown>;
const emptyData: Record<string, unknown> = {};
for (const key of ["global_tags", "teams", "users", "catalog"]) {
  if (key in seeded) emptyData[key] = seeded[key];
}
const target = await startFakeControlplane({
  data: JSON.stringify(emptyData),
  latencyMs: LATENCY,
});
const envOf = (server: { url: string; token: string }) => ({
  QUALYTICS_URL: server.url,
  QUALYTICS_TOKEN: server.token,
  // The scale seed's connection placeholders.
  SCALE_PG_PASSWORD: "bench-secret",
  SCALE_SNOWFLAKE_PASSWORD: "bench-secret",
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
/** Every `--version` run of the bench (see {@link phase}). */
const startups: number[] = [];
const results: PhaseResult[] = [];

const floors: PhaseResult[] = [];

/** Runs a phase `runs` times (`argv` may differ per run) and records its medians. */
async function phase(
  name: string,
  server: typeof source,
  argv: (run: number) => string[],
  runs: number,
  into: PhaseResult[] = results,
): Promise<void> {
  const samples: Array<Omit<PhaseResult, "phase" | "adjustedMs">> = [];
  // The start-up subtracted: the median of `--version` runs made between this phase's runs
  // (at least three), so that it is measured with the machine as fast as the phase was.
  const phaseStartups: number[] = [];
  for (let run = 0; run < Math.max(runs, 3); run++) {
    phaseStartups.push((await cli(["--version"], {})).ms);
    if (run >= runs) continue;
    server.requests.clear();
    const result = await cli([...argv(run), "--concurrency", String(CONCURRENCY)], envOf(server));
    if (result.code !== 0) {
      console.error(`${name} failed (exit ${result.code}):\n${result.stderr.slice(-2000)}`);
    }
    const total = server.requests.length;
    samples.push({
      wallMs: result.ms,
      requests: server.requests.countsByMethod(),
      total,
      lowerBoundMs: total / CONCURRENCY * LATENCY,
      peakRssMb: result.peakKb / 1024,
      code: result.code,
      writes: server.requests.writes().length,
    });
  }
  const wallMs = median(samples.map((sample) => sample.wallMs));
  const last = samples[samples.length - 1];
  startups.push(...phaseStartups);
  into.push({
    ...last,
    phase: name,
    wallMs,
    adjustedMs: Math.max(0, wallMs - median(phaseStartups)),
    peakRssMb: Math.max(...samples.map((sample) => sample.peakRssMb)),
    code: Math.max(...samples.map((sample) => sample.code)),
    writes: Math.max(...samples.map((sample) => sample.writes)),
  });
}

try {
  const ids = source.state.datastores.values().flatMap((d) => ["--datastore-id", String(d.id)]);
  const folder = (run: number) => path.join(work, run === 0 ? "export" : `export-${run}`);
  await phase(
    "export",
    source,
    (run) => ["config", "export", ...ids, "--output", folder(run)],
    RUNS,
  );
  const input = folder(0);
  await phase("first import (empty instance)", target, () => ["config", "import", "-i", input], 1);
  await phase("re-import (no change)", target, () => ["config", "import", "--input", input], RUNS);
  // The floors: the same work without network latency (fresh folders, as the export had).
  source.setLatency(0);
  target.setLatency(0);
  const floorFolder = (run: number) => path.join(work, `export-floor-${run}`);
  await phase(
    "export",
    source,
    (run) => ["config", "export", ...ids, "--output", floorFolder(run)],
    RUNS,
    floors,
  );
  await phase(
    "re-import (no change)",
    target,
    () => ["config", "import", "--input", input],
    RUNS,
    floors,
  );
} finally {
  await source.close();
  await target.close();
  await Deno.remove(work, { recursive: true }).catch(() => {});
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `\nconfig-as-code bench: scale seed, latency ${LATENCY} ms, concurrency ${CONCURRENCY}, ` +
    `CLI start-up ${fmt(median(startups))} (median; each phase subtracts its own); ` +
    `medians of ${RUNS} runs (first import: 1 run); ` +
    `CLI started with: ${cliRunArgs(V8_FLAGS).join(" ")}; folders in ${path.dirname(work)}\n`,
);
console.log(
  "| phase | exit | wall | wall − start-up | requests | by method | writes | lower bound | ratio | peak RSS |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const r of results) {
  const methods = Object.entries(r.requests).map(([m, n]) => `${m} ${n}`).join(", ");
  const ratio = r.lowerBoundMs ? (r.adjustedMs / r.lowerBoundMs).toFixed(2) : "–";
  console.log(
    `| ${r.phase} | ${r.code} | ${fmt(r.wallMs)} | ${
      fmt(r.adjustedMs)
    } | ${r.total} | ${methods} | ` +
      `${r.writes} | ${fmt(r.lowerBoundMs)} | ${ratio} | ${r.peakRssMb.toFixed(0)} MB |`,
  );
}
console.log(
  "\nWith the local floor (the same phase at latency 0, wall − start-up): " +
    "the bound is max(lower bound, floor).\n",
);
console.log("| phase | lower bound | floor (latency 0) | max | wall − start-up | ratio to max |");
console.log("|---|---|---|---|---|---|");
for (const r of results) {
  const floor = floors.find((f) => f.phase === r.phase);
  if (!floor) continue;
  const bound = Math.max(r.lowerBoundMs, floor.adjustedMs);
  console.log(
    `| ${r.phase} | ${fmt(r.lowerBoundMs)} | ${fmt(floor.adjustedMs)} | ${fmt(bound)} | ` +
      `${fmt(r.adjustedMs)} | ${(r.adjustedMs / bound).toFixed(2)} |`,
  );
}
const failed = [...results, ...floors].some((r) => r.code !== 0);
const reimport = results.find((r) => r.phase.startsWith("re-import"));
if (reimport && reimport.writes !== 0) {
  console.log(`\nre-import made ${reimport.writes} writes (expected 0)`);
}
if (failed) Deno.exit(1);
