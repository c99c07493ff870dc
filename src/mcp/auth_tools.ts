/**
 * `auth_status`: where the server points and whether its token is usable, without any request
 * to the instance and without ever showing the token.
 *
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { checkToken } from "../settings/token.ts";
import { addTool, type McpDeps, type McpSettings, READ_ONLY, ToolInputError } from "./tool.ts";

const DAY_MS = 86_400_000;

/**
 * A token for display: its first 4 characters and `****`. Short tokens show only stars, since
 * 4 characters of a short value would give most of it away.
 */
export function maskTokenForMcp(token: string): string {
  return token.length <= 12 ? "****" : `${token.slice(0, 4)}****`;
}

/** The `auth_status` result for the settings at `now`; a tool error when not configured. */
export function authStatus(settings: McpSettings, now: Date): Record<string, unknown> {
  if (!settings.url || !settings.token) {
    throw new ToolInputError(
      "Not authenticated. Run 'qualytics auth login --url <your-url>' or " +
        "'qualytics auth init --url <url> --token <token>', or set QUALYTICS_URL and " +
        "QUALYTICS_TOKEN in the MCP server's environment.",
    );
  }
  let host: string;
  try {
    host = new URL(settings.url).hostname || settings.url;
  } catch {
    host = settings.url;
  }
  const status: Record<string, unknown> = {
    host,
    url: settings.url,
    token: maskTokenForMcp(settings.token),
    ssl_verify: settings.sslVerify,
    config_file: settings.configFile,
    url_source: settings.urlSource,
    token_source: settings.tokenSource,
    authenticated: true,
  };
  const check = checkToken(settings.token, now);
  if (!check.valid && check.reason === "malformed") {
    status.token_decode_error = true;
    return status;
  }
  if (check.expiresAt) {
    const deltaMs = check.expiresAt.getTime() - now.getTime();
    status.token_expires = check.expiresAt.toISOString().replace(/\.\d{3}Z$/, "+00:00");
    status.token_expired = deltaMs < 0;
    if (deltaMs < 0) {
      status.authenticated = false;
      // Whole days elapsed; the original's abs(delta.days) counted one day too many.
      status.expired_days_ago = Math.floor(-deltaMs / DAY_MS);
    } else {
      status.expires_in_days = Math.floor(deltaMs / DAY_MS);
    }
  }
  return status;
}

/** Registers `auth_status`. */
export function registerAuthTools(server: McpServer, deps: McpDeps): void {
  addTool(server, deps, "auth_status", {
    title: "Authentication status",
    description: "Check which Qualytics instance this server talks to and whether its token is " +
      "valid (no request is made). Call this first: when it fails or says " +
      "authenticated=false, tell the user to run 'qualytics auth login --url <url>' and restart " +
      "the server. The token is never shown in full.",
    input: {},
    annotations: { ...READ_ONLY, openWorldHint: false },
    redact: false,
  }, async () => authStatus(await deps.settings(), deps.now()));
}
