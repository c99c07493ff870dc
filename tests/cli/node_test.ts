/**
 * On Node.js and on Bun, as README and mod.ts promise (the library and CLI run on Deno, Node
 * and Bun): `cli.ts`, and a program using `mod.ts` as its config-as-code example does, bundled
 * for Node by `deno bundle` and run by the `node` (or `bun`) on PATH against the fake
 * controlplane over HTTP. Ignored for a runtime that is not installed (CI installs Deno, and
 * Bun, through npm, so it has both).
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { envFor, fake } from "../helpers/fake.ts";
import { tempDir } from "../helpers/cli.ts";
import { assertExportsGolden, GOLDEN, serverData, snapshot } from "../config/golden.ts";
import { SECRETS } from "../config/import_fixtures.ts";
import { BUNDLE_RUNTIMES, bundleForNode, type BundleRuntime } from "../helpers/node.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Runs `runtime` with only the given environment (and PATH). */
async function run(
  runtime: BundleRuntime,
  args: string[],
  cwd: string,
  env: Record<string, string>,
) {
  const out = await new Deno.Command(runtime.command, {
    args,
    cwd,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: cwd,
      QUALYTICS_NO_BANNER: "1",
      ...runtime.env,
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

for (const runtime of BUNDLE_RUNTIMES) {
  Deno.test({
    name: `on ${runtime.name} (${
      runtime.version ?? "not installed"
    }): the CLI runs, exports golden/retail byte for byte and imports it`,
    ignore: runtime.version === undefined,
    fn: async () => {
      await using tmp = await tempDir();
      const cli = await bundleForNode("cli.ts", path.join(tmp.path, "node"));

      const version = await run(runtime, [cli, "--version"], tmp.path, {});
      assert.equal(version.code, 0, version.stderr);
      assert.match(version.stdout, /Qualytics CLI Version: \d+\.\d+\.\d+/);

      await using source = await fake({ data: await serverData("retail") });
      await assertExportsGolden(
        "retail",
        tmp.path,
        (args) => run(runtime, [cli, ...args], tmp.path, envFor(source)),
        runtime.name,
      );

      await using target = await fake({
        data: await Deno.readTextFile(path.join(GOLDEN, "retail", "empty-server.json")),
      });
      const env = { ...envFor(target), ...SECRETS.retail };
      const imported = await run(
        runtime,
        [cli, "config", "import", "-i", "config-export"],
        tmp.path,
        env,
      );
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(imported.stderr, /Import complete!/);
      const plan = await run(
        runtime,
        [cli, "config", "plan", "-i", "config-export", "--detailed-exitcode"],
        tmp.path,
        env,
      );
      assert.equal(plan.code, 0, plan.stdout + plan.stderr);
      assert.equal(target.requests.writes().length > 0, true);
    },
  });

  Deno.test({
    name: `on ${runtime.name} (${
      runtime.version ?? "not installed"
    }): the library's config-as-code example exports, plans and applies`,
    ignore: runtime.version === undefined,
    fn: async () => {
      await using tmp = await tempDir();
      const program = await bundleForNode(
        "tests/fixtures/node/library_roundtrip.ts",
        path.join(tmp.path, "node"),
      );
      const result = await run(
        runtime,
        [
          program,
          path.join(GOLDEN, "minimal", "server.json"),
          path.join(GOLDEN, "minimal", "empty-server.json"),
          path.join(tmp.path, "export"),
        ],
        tmp.path,
        SECRETS.minimal,
      );
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout);
      // Bun names itself `node` there too, for compatibility; its own version tells them apart.
      assert.equal(report.runtime, "node");
      assert.equal(report.bun !== null, runtime.name === "Bun", `bun: ${report.bun}`);
      assert.deepEqual(report.firstPlan, { actions: { create: report.files }, problems: [] });
      assert.deepEqual(report.errors, []);
      assert.deepEqual(report.secondPlan, { actions: { unchanged: report.files }, problems: [] });
      assert.equal(report.files, (await snapshot(path.join(tmp.path, "export"))).size);
    },
  });
}
