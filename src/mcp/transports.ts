/**
 * Serving the MCP server: over stdio (the process's stdin/stdout carry nothing but the
 * protocol), or over streamable HTTP at `/mcp` on a host and port, one server per session.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
import type { Readable, Writable } from "node:stream";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

/** The path of the streamable-HTTP endpoint (as FastMCP serves it). */
export const MCP_PATH = "/mcp";

/**
 * Serves `server` over stdio until the client closes stdin or `signal` aborts. Resolves once
 * the server is closed.
 */
export async function serveStdio(
  server: McpServer,
  options: { stdin?: Readable; stdout?: Writable; signal?: AbortSignal } = {},
): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  // The SDK's stdio transport does not notice the end of stdin; a client that hangs up (or
  // closes our stdin to stop us) must end the process instead of leaving it idle.
  const close = () => void server.close().catch(() => {});
  stdin.once("end", close);
  stdin.once("close", close);
  options.signal?.addEventListener("abort", close, { once: true });
  try {
    await server.connect(transport);
    await closed;
  } finally {
    stdin.off("end", close);
    stdin.off("close", close);
    options.signal?.removeEventListener("abort", close);
  }
}

/** A running streamable-HTTP server. */
export interface HttpServe {
  /** The endpoint, e.g. `http://127.0.0.1:8000/mcp`. */
  url: string;
  /** Closes every session and the listener. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

function jsonRpcError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}

/**
 * Serves streamable HTTP at `http://host:port/mcp` (port 0 picks a free port). Each session
 * (started by an `initialize` POST) gets its own server from `factory`. On a loopback host, the
 * `Host` header is checked so that web pages cannot reach the server by DNS rebinding.
 */
export async function serveStreamableHttp(
  factory: () => McpServer,
  options: { host: string; port: number; log?: (line: string) => void },
): Promise<HttpServe> {
  const sessions = new Map<
    string,
    { transport: StreamableHTTPServerTransport; server: McpServer }
  >();
  let port = options.port;
  const allowedHosts = () =>
    LOOPBACK.has(options.host)
      ? [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]
      : undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname !== MCP_PATH && pathname !== `${MCP_PATH}/`) {
      jsonRpcError(res, 404, `Not found. The MCP endpoint is ${MCP_PATH}.`);
      return;
    }
    const sessionId = req.headers["mcp-session-id"];
    const existing = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
    if (existing) {
      await existing.transport.handleRequest(req, res);
      return;
    }
    if (sessionId !== undefined) {
      jsonRpcError(res, 404, "Session not found; initialize a new session.");
      return;
    }
    if (req.method !== "POST") {
      jsonRpcError(res, 400, "No session; start one with an initialize request (POST).");
      return;
    }
    const hosts = allowedHosts();
    const server = factory();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id: string) => void sessions.set(id, { transport, server }),
      enableDnsRebindingProtection: hosts !== undefined,
      allowedHosts: hosts,
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res);
    // A first request that was not an initialize leaves no session behind.
    if (!transport.sessionId) await server.close();
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error) => {
      options.log?.(`[mcp] HTTP request failed: ${(error as Error)?.message ?? error}`);
      if (!res.headersSent) jsonRpcError(res, 500, "Internal server error.");
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, options.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}${MCP_PATH}`,
    async close() {
      for (const { server } of [...sessions.values()]) await server.close().catch(() => {});
      sessions.clear();
      // Open SSE streams would otherwise keep the listener from closing.
      (http as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
