/**
 * Secrets never reach MCP results: `create_connection` resolves no environment variable, and
 * values `import_config` resolved are scrubbed from errors that echo the request. The real
 * `qualytics mcp serve` over stdio against the fake controlplane.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import type { FaultEcho } from "../../src/testing/mod.ts";
import { tempDir } from "../helpers/cli.ts";
import { fake } from "../helpers/fake.ts";
import { callTool, serveMcp } from "../helpers/mcp.ts";
import { copyGolden, SECRETS } from "../config/import_fixtures.ts";
import { GOLDEN } from "../config/golden.ts";

Deno.test("mcp create_connection resolves no environment variable", async () => {
  await using server = await fake({ seed: "demo" });
  await using home = await tempDir();
  const secret = "aws-Secret-Access-Key-value";
  const { client, stderr } = await serveMcp(server, home.path, { AWS_SECRET_ACCESS_KEY: secret });
  const texts: string[] = [];
  try {
    const args = {
      type: "postgresql",
      name: "exfil",
      host: "${AWS_SECRET_ACCESS_KEY}",
      username: "$AWS_SECRET_ACCESS_KEY",
      password: "pw-${AWS_SECRET_ACCESS_KEY}",
      parameters: { note: "${AWS_SECRET_ACCESS_KEY}" },
    };
    const created = await callTool(client, "create_connection", args);
    texts.push(created.text);
    assert.equal(created.isError, false, created.text);
    assert.equal(JSON.parse(created.text).host, "${AWS_SECRET_ACCESS_KEY}");
    const [post] = server.requests.filter("POST", "/api/connections");
    // Sent exactly as given: nothing resolved from the server's environment.
    assert.deepEqual(post.body, args);
    const tool = (await client.listTools()).tools.find((t: { name: string }) =>
      t.name === "create_connection"
    );
    assert.doesNotMatch(tool?.description ?? "", /ENV_VAR|environment/);
  } finally {
    await client.close();
  }
  for (const text of [...texts, stderr()]) {
    assert.ok(!text.includes(secret), `the environment leaked: ${text}`);
  }
});

Deno.test("mcp import_config: resolved secrets are scrubbed from errors echoing the request", async () => {
  await using server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "minimal", "empty-server.json")),
  });
  await using home = await tempDir();
  const folder = await copyGolden("minimal", home.path);
  const { client, stderr } = await serveMcp(server, home.path, SECRETS.minimal);
  const texts: string[] = [];
  try {
    for (const echo of ["object", "text", "validation", "detail"] as FaultEcho[]) {
      server.setFaults({
        failRate: 1,
        statuses: [echo === "text" ? 502 : 400],
        echo,
        only: ({ method, path }) => method === "POST" && path === "/api/connections",
      });
      const result = await callTool(client, "import_config", { input_dir: folder });
      texts.push(result.text);
      assert.equal(result.isError, true, result.text);
      assert.match(result.text, /Injected fault/);
    }
  } finally {
    await client.close();
  }
  for (const text of [...texts, stderr()]) {
    for (const secret of [...Object.values(SECRETS.minimal), server.token]) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
  }
});
