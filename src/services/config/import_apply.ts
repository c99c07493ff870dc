/**
 * Applying an import plan: dependency order (connections → datastores → enrichment links →
 * syncs → computed containers → computed fields → checks → prunes), bounded concurrency through
 * the client's pool, one failure never stops the rest, and no create is ever repeated blindly:
 * after an ambiguous failure (no answer, 5xx) the object is looked up before anything else.
 *
 * @module
 */
import * as path from "node:path";
import { createConnection, listConnections, updateConnection } from "../../api/connections.ts";
import {
  createComputedField,
  deleteComputedField,
  updateComputedField,
} from "../../api/computed_fields.ts";
import {
  createContainer,
  deleteContainer,
  getContainer,
  listContainers,
  updateContainer,
} from "../../api/containers.ts";
import {
  createDatastore,
  linkEnrichment,
  listAllDatastores,
  updateDatastore,
} from "../../api/datastores.ts";
import { runOperation } from "../../api/operations.ts";
import {
  createQualityCheck,
  deleteQualityCheck,
  listQualityChecks,
  updateQualityCheck,
} from "../../api/quality_checks.ts";
import type { ApiObject } from "../../api/types.ts";
import { describeDetail, QualyticsApiError } from "../../client/errors.ts";
import type { QualyticsClient } from "../../client/http_client.ts";
import { mapConcurrent } from "../../client/pool.ts";
import { completeContainerCreate } from "../containers.ts";
import { type OperationProgress, waitForOperation } from "../operations.ts";
import {
  type ImportPlan,
  lookupsOf,
  PLAN_KINDS,
  type PlanEntry,
  type PlanKind,
  sameValue,
  type SyncMode,
} from "./import_plan.ts";
import {
  checkFileStem,
  computedFieldStem,
  connectionStem,
  containerDirName,
  datastoreDirName,
  stemNumber,
  storedCheckUid,
  withManagedMarker,
} from "./naming.ts";
import { CONNECTION_SECRET_KEYS } from "../../api/connections.ts";
import {
  exportComputedField,
  exportConnection,
  exportContainer,
  exportDatastore,
  INTERNAL_METADATA_KEYS,
  namesOf,
} from "./transform.ts";

/** Counts of one summary row. */
export interface SummaryRow {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
}

/** Summary rows: the resource kinds plus `sync`. */
export type SummaryKey = PlanKind | "sync";

/** One failure. */
export interface ImportError {
  kind: SummaryKey;
  /** The resource (name, UID or file). */
  name: string;
  message: string;
}

/** What the apply did. */
export interface ImportResult {
  summary: Record<SummaryKey, SummaryRow>;
  errors: ImportError[];
}

/** Progress events for the command's display. */
export type ApplyEvent =
  | { type: "phase"; kind: SummaryKey; total: number }
  | { type: "item"; kind: SummaryKey; done: number; total: number }
  | { type: "sync-start"; datastore: string; id: number }
  | { type: "sync-progress"; datastore: string; progress: OperationProgress }
  | { type: "sync-end"; datastore: string; outcome: string };

/** Options of {@link applyImport}. */
export interface ApplyOptions {
  sync?: SyncMode;
  /** Items in flight at once (the client's pool bounds requests anyway). */
  concurrency?: number;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  /** Sync polling (default every 2 s, time-out 30 min). */
  syncPollMs?: number;
  syncTimeoutMs?: number;
  onEvent?: (event: ApplyEvent) => void;
}

const isObject = (value: unknown): value is ApiObject =>
  value !== null && typeof value === "object" && !Array.isArray(value);

function errorText(error: unknown): string {
  if (error instanceof QualyticsApiError) {
    return describeDetail(error.detail) || error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A failure after which the server may or may not have done the write. */
function ambiguous(error: unknown): boolean {
  return error instanceof QualyticsApiError &&
    (error.status === 0 || error.status >= 500 || error.status === 429);
}

class NameError extends Error {}

/** Live name → id maps, updated as the run creates things and syncs discover containers. */
class RunState {
  connections = new Map<string, number>();
  datastores = new Map<string, ApiObject>();
  /** Datastore id → container name → container. */
  containers = new Map<number, Map<string, ApiObject>>();
  constructor(readonly client: QualyticsClient, plan: ImportPlan) {
    for (const c of plan.target.connections) this.connections.set(c.name as string, c.id as number);
    for (const d of plan.target.datastores) this.datastores.set(d.name as string, d);
    for (const [id, list] of plan.target.containers) this.setContainers(id, list);
  }
  setContainers(id: number, list: ApiObject[]): void {
    this.containers.set(id, new Map(list.map((c) => [c.name as string, c])));
  }
  datastoreId(name: string): number {
    const ds = this.datastores.get(name);
    if (!ds) throw new NameError(`Referenced datastore '${name}' not found`);
    return ds.id as number;
  }
  async containerId(datastoreId: number, name: string): Promise<number> {
    if (!this.containers.has(datastoreId)) {
      this.setContainers(
        datastoreId,
        await listContainers(this.client, { datastore: [datastoreId] }),
      );
    }
    const found = this.containers.get(datastoreId)!.get(name);
    if (!found) {
      throw new NameError(`Referenced container '${name}' not found in datastore ${datastoreId}`);
    }
    return found.id as number;
  }
  async refreshContainers(datastoreId: number): Promise<void> {
    this.setContainers(
      datastoreId,
      await listContainers(this.client, { datastore: [datastoreId] }),
    );
  }
}

function emptyRow(): SummaryRow {
  return { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 };
}

/** The datastore an item belongs to, by name (for datastores: their own). */
function datastoreNameOf(item: PlanEntry): string {
  return item.datastore ?? item.name;
}

/** Resolves `ref_datastore_name` / `ref_container_name` in properties to ids. */
async function resolveProperties(
  state: RunState,
  properties: unknown,
  datastoreId: number,
): Promise<ApiObject> {
  if (!isObject(properties)) return {};
  const out: ApiObject = {};
  for (const [key, value] of Object.entries(properties)) {
    if (key !== "ref_container_name" && key !== "ref_datastore_name") out[key] = value;
  }
  let refDs = typeof out.ref_datastore_id === "number" ? out.ref_datastore_id : undefined;
  if (typeof properties.ref_datastore_name === "string" && refDs === undefined) {
    refDs = state.datastoreId(properties.ref_datastore_name);
    out.ref_datastore_id = refDs;
  }
  if (typeof properties.ref_container_name === "string" && !("ref_container_id" in out)) {
    out.ref_container_id = await state.containerId(
      refDs ?? datastoreId,
      properties.ref_container_name,
    );
  }
  return out;
}

/** Container references of a `_container.yaml` resolved to ids; name keys removed. */
async function containerBody(
  state: RunState,
  doc: ApiObject,
  datastoreId: number,
): Promise<ApiObject> {
  const out: ApiObject = {};
  const dropped = new Set([
    "datastore_name",
    "source_container_name",
    "left_container_name",
    "right_container_name",
    "left_datastore_name",
    "right_datastore_name",
  ]);
  for (const [key, value] of Object.entries(doc)) {
    if (!dropped.has(key)) out[key] = value;
  }
  if (typeof doc.source_container_name === "string" && !("source_container_id" in out)) {
    out.source_container_id = await state.containerId(datastoreId, doc.source_container_name);
  }
  for (const side of ["left", "right"]) {
    const name = doc[`${side}_container_name`];
    if (typeof name !== "string" || `${side}_container_id` in out) continue;
    const dsName = doc[`${side}_datastore_name`];
    const dsId = typeof dsName === "string" ? state.datastoreId(dsName) : datastoreId;
    out[`${side}_container_id`] = await state.containerId(dsId, name);
  }
  if (Array.isArray(doc.sources)) {
    out.sources = await Promise.all(doc.sources.map(async (source) => {
      if (!isObject(source)) return source;
      const { container_name, datastore_name, datastore_id: _d, ordinal: _o, ...rest } = source;
      if (typeof container_name === "string" && !("container_id" in rest)) {
        const dsId = typeof datastore_name === "string"
          ? state.datastoreId(datastore_name)
          : datastoreId;
        rest.container_id = await state.containerId(dsId, container_name);
      }
      return rest;
    }));
  }
  return out;
}

/**
 * A promise and the function that resolves it (`Promise.withResolvers`, which Node has only
 * from version 22).
 */
function settled(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => resolve = done);
  return { promise, resolve };
}

/**
 * Runs `work` for each item with bounded concurrency, collecting failures per item. Items in
 * one chain (see {@link inFileOrder}) run one after another, in its order; after a failure the
 * rest of the chain is left for the next run. `settled` is called once per item, whatever
 * became of it.
 */
async function each(
  items: PlanEntry[],
  kind: SummaryKey,
  result: ImportResult,
  options: ApplyOptions,
  work: (item: PlanEntry) => Promise<"created" | "updated" | "deleted" | "unchanged">,
  chains: (items: PlanEntry[]) => PlanEntry[][] = (all) => all.map((item) => [item]),
  settled: (item: PlanEntry) => void = () => {},
): Promise<void> {
  let done = 0;
  if (items.length) options.onEvent?.({ type: "phase", kind, total: items.length });
  const label = (item: PlanEntry) =>
    item.file ?? `${item.datastore ? `${item.datastore}: ` : ""}${item.name}`;
  await mapConcurrent(chains(items), options.concurrency ?? 8, async (chain) => {
    // After a failure the rest of the chain waits for the next run: applied now, they would
    // take the ids (and so the file names) of the one that failed.
    let failed: PlanEntry | undefined;
    for (const item of chain) {
      if (failed) {
        fail(item, `not applied: it comes after ${label(failed)}, which failed; run again`);
      } else if (!(await runOne(item))) failed = item;
      settled(item);
    }
  });

  async function runOne(item: PlanEntry): Promise<boolean> {
    try {
      result.summary[kind][await work(item)]++;
      options.onEvent?.({ type: "item", kind, done: ++done, total: items.length });
      return true;
    } catch (error) {
      fail(item, errorText(error));
      return false;
    }
  }

  function fail(item: PlanEntry, message: string): void {
    result.summary[kind].failed++;
    result.errors.push({ kind, name: label(item), message });
    options.onEvent?.({ type: "item", kind, done: ++done, total: items.length });
  }
}

/**
 * Check files of one folder that an export numbered against each other, as chains in an order
 * that gives each file its name back; the other checks run in parallel. The export names the
 * checks of a folder in the API's order, which is the order they were created in: the first
 * free of `<stem>.yaml`, `<stem>_2.yaml`, … where the stem comes from the rule and fields
 * (`CheckFileNamer`). So the check of `<stem>_<k>.yaml` is created after the checks of
 * `<stem>.yaml` … `<stem>_<k-1>.yaml`, whatever their own stems: `notnull__a_2.yaml` may be
 * the second check on `a` or the first on a field `a_2` (then `notnull__a_2_2.yaml` holds the
 * second on `a_2`). Created in parallel, a re-export could swap the contents of `x.yaml` and
 * `x_2.yaml` by which create arrived first.
 */
function inFileOrder(items: PlanEntry[]): PlanEntry[][] {
  // `checks import` brings one folder into several datastores: a folder per datastore.
  const keyOf = (item: PlanEntry, name: string) =>
    `${item.datastore ?? ""}\u0000${path.dirname(item.file!)}\u0000${name}`;
  // Each file under the stems it may be numbered in: `<name>.yaml` is the first of `<name>` and,
  // its name ending in `_<n>`, the n-th of the stem before that (`a_2.yaml`: of `a_2` and `a`).
  const numbered = new Map<string, Array<[PlanEntry, number]>>();
  const add = (key: string, entry: [PlanEntry, number]) => {
    const list = numbered.get(key);
    if (list) list.push(entry);
    else numbered.set(key, [entry]);
  };
  for (const item of items) {
    const name = item.file === undefined
      ? undefined
      : /^(.*)\.yaml$/.exec(path.basename(item.file))?.[1];
    if (name === undefined) continue;
    add(keyOf(item, name), [item, 1]);
    const suffixed = /^(.*)_([1-9]\d*)$/.exec(name);
    if (suffixed && Number(suffixed[2]) >= 2) {
      add(keyOf(item, suffixed[1]), [item, Number(suffixed[2])]);
    }
  }
  // The checks each one must come after: those of the folder numbered before it in its stem,
  // whichever are left to apply (after a failed run, x_3.yaml and x_4.yaml may be the only two).
  const before = new Map<PlanEntry, PlanEntry[]>();
  for (const item of items) {
    const doc = item.check?.doc;
    if (item.file === undefined || !doc) continue;
    const fields = Array.isArray(doc.fields) ? namesOf(doc.fields).map(String) : [];
    const stem = checkFileStem(typeof doc.rule_type === "string" ? doc.rule_type : "", fields);
    const name = path.basename(item.file);
    const k = name.startsWith(`${stem}_`)
      ? Number(/^_(\d+)\.yaml$/.exec(name.slice(stem.length))?.[1] ?? 0)
      : 0;
    const list = (numbered.get(keyOf(item, stem)) ?? [])
      .filter(([other, n]) => other !== item && n < k).map(([other]) => other);
    before.set(item, list);
  }
  // Linked checks form one chain, in an order where the ones a check comes after come first.
  const parent = new Map<PlanEntry, PlanEntry>();
  const top = (item: PlanEntry): PlanEntry => {
    const up = parent.get(item);
    if (up === undefined || up === item) return item;
    const found = top(up);
    parent.set(item, found);
    return found;
  };
  for (const [item, list] of before) for (const other of list) parent.set(top(other), top(item));
  const chains = new Map<PlanEntry, PlanEntry[]>();
  const seen = new Set<PlanEntry>();
  const visit = (item: PlanEntry): void => {
    if (seen.has(item)) return;
    seen.add(item);
    for (const other of before.get(item) ?? []) visit(other);
    const chain = chains.get(top(item)) ?? [];
    chain.push(item);
    chains.set(top(item), chain);
  };
  items.forEach(visit);
  return [...chains.values()];
}

/**
 * Items whose names an export numbered against each other, as chains in the order of their
 * numbers; the other items run in parallel. An export gives each connection, datastore, computed
 * container and computed field the stem of its name, and the k-th of one kind and folder sharing
 * a stem, in id order, `<stem>_<k>` (`numberStems`): ids follow the order of creation, so
 * creating `orders/` before `orders_2/` makes a re-export of the target name each folder as the
 * source did. (Created in parallel, the two could swap folders.)
 *
 * @param scopeOf the folder an item is numbered within (its datastore, container…)
 * @param baseOf the stem of the item's name
 * @param stemOf the stem of its file or folder name as the folder has it
 */
function inNameOrder(
  scopeOf: (item: PlanEntry) => string,
  baseOf: (item: PlanEntry) => string,
  stemOf: (item: PlanEntry) => string | undefined,
): (items: PlanEntry[]) => PlanEntry[][] {
  return (items) => {
    const groups = new Map<string, PlanEntry[]>();
    for (const item of items) {
      const key = `${scopeOf(item)}\u0000${baseOf(item)}`;
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
    const rank = (item: PlanEntry) => {
      const stem = stemOf(item);
      return stem === undefined ? Infinity : stemNumber(stem, baseOf(item)) ?? Infinity;
    };
    return [...groups.values()].map((group) =>
      group.length === 1 ? group : group
        .map((item, index) => ({ item, index, rank: rank(item) }))
        .sort((a, b) => a.rank - b.rank || a.index - b.index)
        .map(({ item }) => item)
    );
  };
}

/** A file's name without its `.yaml`. */
function fileStem(file: string | undefined): string | undefined {
  return file === undefined ? undefined : path.basename(file).replace(/\.yaml$/, "");
}

/**
 * Creates through `create`; after an ambiguous failure looks the object up with `find` and
 * treats a found one as created (the server did it), so a create is never sent twice.
 *
 * A 409 counts as ambiguous too: the plan found no such object, so a conflict now is most
 * likely this very create, applied once and sent again by the HTTP layer (Deno's fetch resends
 * a request whose reused keep-alive connection closed before the answer).
 */
async function createOnce(
  create: () => Promise<ApiObject>,
  find: () => Promise<ApiObject | undefined>,
): Promise<ApiObject> {
  try {
    return await create();
  } catch (error) {
    if (!ambiguous(error) && !(error instanceof QualyticsApiError && error.status === 409)) {
      throw error;
    }
    let found: ApiObject | undefined;
    try {
      found = await find();
    } catch {
      throw error;
    }
    if (found) return found;
    throw error;
  }
}

const DATASTORE_SKIP = new Set(["connection_id", "trigger_sync", "tags", "teams"]);

function withoutSecretPlaceholders(doc: ApiObject): ApiObject {
  const out: ApiObject = {};
  for (const [key, value] of Object.entries(doc)) {
    if (CONNECTION_SECRET_KEYS.includes(key)) continue;
    if (key === "secrets_manager" && isObject(value)) {
      const { credentials_payload: _c, ...rest } = value;
      out[key] = rest;
    } else out[key] = value;
  }
  return out;
}

/**
 * Adds the managed marker to the `additional_metadata` of a computed container or computed field
 * body: only objects config import created or updated are ever pruned.
 */
function markManaged(body: ApiObject): void {
  body.additional_metadata = withManagedMarker(
    body.additional_metadata,
    "additional_metadata" in body,
  );
}

/** Applies a plan that has no problems. */
export async function applyImport(
  client: QualyticsClient,
  plan: ImportPlan,
  options: ApplyOptions,
): Promise<ImportResult> {
  if (plan.problems.length) throw new Error("The plan has problems; nothing was applied.");
  const result: ImportResult = {
    summary: Object.fromEntries(
      [...PLAN_KINDS, "sync"].map((k) => [k, emptyRow()]),
    ) as Record<SummaryKey, SummaryRow>,
    errors: [],
  };
  const state = new RunState(client, plan);
  const lookups = lookupsOf(plan.target);
  const sync = options.sync ?? "auto";
  const byKind = new Map<PlanKind, PlanEntry[]>(PLAN_KINDS.map((kind) => [kind, []]));
  for (const item of plan.items) {
    if (item.action === "unchanged") result.summary[item.kind].unchanged++;
    else byKind.get(item.kind)!.push(item);
  }
  const of = (kind: PlanKind, ...actions: string[]) =>
    byKind.get(kind)!.filter((i) => actions.includes(i.action));
  const failedDatastores = new Set<string>();

  // --- connections
  await each(of("connection", "create", "update"), "connection", result, options, async (item) => {
    const conn = item.connection!;
    if (item.action === "create") {
      const created = await createOnce(
        () => createConnection(client, conn.resolved),
        async () =>
          (await listConnections(client, { name: conn.name })).find((c) => c.name === conn.name),
      );
      state.connections.set(conn.name, created.id as number);
      return "created";
    }
    const body = { ...withoutSecretPlaceholders(exportConnection(item.server!)), ...conn.resolved };
    await updateConnection(client, item.id!, body);
    return "updated";
  }, inNameOrder(() => "", (item) => connectionStem(item), (item) => fileStem(item.file)));

  // --- datastores
  const createdDatastores = new Set<string>();
  const linkedInBody = new Set<string>();
  const applyDatastore = async (item: PlanEntry): Promise<"created" | "updated"> => {
    const doc = item.folder!.datastore!.doc;
    const { connection_name, enrich_datastore_name: _e, ...rest } = doc;
    const body: ApiObject = { ...rest };
    if (typeof connection_name === "string" && typeof body.connection_id !== "number") {
      const id = state.connections.get(connection_name);
      if (id === undefined) {
        failedDatastores.add(item.name);
        throw new NameError(
          `Connection '${connection_name}' not found for datastore '${item.name}'`,
        );
      }
      body.connection_id = id;
    }
    // `append`/`overwrite` remediation needs a linked enrichment datastore (api/entities.md
    // §2.2): when the link's target exists already, the create or PUT links it itself.
    const linkId = item.link ? state.datastores.get(item.link)?.id : undefined;
    if (typeof linkId === "number") body.enrichment_datastore_id = linkId;
    if (item.action === "create") {
      // Our own sync follows (and is waited for); the server need not start another one.
      if (sync !== "never") delete body.trigger_sync;
      try {
        const created = await createOnce(
          () => createDatastore(client, body),
          async () =>
            (await listAllDatastores(client, { name: item.name })).find((d) =>
              d.name === item.name
            ),
        );
        state.datastores.set(item.name, created);
        state.setContainers(created.id as number, []);
        createdDatastores.add(item.name);
        if (typeof linkId === "number") linkedInBody.add(item.name);
        // The server fills defaults where the file says null (e.g. enrichment_prefix); a PUT
        // now makes the next import a no-op instead of an update.
        const after = exportDatastore(created, undefined);
        const drift = Object.keys(body).some((key) =>
          key in after && !DATASTORE_SKIP.has(key) && !sameValue(body[key], after[key])
        );
        if (drift) {
          // A full body: the API rejects partial PUTs (api/endpoints.md §10 item 5).
          const { connection_name: _c, enrich_datastore_name: _n, ...base } = after;
          await updateDatastore(client, created.id as number, {
            ...base,
            ...body,
            connection_id: created.connection_id ?? body.connection_id,
          });
        }
      } catch (error) {
        failedDatastores.add(item.name);
        throw error;
      }
      return "created";
    }
    if (!item.bodyChanged) return "updated";
    delete body.trigger_sync;
    const server = item.server!;
    const current = exportDatastore(server, undefined);
    const { connection_name: _c, connection_id: _i, enrich_datastore_name: _n, ...base } = current;
    await updateDatastore(client, item.id!, {
      ...base,
      connection_id: server.connection_id,
      ...body,
    });
    if (typeof linkId === "number") linkedInBody.add(item.name);
    return "updated";
  };
  // Link targets go first, and a datastore linked to one waits for it, so that its create or
  // PUT can link in the same request (which `append`/`overwrite` remediation needs).
  const datastoreItems = of("datastore", "create", "update");
  const targets = new Set(datastoreItems.map((i) => i.link).filter((name) => name !== undefined));
  const written = new Map(
    datastoreItems.filter((i) => targets.has(i.name)).map((i) => [i.name, settled()]),
  );
  const datastoreOrder = [
    ...datastoreItems.filter((i) => targets.has(i.name)),
    ...datastoreItems.filter((i) => !targets.has(i.name)),
  ];
  // Link targets and the datastores that wait for them never share a chain: chains of targets
  // (which wait for nothing) start before any chain that waits, so no chain holds a slot while
  // waiting for a chain that cannot start (with --concurrency 1, `DQ` then `dq` linked to
  // `Other` in one chain would wait for `Other` forever).
  const datastoreChains = inNameOrder(
    (item) => targets.has(item.name) ? "link target" : "",
    (item) => datastoreDirName(item),
    (item) => item.folder?.dir,
  );
  await each(
    datastoreOrder,
    "datastore",
    result,
    options,
    async (item) => {
      if (item.link && !targets.has(item.name)) await written.get(item.link)?.promise;
      return await applyDatastore(item);
    },
    datastoreChains,
    // Applied, failed or left for the next run: a datastore linked to it goes on either way.
    (item) => written.get(item.name)?.resolve(),
  );

  // --- enrichment links (after every datastore exists)
  const links = of("datastore", "create", "update").filter((i) =>
    i.link && !failedDatastores.has(i.name) && !linkedInBody.has(i.name)
  );
  for (const item of links) {
    try {
      const ds = state.datastores.get(item.name);
      if (!ds) continue;
      await linkEnrichment(client, ds.id as number, state.datastoreId(item.link!));
    } catch (error) {
      result.summary.datastore.failed++;
      result.errors.push({
        kind: "datastore",
        name: item.name,
        message: `Failed to link enrichment '${item.link}': ${errorText(error)}`,
      });
    }
  }

  // --- syncs
  const syncs = plan.syncs.filter((s) => !failedDatastores.has(s.datastore));
  if (syncs.length) options.onEvent?.({ type: "phase", kind: "sync", total: syncs.length });
  await Promise.all(syncs.map(async (planned) => {
    const ds = state.datastores.get(planned.datastore);
    if (!ds) return;
    const id = ds.id as number;
    try {
      options.onEvent?.({ type: "sync-start", datastore: planned.datastore, id });
      const operation = await runOperation(client, {
        datastore_id: id,
        type: "sync",
        prune: false,
        recreate: false,
      });
      let outcome = operation.end_time
        ? (operation.result === "success" ? "success" : "failure")
        : undefined;
      let message = operation.message;
      if (!outcome) {
        const waited = await waitForOperation(client, operation.id, {
          pollIntervalMs: options.syncPollMs ?? 2000,
          timeoutMs: options.syncTimeoutMs ?? 1_800_000,
          sleep: options.sleep,
          now: options.now,
          onProgress: (progress) =>
            options.onEvent?.({ type: "sync-progress", datastore: planned.datastore, progress }),
        });
        outcome = waited.outcome === "warning" ? "success" : waited.outcome;
        message = waited.operation.message;
      }
      options.onEvent?.({ type: "sync-end", datastore: planned.datastore, outcome });
      if (outcome !== "success") {
        throw new Error(
          outcome === "timeout" ? "Sync timed out" : `Sync failed: ${message || outcome}`,
        );
      }
      await state.refreshContainers(id);
      result.summary.sync.created++;
    } catch (error) {
      result.summary.sync.failed++;
      result.errors.push({ kind: "sync", name: planned.datastore, message: errorText(error) });
    }
  }));

  const datastoreIdOf = (item: PlanEntry): number => {
    const name = datastoreNameOf(item);
    if (failedDatastores.has(name)) {
      throw new NameError(`datastore '${name}' could not be created`);
    }
    return state.datastoreId(name);
  };

  // --- computed containers, in waves: a container waits for the computed containers it reads
  const containerItems = of("container", "create", "update");
  const pending = new Set(containerItems);
  const planned = new Set(containerItems.map((i) => `${i.datastore}\u0000${i.name}`));
  const finished = new Set<string>();
  const dependsOn = (item: PlanEntry): string[] => {
    const doc = item.container_!.doc;
    const out: string[] = [];
    if (typeof doc.source_container_name === "string") {
      out.push(`${item.datastore}\u0000${doc.source_container_name}`);
    }
    for (const side of ["left", "right"]) {
      const name = doc[`${side}_container_name`];
      const ds = doc[`${side}_datastore_name`] ?? item.datastore;
      if (typeof name === "string") out.push(`${ds}\u0000${name}`);
    }
    return out.filter((key) => planned.has(key));
  };
  const containerChains = inNameOrder(
    (item) => item.datastore ?? "",
    (item) => containerDirName(item),
    (item) => item.file === undefined ? undefined : path.basename(path.dirname(item.file)),
  );
  while (pending.size) {
    let wave = [...pending].filter((i) => dependsOn(i).every((key) => finished.has(key)));
    if (!wave.length) wave = [...pending]; // a cycle: let the server report it
    for (const item of wave) pending.delete(item);
    await each(wave, "container", result, options, async (item) => {
      const dsId = datastoreIdOf(item);
      const doc = item.container_!.doc;
      try {
        if (item.action === "create") {
          const body = await containerBody(state, doc, dsId);
          markManaged(body);
          body.datastore_id = dsId;
          const created = await createOnce(
            () => createContainer(client, body),
            async () =>
              (await listContainers(client, { datastore: [dsId], name: item.name }))
                .find((c) => c.name === item.name),
          );
          state.containers.get(dsId)?.set(item.name, created);
          // The create ignores `description` and `tags` (endpoints.md §3): one PUT sets them, as
          // part of the create. When it fails the container exists without them; the error is
          // reported and the next plan shows the update that completes it.
          try {
            await completeContainerCreate(client, created, body);
          } catch (error) {
            throw new Error(
              `created (ID ${created.id}), but setting its description and tags failed: ${
                errorText(error)
              }`,
            );
          }
          return "created";
        }
        const current = exportContainer(item.server!, datastoreNameOf(item), lookups);
        const body = await containerBody(state, { ...current, ...doc }, dsId);
        markManaged(body);
        await updateContainer(client, item.id!, body);
        return "updated";
      } finally {
        finished.add(`${item.datastore}\u0000${item.name}`);
      }
    }, containerChains);
  }

  // --- computed fields
  // Those the run creates, until created: a check on one that failed (or was left for the next
  // run) waits too. Created now, it would name a field the container lacks, which the server may
  // take as a plain field of that name and then refuse the computed field (409) on every run.
  const fieldKey = (item: PlanEntry, name: unknown) =>
    `${item.datastore ?? ""}\u0000${item.container ?? ""}\u0000${name}`;
  const uncreatedFields = new Set(of("computed_field", "create").map((i) => fieldKey(i, i.name)));
  // In waves, as the computed containers: one waits for those of its container it reads.
  const fieldsPending = new Set(of("computed_field", "create", "update"));
  const readsOf = (item: PlanEntry) =>
    namesOf(item.field!.doc.source_fields).filter((name) => name !== item.name);
  while (fieldsPending.size) {
    const keys = new Set([...fieldsPending].map((i) => fieldKey(i, i.name)));
    let wave = [...fieldsPending].filter((i) => !readsOf(i).some((n) => keys.has(fieldKey(i, n))));
    if (!wave.length) wave = [...fieldsPending]; // a cycle: let the server report it
    for (const item of wave) fieldsPending.delete(item);
    await each(
      wave,
      "computed_field",
      result,
      options,
      async (item) => {
        const dsId = datastoreIdOf(item);
        const doc = item.field!.doc;
        const reads = readsOf(item).find((name) => uncreatedFields.has(fieldKey(item, name)));
        if (reads !== undefined) {
          throw new NameError(
            `not applied: it reads the computed field '${reads}', which was not created; run again`,
          );
        }
        if (item.action === "create") {
          const properties = await resolveProperties(state, doc.properties, dsId);
          const containerId = await state.containerId(dsId, item.container!);
          const body: ApiObject = { ...doc, properties, container_id: containerId };
          markManaged(body);
          await createOnce(
            () => createComputedField(client, body),
            async () =>
              ((await getContainer(client, containerId)).computed_fields as ApiObject[] | undefined)
                ?.find((f) => f.name === item.name),
          );
          uncreatedFields.delete(fieldKey(item, item.name));
          return "created";
        }
        const current = exportComputedField(item.server!, lookups);
        const merged: ApiObject = { ...current, ...doc };
        const resolvedProps = await resolveProperties(state, merged.properties, dsId);
        const body: ApiObject = { ...merged, properties: resolvedProps };
        delete body.container_id;
        markManaged(body);
        await updateComputedField(client, item.id!, body);
        return "updated";
      },
      inNameOrder(
        (item) => `${item.datastore ?? ""}\u0000${item.container ?? ""}`,
        (item) => computedFieldStem(item),
        (item) => fileStem(item.file),
      ),
    );
  }

  // --- checks
  await each(of("check", "create", "update"), "check", result, options, async (item) => {
    const dsId = datastoreIdOf(item);
    const doc = item.check!.doc;
    const uses = [
      ...namesOf(doc.fields),
      doc.anomaly_message_field,
      isObject(doc.properties) ? doc.properties.field_name : undefined,
    ];
    const waiting = uses.find((name) =>
      typeof name === "string" && uncreatedFields.has(fieldKey(item, name))
    );
    if (waiting !== undefined) {
      throw new NameError(
        `not applied: it uses the computed field '${waiting}', which was not created; run again`,
      );
    }
    const properties = await resolveProperties(state, doc.properties, dsId);
    if (item.action === "create") {
      const containerId = typeof doc.container_id === "number"
        ? doc.container_id
        : await state.containerId(dsId, item.container!);
      const body: ApiObject = {
        container_id: containerId,
        rule: doc.rule_type,
        description: doc.description || "Imported quality check",
        fields: doc.fields ?? [],
        coverage: doc.coverage ?? null,
        filter: doc.filter ?? null,
        properties,
        tags: doc.tags ?? [],
        additional_metadata: doc.additional_metadata ?? {},
        status: doc.status ?? "Active",
      };
      for (const key of ["owner_id", "default_anomaly_assignee_id", "anomaly_message_field"]) {
        if (key in doc) body[key] = doc[key];
      }
      await createOnce(
        () => createQualityCheck(client, body),
        async () =>
          (await listQualityChecks(client, { datastore: dsId, container: [containerId] }))
            .find((c) => storedCheckUid(c.additional_metadata) === item.name),
      );
      return "created";
    }
    const server = item.server!;
    const serverMetadata = isObject(server.additional_metadata) ? server.additional_metadata : {};
    const internal: ApiObject = {};
    for (const key of INTERNAL_METADATA_KEYS) {
      if (key in serverMetadata) internal[key] = serverMetadata[key];
    }
    const base: ApiObject = {
      description: server.description,
      fields: namesOf(server.fields),
      coverage: server.coverage ?? null,
      filter: server.filter ?? null,
      anomaly_message_field: server.anomaly_message_field ?? null,
      properties: server.properties ?? {},
      tags: namesOf(server.global_tags),
      additional_metadata: serverMetadata,
      status: server.status && !server.deleted_at ? server.status : "Active",
    };
    const { container: _c, container_id: _i, rule_type: _r, ...changes } = doc;
    const body: ApiObject = { ...base, ...changes };
    if ("properties" in doc) body.properties = properties;
    body.additional_metadata = {
      ...(isObject(doc.additional_metadata) ? doc.additional_metadata : serverMetadata),
      ...internal,
    };
    if (!body.description) body.description = `${server.rule_type} quality check`;
    if (server.deleted_at && !["Active", "Draft"].includes(body.status as string)) {
      body.status = "Active";
    }
    await updateQualityCheck(client, item.id!, body);
    return "updated";
  }, inFileOrder);

  // --- prunes: checks, then computed fields, then computed containers
  for (const kind of ["check", "computed_field", "container"] as const) {
    await each(of(kind, "delete"), kind, result, options, async (item) => {
      if (kind === "check") await deleteQualityCheck(client, item.id!, { archive: true });
      else if (kind === "computed_field") await deleteComputedField(client, item.id!);
      else await deleteContainer(client, item.id!);
      return "deleted";
    });
  }
  return result;
}

/** Whether anything failed. */
export function importFailed(result: ImportResult): boolean {
  return result.errors.length > 0 ||
    Object.values(result.summary).some((row) => row.failed > 0);
}
