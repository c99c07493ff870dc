/**
 * The `mcp serve` command line: help, flag validation.
 */
import assert from "node:assert/strict";
import { runQualytics } from "../helpers/cli.ts";

Deno.test("mcp serve --help: transports and the client setup", async () => {
  const run = await runQualytics(["mcp", "serve", "--help"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /--transport <transport>/);
  assert.match(run.stdout, /stdio/);
  assert.match(run.stdout, /streamable-http/);
  assert.match(run.stdout, /Claude Code/);
  assert.match(run.stdout, /"args": \["mcp", "serve"\]/);
});

Deno.test("mcp serve: unknown transport or bad port is a usage error", async () => {
  const transport = await runQualytics(["mcp", "serve", "-t", "carrier-pigeon"]);
  assert.equal(transport.code, 2);
  assert.match(transport.stderr, /carrier-pigeon/);
  const port = await runQualytics(["mcp", "serve", "-t", "http", "--port", "70000"]);
  assert.equal(port.code, 2);
  assert.match(port.stderr, /not a port number/);
});

Deno.test("mcp: the group lists serve", async () => {
  const run = await runQualytics(["mcp"]);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /serve/);
});
