/**
 * Tests of `qualytics schedule export-metadata`: the printed entry, and `--install` with a
 * recording `crontab` (an injected collaborator) that keeps the rest of the crontab.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { makeJwt } from "../../src/testing/mod.ts";
import { runQualytics } from "../helpers/cli.ts";

const TOKEN = makeJwt({ sub: "1", exp: Math.floor(Date.now() / 1000) + 86_400 * 30 });

async function withHome(fn: (home: string) => Promise<void>, token: string | null = TOKEN) {
  const home = await Deno.makeTempDir({ prefix: "qualytics-schedule-" });
  try {
    await Deno.mkdir(path.join(home, ".qualytics"));
    await Deno.writeTextFile(
      path.join(home, ".qualytics", "config.yaml"),
      `url: https://acme.qualytics.io/api/\n${token ? `token: ${token}\n` : ""}ssl_verify: true\n`,
    );
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/** A `crontab` program over an in-memory crontab, recording every call. */
function fakeCrontab(initial: string | null) {
  let table = initial;
  const calls: { args: string[]; input?: string }[] = [];
  return {
    calls,
    get table() {
      return table;
    },
    runProgram: (program: string, args: string[], input?: string) => {
      assert.equal(program, "crontab");
      calls.push({ args, input });
      if (args[0] === "-l") {
        return Promise.resolve(
          table === null
            ? { code: 1, stdout: "", stderr: "no crontab for tester\n" }
            : { code: 0, stdout: table, stderr: "" },
        );
      }
      table = input ?? "";
      return Promise.resolve({ code: 0, stdout: "", stderr: "" });
    },
  };
}

const ARGS = [
  "schedule",
  "export-metadata",
  "--crontab",
  "0 2 * * *",
  "--datastore",
  "1",
  "--containers",
  "11,12",
  "--options",
  "anomalies,checks",
];

Deno.test("schedule export-metadata: prints the block and changes nothing", async () => {
  await withHome(async (home) => {
    const crontab = fakeCrontab("MAILTO=me\n");
    const result = await runQualytics(ARGS, { home, runProgram: crontab.runProgram });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(crontab.calls.length, 0);
    const lines = result.stdout.trimEnd().split("\n");
    assert.equal(lines[0], "# BEGIN qualytics export-metadata 1");
    assert.equal(lines.at(-1), "# END qualytics export-metadata 1");
    const entries = lines.filter((line) => line.startsWith("0 2 * * * "));
    assert.equal(entries.length, 2);
    assert.ok(entries[0].includes(
      "'https://acme.qualytics.io/api/export/anomalies?datastore=1&containers=11&containers=12'",
    ));
    assert.ok(entries[1].includes("/api/export/checks?datastore=1"));
    assert.ok(!result.stdout.includes(TOKEN), "the token must not be in the entry");
    assert.ok(result.stdout.includes(path.join(home, ".qualytics", "config.yaml")));
    assert.match(result.stderr, /Nothing was installed/);
  });
});

Deno.test("schedule export-metadata --install: adds one block, idempotently", async () => {
  await withHome(async (home) => {
    const crontab = fakeCrontab("MAILTO=me\n15 * * * * /usr/local/bin/backup\n");
    const install = [...ARGS, "--install"];
    const first = await runQualytics(install, { home, runProgram: crontab.runProgram });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(crontab.calls.map((call) => call.args), [["-l"], ["-"]]);
    const table = crontab.table!;
    assert.ok(table.startsWith("MAILTO=me\n15 * * * * /usr/local/bin/backup\n# BEGIN"));
    assert.equal(table.split("# BEGIN qualytics export-metadata 1").length, 2);
    assert.match(first.stderr, /Crontab successfully updated/);

    const second = await runQualytics(install, { home, runProgram: crontab.runProgram });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(crontab.table, table);
    assert.deepEqual(crontab.calls.map((call) => call.args), [["-l"], ["-"], ["-l"]]);
    assert.match(second.stderr, /nothing changed/);

    // A new schedule replaces the block in place.
    const changed = install.map((arg) => arg === "0 2 * * *" ? "30 3 * * 1-5" : arg);
    const third = await runQualytics(changed, { home, runProgram: crontab.runProgram });
    assert.equal(third.code, 0, third.stderr);
    assert.ok(crontab.table!.includes("30 3 * * 1-5 /usr/bin/curl"));
    assert.ok(!crontab.table!.includes("0 2 * * * /usr/bin/curl"));
    assert.ok(crontab.table!.startsWith("MAILTO=me\n15 * * * * /usr/local/bin/backup\n"));
  });
});

Deno.test("schedule export-metadata --install: works without an existing crontab", async () => {
  await withHome(async (home) => {
    const crontab = fakeCrontab(null);
    const result = await runQualytics([...ARGS, "--install"], {
      home,
      runProgram: crontab.runProgram,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(crontab.table!.startsWith("# BEGIN qualytics export-metadata 1\n"));
  });
});

Deno.test("schedule export-metadata: invalid cron and bad flags are usage errors (exit 2)", async () => {
  await withHome(async (home) => {
    const crontab = fakeCrontab("");
    for (const cron of ["61 * * * *", "* * *", "0 0 1 1 * 2020"]) {
      const args = ARGS.map((arg) => arg === "0 2 * * *" ? cron : arg);
      const result = await runQualytics([...args, "--install"], {
        home,
        runProgram: crontab.runProgram,
      });
      assert.equal(result.code, 2, cron);
      assert.match(result.stderr, /Invalid crontab expression/);
      assert.equal(result.stdout, "");
    }
    const badOption = await runQualytics(
      ARGS.map((arg) => arg === "anomalies,checks" ? "anomalies,logs" : arg),
      { home },
    );
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /Invalid option 'logs'/);
    const badDatastore = await runQualytics(ARGS.map((arg) => arg === "1" ? "one" : arg), { home });
    assert.equal(badDatastore.code, 2);
    const missing = await runQualytics(["schedule", "export-metadata", "--crontab", "0 2 * * *"], {
      home,
    });
    assert.equal(missing.code, 2);
    assert.equal(crontab.calls.length, 0);
  });
});

Deno.test("schedule export-metadata --install: refuses without a token in the settings file", async () => {
  await withHome(async (home) => {
    const crontab = fakeCrontab("");
    const result = await runQualytics([...ARGS, "--install"], {
      home,
      runProgram: crontab.runProgram,
      env: { QUALYTICS_TOKEN: TOKEN },
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /holds no token/);
    assert.equal(crontab.calls.length, 0);
  }, null);
});
