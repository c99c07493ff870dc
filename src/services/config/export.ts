/**
 * `config export` and `checks export` end to end: fetch, plan, then mirror the plan into the
 * output folder — atomically, only where content changed, removing the files of resources that
 * no longer exist, and only inside the folders the export manages (`PRODUCT.md` "Exports mirror
 * the server").
 *
 * Managed files (nothing else is ever removed):
 *
 * - `config export`, per exported datastore `datastores/<slug>/`, for the included kinds:
 *   `_datastore.yaml`, `containers/* /_container.yaml`, `containers/* /computed_fields/*.yaml`,
 *   `checks/* /*.yaml`; and `connections/*.yaml` when connections are included — but a
 *   connection file is removed only when no connection of that `name` exists on the server any
 *   more (another datastore's export may have written it).
 * - `checks export`: `<output>/* /*.yaml`, and only when no filter (`--containers`, `--tags`,
 *   `--status`) narrows the export (a filtered export is partial by design).
 *
 * Folders left empty by a removal are removed too, up to (not including) the datastore folder
 * or the `checks export` output folder.
 *
 * @module
 */

import * as path from "node:path";
import type { QualyticsClient } from "../../client/http_client.ts";
import { mapConcurrent } from "../../client/pool.ts";
import { listConnections } from "../../api/connections.ts";
import type { FileSystem } from "../../util/fs.ts";
import { loadYaml } from "../../util/yaml.ts";
import { datastoreDirName } from "./naming.ts";
import { ExportCache, fetchChecksExport, fetchConfigExport } from "./fetch.ts";
import type { ChecksExportFilters } from "./options.ts";
import {
  EXPORT_RESOURCES,
  type ExportResource,
  planChecksExport,
  planConfigExport,
  type PlannedFile,
} from "./plan.ts";

/**
 * The files an export manages below its root: path patterns relative to the root, where a `*`
 * segment matches any one folder name and a last segment `*.yaml` any YAML file.
 */
export interface ManagedScope {
  patterns: string[];
  /** Folders (relative) that are never removed even when empty. */
  keep: string[];
  /** Folders (relative) below which empty folders may be removed. */
  pruneBelow: string[];
}

/** How a folder was brought in line with a plan. */
export interface WriteSummary {
  /** Relative paths written (new or changed), in plan order. */
  written: string[];
  /** Number of planned files whose content was already on disk. */
  unchanged: number;
  /** Relative paths of removed stale files, sorted. */
  removed: string[];
}

/** The managed scope of `config export` for the given datastore folders and kinds. */
export function configScope(
  datastoreDirs: readonly string[],
  include: ReadonlySet<ExportResource>,
): ManagedScope {
  const patterns: string[] = [];
  if (include.has("connections")) patterns.push("connections/*.yaml");
  const keep = ["connections", "datastores"];
  const pruneBelow: string[] = [];
  for (const dir of new Set(datastoreDirs)) {
    const root = `datastores/${dir}`;
    keep.push(root);
    pruneBelow.push(root);
    if (include.has("datastores")) patterns.push(`${root}/_datastore.yaml`);
    if (include.has("containers")) patterns.push(`${root}/containers/*/_container.yaml`);
    if (include.has("computed_fields")) {
      patterns.push(`${root}/containers/*/computed_fields/*.yaml`);
    }
    if (include.has("checks")) patterns.push(`${root}/checks/*/*.yaml`);
  }
  return { patterns, keep, pruneBelow };
}

/** The managed scope of an unfiltered `checks export`. */
export const CHECKS_SCOPE: ManagedScope = { patterns: ["*/*.yaml"], keep: [""], pruneBelow: [""] };

function segments(relative: string): string[] {
  return relative.split("/").filter((part) => part !== "");
}

/** Every existing file of the scope, as sorted relative paths. */
export async function listManagedFiles(
  fs: FileSystem,
  root: string,
  scope: ManagedScope,
): Promise<string[]> {
  const found = new Set<string>();
  const walk = async (dir: string[], pattern: string[]): Promise<void> => {
    const [head, ...rest] = pattern;
    const entries = await fs.readDir(path.join(root, ...dir));
    for (const entry of entries) {
      if (rest.length === 0) {
        const matches = head === "*.yaml"
          ? entry.name.endsWith(".yaml")
          : head === "*"
          ? true
          : entry.name === head;
        if (matches && entry.isFile) found.add([...dir, entry.name].join("/"));
      } else if (entry.isDirectory && (head === "*" || entry.name === head)) {
        await walk([...dir, entry.name], rest);
      }
    }
  };
  for (const pattern of scope.patterns) await walk([], segments(pattern));
  return [...found].sort();
}

/** Normalises a planned path (`datastores//x` of an empty slug) the way the file system does. */
function normalize(relative: string): string {
  return segments(relative).join("/");
}

/**
 * Whether a file below `root` may exist, from one listing per folder (none below a folder that
 * is not there): a fresh export of thousands of files then costs no failed read per file. Only
 * a definite "no" is trusted; a name that differs just in case (a case-insensitive file system)
 * or a path with `.`/`..` segments answers "maybe", and the caller reads the file as before.
 */
function existenceIndex(
  fs: FileSystem,
  root: string,
): (relative: string) => Promise<boolean> {
  // A listing holds each name as it is and lower-cased.
  const listings = new Map<string, Promise<Set<string>>>();
  const namesIn = (dir: string[]): Promise<Set<string>> => {
    const key = dir.join("/");
    let listing = listings.get(key);
    if (!listing) {
      listing = dir.length === 0
        ? listNames(fs, root)
        : mayHave(dir.slice(0, -1), dir[dir.length - 1]).then((present) =>
          present ? listNames(fs, path.join(root, ...dir)) : new Set<string>()
        );
      listings.set(key, listing);
    }
    return listing;
  };
  const mayHave = async (dir: string[], name: string): Promise<boolean> => {
    const names = await namesIn(dir);
    return names.has(name) || names.has(name.toLowerCase());
  };
  return (relative) => {
    const parts = segments(relative);
    if (parts.some((part) => part === "." || part === "..")) return Promise.resolve(true);
    return mayHave(parts.slice(0, -1), parts[parts.length - 1]);
  };
}

async function listNames(fs: FileSystem, dir: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const entry of await fs.readDir(dir)) names.add(entry.name).add(entry.name.toLowerCase());
  return names;
}

/** Decides whether a managed file that the plan does not contain is stale. */
export type StaleFilter = (relativePath: string) => Promise<boolean>;

/**
 * Writes the planned files below `root` (atomically, only when the content differs) and
 * removes the managed files the plan no longer contains.
 */
export async function mirrorFolder(
  fs: FileSystem,
  root: string,
  files: readonly PlannedFile[],
  scope: ManagedScope,
  isStale: StaleFilter = () => Promise.resolve(true),
): Promise<WriteSummary> {
  const summary: WriteSummary = { written: [], unchanged: 0, removed: [] };
  const planned = new Set(files.map((file) => normalize(file.path)));
  const mayExist = existenceIndex(fs, root);
  // File I/O is independent per file; a small bound keeps descriptors in check.
  const outcomes = await mapConcurrent(files, 16, async (file) => {
    const relative = normalize(file.path);
    const target = path.join(root, ...segments(relative));
    if (await mayExist(relative) && (await fs.readTextFile(target)) === file.content) {
      return undefined;
    }
    await fs.writeTextFile(target, file.content);
    return relative;
  });
  for (const written of outcomes) {
    if (written === undefined) summary.unchanged++;
    else summary.written.push(written);
  }
  const stale = await findStale(fs, root, planned, scope, isStale);
  for (const relative of stale) {
    await fs.remove(path.join(root, ...segments(relative)));
    summary.removed.push(relative);
  }
  await removeEmptyFolders(fs, root, stale, scope);
  return summary;
}

/** Managed files on disk that the plan does not contain and `isStale` confirms. */
export async function findStale(
  fs: FileSystem,
  root: string,
  planned: ReadonlySet<string>,
  scope: ManagedScope,
  isStale: StaleFilter = () => Promise.resolve(true),
): Promise<string[]> {
  const stale: string[] = [];
  for (const relative of await listManagedFiles(fs, root, scope)) {
    if (!planned.has(relative) && await isStale(relative)) stale.push(relative);
  }
  return stale;
}

async function removeEmptyFolders(
  fs: FileSystem,
  root: string,
  removed: readonly string[],
  scope: ManagedScope,
): Promise<void> {
  const keep = new Set(scope.keep.map(normalize));
  const below = scope.pruneBelow.map(normalize);
  const candidates = new Set<string>();
  for (const relative of removed) {
    const parts = segments(relative);
    for (let length = parts.length - 1; length > 0; length--) {
      candidates.add(parts.slice(0, length).join("/"));
    }
  }
  // Deepest first, so a parent is looked at after its emptied children.
  const ordered = [...candidates].sort((a, b) => segments(b).length - segments(a).length);
  for (const dir of ordered) {
    if (keep.has(dir)) continue;
    if (!below.some((base) => base === "" || dir.startsWith(`${base}/`))) continue;
    const target = path.join(root, ...segments(dir));
    if ((await fs.readDir(target)).length === 0) await fs.remove(target);
  }
}

/**
 * The stale filter of `connections/*.yaml`: a connection file not in the plan is stale only
 * when no connection of its `name` exists on the server (one paged listing, made only when such
 * a file exists). Unreadable files and files without a name are kept.
 */
export function connectionStaleFilter(
  client: QualyticsClient,
  fs: FileSystem,
  root: string,
): StaleFilter {
  let names: Promise<Set<string>> | undefined;
  return async (relative) => {
    if (!relative.startsWith("connections/")) return true;
    const text = await fs.readTextFile(path.join(root, ...segments(relative)));
    let name: unknown;
    try {
      const data = loadYaml(text ?? "");
      name = data && typeof data === "object" ? (data as Record<string, unknown>).name : undefined;
    } catch {
      return false;
    }
    if (typeof name !== "string" || name === "") return false;
    names ??= listConnections(client).then((list) => new Set(list.map((item) => item.name)));
    return !(await names).has(name);
  };
}

/** Options of {@link exportConfig}. */
export interface ConfigExportOptions {
  datastoreIds: readonly number[];
  /** The output folder (absolute, or relative to the process's working directory). */
  output: string;
  /** Resource kinds to export (all when absent). */
  include?: ReadonlySet<ExportResource>;
}

/** The result of {@link exportConfig}. */
export interface ConfigExportResult extends WriteSummary {
  /** "Exported" counts of the summary table, per resource kind. */
  counts: Record<ExportResource, number>;
  /** Number of files the export consists of. */
  files: number;
}

/** The planned files of `config export` and the scope they manage, without writing. */
export async function planLiveConfig(
  client: QualyticsClient,
  options: { datastoreIds: readonly number[]; include?: ReadonlySet<ExportResource> },
  cache: ExportCache = new ExportCache(client),
): Promise<{
  files: PlannedFile[];
  counts: Record<ExportResource, number>;
  scope: ManagedScope;
}> {
  const include = new Set(options.include ?? EXPORT_RESOURCES);
  const fetched = await fetchConfigExport(client, {
    datastoreIds: options.datastoreIds,
    include,
    cache,
  });
  const plan = planConfigExport(fetched.datastores, fetched.lookups, { include });
  const scope = configScope(
    fetched.datastores.map((entry) => datastoreDirName(entry.datastore)),
    include,
  );
  return { files: plan.files, counts: plan.counts, scope };
}

/**
 * Exports the configuration of the datastores into `output`. Nothing is written unless every
 * request succeeded (the plan is complete before the first write).
 */
export async function exportConfig(
  client: QualyticsClient,
  fs: FileSystem,
  options: ConfigExportOptions,
): Promise<ConfigExportResult> {
  const live = await planLiveConfig(client, options);
  const summary = await mirrorFolder(
    fs,
    options.output,
    live.files,
    live.scope,
    connectionStaleFilter(client, fs, options.output),
  );
  return { ...summary, counts: live.counts, files: live.files.length };
}

/** Options of {@link exportChecks}. */
export interface ChecksExportOptions extends ChecksExportFilters {
  /** The output folder: `<output>/<container>/<file>.yaml`. */
  output: string;
}

/** The result of {@link exportChecks}. */
export interface ChecksExportResult extends WriteSummary {
  /** Checks exported. */
  exported: number;
  /** Distinct container folders. */
  containers: number;
  /** Whether a filter narrowed the export (then nothing is removed). */
  filtered: boolean;
}

/** Whether `checks export` filters make the export partial. */
export function isFilteredChecksExport(filters: ChecksExportFilters): boolean {
  return Boolean(filters.containers?.length || filters.tags?.length || filters.status);
}

/**
 * Exports the checks of one datastore into `output` (the `checks/` layout). With no check
 * found nothing is written; stale files of an unfiltered export are still removed.
 */
export async function exportChecks(
  client: QualyticsClient,
  fs: FileSystem,
  options: ChecksExportOptions,
): Promise<ChecksExportResult> {
  const fetched = await fetchChecksExport(client, options, new ExportCache(client));
  const plan = planChecksExport(fetched.checks, fetched.lookups);
  const filtered = isFilteredChecksExport(options);
  const scope = filtered ? { patterns: [], keep: [], pruneBelow: [] } : CHECKS_SCOPE;
  const summary = await mirrorFolder(fs, options.output, plan.files, scope);
  return { ...summary, exported: plan.exported, containers: plan.containers, filtered };
}
