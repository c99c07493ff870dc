/**
 * `loadYaml` has a fast path for the block subset that `dumpYaml` writes; it must agree with the
 * full parser (`loadYamlFull`) on every input — same value, or the same error. `loadYamlFast`,
 * the same path without a promise, gives the same value or leaves the text to `loadYaml`.
 */
import assert from "node:assert/strict";
import { dumpYaml, loadYaml, loadYamlFast } from "../../src/util/yaml.ts";
import { loadYamlFull } from "../../src/util/yaml_full.ts";
import { JsonFloat } from "../../src/util/json.ts";

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  "a",
  "word",
  "table_0031",
  " ",
  "  ",
  ":",
  ": ",
  " #",
  "#",
  "'",
  "''",
  '"',
  "\\",
  "\n",
  "\n\n",
  "\t",
  "-",
  "- ",
  "?",
  "[",
  "]",
  "{",
  "}",
  ",",
  "&",
  "*",
  "!",
  "|",
  ">",
  "%",
  "@",
  "`",
  "yes",
  "No",
  "on",
  "1.0",
  "-5",
  "0x1F",
  "0755",
  "1_000",
  "1:30",
  "1e3",
  ".inf",
  "~",
  "null",
  "2024-01-02",
  "é",
  "日本",
  "\u2028",
  "\x85",
  "\xa0",
  "\x07",
  "\ufeff",
  "😀",
  "<<",
  "=",
  "amount > 5 AND name = 'x' OR id IN (1, 2, 3)",
  "a fairly long sentence that goes on and on so that the emitter has to fold it",
];
const KEYS = [
  "name",
  "rule_type",
  "description",
  "_qualytics_check_uid",
  "ref.key",
  "a-b",
  "yes",
  "null",
  "1",
  "0x10",
  "a b",
  "<<",
  "__proto__",
  "",
  "key:",
  "- k",
  "x".repeat(130),
  "é",
];

function randomString(next: () => number): string {
  let text = "";
  const parts = Math.floor(next() * 6);
  for (let i = 0; i < parts; i++) {
    text += FRAGMENTS[Math.floor(next() * FRAGMENTS.length)];
    if (next() < 0.3) text += " ";
  }
  return text;
}

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 0 && r < 0.25) {
    const object: Record<string, unknown> = {};
    const size = Math.floor(next() * 5);
    for (let i = 0; i < size; i++) {
      const key = next() < 0.7 ? KEYS[Math.floor(next() * 4)] + (i || "") : randomKey(next);
      object[key] = randomValue(next, depth - 1);
    }
    return object;
  }
  if (depth > 0 && r < 0.45) {
    return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth - 1));
  }
  if (r < 0.5) return Math.floor(next() * 2000) - 1000;
  if (r < 0.55) return new JsonFloat(Math.floor(next() * 10));
  if (r < 0.6) return next() * 100 - 50;
  if (r < 0.65) return next() < 0.5;
  if (r < 0.7) return null;
  return randomString(next);
}

function randomKey(next: () => number): string {
  return next() < 0.5 ? KEYS[Math.floor(next() * KEYS.length)] : randomString(next);
}

type Outcome = { value: unknown } | { error: string };

async function outcome(load: (text: string) => unknown, text: string): Promise<Outcome> {
  try {
    return { value: await load(text) };
  } catch (error) {
    return { error: String(error) };
  }
}

async function assertAgree(text: string): Promise<void> {
  const fast = await outcome((t) => loadYaml(t, "f.yaml"), text);
  const generic = await outcome((t) => loadYamlFull(t, "f.yaml"), text);
  assert.deepStrictEqual(fast, generic, JSON.stringify(text));
  const quick = loadYamlFast(text);
  if (quick) assert.deepStrictEqual(quick, generic, JSON.stringify(text));
}

const MUTATIONS = [
  " ",
  "  ",
  ":",
  "-",
  "- ",
  "'",
  '"',
  "\\",
  "#",
  " #",
  "\n",
  "[",
  "{",
  "&a ",
  "*a",
];

function mutate(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const r = next();
  if (r < 0.4) {
    return text.slice(0, at) + MUTATIONS[Math.floor(next() * MUTATIONS.length)] + text.slice(at);
  }
  if (r < 0.7) return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3));
  // Re-indent one line.
  const lines = text.split("\n");
  const line = Math.floor(next() * lines.length);
  lines[line] = next() < 0.5 ? " " + lines[line] : lines[line].replace(/^ /, "");
  return lines.join("\n");
}

Deno.test("loadYaml's fast path agrees with the full parser on dumped documents", async () => {
  const next = rng(1);
  for (let i = 0; i < 3000; i++) {
    const text = dumpYaml(randomValue(next, 4));
    await assertAgree(text);
    // And on what a load → dump round trip writes.
    const loaded = await outcome(loadYaml, text);
    if ("value" in loaded) await assertAgree(dumpYaml(loaded.value));
  }
});

Deno.test("loadYaml's fast path agrees with the full parser on damaged documents", async () => {
  const next = rng(2);
  for (let i = 0; i < 6000; i++) {
    let text = dumpYaml(randomValue(next, 3));
    const damage = 1 + Math.floor(next() * 3);
    for (let d = 0; d < damage; d++) text = mutate(text, next);
    await assertAgree(text);
  }
});

Deno.test("loadYaml's fast path agrees with the full parser on hand-written shapes", async () => {
  const docs = [
    "a: 1\n",
    "a:\n- 1\n- 2\nb: x\n",
    "a:\n  - 1\n  - 2\nb: x\n",
    "- a: 1\n  b:\n  - x\n- c\n",
    "a: b\n  c\n",
    "a: 'b\n  c'\n",
    'a: "b\\\n  \\ c"\n',
    'a: "x\\u00e9\\x41\\U0001F600"\n',
    'a: "bad \\q"\n',
    "a: 'it''s'\n",
    "a: 'open\n",
    "a: b # c\n",
    "a: [1, 2]\n",
    "a: {}\nb: []\n",
    "a:\n  b:\n    c: d\n  e: f\n",
    "a:\n   b: 1\n  c: 2\n",
    "a: 1\na: 2\n",
    "__proto__: 1\n",
    "a: -1\nb: - 1\n",
    "a: 0o17\nb: 0b101\nc: +.5\nd: 1_0.5\n",
    "a: 12345678901234567890\n",
    "a:\n",
    "a: \n",
    "a: b\n\nc: d\n",
    "---\na: 1\n",
    "a: 1\n...\n",
    "- - a\n",
    "-\n  a: 1\n",
    "a: 1\r\n",
    "",
    "a",
    "a: 1:2: 3\n",
    "a: x\n- y\n",
    "- x\na: y\n",
    // Where a simple key ends: every key character, a key followed by `:` and no space, a space
    // before the `:`, a key starting with a digit or `-`, and a key alone on the last line.
    "a.b-c_9: 1\n_Z: 2\n",
    "a:b: 1\n",
    "a :1\n",
    "9a: 1\n",
    "-a: 1\n",
    "a: 1\nb:",
    "a: 1\nb: ",
    "- k:\n  - k: v\n",
  ];
  for (const doc of docs) await assertAgree(doc);
});

Deno.test("loadYamlFast reads an exported check file without a promise, and leaves the rest", async () => {
  const check = [
    "rule_type: between",
    "description: 'Quantity: in range'",
    "container: orders",
    "fields:",
    "- quantity",
    "coverage: 1.0",
    "properties:",
    "  min: 0",
    "  max: 100000.0",
    "tags: []",
    "additional_metadata:",
    "  _qualytics_check_uid: orders__between__quantity",
    "",
  ].join("\n");
  const quick = loadYamlFast(check);
  assert.ok(quick, "an exported check file is in the fast subset");
  assert.deepStrictEqual(quick.value, await loadYaml(check));
  assert.deepStrictEqual((quick.value as { properties: unknown }).properties, {
    min: 0,
    max: new JsonFloat(100000),
  });
  for (const outside of ["a: {b: 1}\n", "a: &x 1\nb: *x\n", "a: 'open\n", "a:\tb\n"]) {
    assert.equal(loadYamlFast(outside), undefined, JSON.stringify(outside));
  }
});
