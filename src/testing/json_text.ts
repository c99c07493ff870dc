/**
 * The JSON writer of the fake's responses: the same text as `stringifyJson` without options
 * (Python's `json.dumps` separators, floats kept as `1.0`), but faster, and able to splice in
 * text serialised earlier ({@link RawJson}) so list pages can reuse per-record JSON.
 */
import { JsonFloat, numberRepr, pythonFloatRepr } from "../util/json.ts";

/** JSON text inserted verbatim by {@link toJsonText} (a record's cached rendering). */
export class RawJson {
  constructor(readonly text: string) {}
}

// Surrogates are the only characters `JSON.stringify` escapes and `json.dumps(ensure_ascii=False)`
// (hence `stringifyJson`) does not: lone ones become `\udXXX` there. Strings without any take the
// native fast path; the rare rest are quoted like `stringifyJson` does.
const SURROGATE = /[\ud800-\udfff]/;
// deno-lint-ignore no-control-regex
const ESCAPED = /["\\\u0000-\u001f]/g;
const ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function quote(text: string): string {
  if (!SURROGATE.test(text)) return JSON.stringify(text);
  return `"${
    text.replace(
      ESCAPED,
      (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    )
  }"`;
}

function write(item: unknown): string | undefined {
  if (item === null) return "null";
  switch (typeof item) {
    case "string":
      return quote(item);
    case "number":
      // Python's `json.dumps` writes a float such as 0.00001 as `1e-05`.
      return Number.isFinite(item) ? numberRepr(item) : "null";
    case "boolean":
    case "bigint":
      return String(item);
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (item instanceof RawJson) return item.text;
  if (item instanceof JsonFloat) return pythonFloatRepr(item.value);
  if (item instanceof Date) return quote(item.toISOString());
  if (Array.isArray(item)) {
    if (item.length === 0) return "[]";
    let out = "[";
    for (let i = 0; i < item.length; i++) {
      if (i > 0) out += ", ";
      // A hole stays empty, as `map` + `join` leave it in `stringifyJson`.
      if (i in item) out += write(item[i]) ?? "null";
    }
    return out + "]";
  }
  // Own enumerable string keys in insertion order, like `Object.entries` in `stringifyJson`
  // (symbol keys such as the `as_given` mark are left out).
  const record = item as Record<string, unknown>;
  let out = "";
  for (const key of Object.keys(record)) {
    const text = write(record[key]);
    if (text === undefined) continue;
    out += (out ? ", " : "{") + quote(key) + ": " + text;
  }
  return out ? out + "}" : "{}";
}

/** `stringifyJson(value)` (no indent, non-ASCII kept), with {@link RawJson} spliced in as is. */
export function toJsonText(value: unknown): string {
  return write(value) ?? "null";
}
