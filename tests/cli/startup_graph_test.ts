/**
 * Every command pays for the modules `cli.ts` imports statically. The packages only some commands
 * need are imported where they are needed; this keeps a static import from slipping back in, and
 * checks that Deno really leaves those imports until they run.
 */
import assert from "node:assert/strict";

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

Deno.test("start-up loads no module that only a dynamic import reaches", async () => {
  // Deno otherwise loads the graph behind every dynamic import with a literal specifier before
  // the program starts (the MCP server, its tools and SDK: some 30 ms of every command), unless
  // deno.json's `unstable` has "lazy-dynamic-imports".
  const repo = new URL("../../", import.meta.url);
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--log-level=debug", new URL("cli.ts", repo).pathname, "--version"],
    cwd: repo.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, log.slice(-2000));
  const loaded = new Set(
    Array.from(
      log.matchAll(/FileFetcher::fetch_no_follow - specifier: (\S+)/g),
      (match) => match[1],
    ),
  );
  const url = (file: string) => new URL(file, repo).href;
  // The log must name what start-up does load, or its absence of the others proves nothing.
  assert.ok(
    loaded.has(url("src/cli/main.ts")),
    `no module loads found in the log:\n${log.slice(0, 2000)}`,
  );
  for (const lazy of ["src/mcp/server.ts", "src/mcp/transports.ts", "src/util/yaml_full.ts"]) {
    assert.ok(!loaded.has(url(lazy)), `${lazy} is loaded at start-up`);
  }
});
