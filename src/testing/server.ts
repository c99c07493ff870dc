/** The HTTP server of the fake controlplane (`node:http`, runs on Deno, Node and Bun). */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Buffer } from "node:buffer";
import { parseJson, stringifyJson } from "../util/json.ts";
import { type Caller, type Role, TokenRegistry } from "./auth.ts";
import type { Ctx, ServerSettings } from "./context.ts";
import { HttpError, invalidOne, unauthorized } from "./errors.ts";
import { faultAnswer, FaultInjector, type FaultOptions } from "./faults.ts";
import { toJsonText } from "./json_text.ts";
import { decodeJwtPayload } from "./jwt.ts";
import { advanceOperations } from "./operations.ts";
import { Query } from "./query.ts";
import { RequestLog } from "./request_log.ts";
import { Router } from "./router.ts";
import { allRoutes } from "./routes/mod.ts";
import { type ScaleOptions, seedDemo, seedEmpty, seedScale } from "./seeds.ts";
import { FakeState, type ServerData } from "./state.ts";

/** How to start a fake controlplane. */
export interface FakeControlplaneOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** Seed data when `data` is not given (default `demo`). */
  seed?: "demo" | "empty" | "scale";
  /** Sizes for `seed: "scale"` (default 2 datastores × 100 containers × 25 checks). */
  scale?: Partial<ScaleOptions>;
  /** Server data (fixtures/README.md format) as an object or JSON text; replaces the seed. */
  data?: ServerData | string;
  /**
   * How long each answer takes, in ms: it leaves this long after its request arrived, or as soon
   * as it is ready when preparing it takes longer. The answer is prepared meanwhile, as by a
   * server that handles requests in parallel, so concurrent requests each take the latency
   * rather than queueing behind this single-threaded fake's own work.
   */
  latencyMs?: number;
  /** Fault injection (error statuses, 429 + Retry-After, dropped connections). */
  faults?: FaultOptions;
  /** How long operations run (ms); 0 = they finish in the POST. Default 0 with `data`, else 1500. */
  operationDurationMs?: number;
  /** The clock (default: real time). */
  now?: () => Date;
  /** When set, browser login redirects with `?error=<value>` instead of a token. */
  authorizeError?: string;
}

/** A running fake controlplane. */
export interface FakeControlplane {
  /** `http://127.0.0.1:PORT` (no `/api` suffix). */
  url: string;
  port: number;
  /** The admin token. */
  token: string;
  /** One token per role. */
  tokens: { admin: string; manager: string; member: string };
  /**
   * The live state. Reading it drops cached renderings (the caller may be about to change
   * records in place); after changing a record kept from before an `await`, call
   * `state.touch()`.
   */
  readonly state: FakeState;
  requests: RequestLog;
  /** Unexpected handler errors (answered 500). */
  errors: Error[];
  /** Replaces the fault settings (and restarts their PRNG from `faults.seed`). */
  setFaults(faults: FaultOptions | undefined): void;
  /** Changes the latency (see {@link FakeControlplaneOptions.latencyMs}). */
  setLatency(ms: number): void;
  /** Changes how long operations started from now on run. */
  setOperationDuration(ms: number): void;
  /** Mints and registers a token for the first user with `role` (claims such as `exp` override). */
  issueToken(role: Role, claims?: Record<string, unknown>): string;
  /** The state in the server-data format (JSON text), including issued tokens. */
  snapshot(): string;
  close(): Promise<void>;
}

const ROLE_OF: Record<string, Role> = { admin: "Admin", manager: "Manager", member: "Member" };

/**
 * Starts the fake controlplane.
 */
export async function startFakeControlplane(
  options: FakeControlplaneOptions = {},
): Promise<FakeControlplane> {
  const state = new FakeState(options.now ?? (() => new Date()));
  if (options.data !== undefined) state.load(options.data);
  else if (options.seed === "empty") seedEmpty(state);
  else if (options.seed === "scale") seedScale(state, options.scale);
  else seedDemo(state);

  const router = new Router<Ctx>();
  for (const route of allRoutes) router.add(route);
  const registry = new TokenRegistry();
  for (const saved of state.savedTokens) {
    if (ROLE_OF[saved.role.toLowerCase()]) {
      registry.register(saved.token, ROLE_OF[saved.role.toLowerCase()], saved.user_id);
    }
  }
  const tokenFor = (key: "admin" | "manager" | "member"): string => {
    const role = ROLE_OF[key];
    const saved = state.savedTokens.find((t) => t.role === role);
    return saved?.token ?? registry.issue(role, state.userWithRole(role));
  };
  const tokens = {
    admin: tokenFor("admin"),
    manager: tokenFor("manager"),
    member: tokenFor("member"),
  };

  let faults = new FaultInjector(options.faults);
  let latencyMs = options.latencyMs ?? 0;
  const settings: ServerSettings = {
    operationDurationMs: options.operationDurationMs ?? (options.data !== undefined ? 0 : 1500),
    authorizeError: options.authorizeError,
    issueLoginToken: (hostname) =>
      registry.issue("Admin", state.userWithRole("Admin"), { token_name: hostname }),
    routes: () => router.routes(),
  };
  const requests = new RequestLog();
  const errors: Error[] = [];

  /**
   * Answers `res`; with `due` (a `performance.now()` time), not before then. The body is
   * rendered at once either way, so that time is spent while the answer waits.
   */
  const send = async (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    due = 0,
  ) => {
    const text = body === undefined || status === 204 || status === 304
      ? undefined
      : toJsonText(body);
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (text === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    // The string goes out as is: node:http encodes it, and Buffer.byteLength measures it
    // without an extra copy of a page that can be 100 KB.
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  };

  const authenticate = (req: IncomingMessage): Caller => {
    const header = req.headers.authorization;
    const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw unauthorized("Not authenticated");
    const found = registry.lookup(match[1]);
    if (!found) throw unauthorized("Could not validate credentials");
    const exp = decodeJwtPayload(match[1])?.exp;
    if (typeof exp === "number" && exp * 1000 < state.clock().getTime()) {
      throw unauthorized("Token has expired");
    }
    const user = state.users.get(found.userId) ?? state.userWithRole(found.role);
    return { token: match[1], role: found.role, user };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, rawBody: string) => {
    const method = (req.method ?? "GET").toUpperCase();
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const params = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
    const query = new Query(params);
    let body: unknown = undefined;
    let bodyError: HttpError | undefined;
    if (rawBody.trim()) {
      try {
        body = parseJson(rawBody);
      } catch (error) {
        body = rawBody;
        bodyError = invalidOne(
          "json_invalid",
          ["body", (error as { offset?: number }).offset ?? 0],
          "JSON decode error",
          {},
          { error: "Expecting value" },
        );
      }
    }
    const entry = {
      method,
      path,
      query: query.toRecord(),
      body,
      status: 0,
      time: Date.now(),
    } as import("./request_log.ts").RequestLogEntry;
    requests.push(entry);

    const decision = faults.decide({ method, path });
    if (decision.kind === "drop" && !decision.afterApply) {
      req.socket.destroy();
      return;
    }
    const due = performance.now() + latencyMs;
    if (decision.kind === "status") {
      entry.status = decision.status;
      const answer = faultAnswer(
        decision.status,
        decision.echo,
        rawBody,
        req.headers.authorization,
      );
      if ("json" in answer) {
        await send(res, decision.status, answer.json, decision.headers, due);
        return;
      }
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      res.writeHead(decision.status, { "content-type": "text/plain", ...decision.headers });
      res.end(answer.text);
      return;
    }

    let status = 500;
    let reply: Promise<void> | undefined;
    // Writes change records in place, which the render cache cannot see: drop it before (the
    // handler may render what it read) and after (it renders what it changed).
    const write = method !== "GET" && method !== "HEAD";
    if (write) state.touch();
    try {
      advanceOperations(state);
      const match = router.match(method, path);
      if (match.kind === "none") throw new HttpError(404, { detail: "Not Found" });
      if (match.kind === "method") {
        throw new HttpError(405, { detail: "Method Not Allowed" }, {
          allow: match.allowed.join(", "),
        });
      }
      const caller = match.route.public
        ? {
          token: "",
          role: "Admin" as Role,
          user: state.userWithRole("Admin"),
        }
        : authenticate(req);
      entry.role = match.route.public ? undefined : caller.role;
      if (bodyError) throw bodyError;
      const ctx: Ctx = { method, path, params: match.params, query, body, state, caller, settings };
      const result = await match.route.handler(ctx);
      status = result.status ?? 200;
      // A drop after the apply loses the answer, not the request.
      reply = decision.kind === "drop"
        ? Promise.resolve(void req.socket.destroy())
        : send(res, status, result.body, result.headers, due);
    } catch (error) {
      if (error instanceof HttpError) {
        status = error.status;
        reply = send(res, status, error.body, error.headers, due);
      } else {
        errors.push(error as Error);
        reply = send(res, 500, { detail: "Internal Server Error" }, {}, due);
      }
    }
    if (write) state.touch();
    entry.status = status;
    await reply;
  };

  const sockets = new Set<Socket>();
  const inflight = new Set<Promise<void>>();
  const server = createServer({ keepAlive: true }, (req, res) => {
    const chunks: Uint8Array[] = [];
    req.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    req.on("end", () => {
      const raw = chunks.length === 0
        ? ""
        : new TextDecoder().decode(chunks.length === 1 ? chunks[0] : concat(chunks));
      const done = handle(req, res, raw).catch((error) => {
        errors.push(error as Error);
        if (!res.headersSent) send(res, 500, { detail: "Internal Server Error" });
      }).finally(() => inflight.delete(done));
      inflight.add(done);
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port ?? 0;
  const host = options.host ?? "127.0.0.1";
  const urlHost = host.includes(":") ? `[${host}]` : host;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    token: tokens.admin,
    tokens,
    get state() {
      state.touch();
      return state;
    },
    requests,
    errors,
    setFaults(next) {
      faults = new FaultInjector(next);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    setOperationDuration(ms) {
      settings.operationDurationMs = ms;
    },
    issueToken(role, claims = {}) {
      return registry.issue(role, state.userWithRole(role), claims);
    },
    snapshot() {
      return stringifyJson(state.toData(registry.entries()), { indent: 1 });
    },
    close() {
      closed ??= (async () => {
        await Promise.allSettled([...inflight]);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
      })();
      return closed;
    },
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
