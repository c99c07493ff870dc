import assert from "node:assert/strict";
import { JsonFloat, parseJson, pythonFloatRepr, stringifyJson } from "../../src/util/json.ts";

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
