/** Starts a fake controlplane that closes itself at the end of a `using` scope. */
import { startFakeControlplane } from "../../src/testing/mod.ts";
import type { FaultOptions } from "../../src/testing/faults.ts";
import type { Rec } from "../../src/testing/state.ts";
import { type CliRun, type RunOptions, runQualytics } from "./cli.ts";

type Options = Parameters<typeof startFakeControlplane>[0];
type Server = Awaited<ReturnType<typeof startFakeControlplane>>;

/** `await using server = await fake({ seed: "demo" })`. */
export async function fake(options?: Options): Promise<Server & AsyncDisposable> {
  const server = await startFakeControlplane(options);
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.close() });
}

/**
 * An empty instance beside `source`: its registries (tags, teams, users) and sync catalog, no
 * objects, and ids from 5001, so that an id copied from the source instead of resolved shows.
 */
export async function emptyLike(source: Server): Promise<Server & AsyncDisposable> {
  const { global_tags, teams, users, catalog } = JSON.parse(source.snapshot());
  return await fake({
    data: JSON.stringify({ options: { id_base: 5001 }, global_tags, teams, users, catalog }),
  });
}

/** The ids of `server`'s datastores with these names, in their order (each must exist). */
export function idsByName(server: Pick<Server, "state">, names: readonly string[]): number[] {
  return names.map((name) =>
    server.state.datastores.values().find((d) => d.name === name)!.id as number
  );
}

/** Faults that answer `status` to the `n`-th `method` request on `path`, and to no other. */
export function failNth(method: string, path: string, n: number, status = 500): FaultOptions {
  let seen = 0;
  return {
    failRate: 1,
    statuses: [status],
    only: (request) => request.method === method && request.path === path && ++seen === n,
  };
}

/**
 * Faults that apply the `n`-th `method` request on `path` and then close its connection without
 * an answer (the answer lost after the server acted), and touch no other.
 */
export function dropNthAfterApply(method: string, path: string, n: number): FaultOptions {
  let seen = 0;
  return {
    dropRate: 1,
    dropAfterApply: true,
    only: (request) => request.method === method && request.path === path && ++seen === n,
  };
}

/**
 * A gateway in front of `server` that holds back each check create whose description is
 * `"slow"` for `ms`, so that a create sent after it arrives first; `held` counts them.
 */
export function slowChecksGateway(
  server: { url: string; token: string },
  ms = 150,
): { url: string; token: string; held: () => number } & AsyncDisposable {
  let held = 0;
  const gateway = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = req.method === "GET" ? undefined : await req.text();
    if (req.method === "POST" && url.pathname === "/api/quality-checks") {
      if (JSON.parse(body!).description === "slow") {
        held++;
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
    }
    return await fetch(`${server.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers: req.headers,
      body,
    });
  });
  return {
    url: `http://127.0.0.1:${gateway.addr.port}`,
    token: server.token,
    held: () => held,
    [Symbol.asyncDispose]: () => gateway.shutdown(),
  };
}

/** The environment that points the CLI at a server. */
export function envFor(server: { url: string; token: string }): Record<string, string> {
  return { QUALYTICS_URL: server.url, QUALYTICS_TOKEN: server.token };
}

/**
 * Runs the CLI against `server`: `const run = cliFor(server); await run(["checks", "list"])`.
 * Each call's options add to `defaults`; `env` adds to the server's variables.
 */
export function cliFor(
  server: { url: string; token: string },
  defaults: RunOptions = {},
): (args: string[], options?: RunOptions) => Promise<CliRun> {
  return (args, options = {}) =>
    runQualytics(args, {
      ...defaults,
      ...options,
      env: { ...envFor(server), ...defaults.env, ...options.env },
    });
}

/** A recorded request body as plain JSON, for `deepEqual` against literals. */
export const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

/** A computed field of server data: `name` casts `source` of `container` to an integer. */
export const cast = (id: number, container: number, name: string, source = "id"): Rec => ({
  id,
  container_id: container,
  name,
  transformation_type: "cast",
  source_fields: [source],
  properties: { target_type: "integer" },
  additional_metadata: null,
});

/** An active notNull check of server data on `field` of `container`. */
export const notNull = (id: number, container: number, field = "id"): Rec => ({
  id,
  rule_type: "notNull",
  description: null,
  container,
  fields: [field],
  coverage: 1,
  filter: null,
  properties: {},
  global_tags: [],
  additional_metadata: null,
  status: "Active",
});
