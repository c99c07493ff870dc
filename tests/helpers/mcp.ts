/**
 * The real `qualytics mcp serve` over stdio, driven by the MCP SDK's client, for end-to-end
 * tests against the fake controlplane.
 */
import * as path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { envFor } from "./fake.ts";

const repoRoot = path.resolve(import.meta.dirname!, "../..");
/** The CLI's entry point. */
export const CLI = path.join(repoRoot, "cli.ts");
/** Deno's cache of this test run, so that the server starts without downloading anything. */
export const DENO_DIR = Deno.env.get("DENO_DIR") ??
  path.join(Deno.env.get("HOME") ?? "", ".cache/deno");

/** What a tool call returned: its first text and whether it is an error. */
export interface ToolText {
  isError: boolean;
  text: string;
}

/**
 * Starts `mcp serve` (stdio) in `home` (also its HOME) against `server`, with `env` added to
 * its environment, and connects a client. Close the client to stop the server.
 */
export async function serveMcp(
  server: { url: string; token: string },
  home: string,
  env: Record<string, string> = {},
): Promise<{
  client: Client;
  stderr: () => string;
  call: (name: string, args?: Record<string, unknown>) => Promise<ToolText>;
}> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", "--quiet", CLI, "mcp", "serve"],
    cwd: home,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: home,
      DENO_DIR,
      QUALYTICS_NO_BANNER: "1",
      ...envFor(server),
      ...env,
    },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: unknown) => stderr += String(chunk));
  const client = new Client({ name: "qualytics-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, stderr: () => stderr, call: (name, args) => callTool(client, name, args) };
}

/** Calls a tool and returns its text (a result must be exactly one text). */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolText> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text: string }>;
  if (content.length !== 1 || content[0].type !== "text") {
    throw new Error(`${name}: expected one text, got ${JSON.stringify(result.content)}`);
  }
  return { isError: result.isError === true, text: content[0].text };
}
