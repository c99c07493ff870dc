import assert from "node:assert/strict";
import {
  assignCheckUids,
  checkContainerDirName,
  checkFileName,
  CheckFileNamer,
  compareCodePoints,
  computeCheckUid,
  computedFieldFileName,
  connectionFileName,
  containerDirName,
  datastoreDirName,
  fallbackStem,
  numberStems,
  secretPlaceholder,
  stemNumber,
  storedCheckUid,
} from "../../src/services/config/naming.ts";

Deno.test("UID: the spec's tested examples (§3, tests.md 20)", () => {
  assert.equal(computeCheckUid("orders", "notNull", ["order_id"]), "orders__notnull__order_id");
  assert.equal(
    computeCheckUid("users", "unique", ["email", "age", "name"]),
    "users__unique__age_email_name",
  );
  assert.equal(computeCheckUid("products", "volumetric", []), "products__volumetric");
  assert.equal(computeCheckUid("My Table!", "notNull", ["field-1"]), "my_table__notnull__field_1");
  assert.equal(computeCheckUid("", "notNull", ["a"]), "__notnull__a");
  assert.equal(computeCheckUid(null, undefined, []), "__");
});

Deno.test("UID and file name: raw names are sorted before slugging", () => {
  // "Unit Price" < "order_id" in code-point order (upper case first), so it comes first.
  assert.equal(
    computeCheckUid("Line Items (2024)", "notNull", ["order_id", "Unit Price"]),
    "line_items_2024__notnull__unit_price_order_id",
  );
  assert.equal(
    checkFileName("notNull", ["order_id", "Unit Price"]),
    "notnull__unit_price_order_id.yaml",
  );
  assert.ok(
    compareCodePoints("\u{1F600}", "\uFFFF") > 0,
    "astral sorts after the BMP, like Python",
  );
});

Deno.test("check file names (§2.3, tests.md 20)", () => {
  assert.equal(checkFileName("notNull", ["email"]), "notnull__email.yaml");
  assert.equal(checkFileName("unique", ["id", "name"]), "unique__id_name.yaml");
  assert.equal(checkFileName("volumetric", []), "volumetric.yaml");
  assert.equal(checkFileName("unique", ["region", "email"]), "unique__email_region.yaml");
  assert.equal(checkFileName("", ["a"]), "unknown__a.yaml");
  assert.equal(checkContainerDirName("Top Customers (EU)"), "top_customers_eu");
  assert.equal(checkContainerDirName(""), "_no_container");
  assert.equal(checkContainerDirName(null), "_no_container");
});

Deno.test("duplicate check files get the first free _n suffix within a run", () => {
  const namer = new CheckFileNamer();
  assert.deepEqual(
    [
      namer.next("users", "notnull__email"),
      namer.next("users", "notnull__email"),
      namer.next("users", "notnull__email"),
      namer.next("orders", "notnull__email"),
      namer.next("users", "notnull__email_2"),
    ],
    [
      "users/notnull__email.yaml",
      "users/notnull__email_2.yaml",
      "users/notnull__email_3.yaml",
      "orders/notnull__email.yaml",
      "users/notnull__email_2_2.yaml",
    ],
  );
});

Deno.test("UIDs: the k-th check sharing a computed UID gets __k (PRODUCT.md)", () => {
  const check = (containerName: string, storedUid?: string) => ({
    containerName,
    ruleType: "between",
    fieldNames: ["discount_pct"],
    storedUid,
  });
  assert.deepEqual(
    assignCheckUids([
      check("sales_orders"),
      check("sales_orders"),
      check("other"),
      check("sales_orders"),
    ]),
    [
      "sales_orders__between__discount_pct",
      "sales_orders__between__discount_pct__2",
      "other__between__discount_pct",
      "sales_orders__between__discount_pct__3",
    ],
  );
});

Deno.test("UIDs: a stored UID always wins and is never handed out twice", () => {
  const base = "t__notnull__a";
  const check = (storedUid?: string) => ({
    containerName: "t",
    ruleType: "notNull",
    fieldNames: ["a"],
    storedUid,
  });
  // Written by us earlier (base, base__2), then a UI-made duplicate appeared between them.
  assert.deepEqual(assignCheckUids([check(base), check(), check(`${base}__2`)]), [
    base,
    `${base}__3`,
    `${base}__2`,
  ]);
  // A stored UID later in the list still reserves its value.
  assert.deepEqual(assignCheckUids([check(), check(base)]), [`${base}__2`, base]);
  // A renamed check keeps its stored UID.
  assert.deepEqual(assignCheckUids([check("old_name__notnull__a")]), ["old_name__notnull__a"]);
  assert.equal(storedCheckUid({ _qualytics_check_uid: "x" }), "x");
  assert.equal(storedCheckUid({ _qualytics_check_uid: "" }), undefined);
  assert.equal(storedCheckUid(null), undefined);
});

Deno.test("file and directory names (§2.2)", () => {
  assert.equal(connectionFileName({ name: "Retail PG (prod)" }), "retail_pg_prod.yaml");
  assert.equal(datastoreDirName({ id: 21, name: "Retail DW" }), "retail_dw");
  assert.equal(datastoreDirName({ id: 21 }), "datastore_21");
  assert.equal(containerDirName({ id: 214, name: "Line Items (2024)" }), "line_items_2024");
  assert.equal(containerDirName({ id: 7, name: "" }), "container_7");
  assert.equal(computedFieldFileName({ name: "Order Channel Label" }), "order_channel_label.yaml");
  assert.equal(computedFieldFileName({}), "unknown.yaml");
});

Deno.test("names that slug to nothing get <kind>_<first 8 hex digits of their SHA-256>", () => {
  // `printf '売上' | sha256sum` → 443fb948…
  assert.equal(fallbackStem("datastore", "売上"), "datastore_443fb948");
  assert.equal(datastoreDirName({ id: 3, name: "売上" }), "datastore_443fb948");
  assert.equal(connectionFileName({ name: "заказы" }), "connection_c359203e.yaml");
  assert.equal(containerDirName({ id: 7, name: "注文" }), "container_266125dd");
  assert.equal(computedFieldFileName({ name: "合計" }), "field_01fc1c55.yaml");
  // The original's own special cases stay.
  assert.equal(containerDirName({ id: 7, name: "" }), "container_7");
  assert.equal(datastoreDirName({ id: 21 }), "datastore_21");
  // The placeholders of a numbered or fallback connection follow its file name.
  assert.equal(secretPlaceholder("prod-pg", "password", "prod_pg_2"), "${PROD_PG_2_PASSWORD}");
  assert.equal(secretPlaceholder("заказы", "password"), "${_PASSWORD}");
});

Deno.test("stems shared by several resources are numbered in id order, over the whole list", () => {
  const items = [
    { id: 5, name: "orders" },
    { id: 2, name: "Orders" },
    { id: 9, name: "orders_2" },
    { id: 7, name: "ORDERS" },
    { name: "orders!" },
    { id: 3, name: "customers" },
  ];
  assert.deepEqual(
    numberStems(items, (item) => datastoreDirName(item), (item) => item.id),
    // id 2 keeps `orders`; `orders_2` is another's own stem, so 5 gets `orders_3`, then 7
    // `orders_4`; the one without an id comes last.
    ["orders_3", "orders", "orders_2", "orders_4", "orders_5", "customers"],
  );
  // Stable: the same stems whatever order the list comes in.
  const reversed = [...items].reverse();
  assert.deepEqual(
    numberStems(reversed, (item) => datastoreDirName(item), (item) => item.id).reverse(),
    ["orders_3", "orders", "orders_2", "orders_4", "orders_5", "customers"],
  );
  assert.equal(stemNumber("orders", "orders"), 1);
  assert.equal(stemNumber("orders_3", "orders"), 3);
  assert.equal(stemNumber("orders_1", "orders"), undefined);
  assert.equal(stemNumber("orders_x", "orders"), undefined);
  assert.equal(stemNumber("other", "orders"), undefined);
});

Deno.test("secret placeholders (§7.1, tests.md 9)", () => {
  assert.equal(secretPlaceholder("prod-pg", "password"), "${PROD_PG_PASSWORD}");
  assert.equal(secretPlaceholder("my db (main)", "secret_key"), "${MY_DB_MAIN_SECRET_KEY}");
  assert.equal(
    secretPlaceholder("vault-db", "credentials_payload"),
    "${VAULT_DB_CREDENTIALS_PAYLOAD}",
  );
  assert.equal(secretPlaceholder("Retail PG (prod)", "password"), "${RETAIL_PG_PROD_PASSWORD}");
  assert.equal(secretPlaceholder(undefined, "password"), "${UNKNOWN_PASSWORD}");
});
