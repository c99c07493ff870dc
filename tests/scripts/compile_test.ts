/**
 * `scripts/compile.ts` builds the single binary that PRODUCT.md promises, one that needs nothing
 * installed: with `deno compile`, or where Deno cannot fetch its runtime (this machine, CI)
 * with `bun build --compile`. Ignored where no `bun` is on PATH: `deno compile` alone would need
 * the network, which tests do not count on.
 */
import * as path from "node:path";
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { tempDir } from "../helpers/cli.ts";
import { envFor, fake } from "../helpers/fake.ts";
import { BUNDLE_RUNTIMES } from "../helpers/node.ts";
import { assertExportsGolden, serverData } from "../config/golden.ts";

const repoRoot = path.resolve(import.meta.dirname!, "../..");
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bun = BUNDLE_RUNTIMES.find((runtime) => runtime.command === "bun")!;

/** Worked out here with node:crypto, not with the script's own Web Crypto code. */
async function sha256(file: string): Promise<string> {
  return createHash("sha256").update(await Deno.readFile(file)).digest("hex");
}

Deno.test({
  name: `compile.ts builds a binary that exports golden/retail byte for byte with nothing on PATH`,
  ignore: bun.version === undefined,
  fn: async () => {
    await using out = await tempDir("qualytics-dist-");
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "scripts/compile.ts", "--out", out.path],
      cwd: repoRoot,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(built.code, 0, decode(built.stderr));

    // One host binary, and its checksum.
    const sums = (await Deno.readTextFile(path.join(out.path, "SHA256SUMS"))).trim().split("\n");
    assert.equal(sums.length, 1, sums.join("\n"));
    const [sum, name] = sums[0].split("  ");
    assert.match(name, /^qualytics-(linux|darwin|windows)-(x64|arm64)(\.exe)?$/);
    const binary = path.join(out.path, name);
    assert.equal(await sha256(binary), sum);

    await using home = await tempDir();
    await using server = await fake({ data: await serverData("retail") });
    const run = (args: string[]) =>
      new Deno.Command(binary, {
        args,
        cwd: home.path,
        clearEnv: true,
        env: { PATH: "", HOME: home.path, QUALYTICS_NO_BANNER: "1", ...envFor(server) },
        stdout: "piped",
        stderr: "piped",
      }).output();
    const version = await run(["--version"]);
    assert.equal(version.code, 0, decode(version.stderr));
    assert.match(decode(version.stdout), /Qualytics CLI Version: \d+\.\d+\.\d+/);

    await assertExportsGolden("retail", home.path, async (args) => {
      const exported = await run(args);
      return { code: exported.code, stderr: decode(exported.stderr) };
    }, name);
  },
});
