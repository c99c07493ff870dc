/**
 * Canonical shapes of objects the fake server creates itself (not `as_given`): each builder
 * takes the stored fields known so far and returns a record with the server's key order (the
 * entity shapes of the golden `server.json` files) and defaults; unknown extra keys are kept,
 * appended at the end.
 *
 * Two modes. Loading server data (seeds) fills every key of the shape, so terse seed data still
 * gives complete objects. Building from a create request (`sent`: the body's keys) follows what
 * the golden sets show the API serves for objects it created: a key the client may write
 * ("client" keys) is served only when the body had it, and the client's keys keep the order
 * the client wrote them in (the golden sets disagree on e.g. `query`/`description`, and each
 * export is reproduced from an import only when the server keeps the client's order).
 */
import { isJsonFloat } from "../util/json.ts";

/** A stored record (references as ids or names, see fixtures/README.md). */
export type Rec = Record<string, any>;

/**
 * How a key of a shape is filled: "server" keys are always there and keep their place;
 * "client" keys are only there when the create body sent them; "default" keys are always there
 * (with the server's default when not sent) but follow the client's order when sent.
 */
type Kind = "server" | "client" | "default";
type Template = readonly (readonly [key: string, fallback: () => unknown, kind?: Kind])[];

/** Deep copy that keeps {@link JsonFloat} boxes (they are immutable). */
export function deepCopy<T>(value: T): T {
  if (value === null || typeof value !== "object" || isJsonFloat(value)) return value;
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  const out: Rec = {};
  for (const [key, member] of Object.entries(value as Rec)) out[key] = deepCopy(member);
  return out as T;
}

/**
 * The record keys a create body sent, in body order (`rename` maps body keys to record keys,
 * e.g. `tags` → `global_tags`), for the builders' `sent` parameter.
 */
export function sentKeys(body: unknown, rename: Record<string, string> = {}): string[] {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return [];
  return Object.keys(body).map((key) => Object.hasOwn(rename, key) ? rename[key] : key);
}

/**
 * Reorders `keys` so that the members of `ordered` come in that order; every other key keeps
 * its place, and a key that would come too early waits until the keys before it are out.
 */
function followOrder(keys: string[], ordered: string[]): string[] {
  const rank = new Map(ordered.map((key, index) => [key, index]));
  const out: string[] = [];
  const waiting = new Set<string>();
  let next = 0;
  for (const key of keys) {
    const position = rank.get(key);
    if (position === undefined) {
      out.push(key);
      continue;
    }
    if (position !== next) {
      waiting.add(key);
      continue;
    }
    out.push(key);
    next++;
    while (next < ordered.length && waiting.delete(ordered[next])) out.push(ordered[next++]);
  }
  return out;
}

function canon(input: Rec, template: Template, sent?: readonly string[]): Rec {
  const given = sent ? new Set(sent) : undefined;
  const values: Rec = {};
  const unsent = new Set<string>();
  for (const [key, fallback, kind = "server"] of template) {
    if (given && kind === "client" && !given.has(key)) unsent.add(key);
    else values[key] = key in input && input[key] !== undefined ? input[key] : fallback();
  }
  for (const [key, value] of Object.entries(input)) {
    if (!(key in values) && !unsent.has(key) && value !== undefined) values[key] = value;
  }
  let keys = Object.keys(values);
  if (sent) {
    const movable = new Set(
      template.filter(([key, , kind]) => kind !== undefined && kind !== "server" && key in values)
        .map(([key]) => key),
    );
    keys = followOrder(keys, [...new Set(sent.filter((key) => movable.has(key)))]);
  }
  const out: Rec = {};
  for (const key of keys) out[key] = values[key];
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

/**
 * A connection; secrets stay in the record (appended, never rendered) and are dropped when
 * rendered.
 *
 * @param sent the create body's keys (see {@link sentKeys}); omitted when loading server data
 */
export function buildConnection(p: Rec, now: string, sent?: readonly string[]): Rec {
  const type = String(p.type ?? "postgresql");
  const dfs = DFS_TYPES.has(type);
  const product = PRODUCTS[type];
  const common: Template = [
    ["id", nul],
    ["name", nul],
    ["type", () => type],
    ["connection_type", () => (dfs ? "dfs" : "jdbc")],
  ];
  const specific: Template = dfs
    ? [
      ["uri", nul, "client"],
      ["access_key", nul, "client"],
      ["parameters", obj, "client"],
      ["secrets_manager", nul, "client"],
    ]
    : [
      ["host", nul, "client"],
      ["port", nul, "client"],
      ["username", nul, "client"],
      ["jdbc_fetch_size", nul, "client"],
      ["max_parallelization", nul, "client"],
      ["parameters", obj, "client"],
      ["secrets_manager", nul, "client"],
    ];
  const tail: Template = dfs ? [["created", () => now], ["datastores", list]] : [
    ["created", () => now],
    ["datastores", list],
    ["product_name", () => product?.[0] ?? type],
    ["product_version", () => product?.[1] ?? null],
    ["driver_name", () => product?.[2] ?? null],
    ["driver_version", () => product?.[3] ?? null],
  ];
  return canon(p, [...common, ...specific, ...tail], sent);
}

/** `_snake_case` with a leading underscore, as the API normalises enrichment prefixes. */
export function enrichmentPrefix(text: string): string {
  const slug = text.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return `_${slug}`;
}

/**
 * A datastore (`connection_id`, `enrich_datastore` id, tag and team names).
 *
 * @param sent the create body's keys (see {@link sentKeys}); omitted when loading server data
 */
export function buildDatastore(
  p: Rec,
  now: string,
  connection?: Rec,
  sent?: readonly string[],
): Rec {
  const type = String(p.type ?? connection?.type ?? "postgresql");
  const dfs = DFS_TYPES.has(type);
  return canon(p, [
    ["id", nul],
    ["name", nul],
    ["description", nul, "client"],
    ["store_type", () => (dfs ? "dfs" : "jdbc")],
    ["type", () => type],
    ["connection_id", nul],
    ...(dfs
      ? [["root_path", nul, "client"] as const]
      : [["database", nul, "client"] as const, ["schema", nul, "client"] as const]),
    ["enrichment_only", no, "default"],
    ["enrichment_prefix", () => enrichmentPrefix(String(p.name ?? "qualytics")), "client"],
    ["enrichment_source_record_limit", () => 10, "client"],
    ["enrichment_remediation_strategy", () => "none", "client"],
    ["high_count_rollup_threshold", () => 10, "client"],
    ["enrich_datastore", nul],
    ["global_tags", list],
    ["teams", list],
    ["created", () => now],
    ["connected", () => true],
    ["favorite", no],
    ["latest_operation", nul],
    ["metrics", obj],
    ["check_count", zero],
    ["container_count", zero],
    ["score", nul],
    ["group", nul],
    ["has_scheduled_operations", no],
    ["anomaly_count", zero],
  ], sent);
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

/**
 * A container (`datastore` id, tag names, container ids). The container references of computed
 * containers are resolved by the server and keep their place whatever the body order.
 *
 * @param sent the create body's keys (see {@link sentKeys}); omitted when loading server data
 */
export function buildContainer(p: Rec, now: string, sent?: readonly string[]): Rec {
  const type = String(p.container_type ?? "table");
  const head: Template = [["id", nul], ["name", nul], ["container_type", () => type]];
  const computedTail: Template = [
    ["global_tags", list, "client"],
    ["additional_metadata", nul, "client"],
    ["created", () => now],
    ["status", () => "Active"],
    ["field_count", zero],
    ["record_count", zero],
    ["deleted_at", nul],
  ];
  const shape: Template = type === "table"
    ? [
      ...head,
      ["table_type", () => "table"],
      ["datastore", nul],
      ["description", nul, "client"],
      ["global_tags", list],
      ["additional_metadata", nul],
      ["partition_field", nul],
      ["incremental_field_name", nul],
      ["incremental_identifier_type", nul],
      ["field_count", zero],
      ["record_count", zero],
      ["created", () => now],
      ["status", () => "Active"],
      ["deleted_at", nul],
    ]
    : type === "file"
    ? [
      ...head,
      ["datastore", nul],
      ["description", nul, "client"],
      ["file_format", () => "csv"],
      ["has_header", () => true],
      ["relative_path", nul],
      ["file_name", nul],
      ["extension", nul],
      ["global_tags", list],
      ["additional_metadata", nul],
      ["created", () => now],
      ["status", () => "Active"],
      ["field_count", zero],
      ["record_count", zero],
      ["deleted_at", nul],
    ]
    : type === "computed_table"
    ? [
      ...head,
      ["datastore", nul],
      ["description", nul, "client"],
      ["query", nul, "client"],
      ["incremental_field_name", nul, "client"],
      ["incremental_identifier_type", nul, "client"],
      ...computedTail,
    ]
    : type === "computed_file"
    ? [
      ...head,
      ["datastore", nul],
      ["description", nul, "client"],
      ["source_container_id", nul],
      ["select_clause", nul, "client"],
      ["where_clause", nul, "client"],
      ["group_by_clause", nul, "client"],
      ...computedTail,
    ]
    : type === "computed_join"
    ? [
      ...head,
      ["datastore", nul],
      ["description", nul, "client"],
      ["left_container_id", nul],
      ["right_container_id", nul],
      ["left_join_field_name", nul, "client"],
      ["right_join_field_name", nul, "client"],
      ["join_type", () => "inner", "default"],
      ["select_clause", nul, "client"],
      ["where_clause", nul, "client"],
      ["group_by_clause", nul, "client"],
      ["left_prefix", () => "left", "default"],
      ["right_prefix", () => "right", "default"],
      ["incremental_field_name", nul, "client"],
      ["incremental_identifier_type", nul, "client"],
      ...computedTail,
    ]
    : [...head, ["datastore", nul], ["description", nul, "client"], ...computedTail];
  return canon(p, [
    ...shape,
    ["check_count", zero],
    ["anomaly_count", zero],
    ["favorite", no],
  ], sent);
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
export function buildComputedField(p: Rec, _now: string): Rec {
  return canon(p, [
    ["id", nul],
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
