/** End-to-end tests of `qualytics users`, `teams` and `tags` against the fake controlplane. */
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { cliFor, fake, plain } from "../helpers/fake.ts";

Deno.test("users list and get", async () => {
  await using server = await fake({ seed: "demo" });
  const run = cliFor(server);
  const listed = await run(["users", "list", "--format", "json"]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(server.requests.last()!.query, { page: ["1"], size: ["100"] });
  const users = JSON.parse(listed.stdout);
  assert.equal(users.length, 5);
  assert.match(listed.stderr, /Found 5 user\(s\)\./);
  const table = await run(["users", "list", "-f", "table"]);
  assert.match(table.stdout, /admin@example\.com/);
  const got = await run(["users", "get", "--id", "2"]);
  assert.equal(got.code, 0);
  assert.equal(parseYaml(got.stdout).email, "manager@example.com");
  assert.equal(server.requests.last()!.path, "/api/users/2");
  const missing = await run(["users", "get", "--id", "999"]);
  assert.equal(missing.code, 1);
  const bad = await run(["users", "list", "--format", "xml"]);
  assert.equal(bad.code, 2);
});

Deno.test("teams list and get", async () => {
  await using server = await fake({ seed: "demo" });
  const run = cliFor(server);
  const listed = await run(["teams", "list"]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(parseYaml(listed.stdout).length, 4);
  assert.match(listed.stderr, /Found 4 team\(s\)\./);
  const got = await run(["teams", "get", "--id", "3", "--format", "json"]);
  assert.equal(JSON.parse(got.stdout).name, "Analytics");
  assert.equal(server.requests.last()!.path, "/api/teams/3");
  const missing = await run(["teams", "get", "--id", "999"]);
  assert.equal(missing.code, 1);
  const bad = await run(["teams", "get", "--id", "x"]);
  assert.equal(bad.code, 2);
});

Deno.test("tags list, get, create, delete", async () => {
  await using server = await fake({ seed: "demo" });
  const run = cliFor(server);
  const listed = await run(["tags", "list", "--format", "json"]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(JSON.parse(listed.stdout).some((tag: { name: string }) => tag.name === "pii"));
  assert.equal(server.requests.last()!.path, "/api/global-tags");

  const created = await run([
    "tags",
    "create",
    "--name",
    "gold tier",
    "--color",
    "#FF0000",
    "--weight-modifier",
    "3",
  ]);
  assert.equal(created.code, 0, created.stderr);
  const post = server.requests.last()!;
  assert.equal(post.method, "POST");
  assert.equal(post.path, "/api/global-tags");
  assert.deepEqual(plain(post.body), {
    type: "global",
    name: "gold tier",
    color: "#FF0000",
    weight_modifier: 3,
  });
  assert.equal(parseYaml(created.stdout).name, "gold tier");
  assert.match(created.stderr, /Tag created successfully!/);

  const duplicate = await run(["tags", "create", "--name", "gold tier"]);
  assert.equal(duplicate.code, 1);

  const got = await run(["tags", "get", "--name", "gold tier", "--format", "json"]);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(JSON.parse(got.stdout).color, "#FF0000");
  assert.equal(server.requests.last()!.path, "/api/global-tags/gold%20tier");

  const deleted = await run(["tags", "delete", "--name", "gold tier"]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(server.requests.last()!.method, "DELETE");
  const again = await run(["tags", "delete", "--name", "gold tier"]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /Failed to delete tag 'gold tier'/);

  const badWeight = await run(["tags", "create", "--name", "x", "--weight-modifier", "11"]);
  assert.equal(badWeight.code, 2);
  const badColor = await run(["tags", "create", "--name", "x", "--color", "red"]);
  assert.equal(badColor.code, 2);
});
