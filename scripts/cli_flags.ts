/**
 * The flags the CLI is built and started with. `deno compile` bakes its V8 flags into the
 * binaries (`scripts/compile.ts`); `deno task qualytics` passes those and lazy dynamic imports to
 * `deno run`, and `deno task bench` measures the CLI started the same way
 * (`tests/cli/cli_flags_test.ts` keeps them in step).
 *
 * A config import keeps nearly everything it allocates (the parsed check files, the server's
 * pages) until its plan. Under V8's defaults, that data is copied through about ten small
 * scavenges of a young generation growing from 1 MB, and the old generation's first limit
 * (about 16 MB) starts a full collection halfway through. So:
 *
 * - `--min-semi-space-size=8`: the young generation starts at 8 MB semi-spaces;
 * - `--initial-old-space-size=64`: no full collection before the old generation holds 64 MB.
 *
 * On the no-change re-import of 5000 checks, garbage collection on the main thread went from
 * about 45 to 23 ms (`--trace-gc`) and the import got about 10 ms faster (median of 40
 * interleaved runs at 20 ms latency); the export's peak memory grows from about 160 to
 * 190–200 MB (see docs/performance.md).
 *
 * @module
 */

/** The flags, as `--v8-flags=` takes them (joined with commas). */
export const CLI_V8_FLAGS: readonly string[] = [
  "--min-semi-space-size=8",
  "--initial-old-space-size=64",
];

/** The `deno run` / `deno compile` argument that passes `flags` (none for an empty list). */
export function v8FlagsArgs(flags: readonly string[] = CLI_V8_FLAGS): string[] {
  return flags.length ? [`--v8-flags=${flags.join(",")}`] : [];
}

/**
 * Without it, `deno run` loads the module graph behind every dynamic import whose specifier is a
 * literal before the program starts, though nothing may ever run it: here the MCP server with its
 * tools, SDK and zod, and the full YAML parser, some 30% of every command's start-up
 * (`tests/cli/startup_test.ts`). Not for `deno compile`, and so not in deno.json's
 * `unstable`: under it Deno leaves dynamic dependencies out of code-only module graphs, which is
 * what a binary is built from.
 */
export const LAZY_DYNAMIC_IMPORTS = "--unstable-lazy-dynamic-imports";

/** The `deno run` arguments that start the CLI as `deno task qualytics` does, with `v8Flags`. */
export function cliRunArgs(v8Flags: readonly string[] = CLI_V8_FLAGS): string[] {
  return [LAZY_DYNAMIC_IMPORTS, ...v8FlagsArgs(v8Flags)];
}
