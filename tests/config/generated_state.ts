/**
 * A seeded generator of varied server states for the config-as-code property tests (round trip,
 * convergence after faults): see roundtrip_property_test.ts for what it varies and why. It is
 * deterministic, so a failure names its seed; change it only in ways that keep every seed's state.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/testing/rng.ts";
import type { Rec, ServerData } from "../../src/testing/state.ts";
import { JsonFloat } from "../../src/util/json.ts";
import { slug } from "../../src/util/slug.ts";

export const f = (n: number) => new JsonFloat(n);
export const I = "Integral", D = "Fractional", S = "String", DT = "Date", T = "Timestamp";
const BASE = Date.UTC(2025, 5, 1, 8, 0, 0);
export const ts = (minutes: number) =>
  new Date(BASE + minutes * 60_000).toISOString().replace(/Z$/, "000Z");

export type Field = [name: string, type: string];

// ------------------------------------------------------------------------------ pools

const TAGS = [
  "prod",
  "pii",
  "critical",
  "finance",
  "2025",
  "gold-tier",
  "qualité",
  "staging",
  "needs: review",
  "&ops",
];
const TEAMS = ["Data Eng", "Analytics", "Öps & Support"];

/**
 * Connection templates. Their names have distinct slugs; the generator renames some to share a
 * slug with another or to slug to nothing ({@link twinName}, {@link NO_SLUG}).
 */
const CONNECTIONS: Array<(rng: Rng) => Rec> = [
  (rng) => ({
    name: "Prod PG (main)",
    type: "postgresql",
    host: "pg.prod.example.com",
    port: 5432,
    username: "dq_reader",
    password: "pg-secret",
    jdbc_fetch_size: rng.pick([null, 1000, 5000]),
    max_parallelization: rng.pick([null, 4, 8]),
    parameters: rng.pick([{}, { sslmode: "require" }, { sslmode: "verify-full", app: "dq" }]),
  }),
  () => ({
    name: "snowflake-eu",
    type: "snowflake",
    host: "acme-eu.snowflakecomputing.com",
    port: 443,
    username: "DQ_SERVICE",
    password: "sf-secret",
    parameters: {
      role: "DQ_ROLE",
      warehouse: "DQ_WH",
      database: "ANALYTICS",
      session: { QUERY_TAG: "qualytics", TIMEZONE: "UTC", retries: [1, 2, f(4)] },
    },
  }),
  () => ({
    name: "Données MySQL",
    type: "mysql",
    host: "mysql.internal",
    port: 3306,
    username: "qualytics",
    password: "my-secret",
  }),
  () => ({
    name: "Vault PG",
    type: "postgresql",
    host: "pg.vault.example.com",
    port: 5433,
    username: "vault_user",
    secrets_manager: {
      type: "vault",
      url: "https://vault.example.com",
      path: "secret/data/dq",
      credentials_payload: "vault-token",
    },
  }),
  () => ({
    name: "BigQuery (analytics)",
    type: "bigquery",
    parameters: { project_id: "acme-analytics", dataset: "dq" },
  }),
  (rng) => ({
    name: "Lake S3",
    type: "s3",
    uri: "s3://acme-lake",
    access_key: "AKIAEXAMPLE0001",
    secret_key: "s3-secret",
    parameters: rng.pick([{}, { authentication_type: "SHARED_KEY", region: "eu-west-1" }]),
  }),
  () => ({
    name: "gcs bucket #2",
    type: "gcs",
    uri: "gs://acme-dq",
    access_key: "GOOGEXAMPLE",
    secret_key: "gcs-secret",
  }),
];

const TABLES: Array<[name: string, fields: Field[]]> = [
  ["orders", [
    ["order_id", I],
    ["customer_id", I],
    ["order_date", DT],
    ["status", S],
    [
      "total_amount",
      D,
    ],
    ["discount_pct", D],
    ["updated_at", T],
  ]],
  ["customers", [["customer_id", I], ["email", S], ["first_name", S], ["country", S], [
    "created_at",
    T,
  ]]],
  ["Order Items (2024)", [["order_id", I], ["line_no", I], ["Unit Price", D], ["quantity", I]]],
  ["addresses", [["address_id", I], ["address", S], ["address_2", S], ["zip", S]]],
  ["Produits Été", [["sku", S], ["libellé", S], ["prix", D], ["stock", I]]],
  // Only symbols: an empty slug, so its check files land in `checks/` itself (§2.1).
  ["(±)", [["id", I], ["%", S], ["value", D]]],
  // Non-Latin names slug to "" too, and so do their field names in check file names.
  ["注文", [["注文_id", I], ["価格", D], ["id", I], ["作成日", DT]]],
  ["payments", [["payment_id", I], ["order_id", I], ["amount", D], ["method", S], [
    "paid_at",
    T,
  ]]],
];

const FILES: Array<[name: string, fields: Field[], extra: Rec]> = [
  ["events", [["event_id", S], ["kind", S], ["url", S], ["occurred_at", T]], {
    relative_path: "/events/",
    file_name: "*.json",
    extension: "json",
    file_format: "json",
    has_header: false,
  }],
  ["leads", [["lead_id", S], ["email", S], ["company", S], ["score", I]], {
    relative_path: "/crm/leads/",
    file_name: "leads.csv",
    extension: "csv",
    file_format: "csv",
    has_header: true,
  }],
];

/** Descriptions a user may type (YAML-hostile, unicode, multi-line, long, empty). */
const DESCRIPTIONS: Array<string | null> = [
  null,
  "",
  "Every order has an id",
  "Vérifie que la valeur est présente ✓ — 検査",
  "First line\nSecond line: with a colon\n\nafter a blank line",
  "A long description that goes on and on well past the eighty columns PyYAML folds at, " +
  "so that the emitter has to fold it onto continuation lines at a space",
  "yes",
  "2025",
  "#not a comment",
  " leading and trailing spaces ",
  "tab\tinside",
  "status = 'shipped' and say \"hi\"",
  "ends with a newline\n",
  "\nstarts with a newline",
  "It's a 'quoted'\nmulti-line text: with a colon, and a long second line that goes past the fold",
  "Two  spaces  between  words, written long enough to pass the eighty columns where PyYAML " +
  "folds  plain  scalars",
  "A long text with a tab\tand more words that run past the eighty columns of the emitter's fold",
  "See https://example.com/a/very/long/path/without/any/spaces/that/cannot/be/folded/anywhere/at/all",
  // LS and PS, which PyYAML writes raw in single quotes. Not NEL (U+0085): PyYAML writes it
  // raw too, but reads it back as a line feed, folded to a space — lossy in the original's own
  // format, which the export reproduces byte for byte.
  "line\u2028separator and next\u2029paragraph",
  "emoji 🎉 and ünïcödé",
  "   ",
];

/** Scalars YAML 1.1 reads as something else unless quoted, and other awkward strings. */
const HOSTILE = [
  "yes",
  "NO",
  "on",
  "Off",
  "~",
  "null",
  "0755",
  "1_000",
  "0x1F",
  "18:00",
  "08:30:00",
  "1e3",
  "1.0e+3",
  ".inf",
  "-.5",
  "+1",
  "=",
  "",
  " ",
  "a: b",
  "- x",
  "@x",
  "`a`",
  "!tag",
  "&anchor",
  "*alias",
  "|",
  ">",
  "%x",
  "'quoted'",
  '"double"',
  "trailing:",
  "2024-01-15",
  "2024-01-15 10:30:00",
  "café",
  "tab\there",
  "\u00a0nbsp",
  "\ufeffbom",
  "<<",
];

const FILTERS = [
  null,
  "status = 'shipped'",
  "`total` IS NOT NULL",
  "amount > 10\nAND amount < 1000",
  "status IN ('shipped', 'delivered', 'returned') AND total_amount BETWEEN 10 AND 100000 AND " +
  "discount_pct < 0.5",
];

/** Names that slug to nothing: their files and folders get fallback names (`datastore_<hash>`). */
const NO_SLUG = [
  "売上",
  "заказы",
  "注文データ",
  "データ基盤",
  "(±)·",
  "顧客",
  "商品マスタ",
  "Ωμέγα",
];

/** Another name with the same slug (`Prod PG (main)` → `PROD-PG-MAIN`). */
function twinName(name: string): string {
  const twin = name.toUpperCase().replace(/[^A-Z0-9]+/g, "-");
  return twin === name ? `${name.toLowerCase()}!` : twin;
}

// ------------------------------------------------------------------------------ generator

export interface Generated {
  data: ServerData;
  /** Datastore ids in export order. */
  datastoreIds: number[];
}

interface Ctr {
  id: number;
  ds: number;
  name: string;
  fields: Field[];
  kind: "table" | "file" | "computed";
}

/** A server state for `seed`. */
export function generateState(seed: number): Generated {
  const rng = new Rng(seed);
  const chance = (p: number) => rng.next() < p;
  // Names that share a slug or slug to nothing (and the computed fields added for them) are
  // drawn from a generator of their own, so that every other draw, and with it the checks each
  // seed below was chosen for, stays as it was.
  const names = new Rng(seed + 1_000_003);
  const odds = (p: number) => names.next() < p;
  const noSlug = [...NO_SLUG];
  /** A name that slugs to nothing, each one once (names are unique per kind). */
  const noSlugName = () => noSlug.splice(names.int(0, noSlug.length - 1), 1)[0];
  const sample = <T>(items: readonly T[], min: number, max: number): T[] => {
    const pool = [...items];
    const out: T[] = [];
    for (let n = rng.int(min, Math.min(max, pool.length)); n > 0; n--) {
      out.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]);
    }
    return out;
  };
  let clock = 0;
  const created = () => ts(clock++);
  const data: ServerData = {
    global_tags: TAGS.map((name, i) => ({
      id: i + 1,
      name,
      color: rng.pick([null, "#C62828", "#2E7D32"]),
      category: rng.pick([null, "domain"]),
      description: null,
      weight_modifier: rng.int(0, 3),
    })),
    teams: TEAMS.map((name, i) => ({ id: i + 1, name, permission: "Editor" })),
    connections: [],
    datastores: [],
    containers: [],
    fields: [],
    computed_fields: [],
    checks: [],
    catalog: {},
  };
  const tags = (max: number) => sample(TAGS, 0, max);

  // Connections: one JDBC and one DFS at least.
  const jdbc = [0, 1, 2, 3, 4].map((i) => CONNECTIONS[i](rng));
  const dfs = [5, 6].map((i) => CONNECTIONS[i](rng));
  const connections = [...sample(jdbc, 1, 2), ...sample(dfs, 1, 1)];
  connections.forEach((c, i) => data.connections!.push({ id: 11 + i, created: created(), ...c }));
  const jdbcIds = data.connections!.filter((c) => !["s3", "gcs"].includes(c.type)).map((c) => c.id);
  const dfsIds = data.connections!.filter((c) => ["s3", "gcs"].includes(c.type)).map((c) => c.id);

  // Datastores: 1-2 JDBC sources, maybe a DFS source, maybe an enrichment datastore. The second
  // source may share the first's slug (`datastores/<slug>_2/`), any may slug to nothing.
  const dsNames = sample(["Sales DW", "Ventes Europe", "ops-db (main)", "Finance Mart"], 1, 2)
    .map((name, i, all) =>
      i === 1 && odds(0.5) ? twinName(all[0]) : odds(0.25) ? noSlugName() : name
    );
  const enrichment = chance(0.7);
  const dfsSource = chance(0.6);
  let dsId = 20;
  const enrichId = enrichment ? ++dsId : undefined;
  if (enrichId) {
    data.datastores!.push({
      id: enrichId,
      created: created(),
      name: rng.pick(["DQ Enrichment", "zz enrichment"]),
      description: rng.pick([null, "Anomalies and source records"]),
      ...(chance(0.7)
        ? { connection_id: rng.pick(dfsIds), root_path: "/dq/" }
        : { connection_id: rng.pick(jdbcIds), database: "dq", schema: "enrichment" }),
      enrichment_only: true,
      enrichment_prefix: "_dq",
      teams: sample(TEAMS, 0, 1),
    });
  }
  const sources: Rec[] = [];
  for (const name of dsNames) {
    const linked = enrichId !== undefined && chance(0.7);
    const ds: Rec = {
      id: ++dsId,
      created: created(),
      name,
      description: rng.pick(DESCRIPTIONS.filter((d) => d === null || d.length <= 255)),
      connection_id: rng.pick(jdbcIds),
      database: "analytics",
      schema: rng.pick(["public", "dw", "Ventes"]),
      // null: the server fills a default on create, which the import then puts back to null.
      enrichment_prefix: chance(0.3) ? null : `_${slug(name) || "ds"}`,
      enrichment_source_record_limit: rng.pick([10, 25, 1000]),
      enrichment_remediation_strategy: linked ? rng.pick(["none", "append", "overwrite"]) : "none",
      high_count_rollup_threshold: rng.pick([10, 50]),
      enrich_datastore: linked ? enrichId : null,
      global_tags: tags(2),
      teams: sample(TEAMS, 0, 2),
    };
    if (!ds.description) delete ds.description;
    sources.push(ds);
  }
  if (dfsSource) {
    sources.push({
      id: ++dsId,
      created: created(),
      name: "Marketing Lake",
      connection_id: rng.pick(dfsIds),
      root_path: "/marketing/",
      enrichment_prefix: "_marketing",
      enrich_datastore: enrichId !== undefined && chance(0.5) ? enrichId : null,
      global_tags: tags(1),
      teams: sample(TEAMS, 0, 1),
    });
  }
  data.datastores!.push(...sources);

  // The last connection (a DFS one) may share the first's slug (`connections/<slug>_2.yaml`) when
  // a datastore uses each (paths are numbered over every connection of the instance, and the
  // target gets only the exported ones), or slug to nothing (`connection_<hash>.yaml`).
  if (odds(0.5)) {
    const used = new Set(data.datastores!.map((d) => d.connection_id));
    const [first, last] = [data.connections![0], data.connections!.at(-1)!];
    last.name = odds(0.5) && used.has(first.id) && used.has(last.id)
      ? twinName(first.name)
      : noSlugName();
  }

  // Containers: tables (and views) from the sync catalog, files, computed containers.
  let containerId = 100;
  let fieldId = 0;
  const containers: Ctr[] = [];
  const addFields = (id: number, fields: Field[]) => {
    for (const [name, type] of fields) {
      data.fields!.push({ id: ++fieldId, created: created(), name, container_id: id, type });
    }
  };
  for (const ds of data.datastores!) {
    const catalog: Rec[] = [];
    data.catalog![ds.name] = catalog;
    const isDfs = "root_path" in ds;
    const picked: Array<{ name: string; fields: Field[]; extra: Rec; type: "table" | "file" }> =
      isDfs
        ? sample(FILES, ds.enrichment_only ? 0 : 1, ds.enrichment_only ? 1 : 2).map((
          [name, fields, extra],
        ) => ({ name, fields, extra: extra as Rec, type: "file" as const }))
        : sample(TABLES, 2, 4).map(([name, fields]) => ({
          name,
          fields,
          extra: {
            table_type: chance(0.2) ? "view" : "table",
            partition_field: chance(0.3) ? fields[0][0] : null,
          } as Rec,
          type: "table" as const,
        }));
    // A container whose name differs only by case, or slugs the same: its checks share the
    // other's folder (and the `_k` numbering there).
    const twins = picked.length
      ? [picked[0].name.toUpperCase(), slug(picked[0].name)]
        .filter((name) => name !== "" && !picked.some((p) => p.name === name))
      : [];
    if (!isDfs && twins.length && chance(0.5)) {
      const [first] = picked;
      picked.push({ ...first, name: rng.pick(twins), extra: { ...first.extra } });
    }
    for (const table of picked) {
      const base: Rec = {
        name: table.name,
        container_type: table.type,
        ...table.extra,
        global_tags: tags(1),
        record_count: rng.int(10, 100_000),
      };
      const id = ++containerId;
      data.containers!.push({ id, created: created(), datastore: ds.id, ...base });
      catalog.push({ ...base, fields: table.fields.map(([name, type]) => ({ name, type })) });
      addFields(id, table.fields);
      containers.push({ id, ds: ds.id, name: table.name, fields: table.fields, kind: table.type });
    }
  }
  const plain = [...containers];
  const ofDs = (ds: number, kind?: Ctr["kind"]) =>
    containers.filter((c) => c.ds === ds && (!kind || c.kind === kind));

  for (const ds of sources) {
    const tables = ofDs(ds.id, "table");
    if (tables.length && chance(0.7)) {
      const table = rng.pick(tables);
      const cols = table.fields.slice(0, 3).map(([n]) => n).filter((n) => /^\w+$/.test(n));
      if (cols.length) {
        const multiLine = chance(0.5);
        const query = `SELECT ${cols.join(", ")}${multiLine ? "\n" : " "}FROM ${slug(table.name)}${
          multiLine ? "\n" : " "
        }WHERE ${cols[0]} IS NOT NULL`;
        const drawn = rng.pick(["Top Customers (EU)", "recent_orders", "Commandes récentes"]);
        // Or a name that slugs to nothing, or shares its slug with a table of the datastore
        // (numbered after it) or with the join made below (`orders_joined`, numbered before it).
        const taken = new Set(ofDs(ds.id).map((c) => c.name));
        const other = [twinName(table.name), "Orders Joined"].filter((n) => !taken.has(n));
        const rec: Rec = {
          id: ++containerId,
          created: created(),
          name: odds(0.5) ? drawn : odds(0.4) ? noSlugName() : names.pick(other),
          container_type: "computed_table",
          datastore: ds.id,
          description: rng.pick([null, "Curated subset", DESCRIPTIONS[5]]),
          query,
          global_tags: tags(2),
          additional_metadata: rng.pick([null, { owner: "analytics", sla: { hours: 24 } }]),
          record_count: 42,
        };
        data.containers!.push(rec);
        const fields = cols.map((n) => table.fields.find(([name]) => name === n)!);
        addFields(rec.id, fields);
        containers.push({ id: rec.id, ds: ds.id, name: rec.name, fields, kind: "computed" });
      }
    }
    const files = ofDs(ds.id, "file");
    if (files.length && chance(0.8)) {
      const source = rng.pick(files);
      const cols = source.fields.slice(0, 2);
      const rec: Rec = {
        id: ++containerId,
        created: created(),
        name: `${source.name}_clean`,
        container_type: "computed_file",
        datastore: ds.id,
        description: rng.pick([null, "Cleaned rows"]),
        source_container_id: source.id,
        select_clause: cols.map(([n]) => n).join(", "),
        where_clause: rng.pick([null, `${cols[0][0]} IS NOT NULL`]),
        group_by_clause: null,
        global_tags: tags(1),
        record_count: 7,
      };
      data.containers!.push(rec);
      addFields(rec.id, cols);
      containers.push({ id: rec.id, ds: ds.id, name: rec.name, fields: cols, kind: "computed" });
      if (chance(0.4)) {
        // A computed file reading that computed file (created after it).
        const next: Rec = {
          id: ++containerId,
          created: created(),
          name: `${source.name} (final)`,
          container_type: "computed_file",
          datastore: ds.id,
          source_container_id: rec.id,
          select_clause: cols[0][0],
          where_clause: null,
          group_by_clause: rng.pick([null, cols[0][0]]),
          record_count: 1,
        };
        data.containers!.push(next);
        addFields(next.id, [cols[0]]);
        containers.push({
          id: next.id,
          ds: ds.id,
          name: next.name,
          fields: [cols[0]],
          kind: "computed",
        });
      }
    }
    // A join, its right side maybe in another datastore.
    const lefts = ofDs(ds.id).filter((c) =>
      c.kind !== "file" && c.fields.some(([n]) => n === "order_id")
    );
    const rights = plain.filter((c) =>
      c.kind === "table" && c.fields.some(([n]) => n === "order_id") && lefts[0] &&
      c.id !== lefts[0].id
    );
    if (lefts.length && rights.length && chance(0.8)) {
      const left = lefts[0];
      const right = rng.pick(rights);
      const leftCol = left.fields.find(([n]) => n !== "order_id" && /^\w+$/.test(n))!;
      const rightCol = right.fields.find(([n]) => n !== "order_id" && /^\w+$/.test(n))!;
      const rec: Rec = {
        id: ++containerId,
        created: created(),
        name: "orders_joined",
        container_type: "computed_join",
        datastore: ds.id,
        description: rng.pick([null, "Orders with their other side"]),
        left_container_id: left.id,
        right_container_id: right.id,
        left_join_field_name: "order_id",
        right_join_field_name: "order_id",
        join_type: rng.pick(["inner", "left", "full"]),
        select_clause: `left.order_id, left.${leftCol[0]}, right.${rightCol[0]}`,
        where_clause: null,
        group_by_clause: null,
        left_prefix: "left",
        right_prefix: "right",
        global_tags: [],
        record_count: 3,
      };
      data.containers!.push(rec);
      const fields: Field[] = [["order_id", I], leftCol, rightCol];
      addFields(rec.id, fields);
      containers.push({ id: rec.id, ds: ds.id, name: rec.name, fields, kind: "computed" });
    }
  }

  // Computed fields, on any container: a table whose folder is not its name (`(±)`, `ORDERS`
  // next to `orders`, `Order Items (2024)`) gets a `_container.yaml` naming it. (Drawn from
  // `names` for the tables whose name is not their slug, which the generator left out before.)
  let cfId = 0;
  for (const c of containers) {
    const named = c.kind !== "computed" && slug(c.name) !== c.name;
    if (named ? !odds(0.5) : !chance(0.4)) continue;
    const source = c.fields.find(([, type]) => type === D || type === I) ?? c.fields[0];
    const options: Rec[] = [
      {
        name: `${source[0]}_int`,
        transformation_type: "cast",
        source_fields: [source[0]],
        properties: { target_type: "integer" },
        additional_metadata: null,
      },
      {
        name: "Label (computed)",
        transformation_type: "customExpression",
        source_fields: null,
        properties: { column_expression: `concat('#', ${source[0]})` },
        additional_metadata: { pii: false, notes: ["a", "b"] },
      },
      {
        name: "company_clean",
        transformation_type: "cleanedEntityName",
        source_fields: [c.fields[0][0]],
        properties: {
          drop_from_suffix: true,
          drop_from_prefix: false,
          drop_from_interior: false,
          terms_to_drop: ["Inc", "LLC", "GmbH"],
          terms_to_ignore: [],
        },
        additional_metadata: null,
      },
    ];
    const picked = named ? [options[names.int(0, options.length - 1)]] : sample(options, 1, 2);
    // Checks may use these (not the ones below: the checks each seed was chosen for stay).
    const usable = new Set(named ? [] : picked);
    // And maybe a field sharing the first one's slug, or one whose name slugs to nothing.
    if (odds(0.35)) picked.push({ ...picked[0], name: twinName(picked[0].name as string) });
    if (odds(0.25)) {
      picked.push({ ...picked[0], name: names.pick(["合計", "сумма", "金額 (税込)"]) });
    }
    for (const cf of picked) {
      data.computed_fields!.push({
        id: ++cfId,
        container_id: c.id,
        ...cf,
        last_editor_id: 1,
        last_editor: { id: 1, name: "Ada Admin" },
      });
      data.fields!.push({
        id: ++fieldId,
        created: created(),
        name: cf.name,
        container_id: c.id,
        type: S,
        is_computed_field: true,
      });
      // Checks may use it (they are imported after the computed fields).
      if (usable.has(cf)) c.fields = [...c.fields, [cf.name, S]];
    }
  }

  // Checks.
  let checkId = 1000;
  const numeric = (c: Ctr) => c.fields.filter(([, t]) => t === I || t === D).map(([n]) => n);
  const strings = (c: Ctr) => c.fields.filter(([, t]) => t === S).map(([n]) => n);
  const temporal = (c: Ctr) => c.fields.filter(([, t]) => t === DT || t === T).map(([n]) => n);
  const all = (c: Ctr) => c.fields.map(([n]) => n);
  type Spec = [rule: string, fields: string[], properties: Rec, coverage: boolean];
  // Container ids in properties only for the rule types whose references the export writes as
  // names (existsIn, notExistsIn, isReplicaOf, dataDiff: §7.5): any other rule's ids are written
  // as ids, which name other objects (or none) on another instance.
  const rules: Array<(c: Ctr, k: number) => Spec | undefined> = [
    (c) => {
      const names = sample(all(c), 1, 2);
      return ["notNull", names, {}, true];
    },
    (c) => ["unique", sample(all(c), 1, 2), {}, true],
    (c, k) => {
      const n = numeric(c);
      return n.length
        ? ["between", [rng.pick(n)], {
          min: rng.pick([f(k), k, 1e-5 * (k + 1), -0.1 - k]),
          max: rng.pick([f(100), 99.5, 1000, f(1e20), 0.1 + 0.2, 123456.789, f(1e16)]),
          inclusive_min: true,
          inclusive_max: chance(0.5),
        }, true]
        : undefined;
    },
    (c, k) => {
      const s = strings(c);
      return s.length
        ? ["expectedValues", [rng.pick(s)], {
          list: [...sample(HOSTILE, 3, 8), `v${k}`],
        }, true]
        : undefined;
    },
    (c, k) => {
      const s = strings(c);
      return s.length
        ? ["matchesPattern", [rng.pick(s)], { pattern: `^[A-Z]{2}-\\d{${k + 1}}$` }, true]
        : undefined;
    },
    (c, k) => {
      const n = numeric(c);
      return n.length >= 1
        ? ["satisfiesExpression", sample(n, 1, 2), {
          expression: `${n[0]} >= ${k}\nAND ${n[0]} < 1000000`,
        }, true]
        : undefined;
    },
    (c, k) => {
      const n = numeric(c);
      return n.length
        ? ["metric", [rng.pick(n)], {
          comparison: "Percentage Change",
          min: f(-0.5 - k),
          max: f(1),
        }, false]
        : undefined;
    },
    (c, k) => {
      const t = temporal(c);
      return t.length
        ? ["isType", [rng.pick(t)], { field_type: k ? "Timestamp" : "Date" }, true]
        : undefined;
    },
    (_c, k) => ["freshness", [], { value: 86_400_000 * (k + 1) }, false],
    (c, k) => {
      const t = temporal(c);
      return t.length
        ? ["betweenTimes", [rng.pick(t)], {
          min_time: rng.pick(["08:30:00", "8:30", "00:00"]),
          max_time: rng.pick(["18:00", "23:59:59", `1${k}:45`]),
        }, true]
        : undefined;
    },
    (_c, k) => ["volumetric", [], {
      comparison: "Absolute Change",
      window_size: 7 + k,
      min: -1000,
      max: f(1000),
    }, false],
    (c) => ["expectedSchema", [], { list: all(c), allow_other_fields: chance(0.5) }, false],
    (c, k) => {
      const n = numeric(c);
      return n.length
        ? ["maxValue", [rng.pick(n)], { value: f(100000 + k), inclusive: true }, true]
        : undefined;
    },
    (c, k) => {
      const s = strings(c);
      return s.length ? ["minLength", [rng.pick(s)], { value: 1 + k }, true] : undefined;
    },
    (c) => {
      const t = temporal(c);
      return t.length ? ["notFuture", [rng.pick(t)], {}, true] : undefined;
    },
    (c, k) => {
      // A reference to another container, maybe of another datastore.
      const name = all(c).find((n) => n.endsWith("_id"));
      const refs = plain.filter((r) => r.id !== c.id && r.fields.some(([n]) => n === name));
      if (!name || !refs.length) return undefined;
      const ref = rng.pick(refs);
      return [rng.pick(["existsIn", "notExistsIn"]), [name], {
        field_name: name,
        ref_container_id: ref.id,
        ref_datastore_id: ref.ds,
        ...(k ? { filter_hint: k } : {}),
      }, true];
    },
    (c, k) => {
      // A comparison with another container (multi-field reference rules).
      const refs = plain.filter((r) => r.id !== c.id);
      if (!refs.length) return undefined;
      const ref = rng.pick(refs);
      return [rng.pick(["dataDiff", "isReplicaOf"]), sample(all(c), 1, 2), {
        ref_container_id: ref.id,
        ref_datastore_id: ref.ds,
        ...(k ? { tolerance: f(k / 10) } : {}),
      }, true];
    },
    (c, k) => {
      const s = strings(c);
      return s.length
        ? ["requiredValues", [rng.pick(s)], { list: sample(HOSTILE, 1, 3).concat(`r${k}`) }, true]
        : undefined;
    },
    (c, k) => ["fieldCount", [], { value: c.fields.length + k }, false],
    (c, k) => {
      const n = numeric(c);
      // Python ints beyond 2^53 come back digit for digit (bigint).
      const value = rng.pick<unknown>([f(1e6 + k), 9007199254740993n + BigInt(k), -(2n ** 63n)]);
      return n.length ? ["sum", [rng.pick(n)], { value }, true] : undefined;
    },
    (c, k) => {
      const [a, b] = sample(all(c), 2, 2);
      return b === undefined
        ? undefined
        : ["equalToField", [a], { field_name: b, ...(k ? { inclusive: k % 2 === 0 } : {}) }, true];
    },
    (c, k) => {
      const t = temporal(c);
      return t.length
        ? ["timeDistributionSize", [rng.pick(t)], {
          interval_name: rng.pick(["Daily", "Weekly"]),
          min_size: k,
          max_size: 100 + k,
        }, true]
        : undefined;
    },
    (c, k) => {
      const n = numeric(c);
      return n.length
        ? ["predictedBy", [rng.pick(n)], {
          expression: `${n[0]} * 1.1`,
          tolerance: rng.pick([0.05, f(1), 1e-5 * (k + 1)]),
        }, true]
        : undefined;
    },
    (c) => ["anyNotNull", sample(all(c), 2, 3), {}, true],
    (c) => {
      const s = strings(c);
      return s.length ? ["containsEmail", [rng.pick(s)], {}, true] : undefined;
    },
  ];
  const definitions = new Set<string>();
  for (const c of containers) {
    const count = rng.int(1, 5);
    for (let i = 0; i < count; i++) {
      const make = rng.pick(rules);
      // A group: 1 check, or 2-4 with one rule and fields told apart by filter or properties.
      const size = chance(0.25) ? rng.int(2, 4) : 1;
      const first = make(c, 0);
      if (!first) continue;
      for (let k = 0; k < size; k++) {
        const spec = k === 0 ? first : make(c, k);
        if (!spec) break;
        const [rule, fields, properties, coverage] = k === 0
          ? spec
          : [first[0], first[1], spec[0] === first[0] ? spec[2] : first[2], first[3]];
        const metadata = rng.pick<Rec | null>([
          null,
          {},
          { jira: "DQ-7", owner: { team: "analytics", since: 2024 } },
          { "from quality check id": "12", note: "promoted" },
          {
            "123": "numeric key",
            yes: true,
            "a: b": [{ x: 1 }, { y: [1, f(2), null] }],
            empty: {},
            none: null,
            "": "empty key",
          },
        ]);
        const check: Rec = {
          id: ++checkId,
          created: created(),
          rule_type: rule,
          description: rng.pick(DESCRIPTIONS),
          container: c.id,
          fields,
          coverage: coverage ? rng.pick([f(1), 0.95, f(0.5)]) : null,
          // The filter tells the checks of a group apart (the API refuses an identical twin).
          filter: size > 1 ? `${all(c)[0].replace(/\W/g, "_")} > ${k}` : rng.pick(FILTERS),
          properties,
          global_tags: tags(2),
          additional_metadata: metadata,
          status: chance(0.25) ? "Draft" : "Active",
          anomaly_message_field: chance(0.2) ? all(c)[0] : null,
        };
        if (chance(0.1)) check.inferred = true;
        if (chance(0.1)) {
          // A stored UID wins on export; an unusable one ("", null) is replaced. Stored UIDs are
          // unique: a UID that several checks store is split on import (`__k`, PRODUCT.md "No
          // silent merges"), so that export is not reproduced.
          check.additional_metadata = {
            ...(metadata ?? {}),
            _qualytics_check_uid: rng.pick([`legacy-${checkId}`, `legacy-${checkId}`, "", null]),
          };
        }
        if (chance(0.08)) {
          // Archived: not exported (the check listing leaves archived checks out).
          check.status = "Discarded";
          check.deleted_at = created();
        }
        // The API refuses a second check with the same definition (409): no twins (`1.0` is `1`).
        const key = JSON.stringify(
          [c.id, rule, [...fields].sort(), check.filter, properties, Boolean(check.deleted_at)],
          (_key, value) => typeof value === "bigint" ? `${value}n` : value,
        );
        if (definitions.has(key) && !check.deleted_at) continue;
        definitions.add(key);
        data.checks!.push(check);
      }
    }
  }
  return { data, datastoreIds: data.datastores!.map((d) => d.id) };
}

// ------------------------------------------------------------------------------ helpers

/** Values for every `${VAR}` placeholder of the exported connection files. */
export function placeholderValues(files: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, text] of files) {
    if (!file.startsWith("connections/")) continue;
    for (const match of text.matchAll(/\$\{(\w+)\}/g)) out[match[1]] = `value-of-${match[1]}`;
  }
  return out;
}

/** Whether two exported folders hold the same files with the same texts. */
function sameFiles(before: Map<string, string>, after: Map<string, string>): boolean {
  return [...before.keys()].join() === [...after.keys()].join() &&
    [...before].every(([file, text]) => after.get(file) === text);
}

/**
 * Asserts that two snapshots of a folder hold the same files with the same texts; the message is
 * `label`, the files that differ ({@link describeDiff}), then `detail` if given.
 */
export function assertSameFiles(
  expected: Map<string, string>,
  actual: Map<string, string>,
  label: string,
  detail?: string,
): void {
  assert.ok(
    sameFiles(expected, actual),
    `${label}:\n${describeDiff(expected, actual)}${detail === undefined ? "" : `\n${detail}`}`,
  );
}

/** The files that differ between two snapshots of a folder, with both texts. */
export function describeDiff(before: Map<string, string>, after: Map<string, string>): string {
  const lines: string[] = [];
  for (const file of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(file), b = after.get(file);
    if (a === b) continue;
    if (a === undefined) lines.push(`+ only after re-export: ${file}\n${b}`);
    else if (b === undefined) lines.push(`- only in first export: ${file}\n${a}`);
    else lines.push(`~ ${file}\n--- first export\n${a}--- re-export\n${b}`);
  }
  return lines.join("\n");
}
