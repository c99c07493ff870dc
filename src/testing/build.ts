/**
 * Canonical shapes of objects the fake server creates itself (not `as_given`): each builder
 * takes the stored fields known so far and returns a record with the server's key order and
 * defaults; unknown extra keys are kept, appended at the end.
 */
import { isJsonFloat } from "../util/json.ts";

/** A stored record (references as ids or names, see fixtures/README.md). */
export type Rec = Record<string, any>;

type Template = readonly (readonly [string, () => unknown])[];

/** Deep copy that keeps {@link JsonFloat} boxes (they are immutable). */
export function deepCopy<T>(value: T): T {
  if (value === null || typeof value !== "object" || isJsonFloat(value)) return value;
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  const out: Rec = {};
  for (const [key, member] of Object.entries(value as Rec)) out[key] = deepCopy(member);
  return out as T;
}

function canon(input: Rec, template: Template): Rec {
  const out: Rec = {};
  for (const [key, fallback] of template) {
    out[key] = key in input && input[key] !== undefined ? input[key] : fallback();
  }
  for (const [key, value] of Object.entries(input)) {
    if (!(key in out) && value !== undefined) out[key] = value;
  }
  return out;
}

const nul = () => null;
const no = () => false;
const zero = () => 0;
const list = () => [];
const obj = () => ({});

/** Connector types whose connections are DFS (file systems). */
export const DFS_TYPES = new Set(["s3", "gcs", "abfs", "wasb", "qfs"]);
/** Connector types the fake accepts. */
export const CONNECTION_TYPES = [
  "athena",
  "bigquery",
  "databricks",
  "db2",
  "dremio",
  "hive",
  "mariadb",
  "mysql",
  "oracle",
  "postgresql",
  "presto",
  "redshift",
  "snowflake",
  "sqlserver",
  "synapse",
  "teradata",
  "timescale",
  "trino",
  "s3",
  "gcs",
  "abfs",
] as const;

const PRODUCTS: Record<string, [string, string, string, string]> = {
  postgresql: ["PostgreSQL", "16.2", "PostgreSQL JDBC Driver", "42.7.4"],
  snowflake: ["Snowflake", "8.12.1", "Snowflake", "3.16.1"],
  mysql: ["MySQL", "8.0.36", "MySQL Connector/J", "8.3.0"],
  bigquery: ["Google BigQuery", "2.0", "Simba BigQuery JDBC", "1.5.4"],
  databricks: ["Databricks", "14.3", "Databricks JDBC Driver", "2.6.36"],
  redshift: ["Redshift", "1.0.66960", "Redshift JDBC Driver", "2.1.0.26"],
};

/** A tag of the global registry. */
export function buildTag(p: Rec, now: string): Rec {
  return canon(p, [
    ["id", nul],
    ["created", () => now],
    ["type", () => "global"],
    ["name", nul],
    ["color", nul],
    ["description", nul],
    ["category", nul],
    ["weight_modifier", zero],
  ]);
}

/** A team (`users`: user ids). */
export function buildTeam(p: Rec, now: string): Rec {
  return canon(p, [
    ["id", nul],
    ["created", () => now],
    ["name", nul],
    ["description", nul],
    ["permission", () => "Reporter"],
    ["users", list],
  ]);
}

/** A user (`teams`: team names). */
export function buildUser(p: Rec, now: string): Rec {
  return canon(p, [
    ["id", nul],
    ["created", () => now],
    ["user_id", () => `auth0|${p.email ?? p.id}`],
    ["email", nul],
    ["name", nul],
    ["role", () => "Member"],
    ["deactivated", no],
    ["teams", list],
  ]);
}

/** A connection; secrets stay in the record and are dropped when rendered. */
export function buildConnection(p: Rec, now: string): Rec {
  const type = String(p.type ?? "postgresql");
  const dfs = DFS_TYPES.has(type);
  const product = PRODUCTS[type];
  const common: Template = [
    ["id", nul],
    ["created", () => now],
    ["name", nul],
    ["type", () => type],
    ["connection_type", () => (dfs ? "dfs" : "jdbc")],
  ];
  const specific: Template = dfs
    ? [["uri", nul], ["access_key", nul], ["parameters", obj], ["secrets_manager", nul]]
    : [
      ["host", nul],
      ["port", nul],
      ["username", nul],
      ["jdbc_fetch_size", nul],
      ["max_parallelization", nul],
      ["parameters", obj],
      ["secrets_manager", nul],
    ];
  const tail: Template = dfs ? [["datastores", list]] : [
    ["datastores", list],
    ["product_name", () => product?.[0] ?? type],
    ["product_version", () => product?.[1] ?? null],
    ["driver_name", () => product?.[2] ?? null],
    ["driver_version", () => product?.[3] ?? null],
  ];
  return canon(p, [...common, ...specific, ...tail]);
}

/** `_snake_case` with a leading underscore, as the API normalises enrichment prefixes. */
export function enrichmentPrefix(text: string): string {
  const slug = text.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return `_${slug}`;
}

/** A datastore (`connection_id`, `enrich_datastore` id, tag and team names). */
export function buildDatastore(p: Rec, now: string, connection?: Rec): Rec {
  const type = String(p.type ?? connection?.type ?? "postgresql");
  const dfs = DFS_TYPES.has(type);
  return canon(p, [
    ["id", nul],
    ["created", () => now],
    ["name", nul],
    ["description", nul],
    ["store_type", () => (dfs ? "dfs" : "jdbc")],
    ["type", () => type],
    ["connection_id", nul],
    ...(dfs
      ? [["root_path", nul] as const]
      : [["database", nul] as const, ["schema", nul] as const]),
    ["enrichment_only", no],
    ["enrichment_prefix", () => enrichmentPrefix(String(p.name ?? "qualytics"))],
    ["enrichment_source_record_limit", () => 10],
    ["enrichment_remediation_strategy", () => "none"],
    ["high_count_rollup_threshold", () => 10],
    ["enrich_datastore", nul],
    ["global_tags", list],
    ["teams", list],
    ["connected", () => true],
    ["favorite", no],
    ["group", nul],
    ["latest_operation", nul],
    ["has_scheduled_operations", no],
    ["metrics", obj],
    ["container_count", zero],
    ["check_count", zero],
    ["anomaly_count", zero],
    ["score", nul],
  ]);
}

/** Container types. */
export const CONTAINER_TYPES = [
  "table",
  "view",
  "file",
  "computed_table",
  "computed_file",
  "computed_join",
] as const;
/** Container types users can create. */
export const COMPUTED_TYPES = ["computed_table", "computed_file", "computed_join"] as const;

/** A container (`datastore` id, tag names, container ids). */
export function buildContainer(p: Rec, now: string): Rec {
  const type = String(p.container_type ?? "table");
  const specific: Template = type === "table"
    ? [
      ["table_type", () => "table"],
      ["partition_field", nul],
      ["incremental_field_name", nul],
      ["incremental_identifier_type", nul],
    ]
    : type === "file"
    ? [
      ["relative_path", nul],
      ["file_name", nul],
      ["extension", nul],
      ["file_format", () => "csv"],
      ["has_header", () => true],
    ]
    : type === "computed_table"
    ? [["query", nul], ["incremental_field_name", nul], ["incremental_identifier_type", nul]]
    : type === "computed_file"
    ? [["source_container_id", nul], ["select_clause", nul], ["where_clause", nul], [
      "group_by_clause",
      nul,
    ]]
    : type === "computed_join"
    ? [
      ["left_container_id", nul],
      ["right_container_id", nul],
      ["left_join_field_name", nul],
      ["right_join_field_name", nul],
      ["join_type", () => "inner"],
      ["select_clause", nul],
      ["where_clause", nul],
      ["group_by_clause", nul],
      ["left_prefix", () => "left"],
      ["right_prefix", () => "right"],
    ]
    : [];
  return canon(p, [
    ["id", nul],
    ["created", () => now],
    ["name", nul],
    ["container_type", () => type],
    ["datastore", nul],
    ["description", nul],
    ...specific,
    ["global_tags", list],
    ["additional_metadata", nul],
    ["status", () => "Active"],
    ["field_count", zero],
    ["record_count", zero],
    ["check_count", zero],
    ["anomaly_count", zero],
    ["favorite", no],
    ["deleted_at", nul],
  ]);
}

/** A field of a container (served by the field endpoints, referenced by name elsewhere). */
export function buildField(p: Rec, now: string): Rec {
  return canon(p, [
    ["id", nul],
    ["created", () => now],
    ["name", nul],
    ["container_id", nul],
    ["type", () => "String"],
    ["status", () => "active"],
    ["completeness", () => null],
    ["global_tags", list],
    ["is_computed_field", no],
    ["additional_metadata", nul],
  ]);
}

/** A computed field (`source_fields`: names). */
export function buildComputedField(p: Rec, now: string): Rec {
  return canon(p, [
    ["id", nul],
    ["created", () => now],
    ["name", nul],
    ["container_id", nul],
    ["transformation_type", nul],
    ["source_fields", nul],
    ["properties", obj],
    ["additional_metadata", nul],
    ["last_editor_id", nul],
    ["last_editor", nul],
  ]);
}

/** A quality check or template (`container` id, field and tag names). */
export function buildCheck(p: Rec, now: string): Rec {
  return canon(p, [
    ["id", nul],
    ["created", () => now],
    ["rule_type", nul],
    ["description", nul],
    ["container", nul],
    ["fields", list],
    ["coverage", nul],
    ["filter", nul],
    ["properties", obj],
    ["global_tags", list],
    ["additional_metadata", nul],
    ["status", () => "Active"],
    ["anomaly_message_field", nul],
    ["inferred", no],
    ["is_template", no],
    ["template_locked", no],
    ["template_id", nul],
    ["owner_id", nul],
    ["default_anomaly_assignee_id", nul],
    ["anomaly_count", zero],
    ["active_anomaly_count", zero],
    ["is_new", () => true],
    ["last_updated", () => p.created ?? now],
    ["deleted_at", nul],
  ]);
}

/** An anomaly (`datastore`/`container` ids, `failed_checks[].quality_check` ids, tag names). */
export function buildAnomaly(p: Rec, now: string): Rec {
  return canon(p, [
    ["id", nul],
    ["uuid", () => `00000000-0000-4000-8000-${String(p.id ?? 0).padStart(12, "0")}`],
    ["created", () => now],
    ["type", () => "record"],
    ["status", () => "Active"],
    ["archived", no],
    ["is_new", () => true],
    ["message", nul],
    ["description", nul],
    ["weight", () => 1],
    ["datastore", nul],
    ["container", nul],
    ["partition", nul],
    ["failed_checks", list],
    ["global_tags", list],
    ["assignee_ids", list],
    ["anomalous_records_count", zero],
    ["source_enriched", no],
    ["fingerprint", () => `fp-${p.id ?? 0}`],
  ]);
}

/** An operation (`datastore` id, `containers` ids). */
export function buildOperation(p: Rec, now: string): Rec {
  return canon(p, [
    ["id", nul],
    ["created", () => now],
    ["type", nul],
    ["start_time", () => p.created ?? now],
    ["end_time", nul],
    ["result", () => "running"],
    ["message", nul],
    ["detail", nul],
    ["triggered_by", nul],
    ["datastore", nul],
    ["schedule", nul],
    ["containers", list],
    ["status", obj],
  ]);
}
