/**
 * `config import` / `config plan` arguments, as the original takes them (`config-as-code.md` §8
 * step 1, §11): `--input` defaults to `./qualytics-export`, an input that is not a directory and
 * an invalid `--include` are reported before any login is needed, and a file the loader cannot
 * read is one plan problem among the others.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { envFor, fake } from "../helpers/fake.ts";
import { runQualytics, tempDir } from "../helpers/cli.ts";
import { GOLDEN } from "./golden.ts";
import { copyGolden, SECRETS } from "./import_fixtures.ts";

const serverData = (set: string) => Deno.readTextFile(path.join(GOLDEN, set, "server.json"));

Deno.test("config import/plan: --input defaults to ./qualytics-export", async () => {
  await using server = await fake({ data: await serverData("retail") });
  await using tmp = await tempDir();
  const cwd = String(tmp);
  await Deno.rename(await copyGolden("retail", cwd), path.join(cwd, "qualytics-export"));
  const env = { ...envFor(server), ...SECRETS.retail };
  for (
    const args of [["config", "plan"], ["config", "import", "--dry-run"], ["config", "import"]]
  ) {
    const run = await runQualytics(args, { env, cwd });
    assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, /Importing configuration from \.\/qualytics-export\/\.\.\./);
  }
  assert.equal(server.requests.writes().length, 0, "the folder matches the server");
  for (const command of ["import", "plan"]) {
    const help = await runQualytics(["config", command, "--help"]);
    assert.match(help.stdout, /-i, --input <dir>[^-]*\(default:\s+"\.\/qualytics-export"\)/);
  }
});

Deno.test("config import/plan: an --input that is not a directory exits 1 before any login", async () => {
  await using server = await fake({ seed: "empty" });
  await using tmp = await tempDir();
  const file = path.join(String(tmp), "notes.txt");
  await Deno.writeTextFile(file, "not a folder\n");
  for (const command of ["import", "plan"]) {
    for (const input of [file, path.join(String(tmp), "missing")]) {
      // With a login: no request at all.
      const run = await runQualytics(["config", command, "-i", input], { env: envFor(server) });
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stderr.trim(), `Error: Input directory not found: ${input}`);
      // Without one: still the input's message, not the missing login.
      const noLogin = await runQualytics(["config", command, "-i", input]);
      assert.equal(noLogin.code, 1, noLogin.stderr);
      assert.equal(noLogin.stderr.trim(), `Error: Input directory not found: ${input}`);
    }
  }
  assert.equal(server.requests.length, 0);
});

Deno.test("config import/plan/export/diff: an invalid --include is a usage error (exit 2) reported first", async () => {
  const message = "Error: Invalid --include value(s): bar, foo. Valid: checks, computed_fields, " +
    "connections, containers, datastores";
  await using tmp = await tempDir();
  const missing = path.join(String(tmp), "missing");
  const runs = [
    ["config", "import", "-i", missing],
    ["config", "import"],
    ["config", "plan", "-i", missing],
    ["config", "diff", "-i", missing],
    ["config", "export", "--datastore-id", "1"],
  ];
  // No login configured and no input folder: the --include message comes first, alone.
  for (const args of runs) {
    const run = await runQualytics([...args, "--include", "checks, Foo,bar"]);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.equal(run.stderr.trim(), message, args.join(" "));
  }
});

Deno.test("config import: a _datastore.yaml or _container.yaml that is a directory is a plan problem", async () => {
  await using server = await fake({ data: await serverData("retail") });
  await using tmp = await tempDir();
  const root = await copyGolden("retail", String(tmp));
  const store = path.join(root, "datastores/store_ops/_datastore.yaml");
  await Deno.remove(store);
  await Deno.mkdir(store);
  const container = path.join(root, "datastores/retail_dw/containers/odd/_container.yaml");
  await Deno.mkdir(container, { recursive: true });
  // Another problem, reported together with those.
  await Deno.writeTextFile(
    path.join(root, "datastores/retail_dw/checks/products/norule.yaml"),
    "container: products\nfields: []\n",
  );
  const env = { ...envFor(server), ...SECRETS.retail };
  for (const args of [["config", "import"], ["config", "plan"]]) {
    const run = await runQualytics([...args, "-i", root], { env });
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stderr, /EISDIR/);
    assert.match(
      run.stderr,
      /^Error: datastores\/store_ops\/_datastore\.yaml: is a directory, not a file$/m,
    );
    assert.match(
      run.stderr,
      /^Error: datastores\/retail_dw\/containers\/odd\/_container\.yaml: is a directory, not a file$/m,
    );
    assert.match(run.stderr, /norule\.yaml:1: no 'rule_type' field/);
    // Each once: not again as "Datastore 'store_ops' does not exist on the target".
    assert.match(run.stderr, /^Error: 3 problem\(s\) found in the input; nothing was written/m);
  }
  assert.equal(server.requests.writes().length, 0);
});
