/**
 * A golden set's `server.json` as the fake controlplane serves it, without HTTP: the fake's own
 * state and renderers (shared/fixtures/README.md "Server data format"), gathered into what
 * `config export` and `checks export` would fetch, so the pure planners can be run against it.
 */

import type { ApiObject, ExportLookups } from "../../src/services/config/transform.ts";
import type { DatastoreExport } from "../../src/services/config/plan.ts";
import { FakeState } from "../../src/testing/mod.ts";
import {
  renderCheck,
  renderConnection,
  renderContainer,
  renderDatastore,
} from "../../src/testing/render.ts";
import { parseJson } from "../../src/util/json.ts";

export const GOLDEN = new URL("../../../shared/fixtures/golden/", import.meta.url);

type Raw = Record<string, any>;

const archived = (item: Raw) => item.deleted_at !== undefined && item.deleted_at !== null;
const byId = (a: Raw, b: Raw) => a.id - b.id;

/** The served objects of one golden set. */
export class ServedSet {
  readonly state = new FakeState(() => new Date("2026-01-01T00:00:00Z"));
  /** The ids of the `datastores` list as given: the golden exports ran in this order. */
  readonly datastoreIds: number[];

  constructor(text: string) {
    const data = parseJson(text) as Raw;
    this.datastoreIds = (data.datastores ?? []).map((d: Raw) => d.id);
    this.state.load(text);
  }

  static async load(set: string): Promise<ServedSet> {
    return new ServedSet(await Deno.readTextFile(new URL(`${set}/server.json`, GOLDEN)));
  }

  connection(id: number): ApiObject {
    return renderConnection(this.state, this.state.connections.get(id)!);
  }

  datastore(id: number): ApiObject {
    return renderDatastore(this.state, this.state.datastores.get(id)!);
  }

  /** `GET /containers/{id}` when `detail`, else a listing item. */
  container(id: number, detail = false): ApiObject {
    return renderContainer(this.state, this.state.containers.get(id)!, detail);
  }

  /** `GET /containers?datastore=ID` (not archived, ascending ids). */
  containerListing(datastoreId: number): ApiObject[] {
    return this.state.containers.values()
      .filter((c) => this.state.datastoreIdOf(c) === datastoreId && !archived(c))
      .sort(byId).map((c) => this.container(c.id));
  }

  /** `GET /quality-checks?datastore=ID` with `archived` = none (default) or `only`. */
  checkListing(datastoreId: number, mode: "none" | "only" = "none"): ApiObject[] {
    return this.state.checks.values().filter((check) => {
      const container = this.state.containers.get(check.container)!;
      if (this.state.datastoreIdOf(container) !== datastoreId || archived(container)) return false;
      return mode === "only" ? archived(check) : !archived(check);
    }).sort(byId).map((check) => renderCheck(this.state, check));
  }

  /** Every container and datastore by id, as `GET /containers/{id}` / `GET /datastores/{id}`. */
  lookups(): ExportLookups {
    return {
      containers: new Map(
        this.state.containers.values().map((c) => [c.id, this.container(c.id, true)]),
      ),
      datastores: new Map(this.state.datastores.values().map((d) => [d.id, this.datastore(d.id)])),
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
