/**
 * Rendering of stored records into API responses: references become objects, derived keys
 * are appended, secrets are dropped, and counters of server-built records are computed.
 * `as_given` records keep their keys, order and number types (fixtures/README.md).
 */
import { isJsonFloat, JsonFloat } from "../util/json.ts";
import { type FakeState, GIVEN, type Rec } from "./state.ts";

const SECRETS = new Set(["password", "passphrase", "secret_key", "credentials_payload"]);

const isGiven = (rec: Rec): boolean => (rec as any)[GIVEN] === true;

/** Tag names → the registry's tag objects (unknown names are skipped). */
export function renderTags(state: FakeState, names: unknown): unknown {
  if (!Array.isArray(names)) return names;
  const out: Rec[] = [];
  for (const name of names) {
    if (typeof name === "string") {
      const tag = state.tagByName(name);
      if (tag) out.push(tag);
    } else if (name && typeof name === "object") out.push(name as Rec);
  }
  return out;
}

function renderTeams(state: FakeState, names: unknown): unknown {
  if (!Array.isArray(names)) return names;
  return names.map((name) => {
    const team = typeof name === "string" ? state.teamByName(name) : undefined;
    if (!team) return typeof name === "string" ? { name } : name;
    if (isGiven(team)) return team;
    return { id: team.id, name: team.name, permission: team.permission };
  });
}

/** `{id, name}` of a record, or null. */
export function stub(rec: Rec | undefined): Rec | null {
  return rec ? { id: rec.id, name: rec.name } : null;
}

function datastoreStub(state: FakeState, id: unknown): unknown {
  if (typeof id !== "number") return id;
  return stub(state.datastores.get(id)) ?? { id };
}

function containerStub(state: FakeState, id: unknown): unknown {
  if (typeof id !== "number") return id;
  return stub(state.containers.get(id)) ?? { id };
}

function fieldRefs(state: FakeState, containerId: unknown, names: unknown): unknown {
  if (!Array.isArray(names) || typeof containerId !== "number") return names;
  return names.map((name) => {
    if (typeof name !== "string") return name;
    const field = state.ensureField(containerId, name);
    return { id: field.id, name };
  });
}

// ------------------------------------------------------------------------------ connection

/** A connection as served: secrets removed, `datastores` computed. */
export function renderConnection(state: FakeState, rec: Rec): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(rec)) {
    if (SECRETS.has(key)) continue;
    if (key === "datastores") {
      out.datastores = state.datastores.values()
        .filter((ds) => ds.connection_id === rec.id)
        .map((ds) => ({ id: ds.id, name: ds.name }));
    } else if (key === "secrets_manager" && value && typeof value === "object") {
      const { credentials_payload: _secret, ...rest } = value as Rec;
      out[key] = rest;
    } else out[key] = value;
  }
  return out;
}

// ------------------------------------------------------------------------------ datastore

function enrichStub(state: FakeState, id: unknown): unknown {
  if (typeof id !== "number") return id;
  const ds = state.datastores.get(id);
  if (!ds) return null;
  const out: Rec = {};
  for (const key of ["id", "name", "store_type", "type", "enrichment_only"]) {
    if (key in ds) out[key] = ds[key];
  }
  return out;
}

/** A datastore as served. */
export function renderDatastore(state: FakeState, rec: Rec): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(rec)) {
    if (key === "enrich_datastore") out[key] = enrichStub(state, value);
    else if (key === "global_tags") out[key] = renderTags(state, value);
    else if (key === "teams") out[key] = renderTeams(state, value);
    else out[key] = value;
  }
  if (isGiven(rec)) return out;
  const containers = state.containersOf(rec.id);
  const index = state.index();
  const checks = containers.flatMap((c) => index.checksByContainer.get(c.id) ?? [])
    .filter((c) => !c.deleted_at);
  const anomalies = state.anomalies.values().filter((a) => a.datastore === rec.id && !a.archived);
  const records = containers.reduce((sum, c) => sum + (Number(c.record_count) || 0), 0);
  out.metrics = {
    containers: containers.length,
    records,
    fields_profiled: containers.reduce(
      (n, c) => n + (index.fieldsByContainer.get(c.id)?.length ?? 0),
      0,
    ),
    active_checks: checks.filter((c) => c.status === "Active").length,
    active_anomalies: anomalies.length,
  };
  out.container_count = containers.length;
  out.check_count = checks.length;
  out.anomaly_count = anomalies.length;
  const latest = state.operations.values().filter((op) => op.datastore === rec.id).pop();
  out.latest_operation = latest
    ? { id: latest.id, type: latest.type, result: latest.result, end_time: latest.end_time }
    : null;
  const connection = state.connections.get(rec.connection_id);
  if (connection && connection.connection_type === "jdbc") {
    for (const key of ["host", "port", "username"]) if (!(key in out)) out[key] = connection[key];
  }
  return out;
}

/** The slim row of `GET /datastores/listing`. */
export function renderDatastoreListing(rec: Rec): Rec {
  return {
    id: rec.id,
    name: rec.name,
    store_type: rec.store_type,
    type: rec.type,
    enrichment_only: rec.enrichment_only ?? false,
  };
}

// ------------------------------------------------------------------------------ container

/**
 * A container as served (`detail` adds `computed_fields`). In the listing, an `as_given` record
 * that has a `computed_fields` key is served with it as given (the real listing can carry
 * `computed_fields: []` for a container that has computed fields: only its detail lists them).
 */
export function renderContainer(state: FakeState, rec: Rec, detail = false): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(rec)) {
    if (key === "datastore") out[key] = datastoreStub(state, value);
    else if (key === "global_tags") out[key] = renderTags(state, value);
    else if (key === "computed_fields") {
      if (!detail && isGiven(rec)) out[key] = value;
    } else out[key] = value;
  }
  if (rec.container_type === "computed_join") {
    const left = state.containers.get(rec.left_container_id);
    const right = state.containers.get(rec.right_container_id);
    if (!("datastore_id" in out)) {
      out.datastore_id = left ? state.datastoreIdOf(left) ?? null : null;
    }
    if (!("right_datastore_id" in out)) {
      out.right_datastore_id = right ? state.datastoreIdOf(right) ?? null : null;
    }
  }
  if (!isGiven(rec)) {
    const index = state.index();
    out.check_count = (index.checksByContainer.get(rec.id) ?? []).filter((c) => !c.deleted_at)
      .length;
    out.anomaly_count = (index.anomaliesByContainer.get(rec.id) ?? []).filter((a) => !a.archived)
      .length;
    const fields = index.fieldsByContainer.get(rec.id)?.length ?? 0;
    if (fields) out.field_count = fields;
  }
  if (detail) {
    out.computed_fields = state.computedFields.values()
      .filter((cf) => cf.container_id === rec.id)
      .map((cf) => renderComputedField(state, cf));
  }
  return out;
}

/** The slim row of `GET /containers/listing`. */
export function renderContainerListing(state: FakeState, rec: Rec): Rec {
  const out: Rec = {
    id: rec.id,
    name: rec.name,
    container_type: rec.container_type,
  };
  if (rec.container_type === "table") out.table_type = rec.table_type ?? "table";
  out.datastore = datastoreStub(state, rec.datastore);
  out.deleted_at = rec.deleted_at ?? null;
  out.favorite = rec.favorite ?? false;
  return out;
}

// ------------------------------------------------------------------------------ fields

/** A computed field as served. */
export function renderComputedField(state: FakeState, rec: Rec): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(rec)) {
    out[key] = key === "source_fields" ? fieldRefs(state, rec.container_id, value) : value;
  }
  return out;
}

/** A field as served by the field endpoints. */
export function renderField(state: FakeState, rec: Rec): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(rec)) {
    out[key] = key === "global_tags" ? renderTags(state, value) : value;
  }
  return out;
}

// ------------------------------------------------------------------------------ check

/** A quality check (or template) as served. */
export function renderCheck(state: FakeState, rec: Rec): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(rec)) {
    if (key === "container") out[key] = containerStub(state, value);
    else if (key === "fields") out[key] = fieldRefs(state, rec.container, value);
    else if (key === "global_tags") out[key] = renderTags(state, value);
    else if (key === "coverage" && typeof value === "number" && Number.isInteger(value)) {
      out[key] = new JsonFloat(value);
    } else out[key] = value;
  }
  if (!("datastore" in out)) {
    const container = typeof rec.container === "number"
      ? state.containers.get(rec.container)
      : undefined;
    out.datastore = container ? datastoreStub(state, state.datastoreIdOf(container)) : null;
  }
  if (!isGiven(rec)) {
    const anomalies = state.index().anomaliesByCheck.get(rec.id) ?? [];
    out.anomaly_count = anomalies.length;
    out.active_anomaly_count = anomalies.filter((a) => !a.archived).length;
  }
  return out;
}

// ------------------------------------------------------------------------------ anomaly

/** An anomaly as served. */
export function renderAnomaly(state: FakeState, rec: Rec): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(rec)) {
    if (key === "datastore") out[key] = datastoreStub(state, value);
    else if (key === "container") out[key] = containerStub(state, value);
    else if (key === "global_tags") out[key] = renderTags(state, value);
    else if (key === "failed_checks" && Array.isArray(value)) {
      out[key] = value.map((failed: Rec) => {
        const check = state.checks.get(failed.quality_check);
        const quality_check = check
          ? {
            id: check.id,
            rule_type: check.rule_type,
            description: check.description,
            fields: fieldRefs(state, check.container, check.fields),
            coverage: typeof check.coverage === "number" && Number.isInteger(check.coverage)
              ? new JsonFloat(check.coverage)
              : check.coverage,
            properties: check.properties,
            deleted_at: check.deleted_at ?? null,
          }
          : { id: failed.quality_check };
        return { ...failed, quality_check };
      });
    } else out[key] = value;
  }
  return out;
}

// ------------------------------------------------------------------------------ operation

/** An operation as served. */
export function renderOperation(state: FakeState, rec: Rec): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(rec)) {
    if (key === "datastore" && typeof value === "number") {
      const ds = state.datastores.get(value);
      out[key] = ds
        ? { id: ds.id, name: ds.name, store_type: ds.store_type, type: ds.type }
        : { id: value };
    } else if (key === "containers" && Array.isArray(value)) {
      out[key] = value.map((id) => {
        const c = state.containers.get(id);
        return c
          ? {
            id: c.id,
            name: c.name,
            container_type: c.container_type,
            table_type: c.table_type ?? null,
          }
          : { id };
      });
    } else out[key] = value;
  }
  return out;
}

// ------------------------------------------------------------------------------ teams, users

/** A user stub (inside teams). */
export function userStub(user: Rec): Rec {
  return {
    id: user.id,
    created: user.created,
    user_id: user.user_id,
    email: user.email,
    name: user.name,
    role: user.role,
  };
}

/** A team as served (`users` ids → user stubs). */
export function renderTeam(state: FakeState, rec: Rec): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(rec)) {
    out[key] = key === "users" && Array.isArray(value)
      ? value.map((id) => state.users.get(id)).filter(Boolean).map((u) => userStub(u!))
      : value;
  }
  return out;
}

/** A user as served (`teams` names → `{id, name, permission}`). */
export function renderUser(state: FakeState, rec: Rec): Rec {
  const out: Rec = {};
  for (const [key, value] of Object.entries(rec)) {
    out[key] = key === "teams" ? renderTeams(state, value) : value;
  }
  return out;
}

export { isGiven, isJsonFloat };
