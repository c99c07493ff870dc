/**
 * The full YAML loader: the `yaml` package's parser with PyYAML's YAML 1.1 implicit resolvers and
 * safe constructors applied on top, for the texts that `loadYaml`'s fast path leaves to it
 * (hand-written files: flow collections, anchors, merge keys, comments, tags). Imported on demand.
 *
 * @module
 */

import { type Document, isAlias, isMap, isScalar, isSeq, type Node, parseDocument } from "yaml";
import { setOwn } from "./json.ts";
import {
  constructScalar,
  type CoreTag,
  loadedPlainTag,
  TAG_PREFIX,
  YamlSyntaxError,
} from "./yaml.ts";

class LoadContext {
  private readonly built = new Map<Node, unknown>();
  constructor(
    private readonly doc: Document,
    private readonly text: string,
    private readonly fileName: string,
  ) {}

  fail(node: Node | null | undefined, reason: string): never {
    const offset = node?.range?.[0] ?? 0;
    const before = this.text.slice(0, offset);
    const line = before.split("\n").length;
    const lineStart = before.lastIndexOf("\n") + 1;
    const column = [...this.text.slice(lineStart, offset)].length + 1;
    const sourceLine = this.text.slice(lineStart).split("\n")[0];
    const snippet = `${sourceLine}\n${" ".repeat(column - 1)}^`;
    throw new YamlSyntaxError(reason, this.fileName, line, column, snippet);
  }

  construct(node: unknown): unknown {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) this.fail(node as Node, `unknown alias "*${node.source}"`);
      return this.construct(target);
    }
    const key = node as Node;
    if (this.built.has(key)) return this.built.get(key);
    if (isScalar(node)) {
      const value = this.constructScalar(node);
      this.built.set(key, value);
      return value;
    }
    if (isSeq(node)) {
      this.checkCollectionTag(node, "seq");
      const list: unknown[] = [];
      this.built.set(key, list);
      for (const item of node.items) list.push(this.construct(item));
      return list;
    }
    if (isMap(node)) {
      this.checkCollectionTag(node, "map");
      const object: Record<string, unknown> = {};
      this.built.set(key, object);
      for (const [k, v] of this.flattenMapping(node)) {
        const name = this.constructKey(k);
        const value = this.construct(v);
        setOwn(object, name, value);
      }
      return object;
    }
    return this.fail(key, "unsupported YAML node");
  }

  private checkCollectionTag(node: Node, expected: "seq" | "map"): void {
    const tag = node.tag;
    if (tag === undefined || tag === "!" || tag === TAG_PREFIX + expected) return;
    this.fail(node, `could not determine a constructor for the tag '${tag}'`);
  }

  /** PyYAML `flatten_mapping`: `<<` merge keys, merged pairs first so own keys win. */
  private flattenMapping(node: Node): [unknown, unknown][] {
    if (!isMap(node)) return this.fail(node, "expected a mapping for merging");
    const merge: [unknown, unknown][] = [];
    const own: [unknown, unknown][] = [];
    for (const pair of node.items) {
      const k = pair.key as Node | null;
      if (isScalar(k) && this.scalarTag(k) === "merge") {
        let value = pair.value as Node | null;
        if (isAlias(value)) value = value.resolve(this.doc) as Node | null;
        if (isMap(value)) {
          merge.push(...this.flattenMapping(value));
        } else if (isSeq(value)) {
          const submerge: [unknown, unknown][][] = [];
          for (let sub of value.items as (Node | null)[]) {
            if (isAlias(sub)) sub = sub.resolve(this.doc) as Node | null;
            if (!isMap(sub)) {
              this.fail(sub ?? value, "expected a mapping for merging, but found another node");
            }
            submerge.push(this.flattenMapping(sub));
          }
          for (const pairs of submerge.reverse()) merge.push(...pairs);
        } else {
          this.fail(value ?? k, "expected a mapping or list of mappings for merging");
        }
      } else {
        own.push([pair.key, pair.value]);
      }
    }
    return [...merge, ...own];
  }

  private constructKey(node: unknown): string {
    if (isMap(node) || isSeq(node)) {
      this.fail(node as Node, "found unhashable key (a mapping or sequence)");
    }
    const value = this.construct(node);
    if (typeof value === "string") return value;
    // JSON-like objects only have string keys; keep what was written for other scalars.
    if (isScalar(node) && typeof node.source === "string") return node.source;
    return String(value);
  }

  private scalarTag(node: Node): CoreTag | "custom" {
    if (!isScalar(node)) return "custom";
    const tag = node.tag;
    if (tag === undefined) {
      if (node.type === "PLAIN") return loadedPlainTag(String(node.value ?? ""));
      return "str";
    }
    if (tag === "!") return "str";
    if (tag.startsWith(TAG_PREFIX)) {
      const short = tag.slice(TAG_PREFIX.length);
      if (["str", "int", "float", "bool", "null", "merge"].includes(short)) {
        return short as CoreTag;
      }
    }
    return "custom";
  }

  private constructScalar(node: Node): unknown {
    if (!isScalar(node)) return null;
    const fail = (reason: string): never => this.fail(node, reason);
    const tag = this.scalarTag(node);
    if (tag === "custom") {
      return fail(`could not determine a constructor for the tag '${node.tag}'`);
    }
    let value = String(node.value ?? "");
    // YAML 1.1 also breaks lines at NEL, LS and PS, which PyYAML writes raw inside single quotes
    // (`'a<LS>  b'`); the `yaml` package (YAML 1.2) takes them for content: fold from the source.
    if (node.type === "QUOTE_SINGLE" && OTHER_BREAK.test(value) && node.range) {
      value = foldFlowBreaks(this.text.slice(node.range[0] + 1, node.range[1] - 1))
        .replaceAll("''", "'");
    }
    return constructScalar(value, tag, fail);
  }
}

/** YAML 1.1 line breaks that YAML 1.2 does not know. */
const OTHER_BREAK = /[\x85\u2028\u2029]/;
/** Spaces, a line break, more (blank) line breaks, spaces: one fold of a flow scalar. */
const FLOW_BREAK =
  /[ \t]*(\r\n|[\r\n\x85\u2028\u2029])((?:[ \t]*(?:\r\n|[\r\n\x85\u2028\u2029]))*)[ \t]*/g;

/**
 * The line folding of a flow scalar's source as PyYAML's scanner does it: the spaces around a
 * line break go; a first break that is LS or PS stays, a line feed (or CR, CRLF, NEL) becomes a
 * space unless more breaks follow, and the breaks that follow stay (NEL, CR as line feeds).
 */
function foldFlowBreaks(source: string): string {
  const kept = (br: string) => br === "\u2028" || br === "\u2029" ? br : "\n";
  return source.replace(FLOW_BREAK, (_all, first: string, more: string) => {
    const rest = (more.match(/\r\n|[\r\n\x85\u2028\u2029]/g) ?? []).map(kept).join("");
    const head = kept(first);
    return head !== "\n" ? head + rest : rest || " ";
  });
}

/**
 * `loadYaml` through the full parser only (no fast path for the subset that `dumpYaml`
 * writes): what `loadYaml` falls back to, and the reference its fast path must agree with.
 *
 * @throws {YamlSyntaxError} with the file name, line and column of the first problem.
 */
export function loadYamlFull(text: string, fileName = "<string>"): unknown {
  const doc = parseDocument(text, {
    schema: "failsafe",
    version: "1.1",
    uniqueKeys: false,
    prettyErrors: true,
  });
  const error = doc.errors[0];
  if (error) {
    const [position] = error.linePos ?? [{ line: 1, col: 1 }];
    const reason = error.message.replace(/ at line \d+, column \d+:\n[\s\S]*$/, "");
    const lines = text.split("\n");
    const sourceLine = lines[position.line - 1] ?? "";
    const snippet = `${sourceLine}\n${" ".repeat(Math.max(0, position.col - 1))}^`;
    throw new YamlSyntaxError(reason, fileName, position.line, position.col, snippet);
  }
  if (doc.contents === null) return null;
  return new LoadContext(doc, text, fileName).construct(doc.contents);
}
