/**
 * Fetching what `config export` and `checks export` write, with as few requests as the API
 * allows and every request through the client's shared, bounded pool:
 *
 * - one `GET /datastores/{id}` per datastore, one `GET /connections/{id}` per distinct
 *   connection (deduplicated across datastores), the enrichment datastore only when it is not
 *   one of the exported ones;
 * - one paged `GET /containers?datastore=ID` and one paged `GET /quality-checks?datastore=ID`
 *   per datastore, all datastores at once;
 * - `GET /containers/{id}` only where a listing item lists no `computed_fields` (missing or
 *   empty: the API has no list endpoint for computed fields, so a container's fields come from
 *   its detail) and for referenced containers that no fetched listing holds;
 * - `checks export`: its paged check listing, plus the unfiltered one when filtered (for the
 *   numbering) or `GET /containers/listing` when not (the folders it manages);
 * - `GET /datastores/{id}` only for referenced datastores that were not fetched yet;
 * - `config export`: the lists of every datastore (two paged listings: source and enrichment)
 *   and, with connections, of every connection (one paged listing), which the folder and file
 *   names are numbered over.
 *
 * Every lookup is cached for the run, so nothing is fetched twice (the original re-fetches per
 * reference, `config-as-code.md` §15.10).
 *
 * @module
 */

import type { QualyticsClient } from "../../client/http_client.ts";
import type { TaskPriority } from "../../client/pool.ts";
import { NotFoundError } from "../../client/errors.ts";
import { getConnection, listConnections } from "../../api/connections.ts";
import { getContainer, listContainerListing, listContainers } from "../../api/containers.ts";
import { getDatastore, listAllDatastores } from "../../api/datastores.ts";
import { getCurrentUser } from "../../api/directory.ts";
import { listQualityChecks } from "../../api/quality_checks.ts";
import { type ChecksExportFilters, checksExportQuery, isFilteredChecksExport } from "./options.ts";
import {
  type DatastoreExport,
  EXPORT_RESOURCES,
  type ExportListings,
  type ExportResource,
} from "./plan.ts";
import {
  type ApiObject,
  type ExportLookups,
  isComputedContainer,
  REFERENCE_RULE_TYPES,
} from "./transform.ts";

function isObject(value: unknown): value is ApiObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isInt(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

/**
 * Per-run cache of single-object GETs: the first request for an id is shared by every caller,
 * so concurrent lookups of the same object cost one request.
 */
export class ExportCache {
  readonly #datastores = new Map<number, Promise<ApiObject>>();
  readonly #connections = new Map<number, Promise<ApiObject>>();
  readonly #containers = new Map<number, Promise<ApiObject>>();
  #allConnections?: Promise<ApiObject[]>;
  #allDatastores?: Promise<ApiObject[]>;

  constructor(readonly client: QualyticsClient) {}

  /** Every connection (`GET /connections`, all pages), listed once per run. */
  allConnections(): Promise<ApiObject[]> {
    return this.#allConnections ??= listConnections(this.client) as Promise<ApiObject[]>;
  }

  /** Every datastore, source and enrichment ones (`listAllDatastores`), listed once per run. */
  allDatastores(): Promise<ApiObject[]> {
    return this.#allDatastores ??= listAllDatastores(this.client) as Promise<ApiObject[]>;
  }

  /** `GET /datastores/{id}`, once per id. */
  datastore(id: number): Promise<ApiObject> {
    return memo(this.#datastores, id, () => getDatastore(this.client, id));
  }

  /** Records a datastore fetched elsewhere (so a later lookup costs nothing). */
  knowDatastore(datastore: ApiObject): void {
    if (isInt(datastore.id) && !this.#datastores.has(datastore.id)) {
      this.#datastores.set(datastore.id, Promise.resolve(datastore));
    }
  }

  /** `GET /connections/{id}`, once per id. */
  connection(id: number): Promise<ApiObject> {
    return memo(this.#connections, id, () => getConnection(this.client, id));
  }

  /**
   * `GET /containers/{id}` (the detail, with `computed_fields`), once per id; `background`
   * for bulk lookups that may wait behind every other request.
   */
  container(id: number, priority?: TaskPriority): Promise<ApiObject> {
    return memo(this.#containers, id, () => getContainer(this.client, id, { priority }));
  }
}

function memo(
  map: Map<number, Promise<ApiObject>>,
  id: number,
  load: () => Promise<ApiObject>,
): Promise<ApiObject> {
  let promise = map.get(id);
  if (!promise) {
    promise = load();
    map.set(id, promise);
  }
  return promise;
}

/** A reference that points at an object the server does not have (left as an id). */
async function orMissing(promise: Promise<ApiObject>): Promise<ApiObject | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Options of {@link fetchConfigExport}. */
export interface FetchConfigOptions {
  /** The datastores to export, in `--datastore-id` order (repeated ids are exported once). */
  datastoreIds: readonly number[];
  /** The resource kinds to export (all when absent). */
  include?: Iterable<ExportResource>;
  /** Reuse a cache (and its already fetched objects) across calls of one run. */
  cache?: ExportCache;
  /**
   * Called once the checks of every datastore, its container listing and the objects its
   * checks refer to are fetched, while the container details (computed fields) may still be
   * on their way: enough to render the check files meanwhile. The entries are the ones the
   * result will hold, without `computedFields` yet; the lookups cover what checks refer to.
   */
  onChecks?: (fetched: FetchedConfig) => void;
}

/** What {@link fetchConfigExport} returns: the input of `planConfigExport`. */
export interface FetchedConfig {
  datastores: DatastoreExport[];
  lookups: ExportLookups;
  /** The whole lists the export's paths are numbered over. */
  listings?: ExportListings;
}

/**
 * Fetches everything `config export` needs for the given datastores.
 *
 * @example
 * ```ts
 * const { datastores, lookups } = await fetchConfigExport(client, { datastoreIds: [21, 22] });
 * const plan = planConfigExport(datastores, lookups);
 * ```
 */
export async function fetchConfigExport(
  client: QualyticsClient,
  options: FetchConfigOptions,
): Promise<FetchedConfig> {
  const include = new Set<ExportResource>(options.include ?? EXPORT_RESOURCES);
  const cache = options.cache ?? new ExportCache(client);
  const ids = [...new Set(options.datastoreIds)];

  const needConnection = include.has("connections") || include.has("datastores");
  const needContainers = include.has("containers") || include.has("computed_fields");

  // Paths are numbered over every datastore (folders) and every connection (files), whatever
  // subset is exported: one listing of each per run, at once with everything else.
  const allDatastores = cache.allDatastores();
  const allConnections = include.has("connections") ? cache.allConnections() : undefined;
  for (const promise of [allDatastores, allConnections]) promise?.catch(() => {});
  const listingsOf = async (): Promise<ExportListings> => ({
    datastores: await allDatastores,
    connections: await allConnections,
  });

  // The listings are keyed by the datastore id alone, so every datastore's requests start at
  // once instead of after the datastore objects arrive, and a datastore's container details
  // start as soon as its container listing arrives (not after every check page): the pool is
  // kept full from the first request on.
  const started = ids.map((id) => {
    const datastore = cache.datastore(id);
    const containers: Promise<ApiObject[]> = needContainers
      ? listContainers(client, { datastore: [id] }) as Promise<ApiObject[]>
      : Promise.resolve([]);
    const checks: Promise<ApiObject[]> = include.has("checks")
      ? listQualityChecks(client, { datastore: id }) as Promise<ApiObject[]>
      : Promise.resolve([]);
    const computed = include.has("computed_fields")
      ? containers.then((list) => fetchComputedFields(cache, list))
      : Promise.resolve(undefined);
    // Failures surface through the awaits below; this keeps one that settles while another
    // request is awaited from being an unhandled rejection.
    for (const promise of [datastore, containers, checks, computed]) promise.catch(() => {});
    return { datastore, containers, checks, computed };
  });
  const datastores = await Promise.all(started.map((request) => request.datastore));

  const connectionOf = async (datastore: ApiObject): Promise<ApiObject | null> => {
    if (isObject(datastore.connection)) return datastore.connection;
    if (isInt(datastore.connection_id)) return await cache.connection(datastore.connection_id);
    return null;
  };
  const enrichmentConnectionOf = async (datastore: ApiObject): Promise<ApiObject | null> => {
    const enrichment = datastore.enrich_datastore;
    if (!isObject(enrichment)) return null;
    if (isObject(enrichment.connection)) return enrichment.connection;
    if (!isInt(enrichment.id)) return null;
    return connectionOf(await cache.datastore(enrichment.id));
  };

  const entries = await Promise.all(datastores.map(async (datastore, index) => {
    const request = started[index];
    const [connection, enrichmentConnection, containers, checks] = await Promise.all([
      needConnection ? connectionOf(datastore) : null,
      include.has("connections") ? enrichmentConnectionOf(datastore) : null,
      request.containers,
      request.checks,
    ]);
    const entry: DatastoreExport = {
      datastore,
      connection,
      enrichmentConnection,
      containers,
      checks,
    };
    return entry;
  }));
  if (needContainers || include.has("checks")) await requireReadableData(client, entries);
  if (options.onChecks && include.has("checks")) {
    const [lookups, listings] = await Promise.all([
      resolveReferences(cache, entries, new Set(["checks"])),
      listingsOf(),
    ]);
    options.onChecks({ datastores: entries, lookups, listings });
  }
  for (const [index, computed] of (await Promise.all(started.map((r) => r.computed))).entries()) {
    if (computed) entries[index].computedFields = computed;
  }

  // Check references again too: their objects come from the cache, no request is repeated.
  const lookups = await resolveReferences(cache, entries, include);
  return { datastores: entries, lookups, listings: await listingsOf() };
}

/** A datastore whose data the caller may not read (see {@link requireReadableData}). */
export class UnreadableDatastoreError extends Error {
  override name = "UnreadableDatastoreError";
}

const teamNamesOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map((team) => isObject(team) ? String(team.name) : String(team)).filter(Boolean)
    : [];

/**
 * The API lists only what the caller may see: a Manager lists every datastore but reads its
 * containers and checks only through a team of the datastore (api/endpoints.md "Roles and
 * permissions"), so a datastore with no container and no check may just be unreadable, and
 * exporting it would remove every file of its folder. When both lists are empty, `GET
 * /users/me` tells: unless the caller is an Admin or in one of the datastore's teams (`Public`
 * holds every user), that is an error and nothing is written. Costs no request otherwise.
 */
async function requireReadableData(
  client: QualyticsClient,
  entries: readonly DatastoreExport[],
): Promise<void> {
  const empty = entries.filter((entry) => !entry.containers.length && !entry.checks.length);
  if (!empty.length) return;
  const me = await getCurrentUser(client);
  // Only a known non-Admin role with a team list is judged; anything else is trusted.
  if ((me.role !== "Manager" && me.role !== "Member") || !Array.isArray(me.teams)) return;
  const mine = new Set([...teamNamesOf(me.teams), "Public"]);
  for (const { datastore } of empty) {
    const teams = teamNamesOf(datastore.teams);
    if (teams.some((name) => mine.has(name))) continue;
    throw new UnreadableDatastoreError(
      `Datastore '${datastore.name}' (id ${datastore.id}) belongs to no team of yours ` +
        `(its teams: ${teams.length ? teams.join(", ") : "none"}): the API lists none of its ` +
        "containers and checks to you, so nothing was exported. Ask an administrator to add " +
        "you to one of its teams, or export with an Admin token.",
    );
  }
}

/**
 * Computed fields of listed containers: only the container detail has them, unless the listing
 * item already lists some (an empty or missing `computed_fields` is read in detail, as the
 * original does: `config-as-code.md` §6 step 5). One request per such container, so they wait
 * behind the listings (background): the check pages arrive first and their files can be
 * rendered while these come in.
 */
async function fetchComputedFields(
  cache: ExportCache,
  containers: readonly ApiObject[],
): Promise<Map<number, readonly ApiObject[]>> {
  const computed = new Map<number, readonly ApiObject[]>();
  await Promise.all(containers.map(async (container) => {
    const listed = container.computed_fields;
    if ((Array.isArray(listed) && listed.length) || !isInt(container.id)) return;
    const detail = await cache.container(container.id, "background");
    const fields = Array.isArray(detail.computed_fields)
      ? detail.computed_fields.filter(isObject)
      : [];
    computed.set(container.id, fields);
  }));
  return computed;
}

/**
 * The containers and datastores that exported objects reference by id but no listing holds
 * (a join side, `existsIn` target or computed field reference in another datastore).
 */
async function resolveReferences(
  cache: ExportCache,
  entries: readonly DatastoreExport[],
  include: ReadonlySet<ExportResource>,
): Promise<ExportLookups> {
  const knownContainers = new Set<number>();
  const knownDatastores = new Set<number>();
  for (const entry of entries) {
    if (isInt(entry.datastore.id)) knownDatastores.add(entry.datastore.id);
    for (const container of entry.containers) {
      if (isInt(container.id)) knownContainers.add(container.id);
    }
  }
  const containerIds = new Set<number>();
  const datastoreIds = new Set<number>();
  const fromProperties = (properties: unknown) => {
    if (!isObject(properties)) return;
    if (isInt(properties.ref_container_id)) containerIds.add(properties.ref_container_id);
    if (isInt(properties.ref_datastore_id)) datastoreIds.add(properties.ref_datastore_id);
  };
  for (const entry of entries) {
    if (include.has("containers")) {
      for (const container of entry.containers) {
        if (!isComputedContainer(container)) continue;
        for (const key of ["source_container_id", "left_container_id", "right_container_id"]) {
          if (isInt(container[key])) containerIds.add(container[key] as number);
        }
        if (Array.isArray(container.sources)) {
          for (const source of container.sources) {
            if (isObject(source) && isInt(source.container_id)) {
              containerIds.add(source.container_id);
            }
          }
        }
      }
    }
    if (include.has("computed_fields")) {
      for (const container of entry.containers) {
        const own = Array.isArray(container.computed_fields) ? container.computed_fields : [];
        const fetched = isInt(container.id) ? entry.computedFields?.get(container.id) ?? [] : [];
        for (const field of [...own, ...fetched]) {
          if (isObject(field)) fromProperties(field.properties);
        }
      }
    }
    if (include.has("checks")) {
      for (const check of entry.checks) {
        if (REFERENCE_RULE_TYPES.includes(check.rule_type as string)) {
          fromProperties(check.properties);
        }
      }
    }
  }
  return await fetchLookups(
    cache,
    [...containerIds].filter((id) => !knownContainers.has(id)),
    [...datastoreIds].filter((id) => !knownDatastores.has(id)),
  );
}

async function fetchLookups(
  cache: ExportCache,
  containerIds: readonly number[],
  datastoreIds: readonly number[],
): Promise<ExportLookups> {
  const containers = new Map<number, ApiObject>();
  const datastores = new Map<number, ApiObject>();
  await Promise.all([
    ...containerIds.map(async (id) => {
      const container = await orMissing(cache.container(id));
      if (container) containers.set(id, container);
    }),
    ...datastoreIds.map(async (id) => {
      const datastore = await orMissing(cache.datastore(id));
      if (datastore) datastores.set(id, datastore);
    }),
  ]);
  return { containers, datastores };
}

/** What {@link fetchChecksExport} returns: the input of `planChecksExport`. */
export interface FetchedChecks {
  checks: ApiObject[];
  lookups: ExportLookups;
  /**
   * With a filter only: the checks an unfiltered export holds (API order), over which the UIDs
   * and file names are numbered, so that a filtered export writes the same files.
   */
  unfiltered?: ApiObject[];
  /**
   * Without a filter only: the datastore's containers (`GET /containers/listing`), whose check
   * folders the export manages (removes stale check files from).
   */
  containers?: ApiObject[];
}

/** The `GET /quality-checks` query of `checks export` with these filters. */
function checksQuery(filters: ChecksExportFilters): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of checksExportQuery(filters)) {
    const current = query[key];
    if (key === "container" || key === "tag") {
      query[key] = [...(Array.isArray(current) ? current : []), value];
    } else query[key] = value;
  }
  return query;
}

/**
 * Fetches the checks of one datastore with the filters of `checks export` (one paged listing),
 * plus the containers and datastores their reference rules point at (once each). At the same
 * time, with a filter, the unfiltered listing (the numbering of UIDs and file names depends on
 * every check of the datastore); without one, the datastore's container listing (one request).
 */
export async function fetchChecksExport(
  client: QualyticsClient,
  filters: ChecksExportFilters,
  cache: ExportCache = new ExportCache(client),
): Promise<FetchedChecks> {
  const filtered = isFilteredChecksExport(filters);
  const listing = client.paginate<ApiObject>("quality-checks", checksQuery(filters));
  const unfiltered = filtered
    ? client.paginate<ApiObject>(
      "quality-checks",
      checksQuery({ datastoreId: filters.datastoreId }),
    )
    : undefined;
  const containers = filtered ? undefined : listContainerListing(client, filters.datastoreId).then(
    (list: unknown) => Array.isArray(list) ? list.filter(isObject) : [],
    (error) => {
      // An unknown datastore has no containers (its check listing is empty too).
      if (error instanceof NotFoundError) return [];
      throw error;
    },
  );
  // Awaited below; one that fails while another is awaited must not count as unhandled.
  for (const promise of [listing, unfiltered, containers]) promise?.catch(() => {});
  const checks = await listing;
  const containerIds = new Set<number>();
  const datastoreIds = new Set<number>();
  for (const check of checks) {
    if (!REFERENCE_RULE_TYPES.includes(check.rule_type as string)) continue;
    const properties = check.properties;
    if (!isObject(properties)) continue;
    if (isInt(properties.ref_container_id)) containerIds.add(properties.ref_container_id);
    if (isInt(properties.ref_datastore_id)) datastoreIds.add(properties.ref_datastore_id);
  }
  const lookups = await fetchLookups(cache, [...containerIds], [...datastoreIds]);
  return { checks, lookups, unfiltered: await unfiltered, containers: await containers };
}
