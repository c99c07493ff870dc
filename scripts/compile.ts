/**
 * Builds standalone `qualytics` binaries.
 *
 *   deno run -A scripts/compile.ts [--all | --target <deno target>] [--out dist]
 *
 * Each target is built with `deno compile`. Where Deno cannot fetch the runtime for a target
 * (an offline machine), the host's binary is built with `bun build --compile` instead, which the
 * code supports because `src/` uses only web APIs and `node:` builtins. Writes SHA256SUMS.
 *
 * `deno compile` bakes the CLI's V8 flags (`scripts/cli_flags.ts`) into each binary; Bun runs
 * JavaScriptCore, which has no such flags, so its binary goes without.
 */
import * as path from "node:path";
import { v8FlagsArgs } from "./cli_flags.ts";

const TARGETS: Record<string, { name: string; bun: string }> = {
  "x86_64-unknown-linux-gnu": { name: "linux-x64", bun: "bun-linux-x64" },
  "aarch64-unknown-linux-gnu": { name: "linux-arm64", bun: "bun-linux-arm64" },
  "x86_64-apple-darwin": { name: "darwin-x64", bun: "bun-darwin-x64" },
  "aarch64-apple-darwin": { name: "darwin-arm64", bun: "bun-darwin-arm64" },
  "x86_64-pc-windows-msvc": { name: "windows-x64", bun: "bun-windows-x64" },
};

function hostTarget(): string {
  const arch = Deno.build.arch === "aarch64" ? "aarch64" : "x86_64";
  if (Deno.build.os === "darwin") return `${arch}-apple-darwin`;
  if (Deno.build.os === "windows") return "x86_64-pc-windows-msvc";
  return `${arch}-unknown-linux-gnu`;
}

async function run(program: string, args: string[]): Promise<boolean> {
  console.error(`$ ${program} ${args.join(" ")}`);
  try {
    const { code } = await new Deno.Command(program, { args, stdout: "inherit", stderr: "inherit" })
      .output();
    return code === 0;
  } catch (error) {
    console.error(`  ${(error as Error).message}`);
    return false;
  }
}

async function sha256(file: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(file));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const args = Deno.args;
const outDir = args.includes("--out") ? args[args.indexOf("--out") + 1] : "dist";
const targets = args.includes("--all")
  ? Object.keys(TARGETS)
  : [args.includes("--target") ? args[args.indexOf("--target") + 1] : hostTarget()];
const root = path.resolve(import.meta.dirname!, "..");
// Modules started as workers are not imported statically, so they are named explicitly.
const workers = [path.join(root, "src/util/batch_writer_worker.ts")];
await Deno.mkdir(outDir, { recursive: true });
const built: string[] = [];
for (const target of targets) {
  const info = TARGETS[target];
  if (!info) throw new Error(`Unknown target ${target}; one of ${Object.keys(TARGETS).join(", ")}`);
  const output = path.join(
    outDir,
    `qualytics-${info.name}${target.includes("windows") ? ".exe" : ""}`,
  );
  const ok = await run(Deno.execPath(), [
    "compile",
    "-A",
    ...v8FlagsArgs(),
    "--target",
    target,
    "--output",
    output,
    ...workers.flatMap((worker) => ["--include", worker]),
    path.join(root, "cli.ts"),
  ]) ||
    (target === hostTarget() &&
      await run("npx", [
        "-y",
        "bun",
        "build",
        "--compile",
        `--target=${info.bun}`,
        path.join(root, "cli.ts"),
        ...workers,
        "--outfile",
        output,
      ]));
  if (!ok) {
    console.error(`Could not build ${target}.`);
    Deno.exitCode = 1;
    continue;
  }
  built.push(output);
}
const sums = await Promise.all(
  built.map(async (file) => `${await sha256(file)}  ${path.basename(file)}`),
);
if (sums.length) await Deno.writeTextFile(path.join(outDir, "SHA256SUMS"), sums.join("\n") + "\n");
console.error(`Built ${built.length} of ${targets.length} binaries in ${outDir}/`);
