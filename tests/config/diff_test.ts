/**
 * `config diff` (drift) end to end, and the unified diff it prints (checked against GNU
 * `diff -u` where it is installed).
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { unifiedDiff } from "../../src/util/unified_diff.ts";
import { compareFiles } from "../../src/services/config/diff.ts";
import { runQualytics, tempDir } from "../helpers/cli.ts";
import { envFor, fake } from "../helpers/fake.ts";
import { goldenCommands, serverData, snapshot } from "./golden.ts";

async function gnuDiff(a: string, b: string): Promise<string | undefined> {
  await using dir = await tempDir();
  await Deno.writeTextFile(path.join(String(dir), "a"), a);
  await Deno.writeTextFile(path.join(String(dir), "b"), b);
  try {
    const output = await new Deno.Command("diff", {
      args: ["-u", "--label", "a", "--label", "b", "a", "b"],
      cwd: String(dir),
      stdout: "piped",
    }).output();
    return new TextDecoder().decode(output.stdout);
  } catch {
    return undefined; // no diff(1) here
  }
}

const CASES: [string, string][] = [
  ["a\nb\nc\n", "a\nx\nc\n"],
  ["", "one\ntwo\n"],
  ["one\ntwo\n", ""],
  [
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n",
    "1\n2\nX\n4\n5\n6\n7\n8\n9\n10\n11\nY\n13\n14\n",
  ],
  ["1\n2\n3\n4\n5\n6\n7\n8\n", "0\n1\n2\n3\n5\n6\n7\n8\n9\n"],
  ["a\nb\n", "a\nb"],
  ["a\nb", "a\nc"],
  ["same\n", "same\n"],
  [
    "rule_type: between\ndescription: old\ncontainer: orders\nfields:\n- total\n",
    "rule_type: between\ndescription: new text\ncontainer: orders\nfields:\n- total\n- extra\n",
  ],
];

Deno.test("unifiedDiff matches GNU diff -u", async () => {
  for (const [a, b] of CASES) {
    const ours = unifiedDiff(a, b, { fromLabel: "a", toLabel: "b" });
    const theirs = await gnuDiff(a, b);
    if (theirs === undefined) return;
    assert.equal(ours, theirs, JSON.stringify([a, b]));
  }
});

Deno.test("unifiedDiff output applies with patch(1) to give the new text", async () => {
  await using dir = await tempDir();
  const file = path.join(String(dir), "f");
  let seed = 5;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const text = () =>
    Array.from({ length: Math.floor(random() * 20) }, () => "abcde"[Math.floor(random() * 5)])
      .join("\n") + (random() < 0.8 ? "\n" : "");
  for (let i = 0; i < 120; i++) {
    const [a, b] = [text(), text()];
    if (a === b) continue;
    await Deno.writeTextFile(file, a);
    const patchFile = path.join(String(dir), "p");
    await Deno.writeTextFile(patchFile, unifiedDiff(a, b, { context: i % 4 }));
    let output;
    try {
      output = await new Deno.Command("patch", {
        args: ["-s", "--no-backup-if-mismatch", "-F0", file, patchFile],
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch {
      return; // no patch(1) here
    }
    assert.equal(output.code, 0, JSON.stringify([a, b]));
    assert.equal(await Deno.readTextFile(file), b, JSON.stringify([a, b]));
  }
});

Deno.test("compareFiles classifies added, changed, removed and unchanged files", () => {
  const report = compareFiles(
    [{ path: "x.yaml", content: "a: 1\n" }, { path: "y.yaml", content: "b: 2\n" }, {
      path: "z.yaml",
      content: "c: 3\n",
    }],
    new Map([["x.yaml", "a: 1\n"], ["y.yaml", "b: 1\n"], ["old.yaml", "d: 4\n"]]),
    ["old.yaml"],
  );
  assert.equal(report.unchanged, 1);
  assert.deepEqual(report.files.map((file) => [file.path, file.status]), [
    ["old.yaml", "removed"],
    ["y.yaml", "changed"],
    ["z.yaml", "added"],
  ]);
  assert.match(
    report.files[1].diff,
    /^--- a\/y\.yaml\n\+\+\+ b\/y\.yaml\n@@ -1 \+1 @@\n-b: 1\n\+b: 2\n$/,
  );
});

Deno.test("config diff: no drift exits 0, drift exits 2 with --detailed-exitcode", async () => {
  const data = JSON.parse(await serverData("retail"));
  await using server = await fake({ data });
  await using cwd = await tempDir();
  const env = envFor(server);
  const [exportArgs] = await goldenCommands("retail", "config", "export");
  assert.equal((await runQualytics(exportArgs, { env, cwd: String(cwd) })).code, 0);
  const folder = path.join(String(cwd), "config-export");
  const before = await snapshot(folder);

  // Datastores derived from the folder (names → ids on the server), and given explicitly.
  for (
    const extra of [[], ["--datastore-id", "21", "--datastore-id", "22", "--datastore-id", "23"]]
  ) {
    const clean = await runQualytics(
      ["config", "diff", "--input", "config-export", "--detailed-exitcode", ...extra],
      { env, cwd: String(cwd) },
    );
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(clean.stdout, "");
    assert.match(clean.stderr, /No drift/);
  }

  // Someone edits a check in the UI, deletes another and adds a computed field's change.
  const edited = server.state.checks.get(601)!;
  edited.description = "Edited in the UI";
  const response = await fetch(`${server.url}/api/quality-checks/606?archive=false`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${server.token}` },
  });
  await response.body?.cancel();
  assert.ok(response.ok);

  const drift = await runQualytics(
    ["config", "diff", "-i", "config-export", "--detailed-exitcode"],
    { env, cwd: String(cwd) },
  );
  assert.equal(drift.code, 2, drift.stderr);
  const editedFile = "datastores/retail_dw/checks/sales_orders/notnull__order_id.yaml";
  assert.match(drift.stdout, new RegExp(`--- a/${editedFile}\n\\+\\+\\+ b/${editedFile}\n@@ `));
  assert.match(drift.stdout, /\n\+description: Edited in the UI\n/);
  assert.match(
    drift.stdout,
    /--- a\/datastores\/retail_dw\/checks\/sales_orders\/freshness\.yaml\n\+\+\+ \/dev\/null\n/,
  );
  assert.match(
    drift.stderr,
    /~ datastores\/retail_dw\/checks\/sales_orders\/notnull__order_id\.yaml \(changed\)/,
  );
  assert.match(
    drift.stderr,
    /- datastores\/retail_dw\/checks\/sales_orders\/freshness\.yaml \(removed\)/,
  );
  assert.match(drift.stderr, /Drift: 0 added, 1 changed, 1 removed/);

  // Without --detailed-exitcode drift is reported but the exit code is 0; JSON on request.
  const json = await runQualytics(
    ["config", "diff", "-i", "config-export", "--format", "json"],
    { env, cwd: String(cwd) },
  );
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.drift, true);
  assert.deepEqual(
    report.files.map((file: { path: string; status: string }) => [file.path, file.status]),
    [
      ["datastores/retail_dw/checks/sales_orders/freshness.yaml", "removed"],
      [editedFile, "changed"],
    ],
  );

  // Diff never writes: the folder is as exported.
  assert.deepEqual(await snapshot(folder), before);
  assert.equal(server.requests.writes().length, 1, "only the test's own DELETE");
});

Deno.test("config diff: a missing folder, or a file, is an error (exit 1)", async () => {
  await using server = await fake({ data: await serverData("minimal") });
  await using cwd = await tempDir();
  await Deno.writeTextFile(path.join(String(cwd), "a-file.yaml"), "name: x\n");
  for (const input of ["nope", "a-file.yaml"]) {
    const run = await runQualytics(
      ["config", "diff", "--input", input, "--detailed-exitcode"],
      { env: envFor(server), cwd: String(cwd) },
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`Input directory not found: ${input}`));
  }
  assert.equal(server.requests.length, 0);
});

Deno.test("config diff: a literal secret in a connection file is never printed", async () => {
  await using server = await fake({ data: await serverData("minimal") });
  await using cwd = await tempDir();
  const env = envFor(server);
  const [exportArgs] = await goldenCommands("minimal", "config", "export");
  assert.equal((await runQualytics(exportArgs, { env, cwd: String(cwd) })).code, 0);
  const file = path.join(String(cwd), "config-export", "connections", "prod_pg.yaml");
  const text = await Deno.readTextFile(file);
  await Deno.writeTextFile(file, text.replace("${PROD_PG_PASSWORD}", "hunter2-literal"));
  for (const extra of [[], ["--format", "json"]]) {
    const run = await runQualytics(
      ["config", "diff", "-i", "config-export", "--detailed-exitcode", ...extra],
      { env, cwd: String(cwd) },
    );
    assert.equal(run.code, 2, run.stderr);
    assert.ok(!`${run.stdout}${run.stderr}`.includes("hunter2-literal"), run.stdout);
    assert.match(run.stdout, /-password: \*\*\*/);
    // The placeholder on the live side is shown as it is.
    assert.match(run.stdout, /\+password: \$\{PROD_PG_PASSWORD\}/);
  }
});
