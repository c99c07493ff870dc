/** Starts a fake controlplane that closes itself at the end of a `using` scope. */
import { startFakeControlplane } from "../../src/testing/mod.ts";
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
