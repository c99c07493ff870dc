/**
 * The Qualytics MCP server: local tools that call the same services as the CLI, for Claude
 * Code, Cursor, Windsurf and other MCP clients.
 *
 * @example
 * ```ts
 * import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
 *
 * const server = createMcpServer(deps);
 * const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
 * await server.connect(serverSide);
 * ```
 *
 * @module
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { VERSION } from "../version.ts";
import { registerAuthTools } from "./auth_tools.ts";
import { registerAnomalyTools, registerCheckTools } from "./check_tools.ts";
import { registerConfigTools } from "./config_tools.ts";
import { registerConnectionTools, registerDatastoreTools } from "./connection_tools.ts";
import { registerContainerTools } from "./container_tools.ts";
import { registerOperationTools } from "./operation_tools.ts";
import type { McpDeps } from "./tool.ts";

export type { CallScope, McpDeps, McpSettings } from "./tool.ts";

/** What the server tells the model about itself on initialisation. */
export const MCP_INSTRUCTIONS =
  "Tools for the Qualytics data-quality platform: connections, datastores, containers, " +
  "quality checks, anomalies, operations and configuration as code. Call auth_status first " +
  "to confirm which instance you are talking to. Results are JSON with secrets redacted. " +
  "Operations (run_sync, run_profile, run_scan, run_materialize) return immediately; poll " +
  "get_operation for their result. Before import_config, call it with dry_run=true and show " +
  "the plan to the user. Destructive tools (delete_*, archive_anomaly, unlink_enrichment) " +
  "act at once: confirm with the user first.";

/**
 * Builds a server with every tool registered. One server serves one connection (stdio, or one
 * streamable-HTTP session); build one per session.
 */
export function createMcpServer(deps: McpDeps): McpServer {
  const server = new McpServer(
    { name: "Qualytics", version: VERSION },
    { instructions: MCP_INSTRUCTIONS },
  );
  registerAuthTools(server, deps);
  registerConnectionTools(server, deps);
  registerDatastoreTools(server, deps);
  registerContainerTools(server, deps);
  registerCheckTools(server, deps);
  registerAnomalyTools(server, deps);
  registerOperationTools(server, deps);
  registerConfigTools(server, deps);
  return server;
}
