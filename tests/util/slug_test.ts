import assert from "node:assert/strict";
import { slug } from "../../src/util/slug.ts";

Deno.test("slug: the spec's tested examples (config-as-code.md §2.1, tests.md 9)", () => {
  const examples: [string, string][] = [
    ["Hello World", "hello_world"],
    ["prod-db (main)", "prod_db_main"],
    ["a   b", "a_b"],
    ["  --hello--  ", "hello"],
    ["My Table!", "my_table"],
    ["field-1", "field_1"],
    ["notNull", "notnull"],
    ["Sales Warehouse", "sales_warehouse"],
    ["café", "caf"],
    ["!!!", ""],
    ["", ""],
  ];
  for (const [input, expected] of examples) assert.equal(slug(input), expected, input);
});

Deno.test("slug: names of the golden sets", () => {
  assert.equal(slug("Retail PG (prod)"), "retail_pg_prod");
  assert.equal(slug("Line Items (2024)"), "line_items_2024");
  assert.equal(slug("Top Customers (EU)"), "top_customers_eu");
  assert.equal(slug("Order Channel Label"), "order_channel_label");
  assert.equal(slug("Unit Price"), "unit_price");
  assert.equal(slug("DQ Enrichment"), "dq_enrichment");
});

Deno.test("slug: Unicode lower-casing like Python's str.lower()", () => {
  // The Kelvin sign lower-cases to an ASCII k in Python and JavaScript alike.
  assert.equal(slug("\u212Aelvin"), "kelvin");
  assert.equal(slug("Straße Über"), "stra_e_ber");
  assert.equal(slug("\tTabs\nand\u00a0nbsp "), "tabs_and_nbsp");
});
