/**
 * PyYAML-compatible YAML for config-as-code files.
 *
 * The original CLI writes every file with PyYAML 6 `safe_dump(data, default_flow_style=False,
 * sort_keys=False, allow_unicode=True)` and reads them with `SafeLoader` minus the timestamp
 * resolver. Existing exports only stay diff-free when this package writes the very same bytes, so
 * {@link dumpYaml} is a port of PyYAML's representer, serializer and emitter (the state machine,
 * `analyze_scalar`, `choose_scalar_style` and the scalar writers with their 80-column breaking),
 * not an approximation of its output. {@link loadYaml} applies PyYAML's YAML 1.1 implicit
 * resolvers and safe constructors, so hand-written files (`yes`, `0755`, `1:30`, `1_000`) mean
 * what they meant to the original: directly for the block subset that {@link dumpYaml} writes,
 * through the `yaml` package's parser (`yaml_full.ts`, imported on demand) for anything else.
 *
 * @module
 */

import { JsonFloat, pythonFloatRepr, setOwn } from "./json.ts";

// ---------------------------------------------------------------------------------------------
// YAML 1.1 implicit resolvers (PyYAML `resolver.py`)
// ---------------------------------------------------------------------------------------------

/** Short names of the `tag:yaml.org,2002:` tags the resolvers and representer use. */
export type CoreTag =
  | "str"
  | "int"
  | "float"
  | "bool"
  | "null"
  | "merge"
  | "timestamp"
  | "value"
  | "yaml"
  | "seq"
  | "map";

// Python's `$` also matches just before a final "\n", hence `\n?$` everywhere.
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)\n?$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\n?$/;
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)\n?$/;
const MERGE = /^(?:<<)\n?$/;
const NULL = /^(?:~|null|Null|NULL|)\n?$/;
const TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\n?$/;
const VALUE = /^(?:=)\n?$/;
const YAML_TAG = /^(?:!|&|\*)\n?$/;

type Resolver = [CoreTag, RegExp, string[]];

// Registration order matters: PyYAML tries the resolvers of the first character in this order.
const RESOLVERS: Resolver[] = [
  ["bool", BOOL, [..."yYnNtTfFoO"]],
  ["float", FLOAT, [..."-+0123456789."]],
  ["int", INT, [..."-+0123456789"]],
  ["merge", MERGE, ["<"]],
  ["null", NULL, ["~", "n", "N", ""]],
  ["timestamp", TIMESTAMP, [..."0123456789"]],
  ["value", VALUE, ["="]],
  ["yaml", YAML_TAG, [..."!&*"]],
];

function buildResolverTable(withTimestamp: boolean): Map<string, [CoreTag, RegExp][]> {
  const table = new Map<string, [CoreTag, RegExp][]>();
  for (const [tag, regexp, first] of RESOLVERS) {
    if (tag === "timestamp" && !withTimestamp) continue;
    for (const ch of first) {
      const list = table.get(ch) ?? [];
      list.push([tag, regexp]);
      table.set(ch, list);
    }
  }
  return table;
}

// The dumper resolves with every resolver (so a date-like string gets quoted); the loader drops
// the timestamp resolver like the original's loader does, so dates stay strings.
const DUMP_RESOLVERS = buildResolverTable(true);
const LOAD_RESOLVERS = buildResolverTable(false);

function resolvePlain(value: string, table: Map<string, [CoreTag, RegExp][]>): CoreTag {
  // Python indexes strings by code point; the first UTF-16 unit is enough for the ASCII keys.
  const resolvers = table.get(value === "" ? "" : value[0]);
  if (resolvers === undefined) return "str";
  // Indexed, without destructuring: this runs for every plain scalar of thousands of files.
  for (let i = 0; i < resolvers.length; i++) {
    if (resolvers[i][1].test(value)) return resolvers[i][0];
  }
  return "str";
}

/**
 * The tag PyYAML's dumper resolves an unquoted scalar to (`"str"` when it stays a string).
 * A string for which this is not `"str"` must be quoted to survive a round trip.
 */
export function yaml11ImplicitTag(value: string): string {
  return resolvePlain(value, DUMP_RESOLVERS);
}

/** The tag the original's loader resolves an unquoted scalar to (no timestamps). */
export function loadedPlainTag(value: string): CoreTag {
  return resolvePlain(value, LOAD_RESOLVERS);
}

// ---------------------------------------------------------------------------------------------
// Representer (PyYAML `SafeRepresenter`) → node tree
// ---------------------------------------------------------------------------------------------

interface ScalarNode {
  kind: "scalar";
  tag: CoreTag;
  value: string;
  /** `(plain implicit, quoted implicit)` as the serializer computes it. */
  implicit: [boolean, boolean];
}
interface SequenceNode {
  kind: "seq";
  items: YNode[];
}
interface MappingNode {
  kind: "map";
  pairs: [YNode, YNode][];
}
type YNode = ScalarNode | SequenceNode | MappingNode;

function scalar(tag: CoreTag, value: string): ScalarNode {
  const detected = resolvePlain(value, DUMP_RESOLVERS);
  return { kind: "scalar", tag, value, implicit: [tag === detected, tag === "str"] };
}

function representFloat(value: number): ScalarNode {
  let text: string;
  if (Number.isNaN(value)) text = ".nan";
  else if (value === Infinity) text = ".inf";
  else if (value === -Infinity) text = "-.inf";
  else {
    text = pythonFloatRepr(value).toLowerCase();
    // PyYAML's fix for `repr(1e17) == '1e+17'`, which is not a valid YAML 1.1 float.
    if (!text.includes(".") && text.includes("e")) text = text.replace("e", ".0e");
  }
  return scalar("float", text);
}

function represent(value: unknown, stack: Set<object>): YNode {
  if (value === null || value === undefined) return scalar("null", "null");
  if (value instanceof JsonFloat) return representFloat(value.value);
  switch (typeof value) {
    case "string":
      return scalar("str", value);
    case "boolean":
      return scalar("bool", value ? "true" : "false");
    case "bigint":
      return scalar("int", value.toString());
    case "number":
      return Number.isInteger(value)
        ? scalar("int", BigInt(value).toString())
        : representFloat(value);
    case "function":
    case "symbol":
      throw new TypeError(`cannot represent a ${typeof value} as YAML`);
  }
  if (value instanceof Date) return scalar("str", value.toISOString());
  const object = value as object;
  if (stack.has(object)) throw new TypeError("cannot represent a recursive structure as YAML");
  stack.add(object);
  try {
    if (Array.isArray(object)) {
      return { kind: "seq", items: object.map((item) => represent(item, stack)) };
    }
    const entries = object instanceof Map
      ? [...object.entries()]
      : Object.entries(object as Record<string, unknown>);
    const pairs: [YNode, YNode][] = [];
    for (const [key, member] of entries) {
      // Like JSON: an `undefined` member is absent, not null.
      if (member === undefined) continue;
      pairs.push([represent(key, stack), represent(member, stack)]);
    }
    return { kind: "map", pairs };
  } finally {
    stack.delete(object);
  }
}

// ---------------------------------------------------------------------------------------------
// Emitter (PyYAML `emitter.py`)
// ---------------------------------------------------------------------------------------------

interface ScalarAnalysis {
  scalar: string[];
  empty: boolean;
  multiline: boolean;
  allowFlowPlain: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
  allowDoubleQuoted: boolean;
  allowBlock: boolean;
}

// Membership tests are spelled out comparisons (not `"...".includes(ch)`): they run for every
// character of every scalar of every file, and `undefined` (the end of text) is never a member.

/** `ch in "\n\x85\u2028\u2029"` (PyYAML's line breaks). */
function isBreak(ch: string | undefined): boolean {
  return ch === "\n" || ch === "\x85" || ch === "\u2028" || ch === "\u2029";
}

/** `ch in " \n\x85\u2028\u2029"`. */
function isSpaceOrBreak(ch: string | undefined): boolean {
  return ch === " " || isBreak(ch);
}

/** `ch in "\0 \t\r\n\x85\u2028\u2029"` (PyYAML's whitespace or end of text). */
function isWhitespaceOrEnd(ch: string | undefined): boolean {
  return ch === " " || ch === "\0" || ch === "\t" || ch === "\r" || isBreak(ch);
}

/** The number of code points of `text` (Python's `len`), without splitting it. */
function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}

const ESCAPE_REPLACEMENTS: Record<string, string> = {
  "\0": "0",
  "\x07": "a",
  "\x08": "b",
  "\x09": "t",
  "\x0A": "n",
  "\x0B": "v",
  "\x0C": "f",
  "\x0D": "r",
  "\x1B": "e",
  '"': '"',
  "\\": "\\",
  "\x85": "N",
  "\xA0": "_",
  "\u2028": "L",
  "\u2029": "P",
};

const TAG_SHORTHAND_LENGTH: Record<CoreTag, number> = {
  str: "!!str".length,
  int: "!!int".length,
  float: "!!float".length,
  bool: "!!bool".length,
  null: "!!null".length,
  merge: "!!merge".length,
  timestamp: "!!timestamp".length,
  value: "!!value".length,
  yaml: "!!yaml".length,
  seq: "!!seq".length,
  map: "!!map".length,
};

type Style = "" | "'" | '"';

const ANALYSIS_CACHE_SIZE = 4096;
const ANALYSES_UNICODE = new Map<string, ScalarAnalysis>();
const ANALYSES_ASCII = new Map<string, ScalarAnalysis>();

class Emitter {
  private out: string[] = [];
  private indents: (number | null)[] = [];
  private indent: number | null = null;
  private flowLevel = 0;
  private rootContext = false;
  private sequenceContext = false;
  private mappingContext = false;
  private simpleKeyContext = false;
  private column = 0;
  private whitespace = true;
  private indention = true;
  private openEnded = false;
  private analysis: ScalarAnalysis | null = null;
  private readonly bestIndent: number;
  private readonly bestWidth: number;

  constructor(indent: number, width: number, private readonly allowUnicode: boolean) {
    this.bestIndent = indent > 1 && indent < 10 ? indent : 2;
    this.bestWidth = width > this.bestIndent * 2 ? width : 80;
  }

  emitDocument(root: YNode): string {
    // A represented node always carries a tag, so `check_empty_document` is false and the
    // first document is implicit: no `---`.
    this.expectNode(root, { root: true });
    // expect_document_end
    this.writeIndent();
    // expect_document_start at StreamEndEvent
    if (this.openEnded) {
      this.writeIndicator("...", true);
      this.writeIndent();
    }
    return this.out.join("");
  }

  private increaseIndent(flow = false, indentless = false): void {
    this.indents.push(this.indent);
    if (this.indent === null) {
      this.indent = flow ? this.bestIndent : 0;
    } else if (!indentless) {
      this.indent += this.bestIndent;
    }
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? null;
  }

  private expectNode(
    node: YNode,
    context: { root?: boolean; sequence?: boolean; mapping?: boolean; simpleKey?: boolean },
  ): void {
    this.rootContext = context.root ?? false;
    this.sequenceContext = context.sequence ?? false;
    this.mappingContext = context.mapping ?? false;
    this.simpleKeyContext = context.simpleKey ?? false;
    if (node.kind === "scalar") {
      const style = this.chooseScalarStyle(node);
      this.increaseIndent(true);
      this.processScalar(node, style);
      this.popIndent();
    } else if (node.kind === "seq") {
      // default_flow_style=False: only an empty sequence (or one inside a flow) is flow.
      if (this.flowLevel || node.items.length === 0) this.expectFlowSequence(node);
      else this.expectBlockSequence(node);
    } else {
      if (this.flowLevel || node.pairs.length === 0) this.expectFlowMapping(node);
      else this.expectBlockMapping(node);
    }
  }

  private expectFlowSequence(node: SequenceNode): void {
    this.writeIndicator("[", true, true);
    this.flowLevel++;
    this.increaseIndent(true);
    node.items.forEach((item, index) => {
      if (index > 0) this.writeIndicator(",", false);
      if (this.column > this.bestWidth) this.writeIndent();
      this.expectNode(item, { sequence: true });
    });
    this.popIndent();
    this.flowLevel--;
    this.writeIndicator("]", false);
  }

  private expectFlowMapping(node: MappingNode): void {
    this.writeIndicator("{", true, true);
    this.flowLevel++;
    this.increaseIndent(true);
    node.pairs.forEach(([key, value], index) => {
      if (index > 0) this.writeIndicator(",", false);
      if (this.column > this.bestWidth) this.writeIndent();
      if (this.checkSimpleKey(key)) {
        this.expectNode(key, { mapping: true, simpleKey: true });
        this.writeIndicator(":", false);
        this.expectNode(value, { mapping: true });
      } else {
        this.writeIndicator("?", true);
        this.expectNode(key, { mapping: true });
        if (this.column > this.bestWidth) this.writeIndent();
        this.writeIndicator(":", true);
        this.expectNode(value, { mapping: true });
      }
    });
    this.popIndent();
    this.flowLevel--;
    this.writeIndicator("}", false);
  }

  private expectBlockSequence(node: SequenceNode): void {
    // This is why `key:\n- item` is not indented: the sequence starts right after `key:`.
    const indentless = this.mappingContext && !this.indention;
    this.increaseIndent(false, indentless);
    for (const item of node.items) {
      this.writeIndent();
      this.writeIndicator("-", true, false, true);
      this.expectNode(item, { sequence: true });
    }
    this.popIndent();
  }

  private expectBlockMapping(node: MappingNode): void {
    this.increaseIndent(false);
    for (const [key, value] of node.pairs) {
      this.writeIndent();
      if (this.checkSimpleKey(key)) {
        this.expectNode(key, { mapping: true, simpleKey: true });
        this.writeIndicator(":", false);
        this.expectNode(value, { mapping: true });
      } else {
        this.writeIndicator("?", true, false, true);
        this.expectNode(key, { mapping: true });
        this.writeIndent();
        this.writeIndicator(":", true, false, true);
        this.expectNode(value, { mapping: true });
      }
    }
    this.popIndent();
  }

  private checkSimpleKey(node: YNode): boolean {
    // PyYAML counts the (never written) tag shorthand, e.g. `!!str`, into the key length.
    let length = TAG_SHORTHAND_LENGTH[node.kind === "scalar" ? node.tag : node.kind];
    if (node.kind === "scalar") {
      this.analysis ??= this.analyzeScalar(node.value);
      length += this.analysis.scalar.length;
      return length < 128 && !this.analysis.empty && !this.analysis.multiline;
    }
    const empty = node.kind === "seq" ? node.items.length === 0 : node.pairs.length === 0;
    return length < 128 && empty;
  }

  private chooseScalarStyle(node: ScalarNode): Style {
    const analysis = this.analysis ??= this.analyzeScalar(node.value);
    if (node.implicit[0]) {
      if (
        !(this.simpleKeyContext && (analysis.empty || analysis.multiline)) &&
        ((this.flowLevel && analysis.allowFlowPlain) ||
          (!this.flowLevel && analysis.allowBlockPlain))
      ) {
        return "";
      }
    }
    if (analysis.allowSingleQuoted && !(this.simpleKeyContext && analysis.multiline)) {
      return "'";
    }
    return '"';
  }

  private processScalar(node: ScalarNode, style: Style): void {
    const analysis = this.analysis ??= this.analyzeScalar(node.value);
    const split = !this.simpleKeyContext;
    if (style === '"') this.writeDoubleQuoted(analysis.scalar, split);
    else if (style === "'") this.writeSingleQuoted(analysis.scalar, split);
    else this.writePlain(analysis.scalar, split, node.value, analysis.multiline);
    this.analysis = null;
  }

  private analyzeScalar(value: string): ScalarAnalysis {
    // Exports repeat the same keys and many values in every file: each analysis (read-only once
    // made) is kept for the next occurrence.
    const cache = this.allowUnicode ? ANALYSES_UNICODE : ANALYSES_ASCII;
    let analysis = cache.get(value);
    if (analysis === undefined) {
      if (cache.size >= ANALYSIS_CACHE_SIZE) cache.clear();
      analysis = this.computeAnalysis(value);
      cache.set(value, analysis);
    }
    return analysis;
  }

  private computeAnalysis(value: string): ScalarAnalysis {
    // Python iterates code points; so do we (columns are counted in code points too).
    const scalar = [...value];
    if (scalar.length === 0) {
      return {
        scalar,
        empty: true,
        multiline: false,
        allowFlowPlain: false,
        allowBlockPlain: true,
        allowSingleQuoted: true,
        allowDoubleQuoted: true,
        allowBlock: false,
      };
    }
    let blockIndicators = false;
    let flowIndicators = false;
    let lineBreaks = false;
    let specialCharacters = false;
    let leadingSpace = false;
    let leadingBreak = false;
    let trailingSpace = false;
    let trailingBreak = false;
    let breakSpace = false;
    let spaceBreak = false;

    if (value.startsWith("---") || value.startsWith("...")) {
      blockIndicators = true;
      flowIndicators = true;
    }
    let precededByWhitespace = true;
    let followedByWhitespace = scalar.length === 1 || isWhitespaceOrEnd(scalar[1]);
    let previousSpace = false;
    let previousBreak = false;

    for (let index = 0; index < scalar.length;) {
      const ch = scalar[index];
      if (index === 0) {
        if ("#,[]{}&*!|>'\"%@`".includes(ch)) {
          flowIndicators = true;
          blockIndicators = true;
        }
        if (ch === "?" || ch === ":") {
          flowIndicators = true;
          if (followedByWhitespace) blockIndicators = true;
        }
        if (ch === "-" && followedByWhitespace) {
          flowIndicators = true;
          blockIndicators = true;
        }
      } else {
        if (ch === "," || ch === "?" || ch === "[" || ch === "]" || ch === "{" || ch === "}") {
          flowIndicators = true;
        }
        if (ch === ":") {
          flowIndicators = true;
          if (followedByWhitespace) blockIndicators = true;
        }
        if (ch === "#" && precededByWhitespace) {
          flowIndicators = true;
          blockIndicators = true;
        }
      }

      if (isBreak(ch)) lineBreaks = true;
      const code = ch.codePointAt(0)!;
      if (!(ch === "\n" || (code >= 0x20 && code <= 0x7e))) {
        const unicode = (code === 0x85 || (code >= 0xa0 && code <= 0xd7ff) ||
          (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code < 0x10ffff)) &&
          code !== 0xfeff;
        if (unicode) {
          if (!this.allowUnicode) specialCharacters = true;
        } else {
          specialCharacters = true;
        }
      }

      if (ch === " ") {
        if (index === 0) leadingSpace = true;
        if (index === scalar.length - 1) trailingSpace = true;
        if (previousBreak) breakSpace = true;
        previousSpace = true;
        previousBreak = false;
      } else if (isBreak(ch)) {
        if (index === 0) leadingBreak = true;
        if (index === scalar.length - 1) trailingBreak = true;
        if (previousSpace) spaceBreak = true;
        previousSpace = false;
        previousBreak = true;
      } else {
        previousSpace = false;
        previousBreak = false;
      }

      index++;
      precededByWhitespace = isWhitespaceOrEnd(ch);
      followedByWhitespace = index + 1 >= scalar.length || isWhitespaceOrEnd(scalar[index + 1]);
    }

    let allowFlowPlain = true;
    let allowBlockPlain = true;
    let allowSingleQuoted = true;
    const allowDoubleQuoted = true;
    let allowBlock = true;
    if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
      allowFlowPlain = allowBlockPlain = false;
    }
    if (trailingSpace) allowBlock = false;
    if (breakSpace) allowFlowPlain = allowBlockPlain = allowSingleQuoted = false;
    if (spaceBreak || specialCharacters) {
      allowFlowPlain =
        allowBlockPlain =
        allowSingleQuoted =
        allowBlock =
          false;
    }
    if (lineBreaks) allowFlowPlain = allowBlockPlain = false;
    if (flowIndicators) allowFlowPlain = false;
    if (blockIndicators) allowBlockPlain = false;
    return {
      scalar,
      empty: false,
      multiline: lineBreaks,
      allowFlowPlain,
      allowBlockPlain,
      allowSingleQuoted,
      allowDoubleQuoted,
      allowBlock,
    };
  }

  // Writers ------------------------------------------------------------------------------------

  private write(data: string, width = codePointLength(data)): void {
    this.column += width;
    this.out.push(data);
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    whitespace = false,
    indention = false,
  ): void {
    const data = this.whitespace || !needWhitespace ? indicator : " " + indicator;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.openEnded = false;
    this.write(data);
  }

  private writeIndent(): void {
    const indent = this.indent ?? 0;
    if (
      !this.indention || this.column > indent || (this.column === indent && !this.whitespace)
    ) {
      this.writeLineBreak();
    }
    if (this.column < indent) {
      this.whitespace = true;
      this.out.push(" ".repeat(indent - this.column));
      this.column = indent;
    }
  }

  /**
   * Writes the line breaks `text[start..end)` of a quoted or plain scalar and re-indents; a
   * leading "\n" is doubled because a single folded break would read back as a space.
   */
  private writeBreaks(text: readonly string[], start: number, end: number): void {
    if (text[start] === "\n") this.writeLineBreak();
    for (const br of text.slice(start, end)) this.writeLineBreak(br);
    this.writeIndent();
  }

  private writeLineBreak(data = "\n"): void {
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
    this.out.push(data);
  }

  private writeSingleQuoted(text: string[], split: boolean): void {
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch: string | undefined = text[end];
      if (spaces) {
        if (ch === undefined || ch !== " ") {
          if (
            start + 1 === end && this.column > this.bestWidth && split && start !== 0 &&
            end !== text.length
          ) {
            this.writeIndent();
          } else {
            this.write(text.slice(start, end).join(""), end - start);
          }
          start = end;
        }
      } else if (breaks) {
        if (!isBreak(ch)) {
          this.writeBreaks(text, start, end);
          start = end;
        }
      } else {
        if (ch === undefined || isSpaceOrBreak(ch) || ch === "'") {
          if (start < end) {
            this.write(text.slice(start, end).join(""), end - start);
            start = end;
          }
        }
      }
      if (ch === "'") {
        this.write("''", 2);
        start = end + 1;
      }
      if (ch !== undefined) {
        spaces = ch === " ";
        breaks = isBreak(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  private writeDoubleQuoted(text: string[], split: boolean): void {
    this.writeIndicator('"', true);
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch: string | undefined = text[end];
      if (ch === undefined || this.needsEscape(ch)) {
        if (start < end) {
          this.write(text.slice(start, end).join(""), end - start);
          start = end;
        }
        if (ch !== undefined) {
          const code = ch.codePointAt(0)!;
          let data: string;
          if (ch in ESCAPE_REPLACEMENTS) data = "\\" + ESCAPE_REPLACEMENTS[ch];
          else if (code <= 0xff) data = "\\x" + hex(code, 2);
          else if (code <= 0xffff) data = "\\u" + hex(code, 4);
          else data = "\\U" + hex(code, 8);
          this.write(data);
          start = end + 1;
        }
      }
      if (
        end > 0 && end < text.length - 1 && (ch === " " || start >= end) &&
        this.column + (end - start) > this.bestWidth && split
      ) {
        const data = text.slice(start, end).join("") + "\\";
        const width = end - start + 1;
        if (start < end) start = end;
        this.write(data, width);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (text[start] === " ") this.write("\\", 1);
      }
    }
    this.writeIndicator('"', false);
  }

  private needsEscape(ch: string): boolean {
    if ('"\\\x85\u2028\u2029\uFEFF'.includes(ch)) return true;
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e) return false;
    return !(this.allowUnicode &&
      ((code >= 0xa0 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd)));
  }

  private writePlain(text: string[], split: boolean, value: string, multiline: boolean): void {
    if (this.rootContext) this.openEnded = true;
    if (text.length === 0) return;
    if (!this.whitespace) this.write(" ", 1);
    this.whitespace = false;
    this.indention = false;
    // Without line breaks, the loop below only breaks a line at a space once the column is past
    // the width: a scalar that ends within the width (or may not be split) is written whole.
    if (!multiline && (!split || this.column + text.length <= this.bestWidth)) {
      this.write(value, text.length);
      return;
    }
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch: string | undefined = text[end];
      if (spaces) {
        if (ch !== " ") {
          if (start + 1 === end && this.column > this.bestWidth && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.write(text.slice(start, end).join(""), end - start);
          }
          start = end;
        }
      } else if (breaks) {
        if (!isBreak(ch)) {
          this.writeBreaks(text, start, end);
          this.whitespace = false;
          this.indention = false;
          start = end;
        }
      } else {
        if (ch === undefined || isSpaceOrBreak(ch)) {
          this.write(text.slice(start, end).join(""), end - start);
          start = end;
        }
      }
      if (ch !== undefined) {
        spaces = ch === " ";
        breaks = isBreak(ch);
      }
    }
  }
}

function hex(code: number, digits: number): string {
  return code.toString(16).toUpperCase().padStart(digits, "0");
}

/** Options of {@link dumpYaml}; the defaults are the original's `safe_dump` settings. */
export interface DumpYamlOptions {
  /** Spaces per nesting level (PyYAML `indent`, 2..9). Default 2. */
  indent?: number;
  /** Preferred line width for folding long scalars (PyYAML `width`). Default 80. */
  width?: number;
  /** Write non-ASCII characters as they are (PyYAML `allow_unicode`). Default true. */
  allowUnicode?: boolean;
}

/**
 * Serialises a value exactly like PyYAML 6 `safe_dump(value, default_flow_style=False,
 * sort_keys=False, allow_unicode=True)`: block style, insertion-order keys, YAML 1.1 quoting,
 * folding at 80 columns, {@link JsonFloat} written as `1.0`, a trailing newline.
 *
 * Objects, `Map`s and arrays become mappings and sequences; `undefined` members are skipped;
 * integers are ints and other numbers floats; a `Date` is written as its ISO string. A value
 * shared by two places is written twice (PyYAML would write an anchor and an alias: identity
 * carries no meaning for data that came from JSON); a cycle throws a `TypeError`.
 *
 * @example
 * ```ts
 * dumpYaml({ coverage: new JsonFloat(1), list: ["NO", "ON"], props: {} });
 * // "coverage: 1.0\nlist:\n- 'NO'\n- 'ON'\nprops: {}\n"
 * ```
 */
export function dumpYaml(value: unknown, options: DumpYamlOptions = {}): string {
  const emitter = new Emitter(
    options.indent ?? 2,
    options.width ?? 80,
    options.allowUnicode ?? true,
  );
  return emitter.emitDocument(represent(value, new Set()));
}

// ---------------------------------------------------------------------------------------------
// Loader (PyYAML `SafeLoader` without the timestamp resolver)
// ---------------------------------------------------------------------------------------------

/** A YAML file that cannot be read, with the place of the problem (1-based line and column). */
export class YamlSyntaxError extends SyntaxError {
  /**
   * @param reason what is wrong, without the place
   * @param fileName the file (or other source name) being read
   * @param line 1-based line of the problem
   * @param column 1-based column of the problem
   * @param snippet the offending source line with a caret under the column, when known
   */
  constructor(
    readonly reason: string,
    readonly fileName: string,
    readonly line: number,
    readonly column: number,
    readonly snippet = "",
  ) {
    super(
      `${fileName}:${line}:${column}: invalid YAML: ${reason}${snippet ? `\n${snippet}` : ""}`,
    );
    this.name = "YamlSyntaxError";
  }
}

/** The prefix of the YAML core tags (`tag:yaml.org,2002:str`, …). */
export const TAG_PREFIX = "tag:yaml.org,2002:";

/** PyYAML's safe constructor of a resolved scalar; `fail` reports a malformed value. */
export function constructScalar(
  text: string,
  tag: CoreTag,
  fail: (reason: string) => never,
): unknown {
  switch (tag) {
    case "str":
      return text;
    case "null":
      return null;
    case "bool": {
      const lower = text.toLowerCase();
      if (["yes", "true", "on"].includes(lower)) return true;
      if (["no", "false", "off"].includes(lower)) return false;
      return fail(`invalid boolean ${JSON.stringify(text)}`);
    }
    case "int":
      return constructInt(text, fail);
    case "float":
      return constructFloat(text, fail);
    case "merge":
      return "<<";
    case "value":
    case "yaml":
      return text;
    default:
      return fail(`could not determine a constructor for the tag '${TAG_PREFIX}${tag}'`);
  }
}

function constructInt(source: string, fail: (reason: string) => never): number | bigint {
  let value = source.replace(/_/g, "");
  let sign = 1n;
  if (value.startsWith("-")) sign = -1n;
  if (value[0] === "-" || value[0] === "+") value = value.slice(1);
  let result: bigint;
  try {
    if (value === "0") result = 0n;
    else if (value.startsWith("0b")) result = BigInt(value);
    else if (value.startsWith("0x")) result = BigInt(value);
    else if (value[0] === "0") result = BigInt("0o" + value.slice(1));
    else if (value.includes(":")) {
      result = 0n;
      for (const digit of value.split(":")) result = result * 60n + BigInt(digit);
    } else result = BigInt(value);
  } catch {
    return fail(`invalid integer ${JSON.stringify(source)}`);
  }
  result *= sign;
  const asNumber = Number(result);
  return Number.isSafeInteger(asNumber) ? asNumber : result;
}

function constructFloat(source: string, fail: (reason: string) => never): number | JsonFloat {
  let value = source.replace(/_/g, "").toLowerCase();
  let sign = 1;
  if (value.startsWith("-")) sign = -1;
  if (value[0] === "-" || value[0] === "+") value = value.slice(1);
  let result: number;
  if (value === ".inf") result = Infinity;
  else if (value === ".nan") result = NaN;
  else if (value.includes(":")) {
    result = 0;
    for (const digit of value.split(":")) result = result * 60 + Number(digit);
  } else result = Number(value);
  if (Number.isNaN(result) && value !== ".nan") {
    return fail(`invalid float ${JSON.stringify(source)}`);
  }
  result *= sign;
  // Keep float-ness of `1.0` so a load → dump round trip writes `1.0` again.
  return Number.isInteger(result) ? new JsonFloat(result) : result;
}

// ---------------------------------------------------------------------------------------------
// Fast path: the block subset that dumpYaml writes
// ---------------------------------------------------------------------------------------------

/** Thrown inside the fast path for anything outside its subset; the full parser decides. */
const BAIL: unique symbol = Symbol("bail");

const bail = (): never => {
  throw BAIL;
};

// Anything the subset never contains: tabs, CR, C0/C1 controls, YAML 1.1 line breaks, BOM.
// deno-lint-ignore no-control-regex
const OUTSIDE_SUBSET = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]/;
/**
 * Where the value of `key:` or `key: value` at `line[start..]` begins (after the `: `, or the
 * line's end), or -1 when no such key starts there. The key (`[A-Za-z_][A-Za-z0-9_.-]*`) is
 * always its own text: never a merge key, never a number. Scanned by hand: a regular expression
 * match per line was the largest source of garbage when loading thousands of check files.
 */
function simpleKeyEnd(line: string, start: number): number {
  let at = start;
  let code = line.charCodeAt(at);
  if (code >= 128 || KEY_CHARACTER[code] !== KEY_START) return -1;
  // `NaN < 128` is false: the end of the line ends the key too.
  for (
    code = line.charCodeAt(++at);
    code < 128 && KEY_CHARACTER[code];
    code = line.charCodeAt(++at)
  );
  if (code !== 58 /* : */) return -1;
  if (++at === line.length) return at;
  return line.charCodeAt(at) === 32 ? at + 1 : -1;
}

const KEY_START = 1;
const KEY_INNER = 2;
/** By ASCII code: {@link KEY_START} for `[A-Za-z_]`, {@link KEY_INNER} for `[0-9.-]`, else 0. */
const KEY_CHARACTER = (() => {
  const table = new Uint8Array(128);
  const mark = (chars: string, kind: number) => {
    for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = kind;
  };
  mark("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_", KEY_START);
  mark("0123456789.-", KEY_INNER);
  return table;
})();

// Characters a plain scalar may not start with (`-` is allowed before a non-space).
const PLAIN_START_INDICATORS = "?:,[]{}#&*!|>'\"%@`";
const DQ_ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
};

const failFast = (): never => bail();

/**
 * A line-based parser for the block subset that {@link dumpYaml} writes: block mappings with
 * simple keys, block (and indentless) sequences, plain / single-quoted / double-quoted scalars
 * (folded over lines without blank lines), `[]` and `{}`. It throws {@link BAIL} at the first
 * thing outside that subset (comments, anchors, tags, flow collections, block scalars, blank
 * lines, odd indentation, …), so it never decides anything the full parser could decide
 * differently; config-as-code folders are thousands of such files, and the generic parser costs
 * about ten times as much per file.
 */
class FastLoader {
  private readonly lines: string[];
  private readonly indents: number[];
  private pos = 0;

  constructor(text: string) {
    if (OUTSIDE_SUBSET.test(text)) bail();
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    const indents = new Array<number>(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      let indent = 0;
      while (line.charCodeAt(indent) === 32) indent++;
      // Blank lines fold into scalars or separate nodes: left to the full parser.
      if (indent === line.length) bail();
      indents[i] = indent;
    }
    if (lines.length === 0 || indents[0] !== 0) bail();
    this.lines = lines;
    this.indents = indents;
  }

  load(): unknown {
    const value = this.block(0);
    if (this.pos !== this.lines.length) bail();
    return value;
  }

  private isDash(i: number): boolean {
    const line = this.lines[i];
    const at = this.indents[i];
    return line.charCodeAt(at) === 45 /* - */ &&
      (at + 1 === line.length || line.charCodeAt(at + 1) === 32);
  }

  /** The collection that starts at the current line, whose indentation is `indent`. */
  private block(indent: number): unknown {
    if (this.isDash(this.pos)) return this.sequence(indent);
    if (simpleKeyEnd(this.lines[this.pos], indent) !== -1) return this.mapping(indent);
    return bail();
  }

  private mapping(indent: number): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    while (this.pos < this.lines.length) {
      const at = this.indents[this.pos];
      if (at < indent) break;
      if (at > indent) bail();
      const line = this.lines[this.pos];
      const rest = simpleKeyEnd(line, indent);
      if (rest === -1) bail();
      const key = line.slice(indent, line.charCodeAt(rest - 1) === 32 ? rest - 2 : rest - 1);
      // Long implicit keys are the full parser's business (it limits them).
      if (key.length > 128) bail();
      let value: unknown;
      if (rest === line.length) {
        this.pos++;
        const next = this.pos < this.lines.length ? this.indents[this.pos] : -1;
        if (next > indent) value = this.block(next);
        else if (next === indent && this.isDash(this.pos)) value = this.sequence(indent);
        else value = null;
      } else {
        value = this.scalar(line, rest, indent);
      }
      setOwn(object, key, value);
    }
    return object;
  }

  private sequence(indent: number): unknown[] {
    const list: unknown[] = [];
    while (this.pos < this.lines.length) {
      const at = this.indents[this.pos];
      if (at < indent) break;
      if (at > indent) bail();
      // A line at this indentation that is no item ends an indentless sequence.
      if (!this.isDash(this.pos)) break;
      const line = this.lines[this.pos];
      const start = indent + 2;
      if (start >= line.length || line.charCodeAt(start) === 32) bail();
      if (simpleKeyEnd(line, start) !== -1) {
        // `- key: value`: a mapping whose keys are indented like this first one.
        this.indents[this.pos] = start;
        list.push(this.mapping(start));
      } else {
        list.push(this.scalar(line, start, indent));
      }
    }
    return list;
  }

  /**
   * The scalar (or `[]` / `{}`) at `line[start..]` and on the continuation lines indented more
   * than `parent`; advances past them.
   */
  private scalar(line: string, start: number, parent: number): unknown {
    const first = line[start];
    this.pos++;
    if (first === "[" || first === "{") {
      const rest = line.slice(start);
      if (rest !== "[]" && rest !== "{}") bail();
      this.noContinuation(parent);
      return rest === "[]" ? [] : {};
    }
    if (first === "'") return this.singleQuoted(line, start, parent);
    if (first === '"') return this.doubleQuoted(line, start, parent);
    if (PLAIN_START_INDICATORS.includes(first) || first === " ") bail();
    if (first === "-" && (start + 1 === line.length || line[start + 1] === " ")) bail();
    let text = line.slice(start);
    checkPlainLine(text);
    while (this.pos < this.lines.length && this.indents[this.pos] > parent) {
      const next = this.lines[this.pos].slice(this.indents[this.pos]);
      if ("-?:,[]{}#&*!|>'\"%@`".includes(next[0])) bail();
      checkPlainLine(next);
      text += " " + next;
      this.pos++;
    }
    return constructScalar(text, loadedPlainTag(text), failFast);
  }

  private noContinuation(parent: number): void {
    if (this.pos < this.lines.length && this.indents[this.pos] > parent) bail();
  }

  /** The lines of a quoted scalar up to its closing quote (which must end its line). */
  private quotedLines(line: string, start: number, parent: number, close: RegExp): string[] {
    const parts: string[] = [];
    let current = line.slice(start + 1);
    for (;;) {
      close.lastIndex = 0;
      const match = close.exec(current);
      if (match) {
        if (close.lastIndex !== current.length) bail();
        parts.push(current.slice(0, match.index + match[0].length - 1));
        return parts;
      }
      parts.push(current);
      if (this.pos >= this.lines.length || this.indents[this.pos] <= parent) bail();
      current = this.lines[this.pos].slice(this.indents[this.pos]);
      this.pos++;
    }
  }

  private singleQuoted(line: string, start: number, parent: number): string {
    // The closing quote: a `'` not doubled (pairs are consumed two at a time).
    const parts = this.quotedLines(line, start, parent, /(?:[^']|'')*'(?!')/y);
    for (let i = 0; i < parts.length; i++) {
      // Folded lines lose their outer spaces; no blank lines in the subset, so a break is a space.
      if (i < parts.length - 1 && parts[i].endsWith(" ")) bail();
    }
    this.noContinuation(parent);
    return parts.join(" ").replace(/''/g, "'");
  }

  private doubleQuoted(line: string, start: number, parent: number): string {
    const parts = this.quotedLines(line, start, parent, /(?:[^"\\]|\\.)*"/y);
    let out = "";
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p];
      const last = p === parts.length - 1;
      let escapedBreak = false;
      for (let i = 0; i < part.length; i++) {
        const ch = part[i];
        if (ch !== "\\") {
          out += ch;
          continue;
        }
        i++;
        if (i === part.length) {
          // `\` at the end of a line: the line break is removed.
          if (last) bail();
          escapedBreak = true;
          break;
        }
        const next = part[i];
        const simple = DQ_ESCAPES[next];
        if (simple !== undefined) {
          out += simple;
          continue;
        }
        const length = next === "x" ? 2 : next === "u" ? 4 : next === "U" ? 8 : 0;
        const hex = part.slice(i + 1, i + 1 + length);
        if (length === 0 || hex.length !== length || !/^[0-9a-fA-F]+$/.test(hex)) bail();
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) bail();
        out += String.fromCodePoint(code);
        i += length;
      }
      if (!last && !escapedBreak) {
        if (part.endsWith(" ")) bail();
        out += " ";
      }
    }
    this.noContinuation(parent);
    return out;
  }
}

/** A line of a plain scalar must hold no comment, no `key: ` and no trailing space. */
function checkPlainLine(text: string): void {
  if (
    text.includes(": ") || text.includes(" #") || text.endsWith(":") || text.endsWith(" ")
  ) {
    bail();
  }
}

/**
 * {@link loadYaml} without a promise, for a text in the block subset that {@link dumpYaml} writes
 * (every file an export wrote): its value, boxed; `undefined` when the text needs
 * {@link loadYamlWithFullParser} (outside the subset, or not valid YAML). A loop over thousands of small files
 * then makes no promise per file.
 *
 * @example
 * ```ts
 * loadYamlFast("coverage: 1.0\n"); // { value: { coverage: JsonFloat(1) } }
 * loadYamlFast("{a: 1}"); // undefined: flow style needs the full parser
 * ```
 */
export function loadYamlFast(text: string): { value: unknown } | undefined {
  const fast = loadFast(text);
  return fast === BAIL ? undefined : { value: fast };
}

/** The fast path's result, or {@link BAIL} when the text is outside its subset. */
function loadFast(text: string): unknown {
  try {
    return new FastLoader(text).load();
  } catch (error) {
    if (error === BAIL) return BAIL;
    throw error;
  }
}

/**
 * The full parser, imported the first time a text is outside the fast path's subset: files this
 * package wrote never need it, and importing the `yaml` package costs every command about 10 ms
 * of start-up.
 */
let fullParser: Promise<typeof import("./yaml_full.ts")> | undefined;

/**
 * Parses one YAML document the way the original's loader does: PyYAML `SafeLoader` rules for
 * unquoted scalars (YAML 1.1: `yes/no/on/off` are booleans, `0755` is octal, `1:30` is 90,
 * `1_000` is 1000, `1e3` stays a string) except that dates and timestamps stay strings. Integral
 * floats come back as {@link JsonFloat} so that {@link dumpYaml} writes them as `1.0` again. An
 * empty document gives `null`.
 *
 * @example
 * ```ts
 * await loadYaml("coverage: 1.0\nenabled: yes\nmode: 0755\n");
 * // { coverage: JsonFloat(1), enabled: true, mode: 493 }
 * ```
 *
 * @throws {YamlSyntaxError} with the file name, line and column of the first problem (the
 * promise rejects with it).
 */
export async function loadYaml(text: string, fileName = "<string>"): Promise<unknown> {
  const fast = loadFast(text);
  return fast !== BAIL ? fast : await loadYamlWithFullParser(text, fileName);
}

/**
 * {@link loadYaml} through the full parser only: for a text that {@link loadYamlFast} left, which
 * `loadYaml` would try on the fast path a second time.
 *
 * @example
 * ```ts
 * const text = "a: {b: 1}\n";
 * const value = loadYamlFast(text)?.value ?? await loadYamlWithFullParser(text, "x.yaml");
 * ```
 */
export async function loadYamlWithFullParser(
  text: string,
  fileName = "<string>",
): Promise<unknown> {
  // A failed import is not kept: the next call tries again.
  fullParser ??= import("./yaml_full.ts").catch((error) => {
    fullParser = undefined;
    throw error;
  });
  return (await fullParser).loadYamlFull(text, fileName);
}
