/**
 * Round trip of the standalone check commands (config-as-code.md §10.4, §10.5; PRODUCT.md
 * "Idempotent import", "Exports mirror the server") over the generated server states of
 * generated_state.ts (the config round trip's generator and seeds):
 *
 * - `checks export` of every datastore writes the files of its `config export` checks/ folder;
 *   `checks import` into a datastore of another instance that has the same containers (made by
 *   `config import --include connections,datastores,containers,computed_fields`), then
 *   `checks export` there, gives the very same bytes; a second import writes nothing, its
 *   `--dry-run --detailed-exitcode` exits 0, and importing the folder back into the datastore it
 *   came from writes nothing. One folder imported into two datastores at once (repeated
 *   `--datastore-id`: the first source datastore with checks and `Checks Copy`, a datastore with
 *   its containers under another name) makes both identical to the source.
 * - The MCP config-as-code tools (export_config, import_config, export_checks, import_checks),
 *   driven in process, write the same folders and give the same results (summaries, plans, ids)
 *   as the CLI for the same data; the whole export_config folder round-trips through
 *   import_config as the CLI's does.
 * - `checks export-templates` → `checks import-templates` into an empty instance →
 *   `export-templates` gives the same templates, in order, in every output the command has (YAML
 *   or JSON, file or stdout), but for what the server assigns and what the import adds by design
 *   ({@link comparable}).
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { QualyticsClient } from "../../src/client/http_client.ts";
import { createMcpServer, type McpDeps } from "../../src/mcp/server.ts";
import { parseCheckFile } from "../../src/services/checks.ts";
import { Rng } from "../../src/testing/rng.ts";
import type { Rec, ServerData } from "../../src/testing/state.ts";
import { nodeFileSystem } from "../../src/util/fs.ts";
import { loadYaml } from "../../src/util/yaml.ts";
import { emptyLike, envFor, fake } from "../helpers/fake.ts";
import { runQualytics, tempDir } from "../helpers/cli.ts";
import { snapshot } from "./golden.ts";
import { assertSameFiles, generateState, placeholderValues } from "./generated_state.ts";

type Server = Awaited<ReturnType<typeof fake>>;

/** The kinds `checks import` needs on the target before it: everything but the checks. */
const STRUCTURE = "connections,datastores,containers,computed_fields";

/**
 * The seeds run by default (the round-trip test's); `CHECKS_ROUNDTRIP_SEEDS=1-300` (or `5,17`)
 * explores others.
 */
function seeds(): number[] {
  const spec = Deno.env.get("CHECKS_ROUNDTRIP_SEEDS");
  if (!spec) return [4, 5, 13, 21, 34, 42, 49, 76, 119, 165];
  return spec.split(",").flatMap((part) => {
    const [from, to = from] = part.split("-").map(Number);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

/**
 * Fewer of the default seeds, for the slower MCP test and the template test (dozens of templates
 * per seed): among them every kind of shared and empty slug (34, 119).
 */
function few(list: number[], count: number): number[] {
  if (Deno.env.get("CHECKS_ROUNDTRIP_SEEDS")) return list;
  return list.filter((seed) => [34, 119, 4, 165].slice(0, count).includes(seed));
}

/** Writes of `server` since `from` (an index into its request log), as `METHOD path`. */
function writesSince(server: Server, from: number): string[] {
  return server.requests.writes().slice(from).map((w) => `${w.method} ${w.path}`);
}

const COPY = "Checks Copy";

/**
 * The source instance of `seed`, its `config export` folder and an instance with every
 * datastore, container and computed field of it but no checks, plus `Checks Copy`: a second
 * datastore with the containers of the first source datastore that has checks.
 */
async function setUp(seed: number, tmp: string, options: { mcp?: boolean } = {}) {
  const { data, datastoreIds } = generateState(seed);
  const source = await fake({ data });
  const registries = JSON.parse(source.snapshot());
  const withChecks = datastoreIds.find((id) =>
    source.state.checks.values().some((c) =>
      !c.deleted_at && source.state.datastoreIdOf(source.state.containers.get(c.container)!) === id
    )
  );
  const copied = withChecks === undefined
    ? undefined
    : source.state.datastores.get(withChecks)!.name as string;
  const target = await fake({
    data: JSON.stringify({
      options: { id_base: 5001 },
      global_tags: registries.global_tags,
      teams: registries.teams,
      users: registries.users,
      catalog: copied
        ? { ...registries.catalog, [COPY]: registries.catalog[copied] }
        : registries.catalog,
    }),
  });
  const config = path.join(tmp, "config");
  const exported = await runQualytics(
    [
      "config",
      "export",
      ...datastoreIds.flatMap((id) => ["--datastore-id", String(id)]),
      "-o",
      config,
    ],
    { env: envFor(source) },
  );
  assert.equal(exported.code, 0, exported.stderr);
  const files = await snapshot(config);
  // The copy: the datastore's folder under another name, without its checks.
  const structure = path.join(tmp, "structure");
  for (const [file, text] of files) {
    if (file.includes("/checks/")) continue;
    await write(path.join(structure, file), text);
  }
  // Datastore folder by datastore name.
  const dirs = new Map<string, string>();
  for (const [file, text] of files) {
    const [top, dir, rest] = file.split("/");
    if (top !== "datastores" || rest !== "_datastore.yaml") continue;
    dirs.set((await loadYaml(text, file) as Rec).name, dir);
  }
  if (copied) {
    const dir = dirs.get(copied)!;
    for (const [file, text] of files) {
      if (!file.startsWith(`datastores/${dir}/`) || file.includes("/checks/")) {
        continue;
      }
      // (Its tables come from the sync catalog, which the target has under the copy's name too.)
      const copy = file.replace(`datastores/${dir}/`, "datastores/zz_checks_copy/");
      await write(
        path.join(structure, copy),
        file.endsWith("/_datastore.yaml") ? text.replace(/^name: .*$/m, `name: ${COPY}`) : text,
      );
    }
  }
  const env = { ...envFor(target), ...placeholderValues(files) };
  if (!options.mcp) {
    const imported = await runQualytics(
      ["config", "import", "-i", structure, "--include", STRUCTURE],
      { env },
    );
    assert.equal(imported.code, 0, `seed ${seed}: ${imported.stderr}`);
  }
  const targetId = (name: string) =>
    target.state.datastores.values().find((d) => d.name === name)?.id as number;
  return { source, target, datastoreIds, copied, targetId, env, structure, config: files, dirs };
}

async function write(file: string, text: string): Promise<void> {
  await Deno.mkdir(path.dirname(file), { recursive: true });
  await Deno.writeTextFile(file, text);
}

for (const seed of seeds()) {
  Deno.test(`checks export/import round trip: generated state #${seed} re-exports identically, re-imports with no write`, async () => {
    await using tmp = await tempDir();
    const { source, target, datastoreIds, copied, targetId, env, config, dirs } = await setUp(
      seed,
      tmp.path,
    );
    await using _source = source;
    await using _target = target;
    const checksExport = async (server: Server, id: number, output: string) => {
      const run = await runQualytics(
        ["checks", "export", "--datastore-id", String(id), "-o", output],
        { env: envFor(server) },
      );
      assert.equal(run.code, 0, run.stderr);
      return await snapshot(output);
    };
    for (const id of datastoreIds) {
      const name = source.state.datastores.get(id)!.name as string;
      const folder = path.join(tmp.path, `source-${id}`);
      const exported = await checksExport(source, id, folder);
      // The same files as the datastore's checks/ folder of `config export` (PRODUCT.md "Files").
      const dir = dirs.get(name)!;
      const inConfig = new Map(
        [...config].filter(([file]) => file.startsWith(`datastores/${dir}/checks/`))
          .map(([file, text]) => [file.slice(`datastores/${dir}/checks/`.length), text]),
      );
      assertSameFiles(
        inConfig,
        exported,
        `seed ${seed}: checks export of ${name} vs config export`,
      );
      if (exported.size === 0) continue;
      const ids = [targetId(name), ...(name === copied ? [targetId(COPY)] : [])];
      const flags = ids.flatMap((to) => ["--datastore-id", String(to)]);
      const imported = await runQualytics(["checks", "import", ...flags, "-i", folder], { env });
      assert.equal(imported.code, 0, `seed ${seed}: ${imported.stderr}`);
      for (const to of ids) {
        const again = await checksExport(target, to, path.join(tmp.path, `target-${to}`));
        assertSameFiles(
          exported,
          again,
          `seed ${seed}: datastore ${name} → ${to}: the re-export differs`,
        );
      }
      const writes = target.requests.writes().length;
      const second = await runQualytics(["checks", "import", ...flags, "-i", folder], { env });
      assert.equal(second.code, 0, `seed ${seed}: ${second.stderr}`);
      assert.deepEqual(writesSince(target, writes), [], `seed ${seed}: ${second.stderr}`);
      const dry = await runQualytics(
        ["checks", "import", ...flags, "-i", folder, "--dry-run", "--detailed-exitcode"],
        { env },
      );
      assert.equal(dry.code, 0, `seed ${seed}: ${dry.stderr}`);
      // Imported back into the datastore it came from, it writes nothing either (checks that
      // store no UID are matched by the UID the export computed for them).
      const back = await runQualytics(
        ["checks", "import", "--datastore-id", String(id), "-i", folder],
        { env: envFor(source) },
      );
      assert.equal(back.code, 0, `seed ${seed}: ${back.stderr}`);
      assert.deepEqual(writesSince(source, 0), [], `seed ${seed}: ${back.stderr}`);
    }
  });
}

// ------------------------------------------------------------------------------ MCP

/** An in-process MCP client of a server over `server`, with `env` for `${VAR}` placeholders. */
async function mcpFor(server: Server, env: Record<string, string>) {
  const mcp = createMcpServer(
    {
      // One request at a time, as the CLI runs below, so that both targets get the same ids.
      client: () =>
        Promise.resolve(
          new QualyticsClient({ baseUrl: server.url, token: server.token, concurrency: 1 }),
        ),
      settings: () =>
        Promise.resolve({
          url: server.url,
          token: server.token,
          sslVerify: true,
          configFile: "/nowhere/config.yaml",
          urlSource: "env",
          tokenSource: "env",
        }),
      fs: nodeFileSystem,
      env,
      cwd: Deno.cwd(),
      now: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    } satisfies McpDeps,
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.connect(serverSide);
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(clientSide);
  return {
    /** The tool's result as data; a tool error fails the test. */
    async call(name: string, args: Record<string, unknown>): Promise<any> {
      const result = await client.callTool({ name, arguments: args });
      const text = (result.content as Array<{ text: string }>)[0].text;
      assert.ok(!result.isError, `${name}: ${text}`);
      return JSON.parse(text);
    },
    async [Symbol.asyncDispose]() {
      await client.close();
      await mcp.close();
    },
  };
}

/** A CLI run's `--format json` data (it must succeed). */
async function cliData(args: string[], env: Record<string, string>): Promise<any> {
  const run = await runQualytics([...args, "--format", "json"], { env });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

for (const seed of few(seeds(), 3)) {
  Deno.test(`MCP config tools: generated state #${seed} gives the CLI's folders and results`, async () => {
    await using tmp = await tempDir();
    const at = (name: string) => path.join(tmp.path, name);
    const { source, target, datastoreIds, copied, targetId, env, structure, config } = await setUp(
      seed,
      tmp.path,
      { mcp: true },
    );
    await using _source = source;
    await using _target = target;
    // A twin of the empty target, for the MCP tools.
    const empty = target.snapshot();
    await using twin = await fake({ data: empty });
    const twinEnv = { ...env, ...envFor(twin) };
    await using fromSource = await mcpFor(source, env);
    await using toTwin = await mcpFor(twin, twinEnv);

    // export_config: the files and summary of `config export`.
    const ids = datastoreIds;
    const cliExport = await cliData(
      ["config", "export", ...ids.flatMap((id) => ["--datastore-id", String(id)]), "-o", at("c")],
      envFor(source),
    );
    const mcpExport = await fromSource.call("export_config", {
      datastore_ids: ids,
      output_dir: at("m"),
    });
    assert.deepEqual({ ...mcpExport, output: at("c") }, cliExport);
    assertSameFiles(config, await snapshot(at("m")), `seed ${seed}: export_config`);

    // import_config of the folder without its checks: the summary of `config import`, and the
    // same objects (one request at a time on both sides: the same ids).
    const cliDry = await cliData(
      ["config", "import", "-i", structure, "--include", STRUCTURE, "--dry-run"],
      env,
    );
    const mcpDry = await toTwin.call("import_config", {
      input_dir: structure,
      include: STRUCTURE.split(","),
      dry_run: true,
    });
    assert.deepEqual(mcpDry, { dry_run: true, plan: cliDry });
    const cliImport = await cliData(
      ["config", "import", "-i", structure, "--include", STRUCTURE, "--concurrency", "1"],
      env,
    );
    const mcpImport = await toTwin.call("import_config", {
      input_dir: structure,
      include: STRUCTURE.split(","),
    });
    assert.deepEqual(mcpImport, { dry_run: false, changes: true, ...cliImport });
    const objects = (server: Server) =>
      [
        ...server.state.datastores.values(),
        ...server.state.containers.values(),
        ...server.state.checks.values(),
      ].map((o) => `${o.id} ${o.name ?? o.rule_type}`).sort();
    assert.deepEqual(objects(twin), objects(target));

    // export_checks / import_checks: the files and summaries of `checks export` / `import`.
    for (const id of ids) {
      const name = source.state.datastores.get(id)!.name as string;
      const folder = at(`checks-${id}`);
      const cliChecks = await cliData(
        ["checks", "export", "--datastore-id", String(id), "-o", folder],
        envFor(source),
      );
      const mcpChecks = await fromSource.call("export_checks", {
        datastore_id: id,
        output_dir: at(`mcp-checks-${id}`),
      });
      assert.deepEqual({ ...mcpChecks, output: folder }, cliChecks);
      const exported = await snapshot(folder);
      assertSameFiles(
        exported,
        await snapshot(at(`mcp-checks-${id}`)),
        `seed ${seed}: export_checks`,
      );
      if (exported.size === 0) continue;
      const to = [targetId(name), ...(name === copied ? [targetId(COPY)] : [])];
      const flags = to.flatMap((ds) => ["--datastore-id", String(ds)]);
      const cliPlan = await cliData(["checks", "import", ...flags, "-i", folder, "--dry-run"], env);
      const mcpPlan = await toTwin.call("import_checks", {
        datastore_ids: to,
        input_dir: folder,
        dry_run: true,
      });
      const { datastores: _rows, ...plan } = cliPlan;
      assert.deepEqual(mcpPlan, { dry_run: true, plan });
      const cliRun = await cliData(
        ["checks", "import", ...flags, "-i", folder, "--concurrency", "1"],
        env,
      );
      const mcpRun = await toTwin.call("import_checks", { datastore_ids: to, input_dir: folder });
      assert.deepEqual(cliRun.errors, [], `seed ${seed}`);
      assert.deepEqual(mcpRun, {
        dry_run: false,
        changes: true,
        summary: cliRun.summary,
        errors: [],
      });
      for (const ds of to) {
        await toTwin.call("export_checks", { datastore_id: ds, output_dir: at(`again-${ds}`) });
        assertSameFiles(
          exported,
          await snapshot(at(`again-${ds}`)),
          `seed ${seed}: export_checks after import_checks`,
        );
      }
      const writes = twin.requests.writes().length;
      const again = await toTwin.call("import_checks", { datastore_ids: to, input_dir: folder });
      assert.deepEqual(writesSince(twin, writes), [], `seed ${seed}: ${JSON.stringify(again)}`);
      const dry = await toTwin.call("import_checks", {
        datastore_ids: to,
        input_dir: folder,
        dry_run: true,
      });
      assert.equal(dry.plan.changes, false);
      const { datastores: _again, ...cleanPlan } = await cliData(
        ["checks", "import", ...flags, "-i", folder, "--dry-run"],
        env,
      );
      assert.deepEqual(dry, { dry_run: true, plan: cleanPlan });
    }
    assert.deepEqual(objects(twin), objects(target));

    // The whole export_config folder through import_config into an empty instance: export_config
    // there writes the same files, a second import_config writes nothing, its plan is clean.
    await using whole = await fake({ data: empty });
    await using toWhole = await mcpFor(whole, { ...env, ...envFor(whole) });
    const all = await toWhole.call("import_config", { input_dir: at("m") });
    assert.equal(all.errors.length, 0, JSON.stringify(all.errors));
    const wholeIds = ids.map((id) =>
      whole.state.datastores.values().find((d) => d.name === source.state.datastores.get(id)!.name)!
        .id as number
    );
    await toWhole.call("export_config", { datastore_ids: wholeIds, output_dir: at("whole") });
    assertSameFiles(
      config,
      await snapshot(at("whole")),
      `seed ${seed}: export_config after import_config`,
    );
    const writes = whole.requests.writes().length;
    await toWhole.call("import_config", { input_dir: at("m") });
    assert.deepEqual(writesSince(whole, writes), [], `seed ${seed}`);
    const plan = await toWhole.call("import_config", {
      input_dir: at("m"),
      dry_run: true,
      prune: true,
    });
    assert.equal(plan.plan.changes, false, `seed ${seed}: ${JSON.stringify(plan.plan.summary)}`);
  });
}

// ------------------------------------------------------------------------------ templates

/**
 * Check templates made of the generated checks of `seed`: no container, no fields (a template
 * has neither), locked or not.
 */
function generateTemplates(seed: number): ServerData {
  const { data } = generateState(seed);
  const rng = new Rng(seed + 7);
  const templates = data.checks!.filter((check) => !check.deleted_at).map((check) => {
    // Templates are written by users: never inferred (a profile infers checks, not templates),
    // and the template create body has no such key.
    const { inferred: _inferred, ...rest } = check;
    return {
      ...rest,
      container: null,
      fields: [],
      is_template: true,
      template_locked: rng.next() < 0.5,
    };
  });
  return { global_tags: data.global_tags, teams: data.teams, checks: templates };
}

/** Keys the server sets on create: another instance gives other values. */
const SERVER_ASSIGNED = ["id", "created", "last_updated"];

/**
 * `template` without the keys the server assigns; with `imported`, as `import-templates` creates
 * it (the original's rules, original/commands.md "checks import-templates"): it records
 * where it came from in `additional_metadata["from quality check id"]` (replacing the one it may
 * hold) and gives a template without a description `<rule> quality check template`.
 */
function comparable(template: Rec, imported = false): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(template)) {
    if (SERVER_ASSIGNED.includes(key)) continue;
    if (imported && key === "additional_metadata") {
      out[key] = { ...(value ?? {}), "from quality check id": String(template.id) };
    } else if (imported && key === "description") {
      out[key] = value ?? `${template.rule_type} quality check template`;
    } else out[key] = value;
  }
  return out;
}

/** The templates that differ, key by key (JSON text). */
function templateDiff(want: Rec[], got: Rec[]): string {
  const text = (value: unknown) =>
    JSON.stringify(value, (_key, v) => typeof v === "bigint" ? `${v}n` : v);
  const lines: string[] = [];
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    const a = want[i] ?? {}, b = got[i] ?? {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (text(a[key]) !== text(b[key])) {
        lines.push(`#${i} ${key}: ${text(a[key])} → ${text(b[key])}`);
      }
    }
  }
  return lines.join("\n");
}

/** The ways `checks export-templates` writes, and the file `import-templates` reads back. */
const TEMPLATE_FORMATS: Array<{ label: string; file: string; flags: string[] }> = [
  { label: "YAML file", file: "templates.yaml", flags: [] },
  { label: "JSON file (by extension)", file: "templates.json", flags: [] },
  { label: "YAML on stdout", file: "stdout.yaml", flags: ["--output", "-"] },
  { label: "JSON on stdout", file: "stdout.json", flags: ["--output", "-", "--format", "json"] },
];

for (const seed of few(seeds(), 4)) {
  for (const format of TEMPLATE_FORMATS) {
    Deno.test(`checks export-templates/import-templates round trip: generated templates #${seed}, ${format.label}`, async () => {
      await using tmp = await tempDir();
      await using source = await fake({ data: generateTemplates(seed) });
      await using target = await emptyLike(source);
      const exportFrom = async (server: Server, file: string) => {
        const flags = format.flags.length ? format.flags : ["--output", file];
        const run = await runQualytics(["checks", "export-templates", ...flags], {
          env: envFor(server),
        });
        assert.equal(run.code, 0, run.stderr);
        if (format.flags.length) await Deno.writeTextFile(file, run.stdout);
        return await parseCheckFile(await Deno.readTextFile(file), file);
      };
      const first = await exportFrom(source, path.join(tmp.path, `source-${format.file}`));
      assert.ok(first.length > 0, `seed ${seed}: no templates`);
      const file = path.join(tmp.path, `source-${format.file}`);
      const run = await runQualytics(["checks", "import-templates", "--input", file], {
        env: envFor(target),
      });
      assert.equal(run.code, 0, `seed ${seed}: ${run.stderr}`);
      const again = await exportFrom(target, path.join(tmp.path, `target-${format.file}`));
      const got = again.map((t) => comparable(t));
      const want = first.map((t) => comparable(t, true));
      assert.deepEqual(
        got,
        want,
        `seed ${seed}: the re-export differs:\n${templateDiff(want, got)}`,
      );
    });
  }
}
