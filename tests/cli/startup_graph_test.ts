/**
 * Every command pays for the modules `cli.ts` imports statically. The packages only some commands
 * need are imported where they are needed; this keeps a static import from slipping back in, and
 * checks that Deno, started as `deno task qualytics` starts it, leaves those imports until they
 * run.
 */
import assert from "node:assert/strict";
import { cliRunArgs, v8FlagsArgs } from "../../scripts/cli_flags.ts";

interface ModuleInfo {
  specifier: string;
  kind: string;
  dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
}

/**
 * The npm packages (by name) and `node:` modules reached from `cli.ts` through static imports
 * only.
 */
async function staticImports(): Promise<Set<string>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("../../cli.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    roots: string[];
    modules: ModuleInfo[];
    redirects: Record<string, string>;
  };
  const modules = new Map(info.modules.map((module) => [module.specifier, module]));
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (specifier: string) => {
    const resolved = info.redirects[specifier] ?? specifier;
    if (seen.has(resolved)) return;
    seen.add(resolved);
    if (resolved.startsWith("npm:")) {
      packages.add(resolved.slice(4).replace(/^\//, "").replace(/(.)@.*$/, "$1"));
      return;
    }
    if (resolved.startsWith("node:")) {
      packages.add(resolved);
      return;
    }
    for (const dependency of modules.get(resolved)?.dependencies ?? []) {
      if (!dependency.isDynamic && dependency.code) visit(dependency.code.specifier);
    }
  };
  info.roots.forEach(visit);
  return packages;
}

Deno.test("start-up imports none of the packages that only some commands need", async () => {
  const packages = await staticImports();
  // The walk must reach the packages every command uses, or it proves nothing.
  assert.ok(packages.has("@commander-js/extra-typings"), [...packages].join(", "));
  const lazies = ["yaml", "@modelcontextprotocol/sdk", "zod", "cron-parser", "exceljs"];
  // Built-in modules that cost start-up too, used by few commands.
  lazies.push("node:crypto", "node:http", "node:https", "node:child_process");
  for (const lazy of lazies) {
    assert.ok(!packages.has(lazy), `${lazy} is imported at start-up: ${[...packages].join(", ")}`);
  }
});

/** The local modules `deno run … cli.ts --version` loads with `flags`, from Deno's debug log. */
async function modulesLoaded(flags: string[]): Promise<Set<string>> {
  const repo = new URL("../../", import.meta.url);
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...flags,
      "--log-level=debug",
      new URL("cli.ts", repo).pathname,
      "--version",
    ],
    cwd: repo.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, log.slice(-2000));
  return new Set(
    Array.from(
      log.matchAll(/FileFetcher::fetch_no_follow - specifier: file:\/\/\S+?\/(src\/\S+)/g),
      (match) => match[1],
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
