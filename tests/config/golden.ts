/**
 * Helpers of the golden-folder tests: the commands of a set's `commands.txt`, folder snapshots
 * and exports, and the comparison that allows exactly the one deliberate difference (`<uid>__k`).
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { runQualytics } from "../helpers/cli.ts";
import type { FakeState } from "../../src/testing/mod.ts";
import { envFor, idsByName } from "../helpers/fake.ts";

/** The shared fixtures folder. */
export const GOLDEN = path.resolve(import.meta.dirname!, "../../../shared/fixtures/golden");

/** The server data of a set, as text. */
export function serverData(set: string): Promise<string> {
  return Deno.readTextFile(path.join(GOLDEN, set, "server.json"));
}

/** The `qualytics …` argument lists of `commands.txt` whose first words match `prefix`. */
export async function goldenCommands(set: string, ...prefix: string[]): Promise<string[][]> {
  const text = await Deno.readTextFile(path.join(GOLDEN, set, "commands.txt"));
  const out: string[][] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("$ qualytics ")) continue;
    const args = line.slice("$ qualytics ".length).trim().split(/\s+/);
    if (prefix.every((word, index) => args[index] === word)) out.push(args);
  }
  return out;
}

/** Every file below `dir` as relative path → text (sorted). */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (relative: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(path.join(dir, relative))];
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(child);
      else out.set(child, await Deno.readTextFile(path.join(dir, child)));
    }
  };
  await walk("");
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `config export` of the datastores `ids` of `server` into `output`; the folder's files. */
export async function exportFolder(
  server: { url: string; token: string },
  ids: readonly number[],
  output: string,
): Promise<Map<string, string>> {
  const run = await runQualytics(
    ["config", "export", ...ids.flatMap((id) => ["--datastore-id", String(id)]), "-o", output],
    { env: envFor(server) },
  );
  assert.equal(run.code, 0, run.stderr);
  return await snapshot(output);
}

/**
 * `config export` of the datastores of `target` named as the datastores `ids` of `source` (in
 * that order) into `output`: what an import of `source`'s export became; the folder's files.
 */
export function exportNamesakes(
  source: { state: FakeState },
  target: { url: string; token: string; state: FakeState },
  ids: readonly number[],
  output: string,
): Promise<Map<string, string>> {
  const names = ids.map((id) => source.state.datastores.get(id)!.name as string);
  return exportFolder(target, idsByName(target, names), output);
}

/** Modification times of every file below `dir`. */
export async function mtimes(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const file of (await snapshot(dir)).keys()) {
    out.set(file, (await Deno.stat(path.join(dir, file))).mtime!.getTime());
  }
  return out;
}

const UID_LINE = /^(\s*_qualytics_check_uid: )(.*)$/;

/**
 * Asserts that `actual` holds the same files as the golden folder, byte for byte, except that
 * a `_qualytics_check_uid` line may carry a `__<k>` suffix (k ≥ 2) — PRODUCT.md "No silent
 * merges". Returns the number of such suffixed lines.
 */
export function assertSameAsGolden(
  actual: Map<string, string>,
  golden: Map<string, string>,
  label: string,
): number {
  assert.deepEqual([...actual.keys()], [...golden.keys()], `${label}: file sets differ`);
  let suffixed = 0;
  for (const [file, expected] of golden) {
    const got = actual.get(file)!;
    if (got === expected) continue;
    const gotLines = got.split("\n");
    const expectedLines = expected.split("\n");
    assert.deepEqual(gotLines.length, expectedLines.length, `${label}: ${file} differs`);
    for (let i = 0; i < gotLines.length; i++) {
      if (gotLines[i] === expectedLines[i]) continue;
      const match = UID_LINE.exec(expectedLines[i]);
      assert.ok(
        match && /^__[2-9]\d*$/.test(gotLines[i].slice(expectedLines[i].length)) &&
          gotLines[i].startsWith(expectedLines[i]),
        `${label}: ${file} line ${i + 1}: ${JSON.stringify(gotLines[i])} vs golden ${
          JSON.stringify(expectedLines[i])
        }`,
      );
      suffixed++;
    }
  }
  return suffixed;
}

/**
 * Runs the golden `config export` of `set` through `run`, which starts the CLI some other way
 * (a bundle on Node or Bun, a compiled binary) in `cwd`, and asserts that it wrote the golden
 * folder there.
 */
export async function assertExportsGolden(
  set: string,
  cwd: string,
  run: (args: string[]) => Promise<{ code: number; stderr: string }>,
  label: string,
): Promise<void> {
  const [args] = await goldenCommands(set, "config", "export");
  const exported = await run(args);
  assert.equal(exported.code, 0, exported.stderr);
  assertSameAsGolden(
    await snapshot(path.join(cwd, "config-export")),
    await snapshot(path.join(GOLDEN, set, "config-export")),
    label,
  );
}

/** The secret values stored in a set's connections (never to be written or printed). */
export function secretsOf(serverJson: string): string[] {
  const data = JSON.parse(serverJson) as { connections?: Record<string, unknown>[] };
  const out: string[] = [];
  for (const connection of data.connections ?? []) {
    for (
      const key of ["password", "passphrase", "secret_key", "credentials_payload", "access_key"]
    ) {
      const value = connection[key];
      if (typeof value === "string" && value.length >= 4) out.push(value);
    }
  }
  return out;
}
