/**
 * What command modules receive: the injected context, the message printer, the global flags and
 * a way to get the authenticated client; plus helpers shared by the flag wiring of every group.
 *
 * @module
 */
import { InvalidArgumentError } from "@commander-js/extra-typings";
import type { QualyticsClient } from "../client/http_client.ts";
import type { CliContext } from "./context.ts";
import type { Ui } from "./output.ts";
import type { ClientRequest, GlobalOptions } from "./session.ts";
import { splitCommaList } from "../util/comma_list.ts";

/** Handed to every command group's builder. */
export interface Runtime {
  ctx: CliContext;
  ui: Ui;
  /** The global flags as parsed (valid inside actions). */
  globals(): GlobalOptions;
  /** The authenticated client of this run (built once, then reused). */
  client(options?: ClientRequest): Promise<QualyticsClient>;
  /**
   * Wraps an action: its returned number (default 0) becomes the exit code; thrown errors are
   * reported by the entry point.
   */
  handle<A extends unknown[]>(
    action: (...args: A) => Promise<number | void> | number | void,
  ): (...args: A) => Promise<void>;
}

/** Parses a whole number flag value (`--id 12`). */
export function parseInteger(value: string): number {
  const number = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) {
    throw new InvalidArgumentError(`'${value}' is not a valid integer.`);
  }
  return number;
}

/** Parses a whole number flag value of at least `min`. */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const number = parseInteger(value);
    if (number < min) throw new InvalidArgumentError(`${value} is not in the range x>=${min}.`);
    return number;
  };
}

/** Collects a repeatable flag's values. */
export function collect<T>(parse: (value: string) => T): (value: string, previous?: T[]) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}

export { splitCommaList };

/** A comma list of whole numbers. */
export function parseIntegerList(value: string): number[] {
  return splitCommaList(value).map(parseInteger);
}
