/**
 * Renders a golden set's `server.json` the way the fake controlplane serves it
 * (shared/fixtures/README.md "Server data format"): references rendered, derived keys appended,
 * secrets dropped, archived objects split off, items in ascending id order. Then gathers what
 * `config export` and `checks export` would fetch, so the pure planners can be run against it.
 */

import { parseJson } from "../../src/util/json.ts";
import type { ApiObject, ExportLookups } from "../../src/services/config/transform.ts";
import type { DatastoreExport } from "../../src/services/config/plan.ts";

export const GOLDEN = new URL("../../../shared/fixtures/golden/", import.meta.url);

type Raw = Record<string, any>;

const SECRETS = ["password", "passphrase", "secret_key", "credentials_payload"];

/** The served objects of one golden set. */
export class ServedSet {
  readonly raw: Raw;
  private readonly fieldIds = new Map<string, number>();
  /** The ids of the `datastores` list as given: the golden exports ran in this order. */
  readonly datastoreIds: number[];

  constructor(text: string) {
    this.raw = parseJson(text) as Raw;
    this.datastoreIds = (this.raw.datastores ?? []).map((d: Raw) => d.id);
    for (const key of ["connections", "datastores", "containers", "computed_fields", "checks"]) {
      this.raw[key] = [...(this.raw[key] ?? [])].sort((a: Raw, b: Raw) => a.id - b.id);
    }
  }

  static async load(set: string): Promise<ServedSet> {
    return new ServedSet(await Deno.readTextFile(new URL(`${set}/server.json`, GOLDEN)));
  }

  private list(key: string): Raw[] {
    return this.raw[key] as Raw[];
  }

  private byId(key: string, id: unknown): Raw | undefined {
    return this.list(key).find((item) => item.id === id);
  }

  private tag(name: string): Raw {
    const tag = (this.raw.global_tags as Raw[]).find((t) => t.name === name);
    if (!tag) throw new Error(`unknown tag ${name}`);
    return { ...tag };
  }

  private team(name: string): Raw {
    const team = (this.raw.teams as Raw[]).find((t) => t.name === name);
    if (!team) throw new Error(`unknown team ${name}`);
    return { ...team };
  }

  /** One id per container and field name, as the server assigns them. */
  private field(containerId: number, name: string): Raw {
    const key = `${containerId}\0${name}`;
    if (!this.fieldIds.has(key)) this.fieldIds.set(key, 9000 + this.fieldIds.size);
    return { id: this.fieldIds.get(key), name };
  }

  private ref(key: string, id: unknown): Raw {
    const item = this.byId(key, id);
    if (!item) throw new Error(`unknown ${key} ${id}`);
    return { id: item.id, name: item.name };
  }

  connection(id: number): ApiObject {
    const raw = this.byId("connections", id)!;
    const out: Raw = {};
    for (const [key, value] of Object.entries(raw)) {
      if (SECRETS.includes(key)) continue;
      if (key === "secrets_manager" && value && typeof value === "object") {
        const { credentials_payload: _, ...rest } = value as Raw;
        out[key] = rest;
      } else if (key === "datastores") {
        out[key] = this.list("datastores").filter((d) => d.connection_id === id).map((d) => ({
          id: d.id,
          name: d.name,
        }));
      } else out[key] = value;
    }
    return out;
  }

  datastore(id: number): ApiObject {
    const raw = this.byId("datastores", id)!;
    const out: Raw = {};
    for (const [key, value] of Object.entries(raw)) {
      if (key === "enrich_datastore") {
        const e = value === null ? null : this.byId("datastores", value)!;
        out[key] = e && {
          id: e.id,
          name: e.name,
          store_type: e.store_type,
          type: e.type,
          enrichment_only: e.enrichment_only,
        };
      } else if (key === "global_tags") out[key] = (value as string[]).map((n) => this.tag(n));
      else if (key === "teams") out[key] = (value as string[]).map((n) => this.team(n));
      else out[key] = value;
    }
    return out;
  }

  computedField(raw: Raw): ApiObject {
    const out: Raw = {};
    for (const [key, value] of Object.entries(raw)) {
      if (key === "source_fields" && Array.isArray(value)) {
        out[key] = value.map((n: string) => this.field(raw.container_id, n));
      } else out[key] = value;
    }
    return out;
  }

  /** `GET /containers/{id}` when `detail`, else a listing item. */
  container(id: number, detail = false): ApiObject {
    const raw = this.byId("containers", id)!;
    const out: Raw = {};
    for (const [key, value] of Object.entries(raw)) {
      if (key === "datastore") out[key] = this.ref("datastores", value);
      else if (key === "global_tags") out[key] = (value as string[]).map((n) => this.tag(n));
      else out[key] = value;
    }
    if (raw.container_type === "computed_join") {
      if (!("datastore_id" in out)) {
        out.datastore_id = this.byId("containers", raw.left_container_id)!.datastore;
      }
      if (!("right_datastore_id" in out)) {
        out.right_datastore_id = this.byId("containers", raw.right_container_id)!.datastore;
      }
    }
    if (detail && !("computed_fields" in out)) {
      out.computed_fields = this.list("computed_fields").filter((f) => f.container_id === id)
        .map((f) => this.computedField(f));
    }
    return out;
  }

  check(raw: Raw): ApiObject {
    const out: Raw = {};
    for (const [key, value] of Object.entries(raw)) {
      if (key === "container") out[key] = this.ref("containers", value);
      else if (key === "fields") {
        out[key] = (value as string[]).map((n) => this.field(raw.container, n));
      } else if (key === "global_tags") out[key] = (value as string[]).map((n) => this.tag(n));
      else out[key] = value;
    }
    if (!("datastore" in out)) {
      out.datastore = this.ref("datastores", this.byId("containers", raw.container)!.datastore);
    }
    return out;
  }

  private archived(item: Raw): boolean {
    return item.deleted_at !== undefined && item.deleted_at !== null;
  }

  /** `GET /containers?datastore=ID` (not archived, ascending ids). */
  containerListing(datastoreId: number): ApiObject[] {
    return this.list("containers").filter((c) => c.datastore === datastoreId && !this.archived(c))
      .map((c) => this.container(c.id));
  }

  /** `GET /quality-checks?datastore=ID` with `archived` = none (default) or `only`. */
  checkListing(datastoreId: number, archived: "none" | "only" = "none"): ApiObject[] {
    return this.list("checks").filter((check) => {
      const container = this.byId("containers", check.container)!;
      if (container.datastore !== datastoreId || this.archived(container)) return false;
      return archived === "only" ? this.archived(check) : !this.archived(check);
    }).map((check) => this.check(check));
  }

  /** Every container and datastore by id, as `GET /containers/{id}` / `GET /datastores/{id}`. */
  lookups(): ExportLookups {
    return {
      containers: new Map(this.list("containers").map((c) => [c.id, this.container(c.id, true)])),
      datastores: new Map(this.list("datastores").map((d) => [d.id, this.datastore(d.id)])),
    };
  }

  /** What `config export` fetches for one datastore. */
  exportData(datastoreId: number): DatastoreExport {
    const datastore = this.datastore(datastoreId);
    const connection = this.connection(datastore.connection_id as number);
    const enrich = datastore.enrich_datastore as Raw | null | undefined;
    const enrichmentConnection = enrich && typeof enrich === "object"
      ? this.connection(this.datastore(enrich.id).connection_id as number)
      : null;
    const containers = this.containerListing(datastoreId);
    const computedFields = new Map(
      containers.map((c) => [
        c.id as number,
        this.container(c.id as number, true).computed_fields as ApiObject[],
      ]),
    );
    return {
      datastore,
      connection,
      enrichmentConnection,
      containers,
      computedFields,
      checks: this.checkListing(datastoreId),
    };
  }
}
