/**
 * The tables of `--format table` and the import summary: the drawing of one-line printable
 * ASCII tables (`asciiTable`) must be cli-table3's own (`packageTable`), byte for byte.
 */
import assert from "node:assert/strict";
import { asciiTable, packageTable, renderTable } from "../../src/cli/output.ts";

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = " abcXYZ019_-.:,|%$#!~'\"\\/{}[]()";

Deno.test("asciiTable draws every one-line printable ASCII table as cli-table3 does", () => {
  const next = random(20261122);
  const text = () => {
    const length = Math.floor(next() ** 2 * 24);
    return Array.from({ length }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join("");
  };
  for (let i = 0; i < 500; i++) {
    const columns = 1 + Math.floor(next() * 6);
    const head = Array.from({ length: columns }, text);
    const rows = Array.from(
      { length: Math.floor(next() * 6) },
      () => Array.from({ length: columns }, text),
    );
    for (const bold of [false, true]) {
      assert.equal(
        asciiTable(head, rows, bold),
        packageTable(head, rows, bold),
        JSON.stringify({ head, rows, bold }),
      );
    }
  }
});

Deno.test("tables with other text are left to cli-table3", () => {
  for (const odd of ["two\nlines", "tab\there", "café", "宽", "\x1b[31mred\x1b[0m"]) {
    assert.equal(asciiTable(["a"], [[odd]], false), undefined, JSON.stringify(odd));
    assert.equal(renderTable([{ a: odd }], ["a"]), packageTable(["a"], [[odd]], false) + "\n");
  }
  assert.equal(asciiTable([], [], false), undefined);
});
