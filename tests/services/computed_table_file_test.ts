/**
 * Unit tests of the computed-table file helpers and `${VAR}` resolution.
 */
import assert from "node:assert/strict";
import {
  addMissingAliases,
  parseDelimited,
  ruleIdOf,
  splitImportTags,
  validateRecords,
} from "../../src/services/computed_table_file.ts";
import { resolvePlaceholders } from "../../src/util/env_placeholders.ts";

Deno.test("resolvePlaceholders follows os.path.expandvars", () => {
  assert.deepEqual(resolvePlaceholders("user=${U}", { U: "admin" }), {
    value: "user=admin",
    unresolved: [],
  });
  assert.deepEqual(resolvePlaceholders("${A}-${B}-${A}", {}), {
    value: "${A}-${B}-${A}",
    unresolved: ["A", "B"],
  });
  // A bare $NAME is expanded when set and left alone otherwise (not reported).
  assert.deepEqual(resolvePlaceholders("p$HOME$NOPE", { HOME: "/h" }), {
    value: "p/h$NOPE",
    unresolved: [],
  });
  assert.deepEqual(resolvePlaceholders("plain", {}), { value: "plain", unresolved: [] });
});

Deno.test("addMissingAliases names expressions only", () => {
  assert.equal(addMissingAliases("SELECT * FROM orders"), "SELECT * FROM orders");
  assert.equal(
    addMissingAliases("select o.*, c.name from o join c on 1=1"),
    "select o.*, c.name from o join c on 1=1",
  );
  assert.equal(
    addMissingAliases("SELECT a, b AS bee, count(*) cnt, upper(x) FROM t"),
    "SELECT a, b AS bee, count(*) cnt, upper(x) AS expr_1 FROM t",
  );
  assert.equal(
    addMissingAliases("select distinct coalesce(trim(name), 'Blank'), id as order_id from orders"),
    "select distinct coalesce(trim(name), 'Blank') AS expr_1, id as order_id from orders",
  );
  assert.equal(
    addMissingAliases("WITH x AS (SELECT a + 1 FROM t) SELECT a, b + c FROM x"),
    "WITH x AS (SELECT a + 1 FROM t) SELECT a, b + c AS expr_1 FROM x",
  );
  assert.equal(
    addMissingAliases("SELECT\n  CASE WHEN a THEN 1 ELSE 0 END\nFROM t"),
    "SELECT\n  CASE WHEN a THEN 1 ELSE 0 END AS expr_1\nFROM t",
  );
});

Deno.test("parseDelimited handles quotes, doubled quotes and multi-line cells", () => {
  const rows = parseDelimited('a,b,c\r\n"x, y","say ""hi""","line1\nline2"\nlast,,\n', ",");
  assert.deepEqual(rows, [
    { cells: ["a", "b", "c"], line: 1 },
    { cells: ["x, y", 'say "hi"', "line1\nline2"], line: 2 },
    { cells: ["last", "", ""], line: 4 },
  ]);
});

Deno.test("validateRecords cites file rows; ruleIdOf and tags", () => {
  const result = validateRecords([
    { name: "a", description: "", query: "SELECT 1 FROM t", row: 2 },
    { name: "b", description: "", query: "", row: 3 },
    { name: "a", description: "", query: "SELECT 2 FROM t", row: 5 },
  ]);
  assert.equal(result.valid.length, 1);
  assert.deepEqual(result.warnings, [
    "Row 3: 'b' has empty query, skipping.",
    "Row 5: Duplicate name 'a' (first seen at row 2), skipping.",
  ]);
  assert.equal(ruleIdOf("ORDERS_SNOWFLAKE"), "ORDERS");
  assert.equal(ruleIdOf("x_pg"), "x");
  assert.equal(ruleIdOf("Y_Snow"), "Y_Snow");
  assert.deepEqual(splitImportTags(" a; b ,,c"), ["a", "b", "c"]);
});
