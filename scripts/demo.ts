/**
 * `deno task demo`: the config-as-code story of seed 001, end to end, against two local fake
 * controlplanes — "dev" (the demo seed) and "prod" (empty) — driving the real CLI as a
 * subprocess:
 *
 *   1. export dev → 2. show the folder → 3. plan the import into prod → 4. apply →
 *   5. re-import shows zero changes → 6. change something in prod → 7. `config diff` shows it.
 *
 * Usage: `deno task demo` (add `--keep` to keep the working folder).
 */
import * as path from "node:path";
import { cliRunArgs } from "./cli_flags.ts";
import { type FakeControlplane, startFakeControlplane } from "../src/testing/mod.ts";

const repoRoot = path.resolve(import.meta.dirname!, "..");
const keep = Deno.args.includes("--keep");
const color = Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR");
const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[0m` : text);
const dim = (text: string) => (color ? `\x1b[2m${text}\x1b[0m` : text);
const cyan = (text: string) => (color ? `\x1b[36m${text}\x1b[0m` : text);

let step = 0;
function heading(title: string): void {
  step++;
  console.log(`\n${bold(`━━ Step ${step}: ${title} `.padEnd(78, "━"))}`);
}

function note(text: string): void {
  console.log(dim(`   ${text}`));
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const work = await Deno.makeTempDir({ prefix: "qualytics-demo-" });
const home = path.join(work, "home");
await Deno.mkdir(home);

/**
 * Runs the real CLI, started as `deno task qualytics` starts it, against one instance, echoing its
 * output.
 */
async function qualytics(
  server: FakeControlplane,
  args: string[],
  options: { env?: Record<string, string>; quiet?: boolean } = {},
): Promise<Run> {
  const label = server === dev ? "dev" : "prod";
  console.log(cyan(`\n$ qualytics ${args.join(" ")}`) + dim(`   # against ${label}`));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...cliRunArgs(), path.join(repoRoot, "cli.ts"), ...args],
    cwd: work,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: home,
      DENO_DIR: Deno.env.get("DENO_DIR") ??
        path.join(Deno.env.get("HOME") ?? "", ".cache", "deno"),
      QUALYTICS_NO_BANNER: "1",
      NO_COLOR: "1",
      QUALYTICS_URL: server.url,
      QUALYTICS_TOKEN: server.token,
      ...options.env,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const run = {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
  if (!options.quiet) {
    if (run.stdout) Deno.stdout.writeSync(new TextEncoder().encode(indent(shorten(run.stdout))));
    if (run.stderr) Deno.stdout.writeSync(new TextEncoder().encode(indent(shorten(run.stderr))));
  }
  console.log(dim(`   (exit code ${run.code})`));
  return run;
}

/** Long outputs (a plan of 80 creates) keep their head and tail. */
function shorten(text: string, head = 24, tail = 16): string {
  const lines = text.replace(/\n$/, "").split("\n");
  if (lines.length <= head + tail + 1) return text;
  return [
    ...lines.slice(0, head),
    dim(`… ${lines.length - head - tail} more lines …`),
    ...lines.slice(-tail),
  ].join("\n") + "\n";
}

function indent(text: string): string {
  return text.split("\n").map((line) => (line ? `   ${line}` : line)).join("\n").replace(
    /\s*$/,
    "\n",
  );
}

function must(run: Run, what: string): Run {
  if (run.code !== 0) throw new Error(`${what} failed with exit code ${run.code}`);
  return run;
}

async function tree(dir: string, prefix = ""): Promise<string[]> {
  const entries = [...Deno.readDirSync(dir)].sort((a, b) => (a.name < b.name ? -1 : 1));
  const lines: string[] = [];
  for (const [index, entry] of entries.entries()) {
    const last = index === entries.length - 1;
    lines.push(`${prefix}${last ? "└── " : "├── "}${entry.name}${entry.isDirectory ? "/" : ""}`);
    if (entry.isDirectory) {
      lines.push(...await tree(path.join(dir, entry.name), prefix + (last ? "    " : "│   ")));
    }
  }
  return lines;
}

async function findFile(dir: string, match: (relative: string) => boolean): Promise<string> {
  for (const entry of [...Deno.readDirSync(dir)].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory) {
      const found = await findFile(full, match);
      if (found) return found;
    } else if (match(full)) return full;
  }
  return "";
}

const dev = await startFakeControlplane({ seed: "demo" });
// Prod starts empty — no connections, datastores, containers or checks — but its warehouse has
// the same tables as dev's, so a sync discovers them: it gets dev's tag and team registries,
// users and sync catalog, nothing else.
const devData = JSON.parse(dev.snapshot());
const prod = await startFakeControlplane({
  data: {
    global_tags: devData.global_tags,
    teams: devData.teams,
    users: devData.users,
    catalog: devData.catalog,
  },
  operationDurationMs: 300,
});
const started = performance.now();
let exitCode = 0;
try {
  console.log(bold("Qualytics config as code: promote a datastore's setup from dev to prod"));
  note(`dev  = ${dev.url} (demo data)`);
  note(`prod = ${prod.url} (empty)`);
  note(`working folder: ${work}`);

  heading("Export dev's configuration to a folder");
  // Like the API, `datastores list` shows source datastores unless asked for enrichment ones.
  const datastores: { id: number; name: string }[] = [];
  for (const flags of [[], ["--enrichment-only"]]) {
    const listed = must(
      await qualytics(dev, ["datastores", "list", ...flags, "--format", "json"], { quiet: true }),
      "datastores list",
    );
    datastores.push(...JSON.parse(listed.stdout));
  }
  note(`dev has ${datastores.length} datastore(s): ${datastores.map((d) => d.name).join(", ")}`);
  const idArgs = datastores.flatMap((datastore) => ["--datastore-id", String(datastore.id)]);
  must(
    await qualytics(dev, ["config", "export", ...idArgs, "--output", "qualytics-config"]),
    "config export",
  );

  heading("Look at the folder (commit it to git)");
  const folder = path.join(work, "qualytics-config");
  console.log(indent(["qualytics-config/", ...await tree(folder)].join("\n")));
  const connectionFile = await findFile(folder, (file) => file.includes("/connections/"));
  const checkFile = await findFile(folder, (file) => file.includes("/checks/"));
  for (const file of [connectionFile, checkFile].filter(Boolean)) {
    console.log(cyan(`\n$ cat ${path.relative(work, file)}`));
    console.log(indent(await Deno.readTextFile(file)));
  }
  note("Secrets are never exported: connection files carry ${<CONNECTION>_<FIELD>} placeholders.");

  // The placeholders prod needs, with prod's own values (from a vault or CI secrets).
  const secrets: Record<string, string> = {};
  for (const entry of Deno.readDirSync(path.join(folder, "connections"))) {
    const text = await Deno.readTextFile(path.join(folder, "connections", entry.name));
    for (const match of text.matchAll(/\$\{([A-Z0-9_]+)\}/g)) {
      secrets[match[1]] = `prod-${match[1].toLowerCase().replaceAll("_", "-")}`;
    }
  }
  note(`prod's secrets come from the environment: ${Object.keys(secrets).join(", ")}`);

  heading("Preview the import into prod (plan / dry run)");
  const plan = await qualytics(
    prod,
    ["config", "plan", "--input", "qualytics-config"],
    { env: secrets },
  );
  if (plan.code !== 0 && plan.code !== 2) throw new Error("planning the import failed");
  note("(`config import --dry-run` prints the same plan)");

  heading("Apply the import to prod");
  const apply = await qualytics(prod, ["config", "import", "--input", "qualytics-config"], {
    env: secrets,
  });
  must(apply, "config import");

  heading("Import again: nothing left to change");
  const mark = prod.requests.length;
  const again = await qualytics(prod, ["config", "import", "--input", "qualytics-config"], {
    env: secrets,
  });
  must(again, "second config import");
  const writes = prod.requests.entries.slice(mark).filter((entry) =>
    !["GET", "HEAD", "OPTIONS"].includes(entry.method)
  );
  note(`write requests made by the second import: ${writes.length}`);
  if (writes.length) throw new Error("the second import wrote to prod; it should change nothing");

  heading("Someone changes a check in prod (in the UI)");
  const targetList = must(
    await qualytics(prod, ["datastores", "list", "--format", "json"], { quiet: true }),
    "datastores list",
  );
  const targetDatastores = JSON.parse(targetList.stdout) as { id: number; name: string }[];
  let changed = false;
  for (const datastore of targetDatastores) {
    const checks = await qualytics(
      prod,
      ["checks", "list", "--datastore-id", String(datastore.id), "--format", "json"],
      { quiet: true },
    );
    if (checks.code !== 0) continue;
    const list = JSON.parse(checks.stdout) as { id: number; description?: string }[];
    if (!list.length) continue;
    const changeFile = path.join(work, "change.yaml");
    await Deno.writeTextFile(
      changeFile,
      "description: Threshold relaxed by hand in the UI (not in git)\n",
    );
    must(
      await qualytics(prod, [
        "checks",
        "update",
        "--id",
        String(list[0].id),
        "--file",
        "change.yaml",
        "--format",
        "json",
      ], { quiet: true }),
      "checks update",
    );
    note(`check ${list[0].id} of ${datastore.name}: description changed`);
    changed = true;
    break;
  }
  if (!changed) throw new Error(`no check found in prod to change`);

  heading("config diff shows the drift (exit code 2 with --detailed-exitcode)");
  const drift = await qualytics(prod, [
    "config",
    "diff",
    "--input",
    "qualytics-config",
    "--detailed-exitcode",
  ], { env: secrets });
  if (drift.code !== 2) throw new Error(`config diff should report drift (exit ${drift.code})`);
  note("CI can gate on this exit code; re-export (or re-import) to resolve the drift.");

  console.log(
    `\n${bold("Done")} in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
} catch (error) {
  console.error(`\nDemo failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await dev.close();
  await prod.close();
  if (keep) console.log(dim(`(kept ${work})`));
  else await Deno.remove(work, { recursive: true }).catch(() => {});
}
Deno.exit(exitCode);
