/**
 * The tables of `--format table` and the summaries: the drawing of one-line printable ASCII
 * tables (`asciiTable`) must be cli-table3's own (`packageTable`), byte for byte, in any
 * environment (the header's bold is the CLI's choice, not the package's).
 */
import assert from "node:assert/strict";
import type { CliContext } from "../../src/cli/context.ts";
import { asciiTable, packageTable, renderTable, Ui } from "../../src/cli/output.ts";

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

Deno.test("a table's header is bold where colours are on, on a terminal", () => {
  const cases: Array<[Record<string, string>, boolean, boolean]> = [
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: "1" }, true, false],
    [{ TERM: "dumb" }, true, false],
  ];
  for (const [env, isTTY, bold] of cases) {
    let stderr = "";
    let stdout = "";
    const ui = new Ui({
      stderr: { write: (text: string) => void (stderr += text), isTTY },
      stdout: { write: (text: string) => void (stdout += text), isTTY },
      env,
    } as unknown as CliContext);
    ui.table([{ a: 1 }], ["a"]);
    ui.data([{ a: 1 }], "table", ["a"]);
    const expected = bold ? "│ \x1b[1ma\x1b[22m │" : "│ a │";
    assert.ok(stderr.includes(expected), JSON.stringify({ env, isTTY, stderr }));
    assert.ok(stdout.includes(expected), JSON.stringify({ env, isTTY, stdout }));
  }
});
