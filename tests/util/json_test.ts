import assert from "node:assert/strict";
import {
  JsonFloat,
  JsonParseError,
  parseJson,
  parseJsonScanner,
  pythonFloatRepr,
  stringifyJson,
} from "../../src/util/json.ts";

Deno.test("integral floats stay floats through parse and stringify", () => {
  const value = parseJson('{"coverage": 1.0, "n": 1, "big": 2e3, "x": 0.5, "s": "\\u00e9\\n"}');
  assert.deepEqual(value, {
    coverage: new JsonFloat(1),
    n: 1,
    big: new JsonFloat(2000),
    x: 0.5,
    s: "é\n",
  });
  assert.equal(
    stringifyJson(value),
    '{"coverage": 1.0, "n": 1, "big": 2000.0, "x": 0.5, "s": "é\\n"}',
  );
  assert.equal(
    stringifyJson({ a: [1, { b: null }] }, { indent: 2 }),
    '{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ]\n}',
  );
  assert.equal(stringifyJson("é", { asciiOnly: true }), '"\\u00e9"');
});

Deno.test("Python float repr rules", () => {
  assert.equal(pythonFloatRepr(1), "1.0");
  assert.equal(pythonFloatRepr(0.0001), "0.0001");
  assert.equal(pythonFloatRepr(0.00001), "1e-05");
  assert.equal(pythonFloatRepr(1e16), "1e+16");
  assert.equal(pythonFloatRepr(123456789012345.0), "123456789012345.0");
});

Deno.test("bad JSON fails with a position", () => {
  assert.throws(() => parseJson('{"a": }'), /position 6/);
  assert.throws(() => parseJson('{"a": 1} x'), /after JSON/);
});

/** The native path (parseJson) against the scanner: same values, floats boxed alike. */
function assertPathsAgree(text: string): void {
  let expected: unknown;
  let expectedError: unknown;
  try {
    expected = parseJsonScanner(text);
  } catch (error) {
    expectedError = error;
  }
  if (expectedError) {
    assert.throws(() => parseJson(text), (error: unknown) => {
      assert.ok(error instanceof JsonParseError, `${text}: ${error}`);
      assert.equal(error.message, (expectedError as Error).message);
      return true;
    });
    return;
  }
  const actual = parseJson(text);
  assert.deepEqual(actual, expected, text);
  // deepEqual treats JsonFloat(1) and 1 as different, and compares own keys (`__proto__` too).
  assert.equal(stringifyJson(actual), stringifyJson(expected), text);
}

Deno.test("the native path and the scanner agree", () => {
  const cases = [
    "1.0",
    " -0.0 ",
    "2e3",
    "1.5e1",
    "1e-3",
    "1e400",
    "-1E+2",
    "0",
    "-0",
    "12345678901234567890",
    '"1.0"',
    '[1.0,2.0,[3.0],{"a":4.0}]',
    '{"a":[ 1.0 , 2.5 ,3e0 ]}',
    '{"coverage":1.0,"n":1,"x":0.5,"big":1e21}',
    '{"__proto__": 1.0, "a": {"__proto__": {"b": 2.0}}}',
    '{"__proto__": [1.0]}',
    '{"a": 1.0, "a": "x", "b": 2.0}',
    '{"a": "x", "b": 1.0, "a": 1}',
    '{"2": 1.0, "1": 2.0, "a": 3.0}',
    // Number-like text inside strings: the rewrite must never touch it.
    '{"d": "coverage: 1.0, done", "e": "[1.0]", "f": ",2e3}"}',
    '{"d": "a:\\"b\\": 1.0, c"}',
    '["x: 1.0", 1.0, "y, 2.0]"]',
    '{"d": "\\\\", "e": 1.0}',
    // The marker character in the input, raw and escaped.
    '{"m": "\uE0001.0", "x": 1.0}',
    '{"m": "\\uE0001.0", "x": 1.0}',
    '{"m": "\\ue000", "x": 1.0}',
    '{"m": "\uE000"}',
    '\t{\r\n"a" :\n1.0\t}\n',
    // Digits next to `.` that are not number tokens, and numbers with leading zeros or signs.
    '{"t": "2026-01-12T07:41:00.000000Z", "c": 1.0, "v": "v1.0"}',
    "[-0.0, 10.0, 100e0, 0e0, 0.50]",
    "[-01.0]",
    "[1.0e]",
    "[1.e5]",
    "{}",
    "[]",
    '"\\u00e9\\n"',
    // Invalid inputs: the same error (with its position) either way.
    "",
    "1.0 x",
    '{"a": }',
    '{"a": 1.0,}',
    "[1.0 2.0]",
    "01.0",
    "1.",
    ".5",
    '{"a": "x: 1.0, y"',
    '{"a": 1.0',
    "[1.0]]",
    "{1.0: 2}",
    '{"a": 1.0e}',
    "\uFEFF1.0",
    '{"a": "\u0001"}',
    '{"a": \u00a01.0}',
  ];
  for (const text of cases) assertPathsAgree(text);
});

Deno.test("the native path and the scanner agree on generated documents", () => {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const numbers = ["1.0", "-2.0", "0.0", "2e3", "2E-0", "1.25", "3", "-0", "1e-7", "7.000e1"];
  numbers.push("12345678901234567890", "-9007199254740993", "9007199254740991", "1e+25");
  const strings = ['"a"', '": 1.0,"', '"[2.0]"', '", 3e3}"', '"\\": 1.0, \\""', '"x\\\\"', '""'];
  strings.push('": 12345678901234567890,"', '"[12345678901234567890]"');
  const value = (depth: number): string => {
    const roll = random();
    if (depth > 3 || roll < 0.4) return pick([...numbers, ...strings, "true", "null"]);
    const space = () => pick(["", " ", "\n  "]);
    const size = Math.floor(random() * 4);
    const items = Array.from({ length: size }, () => value(depth + 1));
    if (roll < 0.7) return `[${space()}${items.join(`${space()},${space()}`)}${space()}]`;
    const keys = items.map((item, i) =>
      `${pick(['"k', '"__proto__', '"1'])}${i}":${space()}${item}`
    );
    return `{${keys.join(", ")}}`;
  };
  for (let i = 0; i < 2000; i++) assertPathsAgree(value(0));
});

Deno.test("integers beyond 2^53 stay exact (bigint) through parse and stringify", () => {
  const text = '{"big": 12345678901234567890, "neg": -9007199254740993, "max": 9007199254740991, ' +
    '"edge": 9007199254740992, "list": [1, 123456789012345678901234567890], "f": 1e20}';
  const expected = {
    big: 12345678901234567890n,
    neg: -9007199254740993n,
    max: 9007199254740991,
    edge: 9007199254740992n,
    list: [1, 123456789012345678901234567890n],
    f: new JsonFloat(1e20),
  };
  assert.deepEqual(parseJson(text), expected);
  assert.deepEqual(parseJsonScanner(text), expected);
  assert.equal(stringifyJson(parseJson(text)), text.replace("1e20", "1e+20"));
  // Inside strings, long digit runs are text.
  assert.deepEqual(parseJson('{"s": "a: 12345678901234567890, b", "t": "12345678901234567890"}'), {
    s: "a: 12345678901234567890, b",
    t: "12345678901234567890",
  });
});

Deno.test("the native path and the scanner agree on long integers", () => {
  const cases = [
    "12345678901234567890",
    "-12345678901234567890",
    "[9007199254740991, 9007199254740992, -9007199254740992, 1000000000000000]",
    '{"a": 12345678901234567890, "b": 1.0, "c": "12345678901234567890"}',
    '{"a": 12345678901234567890.0, "b": 12345678901234567.5, "c": 1.12345678901234567890}',
    '{"a": 1e12345678901234567890}',
    '{"s": "x: 12345678901234567890, y", "n": 12345678901234567890}',
    '{"m": "\uE001", "n": 12345678901234567890}',
    '{"m": "\\uE001", "n": 12345678901234567890}',
    '{"m": "\\ue001"}',
    "[012345678901234567890]",
    "[-012345678901234567890]",
    '{"a" :\n  12345678901234567890\n}',
    "[12345678901234567890 1]",
  ];
  for (const text of cases) assertPathsAgree(text);
});

Deno.test("numbers are written as Python's json.dumps writes them", () => {
  assert.equal(
    stringifyJson([0.00001, 1.5e-7, 0.5, 3, -0.0001, 1e21, 2n ** 64n]),
    "[1e-05, 1.5e-07, 0.5, 3, -0.0001, 1000000000000000000000, 18446744073709551616]",
  );
});
