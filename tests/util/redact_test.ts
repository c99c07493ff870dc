import assert from "node:assert/strict";
import { SecretRegistry, secretValues } from "../../src/util/redact.ts";
import { secretArguments } from "../../src/cli/main.ts";

Deno.test("SecretRegistry: scrubs every occurrence, longest first, never short strings", () => {
  const secrets = new SecretRegistry();
  assert.equal(secrets.scrub("nothing registered"), "nothing registered");
  secrets.add("abc", "", undefined, 42, "hunter2", "hunter2-and-more");
  assert.equal(secrets.size, 2, "strings shorter than 4 characters are not registered");
  assert.equal(
    secrets.scrub("abc hunter2-and-more hunter2 hunter2"),
    "abc *** *** ***",
  );
  const call = new SecretRegistry(secrets);
  call.add("more-hunter2-and-more");
  assert.equal(call.scrub("x more-hunter2-and-more hunter2"), "x *** ***");
  assert.equal(secrets.size, 2, "a child's secrets stay in the child");
});

Deno.test("SecretRegistry: a secret is scrubbed where it stands alone, never inside a word or a number", () => {
  const secrets = new SecretRegistry();
  secrets.add("postgres", "5432", "hunter2!");
  // `postgres` inside `postgresql` is another word; a short number would break JSON output.
  assert.equal(
    secrets.scrub('{"type": "postgresql", "port": 5432, "password": "postgres"}'),
    '{"type": "postgresql", "port": 5432, "password": "***"}',
  );
  assert.equal(secrets.scrub("user postgres: rejected postgres."), "user ***: rejected ***.");
  // A secret that starts or ends with a symbol has no word boundary there to respect.
  assert.equal(secrets.scrub("x=hunter2!y"), "x=***y");
  assert.equal(secrets.size, 2, "a number shorter than 8 digits is not registered");
});

Deno.test("secretValues and secretArguments find what a run sends", () => {
  assert.deepEqual(
    secretValues({
      password: "p1",
      parameters: { passphrase: "p2", role: "r" },
      list: [{ token: "t" }],
    }),
    ["p1", "p2", "t"],
  );
  assert.deepEqual(
    secretArguments([
      "connections",
      "create",
      "--password",
      "pw-1",
      "--secret-key=sk-2",
      "--host",
      "h",
      "--parameters",
      '{"passphrase": "pp-3", "role": "x"}',
      "--token",
    ]),
    ["pw-1", "sk-2", "pp-3"],
  );
});
