/** The README's first quick-start command (`deno task demo`) must keep working. */
import assert from "node:assert/strict";
import * as path from "node:path";

Deno.test("deno task demo runs the whole dev-to-prod story and exits 0", async () => {
  const repo = path.resolve(import.meta.dirname!, "..");
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", path.join(repo, "scripts/demo.ts")],
    cwd: repo,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, text);
  assert.match(text, /write requests made by the second import: 0/);
  assert.match(text, /Drift: 0 added, 1 changed, 0 removed/);
});
