/** Seeded fault injection: error statuses, 429 with Retry-After and dropped connections. */
import { Rng } from "./rng.ts";

/** Which requests to disturb and how. */
export interface FaultOptions {
  /** Fraction (0–1) of requests answered with one of `statuses`. */
  failRate?: number;
  /** Statuses to pick from (default `[500, 503, 429]`). */
  statuses?: number[];
  /** `Retry-After` seconds sent with 429 (and 503) answers (default 1). */
  retryAfterSeconds?: number;
  /** Fraction (0–1) of requests whose connection is destroyed without an answer. */
  dropRate?: number;
  /**
   * Whether a dropped request is applied first (the answer is lost, not the request: the
   * ambiguous failure a client cannot tell from a request that never arrived). Default false.
   */
  dropAfterApply?: boolean;
  /** PRNG seed; the same seed and request sequence give the same faults (default 1). */
  seed?: number;
  /** Only requests for which this returns true can be disturbed. */
  only?: (request: { method: string; path: string }) => boolean;
  /**
   * What an injected error status answers, besides the default fixed message: the request
   * echoed back, as proxies and servers do in their error details (for redaction tests). Each
   * mode repeats the request body and its `Authorization` header: `detail` in a string
   * `detail`, `object` in an object `detail`, `validation` in the `msg` and `input` of a
   * FastAPI-style validation list, `text` in a plain-text (non-JSON) body.
   */
  echo?: FaultEcho;
}

/** How an injected error echoes the request (see {@link FaultOptions.echo}). */
export type FaultEcho = "detail" | "object" | "validation" | "text";

/** The decision for one request. */
export type FaultDecision =
  | { kind: "none" }
  | { kind: "drop"; afterApply: boolean }
  | { kind: "status"; status: number; headers: Record<string, string>; echo?: FaultEcho };

/** Decides, per request, whether to inject a fault. */
export class FaultInjector {
  #rng: Rng;
  constructor(readonly options: FaultOptions = {}) {
    this.#rng = new Rng(options.seed ?? 1);
  }

  get active(): boolean {
    return (this.options.failRate ?? 0) > 0 || (this.options.dropRate ?? 0) > 0;
  }

  decide(request: { method: string; path: string }): FaultDecision {
    if (!this.active) return { kind: "none" };
    if (this.options.only && !this.options.only(request)) return { kind: "none" };
    const roll = this.#rng.next();
    const dropRate = this.options.dropRate ?? 0;
    if (roll < dropRate) return { kind: "drop", afterApply: this.options.dropAfterApply ?? false };
    const failRate = this.options.failRate ?? 0;
    if (roll < dropRate + failRate) {
      const statuses = this.options.statuses?.length ? this.options.statuses : [500, 503, 429];
      const status = statuses[Math.floor(this.#rng.next() * statuses.length)];
      const headers: Record<string, string> = {};
      if (status === 429 || status === 503) {
        headers["retry-after"] = String(this.options.retryAfterSeconds ?? 1);
      }
      return { kind: "status", status, headers, echo: this.options.echo };
    }
    return { kind: "none" };
  }
}

/**
 * The answer of an injected error status: JSON (`json`) or, for the `text` echo, a plain-text
 * body (`text`). `body` is the raw request body, `authorization` its header.
 */
export function faultAnswer(
  status: number,
  echo: FaultEcho | undefined,
  body: string,
  authorization: string | undefined,
): { json: unknown } | { text: string } {
  const message = `Injected fault (HTTP ${status})`;
  let parsed: unknown = body;
  try {
    parsed = body ? JSON.parse(body) : null;
  } catch {
    // Echoed as the raw text.
  }
  switch (echo) {
    case undefined:
      return { json: { detail: message } };
    case "detail":
      return { json: { detail: `${message}: Authorization: ${authorization}; request: ${body}` } };
    case "object":
      return {
        json: { detail: { message, authorization: authorization ?? null, received: parsed } },
      };
    case "validation":
      return {
        json: {
          detail: [{
            type: "value_error",
            loc: ["body"],
            msg: `Value error, ${message} rejected ${body} (Authorization: ${authorization})`,
            input: parsed,
          }],
        },
      };
    case "text":
      return { text: `${message}; upstream rejected ${body} (Authorization: ${authorization})` };
  }
}
