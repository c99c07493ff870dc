/**
 * In-memory state of the fake controlplane. Records are stored in the server-data format of
 * `fixtures/README.md` (references as ids, tags/teams/fields as names) and rendered on the way
 * out (see render.ts). Collections keep ascending id order.
 */
import { parseJson } from "../util/json.ts";
import {
  buildAnomaly,
  buildCheck,
  buildComputedField,
  buildConnection,
  buildContainer,
  buildDatastore,
  buildField,
  buildOperation,
  buildTag,
  buildTeam,
  buildUser,
  deepCopy,
  type Rec,
} from "./build.ts";
import { notFound } from "./errors.ts";

export type { Rec };

/** Marks records served exactly as given (golden data with `options.as_given`). */
export const GIVEN: unique symbol = Symbol("as_given");

/** Records of one kind, keyed by id, in ascending id order. */
export class Collection {
  readonly map: Map<number, Rec> = new Map();
  #maxId = 0;
  #last = 0;
  constructor(readonly kind: string, private readonly onChange: () => void = () => {}) {}

  get(id: number): Rec | undefined {
    return this.map.get(id);
  }
  insert(rec: Rec): Rec {
    this.map.set(rec.id, rec);
    if (rec.id > this.#maxId) this.#maxId = rec.id;
    this.onChange();
    return rec;
  }
  delete(id: number): boolean {
    this.onChange();
    return this.map.delete(id);
  }
  values(): Rec[] {
    return Array.from(this.map.values());
  }
  get size(): number {
    return this.map.size;
  }
  /** The next id: never reused, at least `base`. */
  nextId(base = 1): number {
    this.#last = Math.max(this.#last + 1, this.#maxId + 1, base);
    return this.#last;
  }
  /** Inserts records sorted by id (loading). */
  load(records: Rec[]): void {
    for (const rec of [...records].sort((a, b) => a.id - b.id)) this.insert(rec);
  }
}

/** Server data as described in fixtures/README.md, plus the fake's own extra lists. */
export interface ServerData {
  options?: { as_given?: boolean; id_base?: number };
  global_tags?: Rec[];
  teams?: Rec[];
  users?: Rec[];
  connections?: Rec[];
  datastores?: Rec[];
  containers?: Rec[];
  fields?: Rec[];
  computed_fields?: Rec[];
  checks?: Rec[];
  anomalies?: Rec[];
  operations?: Rec[];
  catalog?: Record<string, Rec[]>;
  tokens?: { token: string; role: string; user_id: number }[];
  _comment?: string;
  [key: string]: unknown;
}

/** Lookup tables of {@link FakeState.index}. */
export interface StateIndex {
  checksByContainer: Map<number, Rec[]>;
  /** Checks by the datastore of their container (list filters start from it). */
  checksByDatastore: Map<number, Rec[]>;
  anomaliesByContainer: Map<number, Rec[]>;
  anomaliesByDatastore: Map<number, Rec[]>;
  anomaliesByCheck: Map<number, Rec[]>;
  fieldsByContainer: Map<number, Rec[]>;
  containersByDatastore: Map<number, Rec[]>;
}

/** Runtime bookkeeping of an operation that has not finished yet. */
export interface OperationRuntime {
  startMs: number;
  durationMs: number;
  targets: number[];
  records: number;
}

/** The whole in-memory state. */
export class FakeState {
  asGiven: boolean = false;
  /** Bumped on every insert/delete; invalidates {@link FakeState.index}. */
  revision = 0;
  /** Bumped by {@link FakeState.touch}; with `revision` it invalidates cached renderings. */
  edits = 0;
  idBase: number = 1;
  readonly tags: Collection = new Collection("global_tags", () => this.revision++);
  readonly teams: Collection = new Collection("teams", () => this.revision++);
  readonly users: Collection = new Collection("users", () => this.revision++);
  readonly connections: Collection = new Collection("connections", () => this.revision++);
  readonly datastores: Collection = new Collection("datastores", () => this.revision++);
  readonly containers: Collection = new Collection("containers", () => this.revision++);
  readonly fields: Collection = new Collection("fields", () => this.revision++);
  readonly computedFields: Collection = new Collection("computed_fields", () => this.revision++);
  readonly checks: Collection = new Collection("checks", () => this.revision++);
  readonly anomalies: Collection = new Collection("anomalies", () => this.revision++);
  readonly operations: Collection = new Collection("operations", () => this.revision++);
  /** Datastore name → plain containers a sync discovers (stored form without id/datastore). */
  catalog: Record<string, Rec[]> = {};
  /** Operations still running. */
  readonly running: Map<number, OperationRuntime> = new Map();
  /** Tokens to restore (from a state file). */
  savedTokens: { token: string; role: string; user_id: number }[] = [];
  #fieldIndex = new Map<string, Rec>();
  #index?: StateIndex;
  #indexRevision = -1;
  #tagIndex = new Map<string, Rec>();

  constructor(readonly clock: () => Date = () => new Date()) {}

  /**
   * Records that something may have changed in place (not an insert or delete), so cached
   * renderings of list items (render_cache.ts) are dropped. The server calls it around every
   * write request and while operations run; call it after changing records through a reference
   * kept from before an `await`.
   */
  touch(): void {
    this.edits++;
  }

  /** The current time as the API writes it (`2026-03-31T14:30:00.000000Z`). */
  nowIso(): string {
    return this.clock().toISOString().replace(/Z$/, "000Z");
  }

  /** A fresh id for a collection (respecting `options.id_base`). */
  nextId(collection: Collection): number {
    return collection.nextId(this.idBase);
  }

  // ---------------------------------------------------------------- lookups (404 when missing)

  connection(id: number): Rec {
    return this.connections.get(id) ?? fail(`Connection id: ${id} not found`);
  }
  datastore(id: number): Rec {
    return this.datastores.get(id) ?? fail(`Datastore id: ${id} not found`);
  }
  container(id: number): Rec {
    return this.containers.get(id) ?? fail(`Container id: ${id} not found`);
  }
  check(id: number): Rec {
    const rec = this.checks.get(id);
    return rec && !rec.is_template ? rec : fail(`Quality Check id: ${id} not found`);
  }
  anomaly(id: number): Rec {
    return this.anomalies.get(id) ?? fail(`Anomaly id: ${id} not found`);
  }
  operation(id: number): Rec {
    return this.operations.get(id) ?? fail(`Operation id: ${id} not found`);
  }
  computedField(id: number): Rec {
    return this.computedFields.get(id) ?? fail(`Computed Field id: ${id} not found`);
  }
  team(id: number): Rec {
    return this.teams.get(id) ?? fail(`Team id: ${id} not found`);
  }
  user(id: number): Rec {
    return this.users.get(id) ?? fail(`User id: ${id} not found`);
  }

  /** The datastore a container belongs to (its `datastore` reference). */
  datastoreIdOf(container: Rec): number | undefined {
    const ref = container.datastore;
    if (typeof ref === "number") return ref;
    if (ref && typeof ref === "object" && typeof ref.id === "number") return ref.id;
    if (typeof container.datastore_id === "number") return container.datastore_id;
    return undefined;
  }

  /** Containers of a datastore (optionally with archived ones). */
  containersOf(datastoreId: number, includeArchived = false): Rec[] {
    return (this.index().containersByDatastore.get(datastoreId) ?? []).filter((c) =>
      includeArchived || !c.deleted_at
    );
  }

  // ---------------------------------------------------------------- tags

  tagByName(name: string): Rec | undefined {
    return this.#tagIndex.get(name);
  }
  /** The tag with this name, created as a global tag when missing. */
  ensureTag(name: string): Rec {
    const found = this.#tagIndex.get(name);
    if (found) return found;
    return this.addTag(buildTag({ id: this.nextId(this.tags), name }, this.nowIso()));
  }
  addTag(tag: Rec): Rec {
    this.tags.insert(tag);
    this.#tagIndex.set(tag.name, tag);
    return tag;
  }
  removeTag(name: string): void {
    const tag = this.#tagIndex.get(name);
    if (!tag) return;
    this.tags.delete(tag.id);
    this.#tagIndex.delete(name);
    for (
      const coll of [this.datastores, this.containers, this.checks, this.anomalies, this.fields]
    ) {
      for (const rec of coll.values()) {
        if (Array.isArray(rec.global_tags)) {
          rec.global_tags = rec.global_tags.filter((t: unknown) => t !== name);
        }
      }
    }
  }
  reindexTags(): void {
    this.#tagIndex.clear();
    for (const tag of this.tags.values()) this.#tagIndex.set(tag.name, tag);
  }

  teamByName(name: string): Rec | undefined {
    return this.teams.values().find((t) => t.name === name);
  }

  // ---------------------------------------------------------------- fields

  fieldByName(containerId: number, name: string): Rec | undefined {
    return this.#fieldIndex.get(`${containerId}\u0000${name}`);
  }
  /** The field of a container with this name, created when missing. */
  ensureField(containerId: number, name: string, props: Rec = {}): Rec {
    const found = this.fieldByName(containerId, name);
    if (found) return found;
    const field = buildField(
      { id: this.fields.nextId(1), name, container_id: containerId, ...props },
      this.nowIso(),
    );
    return this.addField(field);
  }
  addField(field: Rec): Rec {
    this.fields.insert(field);
    this.#fieldIndex.set(`${field.container_id}\u0000${field.name}`, field);
    return field;
  }
  removeField(field: Rec): void {
    this.fields.delete(field.id);
    this.#fieldIndex.delete(`${field.container_id}\u0000${field.name}`);
  }
  fieldsOf(containerId: number): Rec[] {
    return [...(this.index().fieldsByContainer.get(containerId) ?? [])];
  }

  /** Lookup tables by reference, rebuilt after inserts/deletes. */
  index(): StateIndex {
    if (this.#index && this.#indexRevision === this.revision) return this.#index;
    const group = (records: Rec[], key: (r: Rec) => unknown[]) => {
      const out = new Map<number, Rec[]>();
      for (const rec of records) {
        for (const k of key(rec)) {
          if (typeof k !== "number") continue;
          let list = out.get(k);
          if (!list) out.set(k, list = []);
          list.push(rec);
        }
      }
      return out;
    };
    const anomalies = this.anomalies.values();
    const checks = this.checks.values();
    // Groups keep collection (ascending id) order, so filtering a group gives the same list,
    // in the same order, as filtering the whole collection. References used as keys are never
    // changed in place (only by insert/delete), which is what keeps this valid between revisions.
    this.#index = {
      checksByContainer: group(checks, (c) => [c.container]),
      checksByDatastore: group(checks, (c) => {
        const container = typeof c.container === "number"
          ? this.containers.get(c.container)
          : undefined;
        return [container ? this.datastoreIdOf(container) : undefined];
      }),
      anomaliesByContainer: group(anomalies, (a) => [a.container]),
      anomaliesByDatastore: group(anomalies, (a) => [a.datastore]),
      anomaliesByCheck: group(
        anomalies,
        (a) => (a.failed_checks ?? []).map((f: Rec) => f.quality_check),
      ),
      fieldsByContainer: group(this.fields.values(), (f) => [f.container_id]),
      containersByDatastore: group(this.containers.values(), (c) => [this.datastoreIdOf(c)]),
    };
    this.#indexRevision = this.revision;
    return this.#index;
  }

  /** Removes a container and everything under it. */
  deleteContainer(id: number): void {
    this.containers.delete(id);
    for (const f of this.fieldsOf(id)) this.removeField(f);
    for (const cf of this.computedFields.values()) {
      if (cf.container_id === id) this.computedFields.delete(cf.id);
    }
    for (const check of this.checks.values()) {
      if (check.container === id) this.checks.delete(check.id);
    }
    for (const anomaly of this.anomalies.values()) {
      if (anomaly.container === id) this.anomalies.delete(anomaly.id);
    }
  }

  // ---------------------------------------------------------------- load / save

  /** Loads server data (an object or its JSON text), replacing nothing already there. */
  load(input: ServerData | string): void {
    const data = (typeof input === "string" ? parseJson(input) : deepCopy(input)) as ServerData;
    const now = this.nowIso();
    this.asGiven = data.options?.as_given === true;
    if (typeof data.options?.id_base === "number") this.idBase = data.options.id_base;
    const take = (list: Rec[] | undefined, build: (r: Rec) => Rec): Rec[] =>
      (list ?? []).map((rec) => {
        if (this.asGiven) {
          (rec as any)[GIVEN] = true;
          return rec;
        }
        return build(rec);
      });
    this.tags.load(take(data.global_tags, (r) => buildTag(r, now)));
    this.reindexTags();
    this.teams.load(take(data.teams, (r) => buildTeam(r, now)));
    this.users.load((data.users ?? []).map((r) => buildUser(r, now)));
    this.connections.load(take(data.connections, (r) => buildConnection(r, now)));
    this.datastores.load(
      take(data.datastores, (r) => buildDatastore(r, now, this.connections.get(r.connection_id))),
    );
    this.containers.load(take(data.containers, (r) => buildContainer(r, now)));
    for (const field of [...(data.fields ?? [])].sort((a, b) => a.id - b.id)) {
      this.addField(buildField(field, now));
    }
    this.computedFields.load(take(data.computed_fields, (r) => buildComputedField(r, now)));
    this.checks.load(take(data.checks, (r) => buildCheck(r, now)));
    this.anomalies.load((data.anomalies ?? []).map((r) => buildAnomaly(r, now)));
    this.operations.load((data.operations ?? []).map((r) => buildOperation(r, now)));
    for (const [name, entries] of Object.entries(data.catalog ?? {})) this.catalog[name] = entries;
    this.savedTokens = data.tokens ?? [];
    // References by name: tags must exist, fields get ids (computed fields, then checks).
    for (const coll of [this.datastores, this.containers, this.checks, this.anomalies]) {
      for (const rec of coll.values()) {
        for (const name of rec.global_tags ?? []) {
          if (typeof name === "string") this.ensureTag(name);
        }
      }
    }
    for (const cf of this.computedFields.values()) {
      for (const name of cf.source_fields ?? []) {
        if (typeof name === "string") this.ensureField(cf.container_id, name);
      }
    }
    for (const check of this.checks.values()) {
      if (typeof check.container !== "number") continue;
      for (const name of check.fields ?? []) {
        if (typeof name === "string") this.ensureField(check.container, name);
      }
    }
    this.ensureDefaultUsers();
  }

  /** Makes sure there is an Admin, a Manager and a Member user. */
  ensureDefaultUsers(): void {
    const now = this.nowIso();
    const defaults = [
      { role: "Admin", name: "Ada Admin", email: "admin@example.com" },
      { role: "Manager", name: "Max Manager", email: "manager@example.com" },
      { role: "Member", name: "Mia Member", email: "member@example.com" },
    ];
    for (const d of defaults) {
      if (this.users.values().some((u) => u.role === d.role)) continue;
      this.users.insert(buildUser({ id: this.users.nextId(1), ...d }, now));
    }
  }

  /** The first user with a role. */
  userWithRole(role: string): Rec {
    return this.users.values().find((u) => u.role === role) ?? this.users.values()[0];
  }

  /** The state as server data (stored form), for `--state FILE`. */
  toData(tokens: { token: string; role: string; user_id: number }[] = []): ServerData {
    const options: Rec = {};
    if (this.asGiven) options.as_given = true;
    if (this.idBase !== 1) options.id_base = this.idBase;
    return {
      options,
      global_tags: this.tags.values(),
      teams: this.teams.values(),
      users: this.users.values(),
      connections: this.connections.values(),
      datastores: this.datastores.values(),
      containers: this.containers.values(),
      fields: this.fields.values(),
      computed_fields: this.computedFields.values(),
      checks: this.checks.values(),
      anomalies: this.anomalies.values(),
      operations: this.operations.values(),
      catalog: this.catalog,
      tokens,
    };
  }
}

function fail(detail: string): never {
  throw notFound(detail);
}
