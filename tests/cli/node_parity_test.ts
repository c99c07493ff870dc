/**
 * Differential test, Node (and Bun) against Deno: the same `qualytics` invocations, run by
 * `deno run -A cli.ts` and by `node` (`bun`) on the code-split `deno bundle --platform node` of
 * cli.ts,
 * each against its own fresh fake controlplane (`seed: "demo"`) and in its own HOME (also the
 * working folder), must give the same exit codes, stdout and stderr, and leave the same files
 * (contents and modes) behind. Every command group is covered: help and completions, auth,
 * schedule, doctor, list/get of every resource as YAML, JSON and tables, writes, operations
 * waited for, checks and templates export/import, containers preview/import from CSV and XLSX,
 * config export/plan/diff/import, `mcp serve` over stdio, and usage, 404 and YAML errors.
 *
 * The servers' clocks are one fixed instant and their operations finish at once, so what they
 * record and return is the same on both sides. The CLI's own clock cannot be fixed in a
 * subprocess; what genuinely differs between the two runs is normalised, and only that:
 * {@link NORMALISED}.
 *
 * Ignored for a runtime that is not installed, as tests/cli/node_test.ts.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import ExcelJS from "exceljs";
import { unifiedDiff } from "../../src/util/unified_diff.ts";
import { fake } from "../helpers/fake.ts";
import { tempDir, writeFiles } from "../helpers/cli.ts";
import { CLI, DENO_DIR } from "../helpers/mcp.ts";
import { BUNDLE_RUNTIMES, bundleForNode } from "../helpers/node.ts";
import { mapConcurrent } from "../../src/client/pool.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const encode = (text: string) => new TextEncoder().encode(text);

/** Both servers' clock. */
const SERVER_NOW = new Date("2026-02-02T10:00:00Z");

/**
 * What differs between the two runs besides each run's HOME, server URL and admin token (which
 * become `<HOME>`, `<URL>` and `<TOKEN>`; each server mints its own token, with a random nonce).
 */
const NORMALISED: Array<[RegExp, string]> = [
  // `doctor` names the runtime it runs on.
  [/\b(?:Deno|Node\.js|Bun)\/\d+\.\d+\.\d+\b/g, "<runtime>"],
  // The CLI's clock: doctor's latency, the time waited for an operation, the days left before
  // the token expires (the two runs may straddle midnight), and the time and date containers
  // import stamps on what it creates and on its error log's name.
  [/\b(answered (?:HTTP \d+ )?in) \d+ ms\b/g, "$1 <n> ms"],
  [/\(\d+s elapsed\)/g, "(<n>s elapsed)"],
  [/\b(expires in) \d+ (day\(s\))/g, "$1 <n> $2"],
  [/(import_timestamp["']?: ["']?)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, "$1<now>"],
  [/(computed-table-import-errors-)\d{4}-\d\d-\d\d/g, "$1<date>"],
];

/** One CLI invocation. */
interface Step {
  args: string[];
  /** The exit code expected (default 0), so that a mistyped step cannot pass on both sides. */
  code?: number;
  /** JSON-RPC requests sent on stdin one at a time, each after the answer to the one before. */
  rpc?: unknown[];
  /** Prepares files in HOME first (the same for both runtimes). */
  before?: (home: string) => Promise<void>;
}

/** Steps of one phase run concurrently: they neither write the server nor share files. */
type Phase = Step[];

/** What a step did: exit code, stdout (for `rpc`, the answers, one per line) and stderr. */
interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** How a runtime starts the CLI. */
interface Runtime {
  name: string;
  command: string;
  prefix: string[];
  env: Record<string, string>;
}

/** Runs one step with only PATH, HOME, no banner and `env` in its environment. */
async function runStep(
  runtime: Runtime,
  home: string,
  env: Record<string, string>,
  step: Step,
): Promise<Outcome> {
  const child = new Deno.Command(runtime.command, {
    args: [...runtime.prefix, ...step.args],
    cwd: home,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: home,
      QUALYTICS_NO_BANNER: "1",
      ...runtime.env,
      ...env,
    },
    stdin: step.rpc ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (!step.rpc) {
    const out = await child.output();
    return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
  }
  // Closing stdin stops the server: every answer must be in before.
  const stderr = new Response(child.stderr).text();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const nextLine = async (): Promise<string | undefined> => {
    for (;;) {
      const end = buffered.indexOf("\n");
      if (end >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) return buffered ? buffered : undefined;
      buffered += value;
    }
  };
  const answers: string[] = [];
  for (const message of step.rpc) {
    await writer.write(encode(JSON.stringify(message) + "\n"));
    if ((message as { id?: unknown }).id === undefined) continue; // a notification
    const line = await nextLine();
    if (line === undefined) break;
    answers.push(line);
  }
  await writer.close();
  for (let line = await nextLine(); line !== undefined; line = await nextLine()) answers.push(line);
  const { code } = await child.status;
  return { code, stdout: answers.map((line) => line + "\n").join(""), stderr: await stderr };
}

/** Every file and folder below `dir`: relative path → its mode and, for a file, its text. */
async function tree(dir: string, normalise: (text: string) => string) {
  const out = new Map<string, string>();
  const walk = async (relative: string) => {
    for await (const entry of Deno.readDir(path.join(dir, relative))) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      const full = path.join(dir, child);
      const mode = `mode ${((await Deno.lstat(full)).mode! & 0o777).toString(8)}\n`;
      if (entry.isDirectory) {
        out.set(`${normalise(child)}/`, mode);
        await walk(child);
      } else {
        out.set(normalise(child), mode + normalise(await Deno.readTextFile(full)));
      }
    }
  };
  await walk("");
  return out;
}

/** The secrets the steps' `${VAR}` placeholders and the exported connections name. */
const SECRETS = {
  PARITY_PASSWORD: "parity-Secret-1",
  WAREHOUSE_PG_PASSWORD: "pg-Secret-2",
  LAKEHOUSE_S3_ACCESS_KEY: "AKIAPARITY",
  LAKEHOUSE_S3_SECRET_KEY: "s3-Secret-3",
};

/** Runs the phases in `runtime` against a fresh demo server, in a fresh HOME. */
async function session(
  runtime: Runtime,
  phases: Phase[],
  inputs: Record<string, Uint8Array>,
) {
  await using server = await fake({ seed: "demo", now: () => SERVER_NOW, operationDurationMs: 0 });
  await using home = await tempDir(`qualytics-${runtime.name}-`);
  for (const [file, bytes] of Object.entries(inputs)) {
    await Deno.writeFile(path.join(home.path, file), bytes);
  }
  const env = { QUALYTICS_URL: server.url, QUALYTICS_TOKEN: server.token, ...SECRETS };
  const normalise = (text: string) =>
    NORMALISED.reduce(
      (out, [pattern, replacement]) => out.replace(pattern, replacement),
      text.replaceAll(home.path, "<HOME>").replaceAll(server.url, "<URL>")
        .replaceAll(server.token, "<TOKEN>"),
    );
  const outcomes: Outcome[] = [];
  for (const phase of phases) {
    outcomes.push(
      ...await mapConcurrent(phase, 6, async (step) => {
        await step.before?.(home.path);
        // `<URL>` and `<TOKEN>` in arguments stand for this session's server.
        const args = step.args.map((arg) =>
          arg.replaceAll("<URL>", server.url).replaceAll("<TOKEN>", server.token)
        );
        const outcome = await runStep(runtime, home.path, env, { ...step, args });
        return {
          code: outcome.code,
          stdout: normalise(outcome.stdout),
          stderr: normalise(outcome.stderr),
        };
      }),
    );
  }
  return { outcomes, files: await tree(home.path, normalise), errors: server.errors };
}

// --- inputs (written to both HOMEs before the first step) -----------------------------------

/** One check to create and one that fails (checks of a file are created concurrently). */
const NEW_CHECKS = `- container: customers
  rule_type: between
  fields: [age]
  properties: {min: 0, max: 130, inclusive: true}
  description: "Ages are plausible: 0–130 ✓"
- container: no_such_table
  rule_type: notNull
  fields: [x]
`;

/** Check templates, in two files: templates of one file are created concurrently. */
const TEMPLATES = [
  `- id: 900
  rule_type: notNull
  description: Jamais nul — never null
  coverage: 1.0
  properties: {}
  global_tags:
  - name: critical
  template_locked: true
`,
  `id: 901
rule_type: between
properties: {min: 1, max: 10.5, inclusive: true}
`,
];

async function workbook(rows: unknown[][]): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet("Definitions");
  for (const row of rows) sheet.addRow(row);
  return new Uint8Array(await book.xlsx.writeBuffer() as ArrayBuffer);
}

/** Copies the folder `from` to `to` (below HOME), then writes `files` over the copy. */
function copyWith(from: string, to: string, files: Record<string, string>) {
  return async (home: string) => {
    const copy = async (relative: string) => {
      await Deno.mkdir(path.join(home, to, relative), { recursive: true });
      for await (const entry of Deno.readDir(path.join(home, from, relative))) {
        const child = path.join(relative, entry.name);
        if (entry.isDirectory) await copy(child);
        else await Deno.copyFile(path.join(home, from, child), path.join(home, to, child));
      }
    };
    await copy("");
    await writeFiles(path.join(home, to), files);
  };
}

const rpc = (id: number, method: string, params: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id,
  method,
  params,
});

// --- the invocations -------------------------------------------------------------------------

const PHASES: Phase[] = [
  // Offline: version, help, completions, usage errors, definition files (exceljs).
  [
    { args: ["--version"] },
    { args: ["--help"] },
    { args: ["checks", "--help"] },
    { args: ["operations", "scan", "--help"] },
    { args: ["completions", "bash"] },
    { args: ["completions", "zsh"] },
    { args: ["completions", "fish"] },
    { args: ["datastores", "list", "--bogus"], code: 2 },
    { args: ["nonsense"], code: 2 },
    { args: ["containers", "preview", "--input", "defs.csv"] },
    { args: ["containers", "preview", "--input", "defs.xlsx", "-f", "json", "--prefix", "p_"] },
  ],
  // Settings (~/.qualytics/config.yaml), then what reads them.
  [{ args: ["auth", "init", "--url", "<URL>", "--token", "<TOKEN>"] }],
  [
    { args: ["auth", "status"] },
    { args: ["auth", "status", "-f", "json"] },
    { args: ["--install-completion", "bash"] },
    {
      args: ["schedule", "export-metadata", "--crontab", "0 2 * * *", "--datastore", "1"]
        .concat(["--containers", "1,2", "--options", "anomalies,checks"]),
    },
    {
      args: ["schedule", "export-metadata", "--crontab", "bad", "--datastore", "1"]
        .concat(["--options", "all"]),
      code: 2,
    },
    { args: ["doctor", "--format", "json"] },
  ],
  // Reads, as YAML, JSON and tables; not found; exports to folders.
  [
    { args: ["connections", "list", "--format", "json"] },
    { args: ["connections", "get", "--name", "Warehouse PG"] },
    { args: ["datastores", "list"] },
    { args: ["datastores", "get", "--id", "1", "--format", "json"] },
    { args: ["containers", "list", "--datastore-id", "1", "--format", "table"] },
    { args: ["containers", "get", "--id", "1", "--profiles"] },
    { args: ["checks", "list", "--datastore-id", "1", "--format", "json"] },
    { args: ["checks", "get", "--id", "2"] },
    { args: ["anomalies", "list", "--datastore-id", "1"] },
    { args: ["anomalies", "get", "--id", "1", "--format", "json"] },
    { args: ["operations", "list", "--format", "json"] },
    { args: ["operations", "get", "--id", "4"] },
    { args: ["users", "list", "--format", "table"] },
    { args: ["users", "get", "--id", "1", "--format", "json"] },
    { args: ["teams", "list"] },
    { args: ["teams", "get", "--id", "2", "--format", "json"] },
    { args: ["tags", "list", "--format", "json"] },
    { args: ["tags", "get", "--name", "pii"] },
    { args: ["checks", "get", "--id", "99999"], code: 1 },
    { args: ["connections", "get", "--name", "nope"], code: 1 },
    { args: ["anomalies", "list", "--datastore-id", "1", "--start-date", "yesterday"], code: 2 },
    { args: ["checks", "export", "--datastore-id", "1", "-o", "checks-export"] },
    { args: ["config", "export", "--datastore-id", "1", "-o", "config-export"] },
    {
      args: ["config", "export", "--datastore-id", "1", "--datastore-id", "2", "-o", "all"]
        .concat(["--format", "json"]),
    },
  ],
  // Plans and drift of the exported folders; a YAML syntax error in each kind of folder.
  [
    { args: ["config", "plan", "-i", "all", "--format", "json", "--detailed-exitcode"] },
    { args: ["config", "diff", "-i", "config-export", "--detailed-exitcode"] },
    {
      args: ["config", "plan", "-i", "broken-config"],
      code: 1,
      before: copyWith("config-export", "broken-config", {
        "datastores/sales_dw/checks/orders/broken.yaml": "rule_type: notNull\nfields: [a\n",
      }),
    },
    {
      args: ["checks", "import", "--datastore-id", "2", "-i", "broken-checks", "--dry-run"],
      code: 1,
      before: (home) =>
        writeFiles(path.join(home, "broken-checks"), {
          "orders/broken.yaml": "rule_type: notNull\n  fields: : [\n",
        }),
    },
    { args: ["containers", "import", "--datastore", "1", "--input", "defs.csv", "--dry-run"] },
  ],
  // Writes, one at a time (the server gives out ids in order).
  ...([
    {
      args: ["connections", "create", "-t", "postgresql", "-n", "parity-pg", "--host", "db"]
        .concat(["--port", "5432", "--username", "app", "--password", "${PARITY_PASSWORD}"]),
    },
    { args: ["connections", "update", "--id", "3", "--host", "db2.internal", "--format", "json"] },
    {
      args: ["datastores", "create", "-n", "Parity DS", "--connection-name", "parity-pg"]
        .concat(["--database", "analytics", "--schema", "public", "--tags", "finance,pii"]),
    },
    // The demo's datastores are 1, 2 and (enrichment) 3.
    { args: ["datastores", "update", "--id", "4", "--enrichment-prefix", "parity_", "-f", "json"] },
    { args: ["connections", "delete", "--id", "3"], code: 1 },
    { args: ["checks", "create", "--datastore-id", "1", "--file", "new-checks.yaml"], code: 1 },
    { args: ["checks", "update", "--id", "3", "--file", "check-update.yaml", "--format", "json"] },
    { args: ["checks", "delete", "--ids", "6,7", "--no-archive"] },
    {
      args: ["tags", "create", "--name", "parity", "--color", "#123456", "--weight-modifier", "3"],
    },
    { args: ["anomalies", "update", "--ids", "1,3", "--status", "Acknowledged"] },
    { args: ["operations", "sync", "--datastore-id", "1", "--poll-interval", "1"] },
    { args: ["operations", "profile", "--datastore-id", "2", "--background", "-f", "json"] },
    { args: ["operations", "scan", "--datastore-id", "2", "--poll-interval", "1", "-f", "json"] },
    { args: ["checks", "import-templates", "--input", "templates-1.yaml"] },
    { args: ["checks", "import-templates", "--input", "templates-2.yaml", "-f", "json"] },
    // One request at a time: creates in flight together may get their ids in either order.
    {
      args: [
        "checks",
        "import",
        "--datastore-id",
        "1",
        "-i",
        "checks-export",
        "--concurrency",
        "1",
      ],
    },
    { args: ["containers", "import", "--datastore", "1", "--input", "defs.xlsx"] },
    { args: ["config", "import", "-i", "config-export", "--format", "json", "--concurrency", "1"] },
    { args: ["datastores", "delete", "--id", "4"] },
    { args: ["connections", "delete", "--id", "3"] },
  ] as Step[]).map((step): Phase => [step]),
  // What the writes left.
  [
    { args: ["config", "diff", "-i", "config-export"] },
    { args: ["checks", "export-templates", "--output", "templates.yaml"] },
    { args: ["checks", "export-templates", "--output", "templates.json"] },
    { args: ["checks", "export-templates", "--output", "-", "--format", "json"] },
  ],
  // MCP over stdio.
  [{
    args: ["mcp", "serve"],
    rpc: [
      rpc(1, "initialize", {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "parity", version: "1.0.0" },
      }),
      { jsonrpc: "2.0", method: "notifications/initialized" },
      rpc(2, "tools/list"),
      rpc(3, "tools/call", { name: "get_datastore", arguments: { id: 1 } }),
      rpc(4, "tools/call", { name: "get_connection", arguments: { id: 999 } }),
      rpc(5, "no/such/method"),
    ],
  }],
];

for (const runtime of BUNDLE_RUNTIMES) {
  Deno.test({
    name: `on ${runtime.name} (${
      runtime.version ?? "not installed"
    }) as on Deno: every command group's output`,
    ignore: runtime.version === undefined,
    fn: async () => {
      await using tmp = await tempDir();
      const inputs = {
        "new-checks.yaml": encode(NEW_CHECKS),
        "check-update.yaml": encode("description: Orders carry a customer\ntags: [finance]\n"),
        "templates-1.yaml": encode(TEMPLATES[0]),
        "templates-2.yaml": encode(TEMPLATES[1]),
        "defs.csv": encode(
          'name,description,query\nbig_orders,"Say ""hi""",SELECT * FROM orders\nno_query,x,\n',
        ),
        "defs.xlsx": await workbook([
          ["Name", "Description", "Query"],
          ["late_orders_SF", "Orders shipped late", "SELECT order_id, upper(status) FROM orders"],
          [1000664, 3.5, "SELECT x FROM y"],
          ["no_query", "skipped", ""],
        ]),
      };
      const deno: Runtime = {
        name: "deno",
        command: Deno.execPath(),
        prefix: ["run", "-A", "--quiet", CLI],
        env: { DENO_DIR },
      };
      const other = runtime.name.toLowerCase();
      const [onDeno, onOther] = await Promise.all([
        session(deno, PHASES, inputs),
        bundleForNode("cli.ts", path.join(tmp.path, "node")).then((bundle) =>
          session(
            { name: other, command: runtime.command, prefix: [bundle], env: runtime.env },
            PHASES,
            inputs,
          )
        ),
      ]);

      const differences: string[] = [];
      const diff = (label: string, deno: string, theirs: string) => {
        const text = unifiedDiff(deno, theirs, {
          fromLabel: `deno ${label}`,
          toLabel: `${other} ${label}`,
        });
        if (text) differences.push(text);
      };
      PHASES.flat().forEach((step, index) => {
        const [a, b] = [onDeno.outcomes[index], onOther.outcomes[index]];
        const label = `qualytics ${step.args.join(" ")}`;
        if (a.code !== (step.code ?? 0)) {
          differences.push(
            `${label}: exit ${a.code} on deno, expected ${step.code ?? 0}\n${a.stderr}`,
          );
        }
        if (a.code !== b.code) {
          differences.push(`${label}: exit ${a.code} on deno, ${b.code} on ${other}`);
        }
        diff(`stdout of ${label}`, a.stdout, b.stdout);
        diff(`stderr of ${label}`, a.stderr, b.stderr);
      });
      const files = [...new Set([...onDeno.files.keys(), ...onOther.files.keys()])].sort();
      for (const file of files) {
        diff(
          `~/${file}`,
          onDeno.files.get(file) ?? "(none)\n",
          onOther.files.get(file) ?? "(none)\n",
        );
      }
      assert.deepEqual([...onDeno.errors, ...onOther.errors], []);
      assert.equal(differences.join("\n"), "");
    },
  });
}
