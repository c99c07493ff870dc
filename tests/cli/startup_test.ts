/**
 * Every command pays for the modules `cli.ts` imports statically, before it does anything. The
 * MCP SDK (with its schema libraries) and the cron parser take longer to load than most commands
 * take to run, so only the commands that need them load them (dynamic imports).
 */
import assert from "node:assert/strict";
import * as path from "node:path";

const repo = path.resolve(import.meta.dirname!, "../..");

interface InfoDependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}

interface Info {
  roots: string[];
  modules: Array<{ specifier: string; dependencies?: InfoDependency[] }>;
}

/** The `npm:` specifiers reachable from `cli.ts` through static (not type-only) imports. */
async function staticNpmImports(): Promise<Set<string>> {
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
  const npm = new Set<string>();
  const visit = (specifier: string) => {
    if (seen.has(specifier)) return;
    seen.add(specifier);
    if (specifier.startsWith("npm:")) npm.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      if (dependency.code && !dependency.isDynamic) visit(dependency.code.specifier);
    }
  };
  for (const root of info.roots) visit(root);
  return npm;
}

Deno.test("cli.ts loads the MCP SDK, zod and cron-parser only for the commands that use them", async () => {
  const npm = [...await staticNpmImports()];
  // The check sees the static graph at all (commander is what parses every command line).
  assert.ok(npm.some((specifier) => specifier.includes("@commander-js/extra-typings")), npm.join());
  for (const heavy of ["@modelcontextprotocol/sdk", "zod", "cron-parser", "exceljs"]) {
    const found = npm.filter((specifier) => specifier.replace(/^npm:\/?/, "").startsWith(heavy));
    assert.deepEqual(found, [], `${heavy} is imported statically from cli.ts`);
  }
});
