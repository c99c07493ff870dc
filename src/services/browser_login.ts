/**
 * Browser login: a one-shot callback server on 127.0.0.1 receives the token that the
 * Qualytics UI issues after the user signs in. A random `state` ties the callback to this
 * login; anything else is refused.
 *
 * @module
 */
/** Collaborators and settings of a login. */
export interface BrowserLoginOptions {
  /** The normalised base URL (ending in `/api/`). */
  baseUrl: string;
  /** Name of this machine; the server names the token after it. */
  hostname: string;
  /** How long to wait for the callback, in milliseconds. */
  timeoutMs: number;
  /** Opens the URL in a browser; false when none could be started. */
  openBrowser: (url: string) => Promise<boolean>;
  /** Told the URL before the browser opens, so the user can open it by hand. */
  onUrl?: (url: string, browserOpened: Promise<boolean>) => void;
  /** The state value (random by default; tests do not need to set it). */
  state?: string;
}

/** Why a login did not produce a token. */
export class BrowserLoginError extends Error {
  override name = "BrowserLoginError";
}

function page(message: string): string {
  const text = message.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<html><body><p>${text}</p><script>history.replaceState(null, '', '/callback?done=1');</script></body></html>`;
}

/**
 * 32 random bytes, base64url (as the original's `token_urlsafe(32)`), from Web Crypto:
 * `node:crypto` would cost every command's start-up.
 */
function randomState(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** Runs the login flow and resolves with the token the callback delivered. */
export async function browserLogin(options: BrowserLoginOptions): Promise<string> {
  const state = options.state ?? randomState();
  let settle!: (result: { token?: string; error?: string }) => void;
  const outcome = new Promise<{ token?: string; error?: string }>((resolve) => settle = resolve);
  // Loaded here rather than at start-up: only `auth login` serves anything.
  const http = await import("node:http");
  let refused = 0;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (request.method !== "GET" || url.pathname !== "/callback") {
      // Browsers ask for /favicon.ico; unlike the original, a stray request does not end the wait.
      response.writeHead(404, { "Content-Type": "text/plain" }).end("Not found");
      return;
    }
    const reply = (status: number, message: string) =>
      response.writeHead(status, { "Content-Type": "text/html" }).end(page(message));
    if (url.searchParams.get("state") !== state) {
      // Not this login's callback (another page or process found the port): refused, and the
      // wait goes on, so that it cannot cancel the login either.
      refused++;
      reply(400, "Authentication failed: state mismatch.");
      return;
    }
    const error = url.searchParams.get("error");
    if (error) {
      reply(400, `Authentication failed: ${error}`);
      settle({ error });
      return;
    }
    const token = url.searchParams.get("token");
    if (!token) {
      reply(400, "Authentication failed: no token received.");
      settle({ error: "no token in the callback" });
      return;
    }
    reply(200, "Authentication successful! You can close this tab.");
    settle({ token });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) =>
      reject(
        new BrowserLoginError(`Failed to start local callback server: ${error.message}`),
      ));
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as { port: number };
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  const hostname = encodeURIComponent(options.hostname.replace(/\.local$/, "") || "unknown");
  // The original inserts redirect_uri unencoded, and the UI expects it that way.
  const authorizeUrl =
    `${options.baseUrl}cli/authorize?redirect_uri=${redirectUri}&state=${state}&hostname=${hostname}`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const opened = options.openBrowser(authorizeUrl).catch(() => false);
    options.onUrl?.(authorizeUrl, opened);
    const timeout = new Promise<{ token?: string; error?: string }>((resolve) => {
      timer = setTimeout(
        () => resolve({ error: "timeout" }),
        options.timeoutMs,
      );
    });
    const result = await Promise.race([outcome, timeout]);
    if (result.error === "timeout") {
      throw new BrowserLoginError(
        "Authentication timed out. " +
          (refused
            ? `${refused} callback(s) with a wrong state were refused (possible CSRF attempt); ` +
              "nothing was saved. "
            : "No callback received. ") +
          "Try again or use 'qualytics auth init' to configure manually.",
      );
    }
    if (result.error) throw new BrowserLoginError(`Authentication failed: ${result.error}`);
    return result.token!;
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
