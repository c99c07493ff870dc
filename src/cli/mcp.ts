/**
 * `qualytics mcp serve`: the MCP server for AI assistants, over stdio (default) or streamable
 * HTTP. In stdio mode stdout carries only the protocol; every message goes to stderr.
 *
 * @module
 */
import process from "node:process";
import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import type { McpDeps } from "../mcp/server.ts";
import { examples } from "./common.ts";
import type { Runtime } from "./runtime.ts";
import { createClient, resolveSettings } from "./session.ts";

/** Transports of `mcp serve`; `streamable-http`, `http` and `sse` all serve streamable HTTP. */
export const MCP_TRANSPORTS = ["stdio", "streamable-http", "http", "sse"] as const;

/** Options of `mcp serve`. */
export interface McpServeOptions {
  transport: typeof MCP_TRANSPORTS[number];
  host: string;
  port: number;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) {
    throw new InvalidArgumentError(`'${value}' is not a port number (0-65535).`);
  }
  return port;
}

/** The server's collaborators, built from the CLI's context. */
export function mcpDeps(runtime: Runtime): McpDeps {
  const { ctx } = runtime;
  return {
    // A fresh client per tool call: a login done while the server runs takes effect.
    client: () => createClient(ctx, { debug: runtime.globals().debug }),
    settings: async () => {
      const settings = await resolveSettings(ctx);
      return {
        url: settings.url,
        token: settings.token,
        sslVerify: settings.sslVerify,
        configFile: settings.paths.yaml,
        urlSource: settings.urlSource,
        tokenSource: settings.tokenSource,
      };
    },
    fs: ctx.fs,
    env: ctx.env,
    cwd: ctx.cwd,
    now: ctx.now,
    sleep: ctx.sleep,
    log: (line) => ctx.stderr.write(`${line}\n`),
    secrets: ctx.secrets,
  };
}

/** Resolves on the first SIGINT or SIGTERM (then stops listening for them). */
function untilSignal(signal: AbortController): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      signal.abort();
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    signal.signal.addEventListener("abort", stop, { once: true });
  });
}

/** Runs the server until the client disconnects (stdio) or the process is interrupted. */
export async function runMcpServe(runtime: Runtime, options: McpServeOptions): Promise<number> {
  const { ui } = runtime;
  const deps = mcpDeps(runtime);
  const settings = await deps.settings();
  if (!settings.url || !settings.token) {
    // Serve anyway: auth_status then tells the assistant (and so the user) what to do, which
    // is more helpful than an MCP client reporting a server that failed to start.
    ui.warn(
      "Not authenticated: tools will fail until you run 'qualytics auth login --url <your-url>' " +
        "(or set QUALYTICS_URL and QUALYTICS_TOKEN) and restart the server.",
    );
  }
  // The MCP SDK and its schema libraries take longer to load than most commands take to run:
  // only this command loads them.
  const [{ createMcpServer }, { serveStdio, serveStreamableHttp }] = await Promise.all([
    import("../mcp/server.ts"),
    import("../mcp/transports.ts"),
  ]);
  const stop = new AbortController();
  if (options.transport === "stdio") {
    const stopped = untilSignal(stop);
    await serveStdio(createMcpServer(deps), { signal: stop.signal });
    stop.abort();
    await stopped;
    return 0;
  }
  const http = await serveStreamableHttp(() => createMcpServer(deps), {
    host: options.host,
    port: options.port,
    log: deps.log,
  });
  ui.info(`Qualytics MCP server listening on ${http.url} (streamable HTTP). Ctrl-C stops it.`);
  await untilSignal(stop);
  await http.close();
  return 0;
}

/** The `mcp` group. */
export function mcpCommand(runtime: Runtime): Command {
  const mcp = new Command("mcp").description("Model Context Protocol server for AI assistants.");
  mcp.command("serve")
    .summary("Serve Qualytics tools to an MCP client (Claude Code, Cursor, Windsurf).")
    .description(
      "Serve Qualytics tools (connections, datastores, containers, checks, anomalies, " +
        "operations, config as code) to an MCP client such as Claude Code, Cursor or " +
        "Windsurf. stdio (default) is what MCP clients start; the HTTP transports serve " +
        "streamable HTTP at http://<host>:<port>/mcp.",
    )
    .addOption(
      new Option("-t, --transport <transport>", "stdio, or streamable-http (alias http, sse).")
        .choices(MCP_TRANSPORTS)
        .default("stdio" as const),
    )
    .option("--host <host>", "Address to bind for HTTP transports.", "127.0.0.1")
    .option("-p, --port <port>", "Port for HTTP transports (0 picks a free one).", parsePort, 8000)
    .addHelpText(
      "after",
      examples(
        "qualytics mcp serve",
        "qualytics mcp serve --transport streamable-http --port 8000",
      ) +
        '\nClaude Code / Cursor (~/.claude.json or the MCP settings):\n  {"mcpServers": ' +
        '{"qualytics": {"command": "qualytics", "args": ["mcp", "serve"]}}}\n',
    )
    .action(runtime.handle((options) =>
      runMcpServe(runtime, {
        transport: options.transport,
        host: options.host,
        port: options.port,
      })
    ));
  return mcp as unknown as Command;
}
