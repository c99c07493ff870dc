/**
 * Lossless JSON: the controlplane (a Python service) distinguishes `1.0` from `1`, and the
 * original CLI writes `coverage: 1.0` into exported YAML. `JSON.parse` would turn both into the
 * number `1`, so integral floats are parsed into {@link JsonFloat} boxes that every writer in
 * this package (JSON and YAML) prints back as floats. Integers outside ±(2^53 − 1), which a
 * `number` cannot hold exactly (Python's can), are parsed into `bigint`s, which the writers
 * print digit for digit (as the YAML reader does for such integers in files).
 *
 * @module
 */

/** A JSON number written with a fraction or exponent whose value is integral (`1.0`, `2e3`). */
export class JsonFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toJSON(): number {
    return this.value;
  }
  toString(): string {
    return pythonFloatRepr(this.value);
  }
}

/** True for a value that Python would hold as a float. */
export function isJsonFloat(value: unknown): value is JsonFloat {
  return value instanceof JsonFloat;
}

/** The plain number of a parsed JSON number (boxed or not); other values pass through. */
export function toNumber(value: unknown): unknown {
  return value instanceof JsonFloat ? value.value : value;
}

/**
 * A finite number as Python's `json.dumps` writes it: an integer in digits, any other number
 * as {@link pythonFloatRepr} (`1e-05`, where JavaScript writes `0.00001`).
 */
export function numberRepr(value: number): string {
  if (!Number.isInteger(value)) return pythonFloatRepr(value);
  return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
}

/** Python's `repr(float)`: shortest round-trip digits, exponent below 1e-4 or from 1e16. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(value);
  if (abs >= 1e16 || abs < 1e-4) {
    const [mantissa, exponent] = value.toExponential().split("e");
    const exp = Number(exponent);
    const sign = exp < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const text = String(value);
  return text.includes(".") ? text : `${text}.0`;
}

/**
 * Sets `object[key]` as an own data property, also when the key is `__proto__` (which plain
 * assignment would take as setting the prototype): parsed files and API data are untrusted.
 */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    object[key] = value;
  }
}

/** Error thrown by {@link parseJson}, with the character offset of the problem. */
export class JsonParseError extends SyntaxError {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = "JsonParseError";
  }
}

/** Starts the string that stands in for an integral float token in the rewritten text. */
const MARKER = "\uE000";
const MARKER_CODE = 0xe000;
/** Starts the string that stands in for an integer token outside the safe range. */
const BIG_MARKER = "\uE001";
const BIG_MARKER_CODE = 0xe001;
/** A marker character in the input, raw or escaped: the rewrite could not be told apart. */
const MARKER_IN_INPUT = /[\uE000\uE001]|\\u[eE]00[01]/;

/** Set by {@link unmark} when it meets a number that a long integer token may have given. */
let unsafeNumberSeen = false;

/** Whether `JSON.parse` may have rounded the token of this number (or it is infinite). */
const isUnsafe = (value: number) =>
  value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER;

/**
 * Replaces marker strings by {@link JsonFloat}s and `bigint`s, in place; returns the (new)
 * value. Notes a number outside the safe range in {@link unsafeNumberSeen}.
 */
function unmark(value: unknown): unknown {
  if (typeof value === "string") {
    const code = value.charCodeAt(0);
    if (code === MARKER_CODE) return new JsonFloat(Number(value.slice(1)));
    return code === BIG_MARKER_CODE ? BigInt(value.slice(1)) : value;
  }
  if (typeof value !== "object" || value === null) {
    if (typeof value === "number" && isUnsafe(value)) unsafeNumberSeen = true;
    return value;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item === "object" || typeof item === "string") value[i] = unmark(item);
      else if (typeof item === "number" && isUnsafe(item)) unsafeNumberSeen = true;
    }
    return value;
  }
  const object = value as Record<string, unknown>;
  // `for in`: JSON.parse makes plain objects, and a key array per object is garbage to collect.
  for (const key in object) {
    const item = object[key];
    if (typeof item !== "object" && typeof item !== "string") {
      if (typeof item === "number" && isUnsafe(item)) unsafeNumberSeen = true;
      continue;
    }
    const replaced = unmark(item);
    if (replaced === item) continue;
    setOwn(object, key, replaced);
  }
  return value;
}

const isDigit = (code: number) => code >= 48 && code <= 57;
const isJsonSpace = (code: number) => code === 32 || code === 10 || code === 13 || code === 9;
/** A digit followed by `.`, `e` or `E`: where every number with a fraction or exponent starts. */
const FRACTION_OR_EXPONENT = /\d[.eE]/g;
/** {@link FRACTION_OR_EXPONENT}, or a run of 16 digits (every integer outside ±(2^53 − 1)). */
const FRACTION_EXPONENT_OR_LONG = /\d[.eE]|\d{16}/g;
/**
 * A run of 16 digits after `:`, `,`, `[` or at the start (and spaces and a minus sign): where
 * every integer token outside ±(2^53 − 1) stands. Anchored at the delimiter, the test skips
 * through a reply about twice as fast as a bare `\d{16}` (most digits are not after one).
 */
const LONG_INTEGER_AFTER_DELIMITER = /[:,[]\s*-?\d{16}/;
const LONG_INTEGER_AT_START = /^\s*-?\d{16}/;

/**
 * Whether a JSON text may hold an integer outside ±(2^53 − 1), which `JSON.parse` would round
 * (false: it certainly holds none).
 */
export function mayHoldLongIntegers(text: string): boolean {
  return LONG_INTEGER_AFTER_DELIMITER.test(text) || LONG_INTEGER_AT_START.test(text);
}

/**
 * Whether `text.slice(start, end)` stands in value position: after `:`, `,`, `[` or at the
 * start, before `,`, `}`, `]` or the end (JSON whitespace between).
 */
function inValuePosition(text: string, start: number, end: number): boolean {
  let before = start - 1;
  while (before >= 0 && isJsonSpace(text.charCodeAt(before))) before--;
  const delimiter = before < 0 ? -1 : text.charCodeAt(before);
  // `:`, `,` or `[`
  if (delimiter !== -1 && delimiter !== 58 && delimiter !== 44 && delimiter !== 91) return false;
  let after = end;
  while (after < text.length && isJsonSpace(text.charCodeAt(after))) after++;
  const next = after < text.length ? text.charCodeAt(after) : -1;
  // `,`, `}` or `]`
  return next === -1 || next === 44 || next === 125 || next === 93;
}

/**
 * `text` with every integral float token in value position — a number with a fraction or an
 * exponent, after `:`, `,`, `[` or at the start, before `,`, `}`, `]` or the end — replaced by
 * the string `"<U+E000><token>"`, every integer token outside ±(2^53 − 1) in value position by
 * `"<U+E001><token>"`, and how many were replaced.
 *
 * Candidates are found by a one-step regular expression and checked by hand: a pattern that
 * also matched the delimiters around the token costs several times more on the long replies of
 * check listings (one `coverage: 1.0` per check). Long integers are looked for only in a text
 * that has a run of 16 digits at all (one quick test; replies rarely have one).
 */
function markNumbers(text: string, long: boolean): { text: string; marked: number; big: number } {
  let out = "";
  let copied = 0;
  let marked = 0;
  let big = 0;
  const candidates = new RegExp(long ? FRACTION_EXPONENT_OR_LONG : FRACTION_OR_EXPONENT);
  for (let match = candidates.exec(text); match; match = candidates.exec(text)) {
    let start = match.index;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
    if (long && isDigit(text.charCodeAt(match.index + 1))) {
      // A run of 16 digits or more: a long integer, or the integer part of a float, or text.
      let end = match.index + 16;
      while (isDigit(text.charCodeAt(end))) end++;
      const next = text.charCodeAt(end);
      if (next === 46 || next === 101 || next === 69) {
        // A fraction or exponent follows: its last digit starts a float candidate.
        candidates.lastIndex = end - 1;
        continue;
      }
      candidates.lastIndex = end;
      // A leading zero is not JSON: the native parse fails, the scanner reports it.
      if (text.charCodeAt(start) === 48) continue;
      if (start > 0 && text.charCodeAt(start - 1) === 45) start--;
      if (!inValuePosition(text, start, end)) continue;
      const token = text.slice(start, end);
      if (Number.isSafeInteger(Number(token))) continue;
      marked++;
      big++;
      out += `${text.slice(copied, start)}"${BIG_MARKER}${token}"`;
      copied = end;
      continue;
    }
    // JSON's integer part: `0` or a digit 1-9 followed by digits.
    if (text.charCodeAt(start) === 48 && start < match.index) continue;
    if (start > 0 && text.charCodeAt(start - 1) === 45) start--;
    let end = match.index + 1;
    if (text.charCodeAt(end) === 46) {
      const digits = ++end;
      while (isDigit(text.charCodeAt(end))) end++;
      if (end === digits) continue;
    }
    const exponent = text.charCodeAt(end);
    if (exponent === 101 || exponent === 69) {
      const sign = text.charCodeAt(++end);
      if (sign === 43 || sign === 45) end++;
      const digits = end;
      while (isDigit(text.charCodeAt(end))) end++;
      if (end === digits) continue;
    }
    candidates.lastIndex = end;
    if (!inValuePosition(text, start, end)) continue;
    const token = text.slice(start, end);
    if (!Number.isInteger(Number(token))) continue;
    marked++;
    out += `${text.slice(copied, start)}"${MARKER}${token}"`;
    copied = end;
  }
  return marked ? { text: out + text.slice(copied), marked, big } : { text, marked, big };
}

/**
 * `JSON.parse` keeping integral floats and long integers, or undefined when this text needs
 * the scanner.
 *
 * Every integral float token is rewritten to a string `"<U+E000><token>"` (a long integer to
 * `"<U+E001><token>"`) before the native parse and boxed (made a `bigint`) afterwards: the
 * native parser is several times faster than the scanner, and faster than a reviver with
 * `context.source` too (a reviver call per value costs more than the scan it saves). A
 * candidate that is really inside a string makes the rewritten text invalid (the inserted
 * quote ends that string, and a marker cannot stand outside one), so a successful parse proves
 * every rewrite hit a number; on failure the scanner decides.
 */
function parseJsonNative(text: string): { value: unknown } | undefined {
  // First for floats alone: long integers are rare, and looking for them costs a scan. Where
  // the floats are unmarked anyway, that walk tells whether a number may have been rounded;
  // elsewhere a test of the text does.
  const first = markNumbers(text, false);
  if (first.marked && MARKER_IN_INPUT.test(text)) return undefined;
  try {
    let value = JSON.parse(first.text);
    if (first.marked) {
      unsafeNumberSeen = false;
      value = unmark(value);
      if (!unsafeNumberSeen) return { value };
    } else if (!mayHoldLongIntegers(text)) return { value };
    const second = markNumbers(text, true);
    if (!second.big) return { value };
    if (MARKER_IN_INPUT.test(text)) return undefined;
    return { value: unmark(JSON.parse(second.text)) };
  } catch {
    return undefined;
  }
}

/**
 * Parses JSON like `JSON.parse`, keeping integral floats as {@link JsonFloat} and integers
 * outside ±(2^53 − 1) exact, as `bigint`s.
 */
export function parseJson(text: string): unknown {
  const parsed = parseJsonNative(text);
  return parsed ? parsed.value : parseJsonScanner(text);
}

/**
 * {@link parseJson} by a scanner written in JavaScript: the reference the native path must
 * agree with, its fallback, and the source of error messages with positions.
 */
export function parseJsonScanner(text: string): unknown {
  let pos = 0;
  const fail = (what: string): never => {
    throw new JsonParseError(`${what} at position ${pos}`, pos);
  };
  const skipWhitespace = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
      else break;
    }
  };
  const parseString = (): string => {
    const start = ++pos;
    let out = "";
    let chunkStart = start;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 34) {
        out += text.slice(chunkStart, pos);
        pos++;
        return out;
      }
      if (c === 92) {
        out += text.slice(chunkStart, pos);
        const e = text[pos + 1];
        pos += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case "\\":
            out += "\\";
            break;
          case "/":
            out += "/";
            break;
          case "b":
            out += "\b";
            break;
          case "f":
            out += "\f";
            break;
          case "n":
            out += "\n";
            break;
          case "r":
            out += "\r";
            break;
          case "t":
            out += "\t";
            break;
          case "u": {
            const hex = text.slice(pos, pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("Bad unicode escape");
            out += String.fromCharCode(parseInt(hex, 16));
            pos += 4;
            break;
          }
          default:
            pos -= 1;
            fail("Bad escape");
        }
        chunkStart = pos;
        continue;
      }
      if (c < 32) fail("Control character in string");
      pos++;
    }
    return fail("Unterminated string");
  };
  const numberPattern = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const parseNumber = (): number | JsonFloat | bigint => {
    numberPattern.lastIndex = pos;
    const match = numberPattern.exec(text);
    if (!match) return fail("Unexpected character");
    pos += match[0].length;
    const value = Number(match[0]);
    const isFloat = match[1] !== undefined || match[2] !== undefined;
    if (isFloat) return Number.isInteger(value) ? new JsonFloat(value) : value;
    return Number.isSafeInteger(value) ? value : BigInt(match[0]);
  };
  const parseValue = (): unknown => {
    skipWhitespace();
    const c = text[pos];
    if (c === "{") {
      pos++;
      const object: Record<string, unknown> = {};
      skipWhitespace();
      if (text[pos] === "}") {
        pos++;
        return object;
      }
      while (true) {
        skipWhitespace();
        if (text[pos] !== '"') fail("Expected property name");
        const key = parseString();
        skipWhitespace();
        if (text[pos] !== ":") fail("Expected ':'");
        pos++;
        const value = parseValue();
        setOwn(object, key, value);
        skipWhitespace();
        if (text[pos] === ",") pos++;
        else if (text[pos] === "}") {
          pos++;
          return object;
        } else fail("Expected ',' or '}'");
      }
    }
    if (c === "[") {
      pos++;
      const array: unknown[] = [];
      skipWhitespace();
      if (text[pos] === "]") {
        pos++;
        return array;
      }
      while (true) {
        array.push(parseValue());
        skipWhitespace();
        if (text[pos] === ",") pos++;
        else if (text[pos] === "]") {
          pos++;
          return array;
        } else fail("Expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith("true", pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith("false", pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith("null", pos)) {
      pos += 4;
      return null;
    }
    if (c === undefined) return fail("Unexpected end of JSON");
    return parseNumber();
  };
  const value = parseValue();
  skipWhitespace();
  if (pos < text.length) fail("Unexpected data after JSON value");
  return value;
}

/** Options of {@link stringifyJson}. */
export interface StringifyJsonOptions {
  /** Spaces per level; without it everything is on one line (Python's `", "` / `": "`). */
  indent?: number;
  /** Escape every non-ASCII character as `\uXXXX`, as Python's `json.dumps` does. */
  asciiOnly?: boolean;
}

const escapes: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function quote(text: string, asciiOnly: boolean): string {
  // deno-lint-ignore no-control-regex
  const pattern = asciiOnly ? /["\\\u0000-\u001f\u007f-\uffff]/g : /["\\\u0000-\u001f]/g;
  return `"${
    text.replace(
      pattern,
      (c) => escapes[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    )
  }"`;
}

/**
 * Serialises like Python's `json.dumps`: floats stay floats (`1.0`), `undefined` object members
 * are skipped, and without `indent` the separators are `", "` and `": "`.
 */
export function stringifyJson(value: unknown, options: StringifyJsonOptions = {}): string {
  const { indent, asciiOnly = false } = options;
  const write = (item: unknown, depth: number): string | undefined => {
    if (item === null) return "null";
    if (item instanceof JsonFloat) return pythonFloatRepr(item.value);
    switch (typeof item) {
      case "string":
        return quote(item, asciiOnly);
      case "number":
        return Number.isFinite(item) ? numberRepr(item) : "null";
      case "boolean":
        return String(item);
      case "bigint":
        return String(item);
      case "undefined":
      case "function":
      case "symbol":
        return undefined;
    }
    if (item instanceof Date) return quote(item.toISOString(), asciiOnly);
    const pad = indent === undefined ? "" : "\n" + " ".repeat(indent * (depth + 1));
    const close = indent === undefined ? "" : "\n" + " ".repeat(indent * depth);
    const separator = indent === undefined ? ", " : ",";
    if (Array.isArray(item)) {
      if (item.length === 0) return "[]";
      const parts = item.map((element) => pad + (write(element, depth + 1) ?? "null"));
      return `[${parts.join(separator)}${close}]`;
    }
    const parts: string[] = [];
    for (const [key, member] of Object.entries(item as Record<string, unknown>)) {
      const text = write(member, depth + 1);
      if (text !== undefined) parts.push(`${pad}${quote(key, asciiOnly)}: ${text}`);
    }
    if (parts.length === 0) return "{}";
    return `{${parts.join(separator)}${close}}`;
  };
  return write(value, 0) ?? "null";
}
