/**
 * Loading a config folder through a file system that has only the promise-based reads (a
 * library user's own {@link FileSystem}), or whose blocking reads are Deno's own calls (what the
 * CLI uses on Deno), gives the same result as through the blocking batch reads of `node:fs`.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { nodeFileSystem } from "../../src/util/fs.ts";
import { cliFileSystem } from "../../cli.ts";
import type { FileSystem } from "../../src/util/fs.ts";
import { isJsonFloat, stringifyJson } from "../../src/util/json.ts";
import { loadYaml } from "../../src/util/yaml.ts";
import {
  loadChecksFolder,
  loadConfigFolder,
  resolveConnectionPlaceholders,
} from "../../src/services/config/load.ts";
import { GOLDEN } from "./golden.ts";
import { SECRETS } from "./import_fixtures.ts";

const promisesOnly: FileSystem = {
  ...nodeFileSystem,
  readTextFilesSync: undefined,
  readDirSync: undefined,
};

const denoReads = cliFileSystem();

for (const set of ["minimal", "retail"]) {
  Deno.test(`load: the ${set} golden folder loads the same without blocking reads`, async () => {
    const input = path.join(GOLDEN, set, "config-export");
    const options = { env: SECRETS[set] };
    const fast = await loadConfigFolder(nodeFileSystem, input, options);
    const portable = await loadConfigFolder(promisesOnly, input, options);
    assert.ok(fast.datastores.some((ds) => ds.checks.length), "the folder has checks");
    assert.deepEqual(portable, fast);
  });

  Deno.test(`load: the ${set} golden folder loads the same through Deno's reads`, async () => {
    const input = path.join(GOLDEN, set, "config-export");
    const options = { env: SECRETS[set] };
    assert.deepEqual(
      await loadConfigFolder(denoReads, input, options),
      await loadConfigFolder(nodeFileSystem, input, options),
    );
  });
}

Deno.test("load: a checks export folder loads the same without blocking reads", async () => {
  const input = path.join(GOLDEN, "retail", "checks-export");
  const fast = await loadChecksFolder(nodeFileSystem, input, [1, 2]);
  const portable = await loadChecksFolder(promisesOnly, input, [1, 2]);
  assert.ok(fast.datastores[0].checks.length, "the folder has checks");
  assert.deepEqual(portable, fast);
});

Deno.test("load: a folder given with a trailing separator or dot segments reads the same files", async () => {
  const input = path.join(GOLDEN, "retail", "checks-export");
  const plain = await loadChecksFolder(nodeFileSystem, input, [1]);
  for (const spelled of [`${input}${path.sep}`, `${input}${path.sep}.${path.sep}`]) {
    for (const fs of [nodeFileSystem, promisesOnly]) {
      const loaded = await loadChecksFolder(fs, spelled, [1]);
      assert.deepEqual(loaded.datastores, plain.datastores, spelled);
      assert.deepEqual(loaded.problems, plain.problems, spelled);
    }
  }
});

Deno.test("load: a value beyond 2^53 of the wrong type is a problem that shows it, not a crash", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = path.join(root, "datastores/dw");
    await Deno.mkdir(path.join(dir, "containers/big"), { recursive: true });
    await Deno.writeTextFile(path.join(dir, "_datastore.yaml"), "name: 12345678901234567890\n");
    await Deno.writeTextFile(
      path.join(dir, "containers/big/_container.yaml"),
      "name: big\ncontainer_type: 98765432109876543210\n",
    );
    const folder = await loadConfigFolder(nodeFileSystem, root, { env: {} });
    assert.deepEqual(folder.problems.map((p) => `${p.file}:${p.line}: ${p.message}`), [
      "datastores/dw/_datastore.yaml:1: 'name' must be a string, got 12345678901234567890",
      "datastores/dw/containers/big/_container.yaml:2: 'container_type' must be a string, " +
      "got 98765432109876543210",
      "datastores/dw/containers/big/_container.yaml:2: 'container_type' must be one of " +
      "computed_table, computed_file, computed_join, got 98765432109876543210",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("load: connection placeholders: ${VAR} everywhere but the name, $VAR only in secrets", () => {
  const env = { H: "db.example.com", PW: "pw-value", SK: "sk-value", HOME: "/root", X: "x" };
  const { resolved, unresolved } = resolveConnectionPlaceholders({
    name: "Prod ${X}",
    host: "${H}",
    uri: "s3://bucket/$HOME/data",
    username: "${MISSING_USER}",
    password: "$PW",
    parameters: { secret_key: "$SK", role: "${H}" },
  }, env);
  assert.deepEqual(resolved, {
    name: "Prod ${X}",
    host: "db.example.com",
    uri: "s3://bucket/$HOME/data",
    username: "${MISSING_USER}",
    password: "pw-value",
    parameters: { secret_key: "sk-value", role: "db.example.com" },
  });
  assert.deepEqual(unresolved, ["MISSING_USER"]);
});

Deno.test("load: connection placeholders leave floats such as 30.0 floats, at any depth", async () => {
  const doc = await loadYaml(
    "name: PG\nport: 5432\nparameters:\n  timeout: 30.0\n  retry:\n    backoff: [1, 2.0, 0.5]\n",
  ) as Record<string, unknown>;
  const { resolved } = resolveConnectionPlaceholders(doc, {});
  const parameters = resolved.parameters as { timeout: unknown; retry: { backoff: unknown[] } };
  assert.ok(isJsonFloat(parameters.timeout), stringifyJson(resolved));
  assert.ok(isJsonFloat(parameters.retry.backoff[1]), stringifyJson(resolved));
  // Nothing to resolve: the document as it was read.
  assert.equal(stringifyJson(resolved), stringifyJson(doc));
});
