/** Starts a fake controlplane that closes itself at the end of a `using` scope. */
import { startFakeControlplane } from "../../src/testing/mod.ts";

type Options = Parameters<typeof startFakeControlplane>[0];
type Server = Awaited<ReturnType<typeof startFakeControlplane>>;

/** `await using server = await fake({ seed: "demo" })`. */
export async function fake(options?: Options): Promise<Server & AsyncDisposable> {
  const server = await startFakeControlplane(options);
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.close() });
}

/** The environment that points the CLI at a server. */
export function envFor(server: { url: string; token: string }): Record<string, string> {
  return { QUALYTICS_URL: server.url, QUALYTICS_TOKEN: server.token };
}
