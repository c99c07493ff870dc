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
 * The default transport: the platform's `fetch`. Redirects are handed back, not followed (as
 * `node:http` in {@link insecureTransport} does): the client turns a 3xx into an error.
 */
export const fetchTransport: Transport = async (request) => {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
    redirect: "manual",
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
};

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
        agent: isHttps ? agent : plainAgent,
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
