/**
 * Long CPU-bound loops that share the thread with network I/O: they return to the event loop
 * every few items so that replies are taken while they run.
 *
 * @module
 */
import { setImmediate } from "node:timers";

/** Returns to the event loop through an immediate (a few µs). */
const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

const NOTHING = new Uint8Array(0);

/**
 * Returns to the event loop until a task of the runtime's thread pool is done (a digest of
 * nothing, some 0.1 ms, needing no permission): while it waits, the runtime looks at its
 * sockets. When work is always ready, Deno's runtime does that only every 61 turns (tokio's
 * event interval), so through immediates alone every reply would wait that many turns of work.
 */
const throughThreadPool = async () => {
  await crypto.subtle.digest("SHA-1", NOTHING);
};

/** Every how many returns go {@link throughThreadPool} (measured best on a no-change import). */
const SOCKET_TURNS = 4;

let turns = 0;

/**
 * Returns to the event loop: cheap enough to call after every 0.1 ms of work, and often enough
 * through the thread pool that network replies are taken within a millisecond or so.
 */
export function yieldToEventLoop(): Promise<void> {
  return ++turns % SOCKET_TURNS === 0 ? throughThreadPool() : immediate();
}
