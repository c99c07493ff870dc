import assert from "node:assert/strict";
import { dumpYaml, loadYaml, yaml11ImplicitTag, YamlSyntaxError } from "../../src/util/yaml.ts";
import { JsonFloat, parseJson, pythonFloatRepr } from "../../src/util/json.ts";

const GOLDEN = new URL("../../../shared/fixtures/golden/", import.meta.url);

async function goldenYamlFiles(dir = GOLDEN): Promise<URL[]> {
  const files: URL[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) files.push(...await goldenYamlFiles(new URL(`${entry.name}/`, dir)));
    else if (entry.name.endsWith(".yaml")) files.push(new URL(entry.name, dir));
  }
  return files.sort((a, b) => (a.href < b.href ? -1 : 1));
}

Deno.test("every golden YAML file round-trips byte for byte (load → dump)", async () => {
  const files = await goldenYamlFiles();
  assert.ok(files.length >= 91, `found ${files.length} golden YAML files`);
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    assert.equal(dumpYaml(await loadYaml(text, file.pathname)), text, file.pathname);
  }
});

// Expected outputs were written by PyYAML 6 itself (fixtures/gen_pyyaml_cases.py).
const cases = JSON.parse(
  await Deno.readTextFile(new URL("fixtures/pyyaml_cases.json", import.meta.url)),
) as {
  dump: { name: string; input: string; output: string }[];
  load: { doc: string; value: unknown }[];
};

Deno.test("dumpYaml matches PyYAML safe_dump on focused and random cases", async (t) => {
  for (const c of cases.dump) {
    await t.step(c.name, () => {
      assert.equal(dumpYaml(parseJson(c.input)), c.output);
    });
  }
});

/** The encoding the generator uses: ints and floats told apart, mappings as pair lists. */
function encode(value: unknown): unknown {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (value instanceof JsonFloat) return { float: pythonFloatRepr(value.value) };
  if (typeof value === "bigint") return { int: value.toString() };
  if (typeof value === "number") {
    if (Number.isNaN(value)) return { float: "nan" };
    return Number.isInteger(value) ? { int: String(value) } : { float: pythonFloatRepr(value) };
  }
  if (Array.isArray(value)) return value.map(encode);
  return Object.entries(value as object).map(([k, v]) => [k, encode(v)]);
}

Deno.test("loadYaml matches PyYAML SafeLoader without timestamps", async (t) => {
  for (const c of cases.load) {
    await t.step(JSON.stringify(c.doc), async () => {
      assert.deepEqual(encode(await loadYaml(c.doc)), c.value);
    });
  }
});

Deno.test("emitter: the spec's examples", () => {
  assert.equal(
    dumpYaml({
      coverage: new JsonFloat(1),
      min: new JsonFloat(0),
      ratio: 0.95,
      count: 3,
      list: ["DE", "NO", "ON", "2025"],
      props: {},
      tags: [],
      filter: null,
      reviewed: "2025-01-15",
      pattern: "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$",
      delimiter: ";",
      note: "E-mail: local@domain.tld",
      sku: "SKU is unique #catalog",
      text: "Filial-ID eindeutig – jede Filiale genau einmal",
    }),
    `coverage: 1.0
min: 0.0
ratio: 0.95
count: 3
list:
- DE
- 'NO'
- 'ON'
- '2025'
props: {}
tags: []
filter: null
reviewed: '2025-01-15'
pattern: ^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$
delimiter: ;
note: 'E-mail: local@domain.tld'
sku: 'SKU is unique #catalog'
text: Filial-ID eindeutig – jede Filiale genau einmal
`,
  );
});

Deno.test("emitter: long plain scalars fold at 80 columns with a 2-space continuation", () => {
  assert.equal(
    dumpYaml({
      description:
        "Cost price never exceeds the list price for active products (inactive ones are ignored)",
    }),
    "description: Cost price never exceeds the list price for active products (inactive\n" +
      "  ones are ignored)\n",
  );
  // A word longer than the line is never broken.
  const long = "x".repeat(120);
  assert.equal(dumpYaml({ k: long }), `k: ${long}\n`);
});

Deno.test("emitter: multi-line strings are single-quoted with blank lines", () => {
  assert.equal(
    dumpYaml({ properties: { expression: "net_amount <= gross_amount\nAND net_amount >= 0" } }),
    "properties:\n  expression: 'net_amount <= gross_amount\n\n    AND net_amount >= 0'\n",
  );
  assert.equal(
    dumpYaml({ q: "WHERE x IN ('DE')\nGROUP BY 1" }),
    "q: 'WHERE x IN (''DE'')\n\n  GROUP BY 1'\n",
  );
});

Deno.test("emitter: special characters force double quotes with escapes", () => {
  assert.equal(dumpYaml({ a: "a\tb" }), 'a: "a\\tb"\n');
  assert.equal(dumpYaml({ a: "x\x07" }), 'a: "x\\a"\n');
  assert.equal(dumpYaml({ a: "trailing space \nline" }), 'a: "trailing space \\nline"\n');
});

Deno.test("emitter: nested lists of dicts and empty collections", () => {
  assert.equal(
    dumpYaml({ a: [{ x: 1, y: [1, { z: [] }] }, [], {}, [["q"]]] }),
    "a:\n- x: 1\n  y:\n  - 1\n  - z: []\n- []\n- {}\n- - - q\n",
  );
});

Deno.test("emitter: floats keep a decimal point, ints stay ints", () => {
  assert.equal(
    dumpYaml([
      new JsonFloat(10000),
      1e-5,
      new JsonFloat(1e20),
      -0.5,
      10000,
      2n ** 70n,
      NaN,
      -Infinity,
    ]),
    "- 10000.0\n- 1.0e-05\n- 1.0e+20\n- -0.5\n- 10000\n- 1180591620717411303424\n- .nan\n- -.inf\n",
  );
});

Deno.test("emitter: undefined members are skipped, cycles are rejected", () => {
  assert.equal(dumpYaml({ a: undefined, b: 1 }), "b: 1\n");
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => dumpYaml(cycle), TypeError);
  const shared = { x: 1 };
  assert.equal(dumpYaml({ a: shared, b: shared }), "a:\n  x: 1\nb:\n  x: 1\n");
});

Deno.test("yaml11ImplicitTag tells which strings need quoting", () => {
  assert.equal(yaml11ImplicitTag("NO"), "bool");
  assert.equal(yaml11ImplicitTag("0755"), "int");
  assert.equal(yaml11ImplicitTag("1.0"), "float");
  assert.equal(yaml11ImplicitTag("2024-01-15"), "timestamp");
  assert.equal(yaml11ImplicitTag("~"), "null");
  assert.equal(yaml11ImplicitTag("1e3"), "str");
  assert.equal(yaml11ImplicitTag("hello"), "str");
});

Deno.test("loadYaml: YAML 1.1 scalars, floats stay floats, dates stay strings", async () => {
  const value = await loadYaml(
    "a: yes\nb: off\nc: 0755\nd: 1:30\ne: 1_000\nf: 0x1F\ng: 1e3\nh: 1.0\ni: 2024-01-15\n" +
      "j: 2024-01-15T10:30:00Z\nk: ~\nl:\nm: '1.0'\n",
  ) as Record<string, unknown>;
  assert.deepEqual({ ...value, h: undefined }, {
    a: true,
    b: false,
    c: 493,
    d: 90,
    e: 1000,
    f: 31,
    g: "1e3",
    h: undefined,
    i: "2024-01-15",
    j: "2024-01-15T10:30:00Z",
    k: null,
    l: null,
    m: "1.0",
  });
  assert.ok(value.h instanceof JsonFloat);
  assert.equal(dumpYaml(value.h), "1.0\n...\n");
  assert.equal(await loadYaml(""), null);
});

Deno.test("loadYaml: syntax errors carry file, line and column", async () => {
  await assert.rejects(
    () => loadYaml("name: ok\nfields:\n- a\n  b: [\n", "checks/orders/x.yaml"),
    (error: unknown) => {
      assert.ok(error instanceof YamlSyntaxError);
      assert.equal(error.fileName, "checks/orders/x.yaml");
      assert.ok(error.line >= 3, `line ${error.line}`);
      assert.ok(error.column >= 1);
      assert.match(error.message, /^checks\/orders\/x\.yaml:\d+:\d+: invalid YAML: /);
      return true;
    },
  );
  await assert.rejects(() => loadYaml("a: 1\n  b: 2\n", "f.yaml"), (error: unknown) => {
    assert.ok(error instanceof YamlSyntaxError);
    assert.equal(error.line, 1);
    return true;
  });
  await assert.rejects(() => loadYaml("a: 1\n---\nb: 2\n", "multi.yaml"), YamlSyntaxError);
  await assert.rejects(
    () => loadYaml("a: !!timestamp 2020-01-01\n", "tag.yaml"),
    (error: unknown) => {
      assert.ok(error instanceof YamlSyntaxError);
      assert.match(error.message, /tag:yaml\.org,2002:timestamp/);
      assert.equal(error.line, 1);
      return true;
    },
  );
});

Deno.test("loadYaml reads the line separators PyYAML writes raw in single quotes as PyYAML does", async () => {
  // YAML 1.1 breaks lines at NEL, LS and PS too, and PyYAML writes them raw inside single
  // quotes, followed by the indentation of the next line: that indentation is no content, LS and
  // PS stay and NEL folds like a line feed. (Texts and values from PyYAML 6 safe_dump and
  // SafeLoader.)
  const cases: [text: string, value: string][] = [
    ["ls: 'line\u2028  separator'\n", "line\u2028separator"],
    ["ps: 'a\u2029  b'\n", "a\u2029b"],
    ["nel: 'next\u0085  line'\n", "next line"],
    ["twice: 'x\u2028\u2028  y'\n", "x\u2028\u2028y"],
    ["mixed: 'a\u2028  b\n\n  c'\n", "a\u2028b\nc"],
    ["it: 'it''s\u2028  here'\n", "it's\u2028here"],
    [
      "long: 'A long description\u2028  with a line separator, and words enough to be folded at" +
      " the eighty columns of the\n  emitter'\n",
      "A long description\u2028with a line separator, and words enough to be folded at the eighty" +
      " columns of the emitter",
    ],
  ];
  for (const [text, value] of cases) {
    const loaded = await loadYaml(text) as Record<string, unknown>;
    assert.equal(Object.values(loaded)[0], value, JSON.stringify(text));
  }
  // What the exports write for such a text reads back as that text.
  const text = dumpYaml({ description: "line\u2028separator\u2029and more" });
  assert.deepEqual(await loadYaml(text), { description: "line\u2028separator\u2029and more" });
});
