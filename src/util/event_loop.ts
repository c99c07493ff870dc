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
 * nothing, needing no permission): while it waits, the runtime looks at its sockets. When work
 * is always ready, Deno's runtime does that only every 61 turns (tokio's event interval), so
 * through immediates alone every reply would wait that many turns of work. It costs: from
 * 10 µs when the pool's thread is busy to some 250 µs between loads of work, for waking it.
 */
const throughThreadPool = async () => {
  await crypto.subtle.digest("SHA-1", NOTHING);
};

/** Every how many returns go {@link throughThreadPool} (measured best on a no-change import). */
const SOCKET_TURNS = 4;

let turns = 0;

/**
 * How long after a request is handed over the sockets are still looked at: the request itself
 * goes out only when the runtime looks at them (a new connection, say, waits for its connect).
 */
const SENDING_MS = 2;

/** The requests in flight: when each was handed over, and when its reply may be there. */
const inFlight = new Set<{ sent: number; due: number }>();

/**
 * Notes a request handed over to the network whose reply is not expected before `inMs` from
 * now (0: at any time); call the function returned once the reply is in (or the request
 * failed). In between, {@link yieldToEventLoop} looks at the sockets only while they may need
 * it: right after the request was handed over, and once the reply may be there.
 */
export function awaitingReply(inMs: number): () => void {
  const now = performance.now();
  const request = { sent: now, due: now + inMs };
  inFlight.add(request);
  return () => inFlight.delete(request);
}

/** Whether some request in flight may need the sockets looked at (see {@link awaitingReply}). */
export function socketsMayNeedUs(): boolean {
  if (!inFlight.size) return false;
  const now = performance.now();
  for (const request of inFlight) {
    if (request.due <= now || now - request.sent < SENDING_MS) return true;
  }
  return false;
}

/**
 * Returns to the event loop: cheap enough to call after every 0.1 ms of work. While the sockets
 * may need it ({@link awaitingReply}), often enough through the thread pool that a reply is
 * taken within a millisecond or so; otherwise not at all (on a no-change import at latency 0,
 * that saved 140 of 156 trips and some 12% of its time).
 */
export function yieldToEventLoop(): Promise<void> {
  return ++turns % SOCKET_TURNS === 0 && socketsMayNeedUs() ? throughThreadPool() : immediate();
}
