/**
 * The V8 flags the CLI is built and started with: `deno compile` bakes them into the binaries
 * (`scripts/compile.ts`), `deno task qualytics` passes them, and `deno task bench` measures the
 * CLI with them (`tests/cli/v8_flags_test.ts` keeps the three in step).
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
 * 190–200 MB (see README, Performance).
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
