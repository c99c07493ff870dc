import assert from "node:assert/strict";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { makeJwt } from "../../src/testing/jwt.ts";
import { runQualytics, tempDir } from "../helpers/cli.ts";
import { envFor, fake } from "../helpers/fake.ts";

const farFuture = () => makeJwt({ exp: Math.floor(Date.now() / 1000) + 30 * 86400, sub: "me" });

Deno.test("auth init validates the token and saves the normalised URL", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  const token = farFuture();
  const saved = await runQualytics(
    ["auth", "init", "--url", "acme.qualytics.io", "--token", token],
    {
      home,
    },
  );
  assert.equal(saved.code, 0, saved.stderr);
  assert.equal(saved.stdout, "");
  assert.match(saved.stderr, /Configuration saved/);
  const file = await Deno.readTextFile(path.join(home, ".qualytics", "config.yaml"));
  assert.equal(file, `url: https://acme.qualytics.io/api/\ntoken: ${token}\nssl_verify: true\n`);

  const noVerify = await runQualytics(
    ["auth", "init", "--url", "http://127.0.0.1:9", "--token", token, "--no-verify-ssl"],
    { home },
  );
  assert.equal(noVerify.code, 0);
  assert.match(noVerify.stderr, /SSL verification is disabled/);
  assert.match(
    await Deno.readTextFile(path.join(home, ".qualytics", "config.yaml")),
    /ssl_verify: false/,
  );
});

Deno.test("auth init refuses malformed and expired tokens and saves nothing", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  const malformed = await runQualytics(["auth", "init", "--url", "x.io", "--token", "garbage"], {
    home,
  });
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /not valid/);
  const expired = makeJwt({ exp: Math.floor(Date.now() / 1000) - 3600 });
  const old = await runQualytics(["auth", "init", "--url", "x.io", "--token", expired], { home });
  assert.equal(old.code, 1);
  assert.match(old.stderr, /expired/);
  await assert.rejects(Deno.stat(path.join(home, ".qualytics", "config.yaml")));
  const missing = await runQualytics(["auth", "init", "--url", "x.io"], { home });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--token/);
});

Deno.test("auth status shows the masked token, and env overrides the file", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  const token = farFuture();
  await runQualytics(["auth", "init", "--url", "file.example.com", "--token", token], { home });
  const status = await runQualytics(["auth", "status"], { home });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /URL: +https:\/\/file\.example\.com\/api\//);
  assert.match(status.stdout, new RegExp(`Token: +${token.slice(0, 4)}\\*{16}`));
  assert.ok(!status.stdout.includes(token));
  assert.match(status.stdout, /Token expires in (29|30) day\(s\)/);

  const overridden = await runQualytics(["auth", "status", "--format", "json"], {
    home,
    env: { QUALYTICS_URL: "env.example.com", QUALYTICS_TIMEOUT: "7" },
  });
  const data = JSON.parse(overridden.stdout);
  assert.equal(data.url, "https://env.example.com/api/");
  assert.equal(data.url_source, "env");
  assert.equal(data.token_source, "file");
  assert.equal(data.timeout_seconds, 7);

  const fromDotenv = await runQualytics(["auth", "status", "-f", "yaml"], { home, cwd: home });
  assert.equal(parseYaml(fromDotenv.stdout).url_source, "file");
  await Deno.writeTextFile(path.join(home, ".env"), "QUALYTICS_URL=dotenv.example.com\n");
  const dotenv = await runQualytics(["auth", "status", "-f", "yaml"], { home, cwd: home });
  assert.equal(parseYaml(dotenv.stdout).url, "https://dotenv.example.com/api/");
  const envWins = await runQualytics(["auth", "status", "-f", "yaml"], {
    home,
    cwd: home,
    env: { QUALYTICS_URL: "shell.example.com" },
  });
  assert.equal(parseYaml(envWins.stdout).url, "https://shell.example.com/api/");
});

Deno.test("auth status: not configured and expired tokens exit 1", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  const none = await runQualytics(["auth", "status"], { home });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /Not logged in/);
  const expired = makeJwt({ exp: Math.floor(Date.now() / 1000) - 3 * 86400 - 60 });
  const result = await runQualytics(["auth", "status"], {
    home,
    env: { QUALYTICS_URL: "x.io", QUALYTICS_TOKEN: expired },
  });
  assert.equal(result.code, 1);
  assert.match(result.stdout, /Token expired 3 day\(s\) ago/);
});

Deno.test("auth login completes the browser flow against the fake controlplane", async () => {
  await using server = await fake({ seed: "empty" });
  await using tmp = await tempDir();
  const home = tmp.path;
  const opened: string[] = [];
  const result = await runQualytics(["auth", "login", "--url", server.url, "--timeout", "10"], {
    home,
    hostname: "laptop.local",
    openBrowser: async (url) => {
      opened.push(url);
      // The browser follows the server's redirect to the loopback callback.
      const response = await fetch(url);
      await response.text();
      return true;
    },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    opened[0],
    /\/api\/cli\/authorize\?redirect_uri=http:\/\/127\.0\.0\.1:\d+\/callback&state=[\w-]{43}&hostname=laptop$/,
  );
  assert.match(result.stderr, /Authentication successful/);
  const config = parseYaml(await Deno.readTextFile(path.join(home, ".qualytics", "config.yaml")));
  assert.equal(config.url, `${server.url}/api/`);
  const check = await runQualytics(["auth", "status", "-f", "json"], { home });
  assert.equal(JSON.parse(check.stdout).status, "Logged in");
  const authorized = await fetch(`${server.url}/api/connections?page=1&size=10`, {
    headers: { Authorization: `Bearer ${config.token}` },
  });
  await authorized.body?.cancel();
  assert.equal(authorized.status, 200, "the token the server issued works");
});

Deno.test("auth login refuses a callback with the wrong state, and keeps waiting for the right one", async () => {
  await using server = await fake({ seed: "empty" });
  await using tmp = await tempDir();
  const home = tmp.path;
  const forge = async (url: string) => {
    const forged = url.replace(/state=[\w-]+/, "state=forged");
    const response = await fetch(forged);
    assert.equal(response.status, 400);
    await response.text();
  };
  // Only forged callbacks: nothing is saved, and the timeout says why.
  const refused = await runQualytics(["auth", "login", "--url", server.url, "--timeout", "1"], {
    home,
    openBrowser: async (url) => {
      await forge(url);
      return true;
    },
  });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /timed out.*1 callback\(s\) with a wrong state were refused/s);
  await assert.rejects(Deno.stat(path.join(home, ".qualytics", "config.yaml")));

  // A forged callback first (another page, another process) does not end the login.
  const result = await runQualytics(["auth", "login", "--url", server.url, "--timeout", "10"], {
    home,
    openBrowser: async (url) => {
      await forge(url);
      const response = await fetch(url);
      await response.text();
      return true;
    },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /Authentication successful/);
});

Deno.test("auth login times out and prints the URL when no browser opens", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  const result = await runQualytics(
    ["auth", "login", "--url", "http://127.0.0.1:9", "--timeout", "1"],
    { home },
  );
  assert.equal(result.code, 1);
  assert.match(result.stderr, /http:\/\/127\.0\.0\.1:9\/api\/cli\/authorize\?/);
  assert.match(result.stderr, /timed out/);
});

Deno.test("commands that need the API explain missing, expired and malformed tokens", async () => {
  const { createClient } = await import("../../src/cli/session.ts");
  const { nodeFileSystem } = await import("../../src/util/fs.ts");
  await using tmp = await tempDir();
  const home = tmp.path;
  const context = (env: Record<string, string>) => ({
    stdout: { write: () => {}, isTTY: false },
    stderr: { write: () => {}, isTTY: false },
    env,
    cwd: home,
    homeDir: home,
    hostname: "h",
    platform: "linux",
    fs: nodeFileSystem,
    now: () => new Date(),
    sleep: () => Promise.resolve(),
    openBrowser: () => Promise.resolve(false),
    stdinIsTTY: false,
  });
  await assert.rejects(createClient(context({})), /Configuration not found/);
  await assert.rejects(
    createClient(context({
      QUALYTICS_URL: "x.io",
      QUALYTICS_TOKEN: makeJwt({ exp: Math.floor(Date.now() / 1000) - 10 }),
    })),
    /token expired/,
  );
  await assert.rejects(
    createClient(context({ QUALYTICS_URL: "x.io", QUALYTICS_TOKEN: "abc" })),
    /token is not valid/,
  );
  void envFor;
});
