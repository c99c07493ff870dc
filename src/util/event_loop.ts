/**
 * Long CPU-bound loops that share the thread with network I/O: they return to the event loop
 * every few items so that replies are taken while they run.
 *
 * @module
 */
import { setImmediate } from "node:timers";

/**
 * Returns to the event loop (a `setImmediate` turn costs a few µs; a timer a whole ms). While
 * work is always ready, Deno's runtime looks at its sockets only every 61 turns (tokio's event
 * interval), so the work between two turns must be short for replies to be taken promptly.
 */
export const yieldToEventLoop = (): Promise<void> =>
  new Promise<void>((resolve) => setImmediate(resolve));
