/**
 * Seed data: `empty`, `demo` (a small but realistic warehouse) and `scale` (generated,
 * deterministic). Seeds are written as server data and loaded through the same loader.
 */
import { JsonFloat } from "../util/json.ts";
import { Rng } from "./rng.ts";
import type { FakeState, Rec, ServerData } from "./state.ts";

/** Sizes of the `scale` seed. */
export interface ScaleOptions {
  datastores: number;
  /** Containers per datastore. */
  containers: number;
  /** Checks per container. */
  checks: number;
}

const f = (n: number) => new JsonFloat(n);
const BASE = Date.UTC(2026, 0, 5, 9, 0, 0);
/** A fixed timestamp `minutes` after 2026-01-05T09:00Z, in the API's format. */
const ts = (minutes: number) =>
  new Date(BASE + minutes * 60_000).toISOString().replace(/Z$/, "000Z");

const TAGS: Rec[] = [
  {
    name: "production",
    color: "#2E7D32",
    category: "environment",
    description: "Production data",
    weight_modifier: 2,
  },
  {
    name: "pii",
    color: "#C62828",
    category: "compliance",
    description: "Personally identifiable information",
    weight_modifier: 3,
  },
  { name: "finance", color: "#1565C0", category: "domain", description: null, weight_modifier: 1 },
  {
    name: "critical",
    color: "#FF0000",
    category: "priority",
    description: "Page the on-call",
    weight_modifier: 5,
  },
  { name: "sales", color: "#6A1B9A", category: "domain", description: null, weight_modifier: 0 },
  {
    name: "marketing",
    color: "#F9A825",
    category: "domain",
    description: null,
    weight_modifier: 0,
  },
  {
    name: "curated",
    color: null,
    category: null,
    description: "Curated data products",
    weight_modifier: 0,
  },
  {
    name: "staging",
    color: "#9E9E9E",
    category: "environment",
    description: null,
    weight_modifier: -2,
  },
];

function registries(): Pick<ServerData, "global_tags" | "teams" | "users"> {
  return {
    global_tags: TAGS.map((t, i) => ({ id: i + 1, created: ts(i), type: "global", ...t })),
    teams: [
      {
        id: 1,
        created: ts(0),
        name: "Public",
        description: "Every user",
        permission: "Reporter",
        users: [1, 2, 3, 4, 5],
      },
      {
        id: 2,
        created: ts(1),
        name: "Data Engineering",
        description: "Owns the pipelines",
        permission: "Editor",
        users: [1, 2],
      },
      {
        id: 3,
        created: ts(2),
        name: "Analytics",
        description: "Writes the checks",
        permission: "Author",
        users: [2, 4],
      },
      {
        id: 4,
        created: ts(3),
        name: "Business",
        description: "Reads the dashboards",
        permission: "Reporter",
        users: [3, 5],
      },
    ],
    users: [
      {
        id: 1,
        created: ts(0),
        email: "admin@example.com",
        name: "Ada Admin",
        role: "Admin",
        teams: ["Public", "Data Engineering"],
      },
      {
        id: 2,
        created: ts(1),
        email: "manager@example.com",
        name: "Max Manager",
        role: "Manager",
        teams: ["Public", "Data Engineering", "Analytics"],
      },
      {
        id: 3,
        created: ts(2),
        email: "member@example.com",
        name: "Mia Member",
        role: "Member",
        teams: ["Public", "Business"],
      },
      {
        id: 4,
        created: ts(3),
        email: "ari.analyst@example.com",
        name: "Ari Analyst",
        role: "Member",
        teams: ["Public", "Analytics"],
      },
      {
        id: 5,
        created: ts(4),
        email: "ben.business@example.com",
        name: "Ben Business",
        role: "Member",
        teams: ["Public", "Business"],
      },
    ],
  };
}

/** An empty instance: tag and team registries and users only. */
export function seedEmpty(state: FakeState): void {
  state.load({ ...registries() });
}

type FieldSpec = [string, string];
interface TableSpec {
  id: number;
  ds: number;
  name: string;
  type: "table" | "view" | "file";
  fields: FieldSpec[];
  records: number;
  extra?: Rec;
}

const I = "Integral", D = "Fractional", S = "String", DT = "Date", T = "Timestamp";

const TABLES: TableSpec[] = [
  {
    id: 1,
    ds: 1,
    name: "orders",
    type: "table",
    records: 1_250_000,
    extra: {
      partition_field: "order_date",
      incremental_field_name: "updated_at",
      global_tags: ["sales"],
    },
    fields: [
      ["order_id", I],
      ["customer_id", I],
      ["order_date", DT],
      ["status", S],
      ["total_amount", D],
      ["discount_pct", D],
      ["currency", S],
      ["updated_at", T],
    ],
  },
  {
    id: 2,
    ds: 1,
    name: "customers",
    type: "table",
    records: 84_000,
    extra: {
      global_tags: ["pii"],
      additional_metadata: { steward: "crm-team", retention_days: 3650 },
    },
    fields: [
      ["customer_id", I],
      ["email", S],
      ["first_name", S],
      ["last_name", S],
      ["country", S],
      ["segment", S],
      ["created_at", T],
      ["phone", S],
    ],
  },
  {
    id: 3,
    ds: 1,
    name: "order_items",
    type: "table",
    records: 3_900_000,
    extra: { partition_field: "order_id" },
    fields: [["order_id", I], ["line_no", I], ["product_id", I], ["quantity", I], [
      "unit_price",
      D,
    ]],
  },
  {
    id: 4,
    ds: 1,
    name: "products",
    type: "table",
    records: 4_200,
    fields: [["product_id", I], ["sku", S], ["name", S], ["category", S], ["list_price", D], [
      "cost_price",
      D,
    ]],
  },
  {
    id: 5,
    ds: 1,
    name: "payments",
    type: "table",
    records: 1_190_000,
    extra: { global_tags: ["finance"] },
    fields: [["payment_id", I], ["order_id", I], ["amount", D], ["method", S], ["paid_at", T]],
  },
  {
    id: 6,
    ds: 1,
    name: "daily_revenue_v",
    type: "view",
    records: 730,
    fields: [["revenue_date", DT], ["revenue", D], ["orders", I]],
  },
  {
    id: 9,
    ds: 2,
    name: "campaigns",
    type: "file",
    records: 320,
    extra: {
      relative_path: "/marketing/campaigns/",
      file_name: "campaigns_*.csv",
      extension: "csv",
      file_format: "csv",
      has_header: true,
    },
    fields: [["campaign_id", S], ["name", S], ["channel", S], ["budget", D], ["start_date", DT], [
      "end_date",
      DT,
    ]],
  },
  {
    id: 10,
    ds: 2,
    name: "web_events",
    type: "file",
    records: 8_400_000,
    extra: {
      relative_path: "/marketing/events/",
      file_name: "*.json",
      extension: "json",
      file_format: "json",
      has_header: false,
    },
    fields: [
      ["event_id", S],
      ["session_id", S],
      ["event_type", S],
      ["url", S],
      ["occurred_at", T],
      ["user_email", S],
    ],
  },
  {
    id: 11,
    ds: 2,
    name: "leads",
    type: "file",
    records: 56_000,
    extra: {
      relative_path: "/marketing/leads/",
      file_name: "leads.csv",
      extension: "csv",
      file_format: "csv",
      has_header: true,
      global_tags: ["pii"],
    },
    fields: [["lead_id", S], ["email", S], ["company", S], ["score", I], ["source", S], [
      "created_at",
      T,
    ]],
  },
];

const UNDISCOVERED: Record<string, Rec[]> = {
  "Sales DW": [
    {
      name: "returns",
      container_type: "table",
      table_type: "table",
      record_count: 21_000,
      fields: [{ name: "return_id", type: I }, { name: "order_id", type: I }, {
        name: "reason",
        type: S,
      }, { name: "returned_at", type: T }],
    },
    {
      name: "inventory_snapshot_v",
      container_type: "table",
      table_type: "view",
      record_count: 4_200,
      fields: [{ name: "product_id", type: I }, { name: "on_hand", type: I }, {
        name: "snapshot_date",
        type: DT,
      }],
    },
  ],
  "Marketing Lake": [
    {
      name: "newsletter_signups",
      container_type: "file",
      relative_path: "/marketing/newsletter/",
      file_format: "csv",
      has_header: true,
      record_count: 12_500,
      fields: [{ name: "email", type: S }, { name: "signed_up_at", type: T }],
    },
  ],
};

function plainContainer(t: TableSpec, created: string): Rec {
  const base: Rec = { id: t.id, created, name: t.name, datastore: t.ds };
  if (t.type === "file") base.container_type = "file";
  else {
    base.container_type = "table";
    base.table_type = t.type;
  }
  return { ...base, ...t.extra, field_count: t.fields.length, record_count: t.records };
}

type CheckSpec = [number, string, string[], Rec, Rec?];

const CHECKS: CheckSpec[] = [
  // orders
  [1, "notNull", ["order_id"], {}, {
    global_tags: ["critical"],
    description: "Every order has an id",
  }],
  [1, "unique", ["order_id"], {}, { global_tags: ["critical"] }],
  [1, "notNull", ["customer_id"], {}],
  [1, "between", ["discount_pct"], {
    min: f(0),
    max: 0.9,
    inclusive_min: true,
    inclusive_max: true,
  }],
  [1, "greaterThan", ["total_amount"], { value: 0, inclusive: true }],
  [1, "expectedValues", ["status"], {
    list: ["pending", "shipped", "delivered", "cancelled", "returned"],
  }],
  [1, "existsIn", ["customer_id"], {
    field_name: "customer_id",
    ref_container_id: 2,
    ref_datastore_id: 1,
  }, { description: "Every order has a customer" }],
  [1, "notFuture", ["order_date"], {}],
  [1, "isType", ["order_date"], { field_type: "Date" }],
  [1, "freshness", [], { value: 86_400_000 }, {
    coverage: null,
    description: "Orders arrive daily",
  }],
  [1, "volumetric", [], { comparison: "Absolute Change", window_size: 7, min: -1000, max: 1000 }, {
    coverage: null,
    inferred: true,
  }],
  [1, "expectedValues", ["currency"], { list: ["USD", "EUR", "GBP"] }, { status: "Draft" }],
  [1, "maxValue", ["total_amount"], { value: f(100000), inclusive: true }],
  [1, "metric", ["total_amount"], { comparison: "Percentage Change", min: -0.5, max: f(1) }, {
    coverage: null,
  }],
  [1, "satisfiesExpression", ["total_amount", "discount_pct"], {
    expression: "total_amount >= 0\nAND discount_pct < 1",
  }],
  [1, "afterDateTime", ["order_date"], { datetime: "2015-01-01T00:00:00Z" }],
  // customers
  [2, "notNull", ["customer_id"], {}, { global_tags: ["critical"] }],
  [2, "unique", ["customer_id"], {}],
  [2, "unique", ["email"], {}, { global_tags: ["pii"] }],
  [2, "matchesPattern", ["email"], { pattern: "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$" }, {
    global_tags: ["pii"],
  }],
  [2, "expectedValues", ["segment"], { list: ["consumer", "business", "enterprise"] }],
  [2, "minLength", ["country"], { value: 2 }],
  [2, "maxLength", ["country"], { value: 2 }],
  [2, "notNull", ["email", "first_name"], {}],
  [2, "requiredValues", ["country"], { list: ["US", "GB", "DE"] }, { status: "Draft" }],
  [2, "beforeDateTime", ["created_at"], { datetime: "2030-01-01T00:00:00Z" }],
  // order_items
  [3, "notNull", ["order_id", "line_no"], {}],
  [3, "unique", ["order_id", "line_no"], {}],
  [3, "positive", ["quantity"], {}],
  [3, "notNegative", ["unit_price"], {}],
  [3, "existsIn", ["order_id"], {
    field_name: "order_id",
    ref_container_id: 1,
    ref_datastore_id: 1,
  }],
  [3, "existsIn", ["product_id"], {
    field_name: "product_id",
    ref_container_id: 4,
    ref_datastore_id: 1,
  }],
  [3, "lessThan", ["quantity"], { value: 1000, inclusive: true }],
  [3, "distinctCount", ["line_no"], { comparison: "less than", value: 500 }, { coverage: null }],
  // products
  [4, "unique", ["sku"], {}],
  [4, "notNull", ["sku"], {}],
  [4, "lessThanField", ["cost_price"], { field_name: "list_price", inclusive: true }],
  [4, "positive", ["list_price"], {}],
  [4, "expectedSchema", [], {
    list: ["product_id", "sku", "name", "category", "list_price", "cost_price"],
    allow_other_fields: true,
  }, { coverage: null }],
  [4, "minValue", ["list_price"], { value: 0.01, inclusive: true }],
  [4, "matchesPattern", ["sku"], { pattern: "^SKU-[0-9]{6}$" }, { status: "Draft" }],
  // payments
  [5, "notNull", ["payment_id"], {}],
  [5, "unique", ["payment_id"], {}],
  [5, "existsIn", ["order_id"], {
    field_name: "order_id",
    ref_container_id: 1,
    ref_datastore_id: 1,
  }, { global_tags: ["finance"] }],
  [5, "positive", ["amount"], {}, { global_tags: ["finance"] }],
  [5, "expectedValues", ["method"], { list: ["card", "paypal", "bank_transfer", "voucher"] }],
  [5, "notFuture", ["paid_at"], {}],
  [5, "sum", ["amount"], { value: f(1000000) }],
  [5, "fieldCount", [], { value: 5 }, { coverage: null }],
  // daily_revenue_v
  [6, "notNegative", ["revenue"], {}],
  [6, "anyNotNull", ["revenue", "orders"], {}],
  [6, "unique", ["revenue_date"], {}],
  [6, "freshness", [], { value: 172_800_000 }, { coverage: null }],
  // high_value_orders, orders_with_customers
  [7, "greaterThan", ["total_amount"], { value: 1000, inclusive: false }],
  [7, "notNull", ["order_id"], {}],
  [8, "notNull", ["email"], {}],
  [8, "expectedValues", ["country"], { list: ["US", "GB", "DE", "FR"] }, { status: "Draft" }],
  // Marketing Lake
  [9, "unique", ["campaign_id"], {}],
  [9, "greaterThanField", ["end_date"], { field_name: "start_date", inclusive: true }],
  [9, "between", ["budget"], { min: 0, max: 1000000 }],
  [10, "notNull", ["event_id"], {}],
  [10, "containsUrl", ["url"], {}],
  [10, "isType", ["occurred_at"], { field_type: "Timestamp" }],
  [11, "unique", ["lead_id"], {}],
  [11, "between", ["score"], { min: 0, max: 100 }],
  [11, "notNull", ["email"], {}, { global_tags: ["pii"] }],
  [12, "greaterThan", ["score"], { value: 49, inclusive: false }],
  [12, "notNull", ["company"], {}, { status: "Draft" }],
  // archived
  [1, "lessThan", ["discount_pct"], { value: 0.5, inclusive: true }, {
    status: "Discarded",
    deleted_at: ts(60 * 24 * 30),
  }],
];

/** A realistic warehouse: 2 source datastores + 1 enrichment datastore on 2 connections. */
export function seedDemo(state: FakeState): void {
  const data: ServerData = { ...registries() };
  data.connections = [
    {
      id: 1,
      created: ts(10),
      name: "Warehouse PG",
      type: "postgresql",
      host: "pg.warehouse.example.com",
      port: 5432,
      username: "dq_reader",
      password: "demo-password",
      jdbc_fetch_size: 1000,
      max_parallelization: 8,
      parameters: { sslmode: "require" },
    },
    {
      id: 2,
      created: ts(11),
      name: "Lakehouse S3",
      type: "s3",
      uri: "s3://acme-lakehouse",
      access_key: "AKIADEMOEXAMPLE0001",
      secret_key: "demo-secret-key",
      parameters: { authentication_type: "SHARED_KEY", region: "us-east-1" },
    },
  ];
  data.datastores = [
    {
      id: 1,
      created: ts(20),
      name: "Sales DW",
      description: "Orders, customers, products and payments",
      connection_id: 1,
      database: "sales",
      schema: "public",
      enrichment_prefix: "_sales_dw",
      enrichment_source_record_limit: 25,
      enrichment_remediation_strategy: "append",
      high_count_rollup_threshold: 50,
      enrich_datastore: 3,
      global_tags: ["production", "sales"],
      teams: ["Data Engineering", "Analytics", "Business"],
      favorite: true,
    },
    {
      id: 2,
      created: ts(21),
      name: "Marketing Lake",
      description: "Campaign files and web events",
      connection_id: 2,
      root_path: "/marketing/",
      enrichment_prefix: "_marketing",
      enrich_datastore: 3,
      global_tags: ["marketing"],
      teams: ["Data Engineering", "Analytics"],
    },
    {
      id: 3,
      created: ts(22),
      name: "DQ Enrichment",
      description: "Anomalies, source records and exports",
      connection_id: 2,
      root_path: "/dq/",
      enrichment_only: true,
      enrichment_prefix: "_dq",
      teams: ["Data Engineering"],
    },
  ];
  const containers: Rec[] = TABLES.map((t, i) => plainContainer(t, ts(30 + i)));
  containers.push(
    {
      id: 7,
      created: ts(60),
      name: "high_value_orders",
      container_type: "computed_table",
      datastore: 1,
      description: "Orders above 1k",
      query: "SELECT order_id, customer_id, total_amount\nFROM orders\nWHERE total_amount > 1000",
      global_tags: ["curated"],
      additional_metadata: { owner: "analytics" },
      record_count: 18_400,
    },
    {
      id: 8,
      created: ts(61),
      name: "orders_with_customers",
      container_type: "computed_join",
      datastore: 1,
      description: "Orders joined with their customers",
      left_container_id: 1,
      right_container_id: 2,
      left_join_field_name: "customer_id",
      right_join_field_name: "customer_id",
      join_type: "inner",
      select_clause: "left.order_id, left.total_amount, right.email, right.country",
      record_count: 1_249_000,
    },
    {
      id: 12,
      created: ts(62),
      name: "qualified_leads",
      container_type: "computed_file",
      datastore: 2,
      description: "Leads scoring 50 or more",
      source_container_id: 11,
      select_clause: "lead_id, email, company, score",
      where_clause: "score >= 50",
      record_count: 9_800,
    },
  );
  data.containers = containers;
  const fields: Rec[] = [];
  const addField = (container: number, name: string, type: string, extra: Rec = {}) =>
    fields.push({
      id: fields.length + 1,
      created: ts(70),
      name,
      container_id: container,
      type,
      completeness: 1,
      ...extra,
    });
  for (const t of TABLES) for (const [name, type] of t.fields) addField(t.id, name, type);
  for (const [name, type] of [["order_id", I], ["customer_id", I], ["total_amount", D]]) {
    addField(7, name, type);
  }
  for (const [name, type] of [["order_id", I], ["total_amount", D], ["email", S], ["country", S]]) {
    addField(8, name, type);
  }
  for (const [name, type] of [["lead_id", S], ["email", S], ["company", S], ["score", I]]) {
    addField(12, name, type);
  }
  addField(1, "total_amount_int", I, { is_computed_field: true });
  addField(2, "full_name", S, { is_computed_field: true });
  addField(11, "company_clean", S, { is_computed_field: true });
  data.fields = fields;
  data.computed_fields = [
    {
      id: 1,
      created: ts(80),
      name: "total_amount_int",
      container_id: 1,
      transformation_type: "cast",
      source_fields: ["total_amount"],
      properties: { target_type: "integer" },
      additional_metadata: null,
      last_editor_id: 2,
      last_editor: { id: 2, name: "Max Manager" },
    },
    {
      id: 2,
      created: ts(81),
      name: "full_name",
      container_id: 2,
      transformation_type: "customExpression",
      source_fields: null,
      properties: { column_expression: "concat(first_name, ' ', last_name)" },
      additional_metadata: { pii: true },
      last_editor_id: 2,
      last_editor: { id: 2, name: "Max Manager" },
    },
    {
      id: 3,
      created: ts(82),
      name: "company_clean",
      container_id: 11,
      transformation_type: "cleanedEntityName",
      source_fields: ["company"],
      properties: {
        drop_from_suffix: true,
        drop_from_prefix: false,
        drop_from_interior: false,
        terms_to_drop: ["Inc", "LLC", "GmbH"],
        terms_to_ignore: [],
      },
      additional_metadata: null,
      last_editor_id: 4,
      last_editor: { id: 4, name: "Ari Analyst" },
    },
  ];
  data.checks = CHECKS.map(([container, rule, checkFields, properties, extra], i) => ({
    id: i + 1,
    created: ts(100 + i),
    rule_type: rule,
    description: `${rule} on ${checkFields.join(", ") || "the container"}`,
    container,
    fields: checkFields,
    coverage: f(1),
    filter: null,
    properties,
    global_tags: [],
    additional_metadata: null,
    status: "Active",
    ...extra,
  }));
  const anomaly = (id: number, check: number, status: string, extra: Rec = {}): Rec => {
    const spec = CHECKS[check - 1];
    const container = TABLES.find((t) => t.id === spec[0]);
    return {
      id,
      created: ts(60 * 24 + id * 37),
      type: spec[2].length ? "record" : "shape",
      status,
      archived: !["Active", "Acknowledged"].includes(status),
      is_new: status === "Active",
      message: `${spec[1]} failed for ${spec[2].join(", ") || container?.name}`,
      weight: 1 + (id % 9),
      datastore: container?.ds ?? 1,
      container: spec[0],
      failed_checks: [{ quality_check: check, message: `${spec[1]} check failed` }],
      anomalous_records_count: spec[2].length ? 3 + id * 11 : 0,
      ...extra,
    };
  };
  data.anomalies = [
    anomaly(1, 4, "Active"),
    anomaly(2, 6, "Active", { global_tags: ["sales"] }),
    anomaly(3, 20, "Active", { global_tags: ["pii"] }),
    anomaly(4, 29, "Active"),
    anomaly(5, 10, "Active"),
    anomaly(6, 31, "Acknowledged", { description: "Known late-arriving items", assignee_ids: [4] }),
    anomaly(7, 45, "Acknowledged"),
    anomaly(8, 5, "Resolved"),
    anomaly(9, 36, "Resolved"),
    anomaly(10, 22, "Invalid"),
    anomaly(11, 4, "Duplicate"),
    anomaly(12, 61, "Discarded", { source_enriched: true }),
  ];
  const op = (
    id: number,
    type: string,
    ds: number,
    minutes: number,
    result: string,
    extra: Rec = {},
  ): Rec => ({
    id,
    created: ts(minutes),
    type,
    start_time: ts(minutes),
    end_time: ts(minutes + 3),
    result,
    triggered_by: "manager@example.com",
    datastore: ds,
    containers: [],
    status: { total_containers: ds === 1 ? 6 : 3, containers_analyzed: ds === 1 ? 6 : 3 },
    ...extra,
  });
  data.operations = [
    op(1, "sync", 1, 40, "success", { include: ["table", "view"], prune: false, recreate: false }),
    op(2, "sync", 2, 41, "success", { prune: false, recreate: false }),
    op(3, "profile", 1, 90, "success", { ai_effort: "medium", infer_as_draft: false }),
    op(4, "scan", 1, 60 * 24, "success", {
      incremental: false,
      status: {
        total_containers: 8,
        containers_analyzed: 8,
        partitions_scanned: 8,
        records_processed: 7_770_330,
        anomalies_identified: 7,
      },
    }),
    op(5, "scan", 2, 60 * 24 + 30, "failure", {
      incremental: true,
      message: "Container web_events: no files matched /marketing/events/*.json",
      detail: "Container web_events: no files matched /marketing/events/*.json",
    }),
  ];
  data.catalog = {
    "Sales DW": [
      ...TABLES.filter((t) => t.ds === 1).map((t) => catalogEntry(t)),
      ...UNDISCOVERED["Sales DW"],
    ],
    "Marketing Lake": [
      ...TABLES.filter((t) => t.ds === 2).map((t) => catalogEntry(t)),
      ...UNDISCOVERED["Marketing Lake"],
    ],
    "DQ Enrichment": [],
  };
  state.load(data);
}

function catalogEntry(t: TableSpec): Rec {
  const { id: _id, datastore: _ds, created: _c, ...rest } = plainContainer(t, "");
  return { ...rest, fields: t.fields.map(([name, type]) => ({ name, type })) };
}

const SCALE_FIELDS: FieldSpec[] = [
  ["id", I],
  ["name", S],
  ["amount", D],
  ["quantity", I],
  ["status", S],
  ["category", S],
  ["email", S],
  ["created_at", T],
];

type ScaleRule = (i: number) => [string, string[], Rec];
const SCALE_RULES: ScaleRule[] = [
  () => ["notNull", ["id"], {}],
  () => ["unique", ["id"], {}],
  (i) => ["between", ["amount"], { min: 0, max: 1000 + i }],
  (i) => ["greaterThan", ["quantity"], { value: i, inclusive: true }],
  (i) => ["lessThan", ["quantity"], { value: 10_000 + i, inclusive: false }],
  (i) => ["expectedValues", ["status"], { list: ["open", "closed", `s${i}`] }],
  (i) => ["matchesPattern", ["email"], { pattern: `^[a-z${i % 10}]+@example\\.com$` }],
  (i) => ["maxLength", ["name"], { value: 64 + i }],
  (i) => ["minLength", ["name"], { value: 1 + (i % 5) + Math.floor(i / 5) * 10 }],
  () => ["notFuture", ["created_at"], {}],
  (i) => ["maxValue", ["amount"], { value: 1_000_000 + i, inclusive: true }],
  (i) => ["minValue", ["amount"], { value: -i, inclusive: true }],
  (
    i,
  ) => ["satisfiesExpression", ["amount", "quantity"], {
    expression: `amount * quantity >= ${-i}`,
  }],
  () => ["positive", ["quantity"], {}],
  () => ["notNegative", ["amount"], {}],
  (i) => ["freshness", [], { value: 86_400_000 * (1 + i) }],
  (i) => ["requiredValues", ["category"], { list: [`c${i}`] }],
  () => ["isType", ["created_at"], { field_type: "Timestamp" }],
];

/** `datastores × containers × checks` generated deterministically. */
export function seedScale(state: FakeState, sizes: Partial<ScaleOptions> = {}): void {
  const { datastores = 2, containers = 100, checks = 25 } = sizes;
  const rng = new Rng(42);
  const data: ServerData = { ...registries() };
  data.connections = [
    {
      id: 1,
      created: ts(10),
      name: "Scale PG",
      type: "postgresql",
      host: "pg.scale.example.com",
      port: 5432,
      username: "dq",
      password: "scale-password",
      parameters: {},
    },
    {
      id: 2,
      created: ts(11),
      name: "Scale Snowflake",
      type: "snowflake",
      host: "acme.snowflakecomputing.com",
      port: 443,
      username: "dq",
      password: "scale-password",
      parameters: { role: "DQ", warehouse: "DQ_WH" },
    },
  ];
  data.datastores = [];
  data.containers = [];
  data.fields = [];
  data.checks = [];
  data.catalog = {};
  let containerId = 0;
  let checkId = 0;
  for (let d = 1; d <= datastores; d++) {
    const name = `Scale DS ${String(d).padStart(3, "0")}`;
    data.datastores.push({
      id: d,
      created: ts(20 + d),
      name,
      connection_id: 1 + ((d - 1) % 2),
      database: "scale",
      schema: `schema_${d}`,
      global_tags: d % 2 ? ["production"] : ["staging"],
      teams: ["Data Engineering", "Analytics"],
    });
    const catalog: Rec[] = [];
    for (let c = 1; c <= containers; c++) {
      const id = ++containerId;
      const table = {
        name: `table_${String(c).padStart(4, "0")}`,
        container_type: "table",
        table_type: c % 10 === 0 ? "view" : "table",
        record_count: rng.int(1_000, 5_000_000),
        field_count: SCALE_FIELDS.length,
      };
      data.containers.push({ id, created: ts(100 + id), datastore: d, ...table });
      catalog.push({ ...table, fields: SCALE_FIELDS.map(([n, type]) => ({ name: n, type })) });
      for (const [fieldName, type] of SCALE_FIELDS) {
        data.fields.push({
          id: data.fields.length + 1,
          created: ts(100 + id),
          name: fieldName,
          container_id: id,
          type,
        });
      }
      for (let k = 0; k < checks; k++) {
        const rule = SCALE_RULES[k % SCALE_RULES.length];
        const [ruleType, fields, properties] = rule(
          Math.floor(k / SCALE_RULES.length) + rng.int(0, 0),
        );
        const none = fields.length === 0;
        data.checks.push({
          id: ++checkId,
          created: ts(10_000 + checkId),
          rule_type: ruleType,
          description: `${ruleType} check ${k + 1} on ${table.name}`,
          container: id,
          fields,
          coverage: none ? null : f(1),
          // Rules repeat every SCALE_RULES.length checks; a filter keeps the repeats distinct,
          // as the real API refuses an identical second check (409).
          filter: k % 7 === 3 || k >= SCALE_RULES.length ? `quantity > ${k}` : null,
          properties,
          global_tags: k % 5 === 0 ? ["critical"] : [],
          additional_metadata: null,
          status: k % 9 === 8 ? "Draft" : "Active",
        });
      }
    }
    data.catalog[name] = catalog;
  }
  state.load(data);
}
