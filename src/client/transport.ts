/**
 * The one place that moves bytes over HTTP. `fetch` is the default; a client with
 * `ssl_verify: false` gets a `node:https` transport whose agent alone skips certificate checks,
 * so verification stays on for every other connection in the process.
 *
 * @module
 */

/** A request as the client hands it to a transport. */
export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /**
   * It must reach the server at most once: it goes on a connection of its own, never on one
   * kept alive from an earlier request. On a reused connection that closes before the answer,
   * Deno's `fetch` (and its `node:http`) send the request again by themselves, even when the
   * server had received it: an operation would run twice.
   */
  once?: boolean;
}

/** A response as a transport hands it back: status, headers and the whole body text. */
export interface TransportResponse {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

/** Sends one request. Network failures reject; HTTP error statuses resolve. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/**
 * A transport over the platform's `fetch`; `extra` adds to the `fetch` options of a request
 * (a runtime's own connection settings, say: cli.ts gives requests sent `once` a client of
 * Deno's that keeps no idle connection). Redirects are handed back, not followed (as
 * `node:http` in {@link insecureTransport} does): the client turns a 3xx into an error.
 */
export function fetchTransportWith(
  extra: (request: TransportRequest) => Record<string, unknown>,
): Transport {
  return async (request) => {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
      redirect: "manual",
      ...extra(request),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
}

/**
 * The default transport: the platform's `fetch`, which gives a request no connection of its
 * own ({@link TransportRequest.once}); where the platform resends requests, the program passes
 * the client one that does (cli.ts on Deno).
 */
export const fetchTransport: Transport = fetchTransportWith(() => ({}));

/** A transport that does not verify TLS certificates, for this client's requests only. */
export function insecureTransport(): Transport {
  // `node:http(s)` load on the first request of such a client, not at every start-up.
  let ready: Promise<Transport> | undefined;
  return async (request) => (await (ready ??= loadInsecureTransport()))(request);
}

async function loadInsecureTransport(): Promise<Transport> {
  const [http, https] = await Promise.all([import("node:http"), import("node:https")]);
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  const plainAgent = new http.Agent({ keepAlive: true });
  return (request) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const url = new URL(request.url);
      const isHttps = url.protocol === "https:";
      const send = isHttps ? https.request : http.request;
      const req = send(url, {
        method: request.method,
        headers: request.headers,
        // `false`: a connection of its own (see TransportRequest.once).
        agent: request.once ? false : isHttps ? agent : plainAgent,
        rejectUnauthorized: false,
        signal: request.signal,
      }, (res) => {
        const chunks: Uint8Array[] = [];
        res.on("data", (chunk: Uint8Array) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const headers = res.headers;
          resolve({
            status: res.statusCode ?? 0,
            headers: {
              get: (name) => {
                const value = headers[name.toLowerCase()];
                return Array.isArray(value) ? value.join(", ") : value ?? null;
              },
            },
            text: new TextDecoder().decode(concat(chunks)),
          });
        });
      });
      req.on("error", reject);
      if (request.body !== undefined) req.write(request.body);
      req.end();
    });
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
