/** Query-string parsing with FastAPI's validation errors. */
import { invalidOne, pyChoices } from "./errors.ts";

const TRUE = new Set(["true", "1", "yes", "on", "t", "y"]);
const FALSE = new Set(["false", "0", "no", "off", "f", "n"]);

/** Typed access to the query parameters of one request. */
export class Query {
  constructor(readonly params: URLSearchParams) {}

  has(name: string): boolean {
    return this.params.has(name);
  }

  /** A string parameter (first value), or `undefined`. */
  str(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** All values of a repeated parameter. */
  list(name: string): string[] {
    return this.params.getAll(name);
  }

  /** An integer parameter with optional bounds. */
  int(
    name: string,
    bounds: { ge?: number; le?: number; default?: number } = {},
  ): number | undefined {
    const raw = this.params.get(name);
    if (raw === null) return bounds.default;
    return parseIntValue(raw, ["query", name], bounds);
  }

  /** A repeated integer parameter. */
  intList(name: string): number[] {
    return this.params.getAll(name).map((raw, index) =>
      parseIntValue(raw, ["query", name, index], {})
    );
  }

  /** A boolean parameter (`true`/`True`/`1`/`yes`/...). */
  bool(name: string, fallback?: boolean): boolean | undefined {
    const raw = this.params.get(name);
    if (raw === null) return fallback;
    const lower = raw.toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower)) return false;
    throw invalidOne(
      "bool_parsing",
      ["query", name],
      "Input should be a valid boolean, unable to interpret input",
      raw,
    );
  }

  /** A parameter restricted to `values`. */
  enumOf<T extends string>(name: string, values: readonly T[], fallback?: T): T | undefined {
    const raw = this.params.get(name);
    if (raw === null) return fallback;
    return checkEnum(raw, values, ["query", name]);
  }

  /** A repeated parameter restricted to `values`. */
  enumList<T extends string>(name: string, values: readonly T[]): T[] {
    return this.params.getAll(name).map((raw, i) => checkEnum(raw, values, ["query", name, i]));
  }

  /** A `YYYY-MM-DD` date parameter. */
  date(name: string): string | undefined {
    const raw = this.params.get(name);
    if (raw === null) return undefined;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(Date.parse(raw))) {
      throw invalidOne(
        "date_from_datetime_parsing",
        ["query", name],
        "Input should be a valid date or datetime, invalid character in year",
        raw,
        { error: "invalid character in year" },
      );
    }
    return raw;
  }

  /** A `sort_<column>` parameter: `asc` or `desc`. */
  sort(name: string): "asc" | "desc" | undefined {
    return this.enumOf(name, ["asc", "desc"] as const);
  }

  /** Query parameters as a plain multi-map (for the request log). */
  toRecord(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [key, value] of this.params) (out[key] ??= []).push(value);
    return out;
  }
}

function parseIntValue(
  raw: string,
  loc: (string | number)[],
  bounds: { ge?: number; le?: number },
): number {
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) {
    throw invalidOne(
      "int_parsing",
      loc,
      "Input should be a valid integer, unable to parse string as an integer",
      raw,
    );
  }
  const value = Number(raw);
  if (bounds.ge !== undefined && value < bounds.ge) {
    throw invalidOne(
      "greater_than_equal",
      loc,
      `Input should be greater than or equal to ${bounds.ge}`,
      raw,
      { ge: bounds.ge },
    );
  }
  if (bounds.le !== undefined && value > bounds.le) {
    throw invalidOne(
      "less_than_equal",
      loc,
      `Input should be less than or equal to ${bounds.le}`,
      raw,
      { le: bounds.le },
    );
  }
  return value;
}

/** Parses a path parameter as an integer (422 `int_parsing` otherwise). */
export function pathInt(raw: string, name: string): number {
  return parseIntValue(raw, ["path", name], {});
}

function checkEnum<T extends string>(
  raw: string,
  values: readonly T[],
  loc: (string | number)[],
): T {
  if ((values as readonly string[]).includes(raw)) return raw as T;
  const expected = pyChoices(values);
  throw invalidOne("enum", loc, `Input should be ${expected}`, raw, { expected });
}
