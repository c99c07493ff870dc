/**
 * Every command pays for the modules `cli.ts` imports statically, before it does anything. The
 * MCP SDK (with its schema libraries) and the cron parser take longer to load than most commands
 * take to run, and Deno's `node:http(s)` and `node:child_process` several milliseconds each, so
 * only the commands (or clients) that need them load them, through dynamic imports; and Deno,
 * started as `deno task qualytics` starts it, leaves those imports until they run.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { cliRunArgs, v8FlagsArgs } from "../../scripts/cli_flags.ts";

const repo = path.resolve(import.meta.dirname!, "../..");

interface InfoDependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}

interface Info {
  roots: string[];
  modules: Array<{ specifier: string; dependencies?: InfoDependency[] }>;
}

/**
 * The `npm:` and `node:` specifiers reachable from `cli.ts` through static (not type-only)
 * imports.
 */
async function staticPackageImports(): Promise<Set<string>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "cli.ts"],
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as Info;
  const modules = new Map(info.modules.map((module) => [module.specifier, module]));
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (specifier: string) => {
    if (seen.has(specifier)) return;
    seen.add(specifier);
    if (/^(npm|node):/.test(specifier)) packages.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      if (dependency.code && !dependency.isDynamic) visit(dependency.code.specifier);
    }
  };
  for (const root of info.roots) visit(root);
  return packages;
}

/** `npm:<package>` without version and subpath (`npm:/@scope/name@1.0/x.js` → `npm:@scope/name`). */
function packageName(specifier: string): string {
  if (!specifier.startsWith("npm:")) return specifier;
  const match = /^(@[^/@]+\/[^/@]+|[^/@]+)/.exec(specifier.slice(4).replace(/^\//, ""));
  return `npm:${match?.[1] ?? ""}`;
}

Deno.test("cli.ts imports the YAML parser, the MCP SDK, cron-parser, exceljs, node:crypto, node:http and child processes only when used", async () => {
  const names = [...await staticPackageImports()].map(packageName);
  // The check sees the static graph at all (commander parses every command line, node:fs
  // reads the settings).
  for (const needed of ["npm:@commander-js/extra-typings", "node:fs"]) {
    assert.ok(names.includes(needed), names.join());
  }
  const heavy = [
    "npm:yaml",
    "npm:@modelcontextprotocol/sdk",
    "npm:zod",
    "npm:cron-parser",
    "npm:exceljs",
    "node:crypto",
    "node:http",
    "node:https",
    "node:child_process",
  ];
  for (const name of heavy) {
    assert.ok(!names.includes(name), `${name} is imported statically from cli.ts`);
  }
});

/**
 * The local modules (paths from the repository's root) `deno run … cli.ts --version` loads with
 * `flags`, from Deno's debug log.
 */
async function modulesLoaded(flags: string[]): Promise<Set<string>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...flags,
      "--log-level=debug",
      "cli.ts",
      "--version",
    ],
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, log.slice(-2000));
  return new Set(
    Array.from(
      log.matchAll(/FileFetcher::fetch_no_follow - specifier: (file:\/\/\S+)/g),
      (match) => path.relative(repo, fileURLToPath(match[1])),
    ),
  );
}

Deno.test("started as deno task qualytics starts it, the CLI loads no module that only a dynamic import reaches", async () => {
  const lazies = ["src/mcp/server.ts", "src/mcp/transports.ts", "src/util/yaml_full.ts"];
  // Without the flag, Deno loads them before the program starts: the log shows it, so their
  // absence with the flag is no accident of reading the log.
  const eager = await modulesLoaded(v8FlagsArgs());
  for (const lazy of lazies) assert.ok(eager.has(lazy), `${lazy} not in ${[...eager].join(", ")}`);
  const loaded = await modulesLoaded(cliRunArgs());
  assert.ok(loaded.has("src/cli/main.ts"), [...loaded].join(", "));
  for (const lazy of lazies) assert.ok(!loaded.has(lazy), `${lazy} is loaded at start-up`);
});
