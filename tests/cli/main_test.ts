import assert from "node:assert/strict";
import * as path from "node:path";
import { expandMultiLetterFlags } from "../../src/cli/main.ts";
import { VERSION } from "../../src/version.ts";
import { runQualytics, runQualyticsProcess, tempDir } from "../helpers/cli.ts";
import { envFor, fake } from "../helpers/fake.ts";

Deno.test("--version prints the version on stdout", async () => {
  const result = await runQualytics(["--version"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), `Qualytics CLI Version: ${VERSION}`);
});

Deno.test("no arguments and a bare group print help and exit 0", async () => {
  const root = await runQualytics([]);
  assert.equal(root.code, 0);
  for (
    const group of [
      "auth",
      "connections",
      "datastores",
      "containers",
      "checks",
      "anomalies",
      "operations",
      "config",
      "schedule",
      "mcp",
      "users",
      "teams",
      "tags",
      "doctor",
      "completions",
    ]
  ) {
    assert.match(root.stdout, new RegExp(`\\n  ${group}\\b`), group);
  }
  const auth = await runQualytics(["auth"]);
  assert.equal(auth.code, 0);
  assert.match(auth.stdout, /login/);
  assert.match(auth.stdout, /status/);
});

Deno.test("a mistyped command is a usage error with a suggestion", async () => {
  const result = await runQualytics(["datastors", "list"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Did you mean datastores\?/);
  assert.equal(result.stdout, "");
  const sub = await runQualytics(["auth", "stauts"]);
  assert.equal(sub.code, 2);
  assert.match(sub.stderr, /Did you mean status\?/);
});

Deno.test("multi-letter short flags of the original are rewritten to long flags", () => {
  assert.deepEqual(
    expandMultiLetterFlags([
      "datastores",
      "create",
      "-cn",
      "pg",
      "-db=sales",
      "-sc",
      "public",
      "--",
      "-cn",
    ]),
    [
      "datastores",
      "create",
      "--connection-name",
      "pg",
      "--database=sales",
      "--schema",
      "public",
      "--",
      "-cn",
    ],
  );
});

Deno.test("completions are generated for bash, zsh and fish from the command tree", async () => {
  for (const shell of ["bash", "zsh", "fish"]) {
    const result = await runQualytics(["completions", shell]);
    assert.equal(result.code, 0, shell);
    assert.match(result.stdout, /datastores/);
    assert.match(result.stdout, /export-metadata/);
  }
  const bash = await runQualytics(["completions", "bash"]);
  assert.match(bash.stdout, /--format\) COMPREPLY=\( \$\(compgen -W "yaml json table"/);
  const bad = await runQualytics(["completions", "tcsh"]);
  assert.equal(bad.code, 2);
});

Deno.test("help of a command shows examples", async () => {
  const result = await runQualytics(["auth", "init", "--help"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Examples:/);
  assert.match(result.stdout, /--no-verify-ssl/);
});

Deno.test("the real binary entry runs as a subprocess with clean streams", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  const result = await runQualyticsProcess(["--version"], { home });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `Qualytics CLI Version: ${VERSION}\n`);
  const usage = await runQualyticsProcess(["nope"], { home });
  assert.equal(usage.code, 2);
  assert.equal(usage.stdout, "");
});

const ESCAPE = String.fromCharCode(27);

Deno.test("colours only on a terminal and never with NO_COLOR; errors are one line", async () => {
  const plain = await runQualytics(["auth", "status"]);
  assert.equal(plain.code, 1);
  assert.ok(!plain.stderr.includes(ESCAPE));
  assert.equal(plain.stderr.trim().split("\n").length, 1);
  const tty = await runQualytics(["auth", "status"], { tty: true });
  assert.ok(tty.stderr.includes(`${ESCAPE}[31m`));
  const noColor = await runQualytics(["auth", "status"], { tty: true, env: { NO_COLOR: "1" } });
  assert.ok(!noColor.stderr.includes(ESCAPE));
});

Deno.test("--debug traces requests on stderr without the token; floats stay floats", async () => {
  await using server = await fake({ seed: "demo" });
  const result = await runQualytics([
    "--debug",
    "checks",
    "list",
    "--datastore-id",
    "1",
    "--format",
    "yaml",
  ], {
    env: envFor(server),
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /\[debug\] → GET http:\/\/127\.0\.0\.1:\d+\/api\/quality-checks\?/);
  assert.match(result.stderr, /\[debug\] ← 200 GET/);
  assert.ok(!result.stderr.includes(server.token));
  assert.ok(!result.stdout.includes("[debug]"));
  assert.match(result.stdout, /coverage: 1\.0\n/);
});

Deno.test("a reader that stops reading (| head) ends the CLI quietly, not with EPIPE", async () => {
  await using server = await fake({ seed: "scale", scale: { datastores: 1, containers: 40 } });
  await using tmp = await tempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      path.resolve(import.meta.dirname!, "../../cli.ts"),
      "checks",
      "list",
      "--datastore-id",
      "1",
      "--format",
      "json",
    ],
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: tmp.path,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? path.join(Deno.env.get("HOME") ?? "", ".cache/deno"),
      ...envFor(server),
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Read one chunk, then close the pipe like `head -1` does.
  const reader = child.stdout.getReader();
  await reader.read();
  await reader.cancel();
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  assert.doesNotMatch(stderr, /EPIPE|Uncaught/);
  assert.equal(status.code, 0);
});
