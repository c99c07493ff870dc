import assert from "node:assert/strict";
import * as path from "node:path";
import {
  readStoredConfig,
  settingsPaths,
  writeStoredConfig,
} from "../../src/settings/config_file.ts";
import { checkToken, describeExpiry } from "../../src/settings/token.ts";
import { parseDotenv } from "../../src/util/dotenv.ts";
import { nodeFileSystem } from "../../src/util/fs.ts";
import { makeJwt } from "../../src/testing/jwt.ts";
import { tempDir } from "../helpers/cli.ts";

Deno.test("config.yaml is written in the original's format with mode 0600", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  const paths = settingsPaths({}, home);
  await writeStoredConfig(nodeFileSystem, paths, {
    url: "https://acme.qualytics.io/api/",
    token: "abc.def.ghi",
    ssl_verify: true,
  });
  assert.equal(
    await Deno.readTextFile(paths.yaml),
    "url: https://acme.qualytics.io/api/\ntoken: abc.def.ghi\nssl_verify: true\n",
  );
  if (Deno.build.os !== "windows") {
    assert.equal((await Deno.stat(paths.yaml)).mode! & 0o777, 0o600);
  }
  assert.deepEqual(await readStoredConfig(nodeFileSystem, paths), {
    url: "https://acme.qualytics.io/api/",
    token: "abc.def.ghi",
    ssl_verify: true,
  });
});

Deno.test("a hand-edited config.yaml is read as the original reads it; a broken one is named", async () => {
  await using tmp = await tempDir();
  const paths = settingsPaths({}, tmp.path);
  await Deno.mkdir(paths.dir, { recursive: true });
  // Flow style and a comment take the full parser; `no` and `30.0` are YAML 1.1 (PyYAML).
  await Deno.writeTextFile(
    paths.yaml,
    "{url: 'https://acme.qualytics.io/api/', token: t} # edited\nssl_verify: no\n",
  );
  await assert.rejects(readStoredConfig(nodeFileSystem, paths), (error: Error) => {
    assert.match(error.message, /config\.yaml:2:1: invalid YAML: .*Fix it or run 'qualytics/);
    return true;
  });
  await Deno.writeTextFile(
    paths.yaml,
    "url: https://acme.qualytics.io/api/ # edited\ntoken: t\nssl_verify: no\ntimeout: 30.0\n",
  );
  assert.deepEqual(await readStoredConfig(nodeFileSystem, paths), {
    url: "https://acme.qualytics.io/api/",
    token: "t",
    ssl_verify: false,
    timeout: 30,
  });
});

Deno.test("a legacy config.json is migrated to config.yaml", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  const paths = settingsPaths({}, home);
  await Deno.mkdir(paths.dir, { recursive: true });
  await Deno.writeTextFile(
    paths.legacyJson,
    JSON.stringify({ url: "https://x.io/api/", token: "t.o.k", ssl_verify: false, timeout: 60 }),
  );
  const notices: string[] = [];
  const config = await readStoredConfig(nodeFileSystem, paths, (message) => notices.push(message));
  assert.deepEqual(config, {
    url: "https://x.io/api/",
    token: "t.o.k",
    ssl_verify: false,
    timeout: 60,
  });
  assert.match(notices[0], /Migrated config from .*config\.json/);
  assert.equal(
    await Deno.readTextFile(paths.yaml),
    "url: https://x.io/api/\ntoken: t.o.k\nssl_verify: false\n",
  );
  assert.ok(await Deno.stat(paths.legacyJson), "the JSON file is kept");
});

Deno.test("QUALYTICS_CONFIG_DIR relocates the settings", () => {
  const paths = settingsPaths({ QUALYTICS_CONFIG_DIR: "/etc/q" }, "/home/me");
  assert.equal(paths.yaml, path.join("/etc/q", "config.yaml"));
  assert.equal(settingsPaths({}, "/home/me").dir, path.join("/home/me", ".qualytics"));
});

Deno.test("token expiry is read from the JWT exp claim", () => {
  const now = new Date("2026-01-10T00:00:00Z");
  const expired = makeJwt({ exp: Date.parse("2026-01-07T00:00:00Z") / 1000 });
  const valid = makeJwt({ exp: Date.parse("2026-01-20T12:00:00Z") / 1000 });
  const forever = makeJwt({ sub: "x" });
  assert.deepEqual(checkToken(forever, now), { valid: true });
  assert.equal(checkToken(valid, now).valid, true);
  const check = checkToken(expired, now);
  assert.equal(check.valid, false);
  assert.equal(!check.valid && check.reason, "expired");
  const malformed = checkToken("not-a-token", now);
  assert.equal(!malformed.valid && malformed.reason, "malformed");
  assert.equal(
    describeExpiry(new Date("2026-01-20T12:00:00Z"), now),
    "Token expires in 10 day(s) (2026-01-20 12:00 UTC)",
  );
  assert.equal(
    describeExpiry(new Date("2026-01-07T00:00:00Z"), now),
    "Token expired 3 day(s) ago (2026-01-07 00:00 UTC)",
  );
});

Deno.test(".env syntax: export, quotes, comments, interpolation", () => {
  assert.deepEqual(
    parseDotenv(
      "# comment\nexport A=1\nB='x y' \nC=\"${A}-two\" \nD=plain # trailing\nE=${HOME_DIR}/x\n",
      { HOME_DIR: "/h" },
    ),
    { A: "1", B: "x y", C: "1-two", D: "plain", E: "/h/x" },
  );
});
