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
 *   and the check files (YAML mappings with `rule_type`) among `checks/* /*.yaml` and
 *   `checks/*.yaml` (where a container name that slugs to "" puts them); and
 *   `connections/*.yaml` when connections are included — but a connection file is removed only
 *   when no connection of that `name` exists on the server any more (another datastore's export
 *   may have written it).
 * - `checks export`: the check files among `<output>/<dir>/*.yaml`, where `<dir>` is a folder
 *   this datastore's export uses (the folder of one of its containers, of an exported check,
 *   or `_no_container`); and only when no filter (`--containers`, `--tags`, `--status`)
 *   narrows the export (a filtered export is partial by design). The output folder may be any
 *   folder (`-o .` in a repository, or a home folder): nothing else in it is ever touched.
 *
 * A `*` never matches a hidden folder (a name starting with `.`), and links are never followed.
 * Folders left empty by a removal are removed too, up to (not including) the datastore folder
 * or the `checks export` output folder.
 *
 * @module
 */

import * as path from "node:path";
import type { QualyticsClient } from "../../client/http_client.ts";

import type { BatchWriter } from "../../util/batch_writer.ts";
import type { FileSystem } from "../../util/fs.ts";
import { TEMP_FILE_SUFFIX } from "../../util/temp_file.ts";
import { loadYaml } from "../../util/yaml.ts";
import { PLAIN_CONTAINER_TYPES } from "./transform.ts";
import { checkContainerDirName, NO_CONTAINER_DIR } from "./naming.ts";
import { yieldToEventLoop } from "../../util/event_loop.ts";
import { ExportCache, fetchChecksExport, fetchConfigExport, type FetchedConfig } from "./fetch.ts";
import { type ChecksExportFilters, isFilteredChecksExport } from "./options.ts";
import {
  checkFiles,
  type ChecksPlan,
  checksPlanOf,
  datastoreDirs,
  EXPORT_RESOURCES,
  type ExportResource,
  type NumberedPath,
  planChecksExport,
  planConfigExport,
  type PlannedFile,
  withOwnObjects,
} from "./plan.ts";

/**
 * The files an export manages below its root: path patterns relative to the root, where a `*`
 * segment matches any one folder name and a last segment `*.yaml` any YAML file.
 */
export interface ManagedScope {
  patterns: string[];
  /**
   * Patterns of check files: files they match are managed only when they are check files (YAML
   * mappings with a `rule_type` key); any other file there is never removed.
   */
  checks?: string[];
  /**
   * Patterns of `_container.yaml` files managed for one kind only: a computed container's
   * (`computed`, by `containers`) or one naming a table for its computed fields (`plain`, by
   * `computed_fields`), told by the file's `container_type` (an unreadable file counts as
   * `computed`). With both kinds included the pattern is among {@link patterns} instead.
   */
  containerFiles?: Array<{ pattern: string; type: "computed" | "plain" }>;
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
  const checks: string[] = [];
  const containerFiles: NonNullable<ManagedScope["containerFiles"]> = [];
  if (include.has("connections")) patterns.push("connections/*.yaml");
  const keep = ["connections", "datastores"];
  const pruneBelow: string[] = [];
  for (const dir of new Set(datastoreDirs)) {
    const root = `datastores/${dir}`;
    keep.push(root);
    pruneBelow.push(root);
    if (include.has("datastores")) patterns.push(`${root}/_datastore.yaml`);
    const containerFile = `${root}/containers/*/_container.yaml`;
    if (include.has("containers") && include.has("computed_fields")) patterns.push(containerFile);
    else if (include.has("containers")) {
      containerFiles.push({ pattern: containerFile, type: "computed" });
    } else if (include.has("computed_fields")) {
      containerFiles.push({ pattern: containerFile, type: "plain" });
    }
    if (include.has("computed_fields")) {
      patterns.push(`${root}/containers/*/computed_fields/*.yaml`);
    }
    // A container name that slugs to "" (`注文`) puts its check files in `checks/` itself.
    if (include.has("checks")) checks.push(`${root}/checks/*/*.yaml`, `${root}/checks/*.yaml`);
  }
  return { patterns, checks, containerFiles, keep, pruneBelow };
}

/**
 * The managed scope of an unfiltered `checks export`: the check files of the given container
 * folders (folder names as the export writes them; an empty name, which would be the output
 * folder itself, and hidden names are left out).
 */
export function checksScope(dirs: Iterable<string>): ManagedScope {
  const checks = [...new Set(dirs)]
    .filter((dir) => dir !== "" && !dir.includes("/") && !isHidden(dir))
    .sort()
    .map((dir) => `${dir}/*.yaml`);
  return { patterns: [], checks, keep: [""], pruneBelow: [""] };
}

function segments(relative: string): string[] {
  return relative.split("/").filter((part) => part !== "");
}

/** A hidden folder (`.git`, `.github`, `.qualytics`): never managed. */
function isHidden(name: string): boolean {
  return name.startsWith(".");
}

/** Whether a file name matches the last segment of a scope pattern. */
function matchesLast(head: string, name: string): boolean {
  return head === "*.yaml" ? name.endsWith(".yaml") : head === "*" ? true : name === head;
}

/**
 * Files in the folders of `patterns` whose names `accept` takes, sorted. A `*` folder segment
 * never matches a hidden folder; links are not followed (a link is neither a file nor a folder
 * here).
 */
async function walkPatterns(
  fs: FileSystem,
  root: string,
  patterns: readonly string[],
  accept: (head: string, name: string) => boolean,
): Promise<string[]> {
  const found = new Set<string>();
  const walk = async (dir: string[], pattern: string[]): Promise<void> => {
    const [head, ...rest] = pattern;
    const entries = await fs.readDir(path.join(root, ...dir));
    for (const entry of entries) {
      if (rest.length === 0) {
        if (entry.isFile && accept(head, entry.name)) found.add([...dir, entry.name].join("/"));
      } else if (
        entry.isDirectory && (head === "*" ? !isHidden(entry.name) : entry.name === head)
      ) {
        await walk([...dir, entry.name], rest);
      }
    }
  };
  for (const pattern of patterns) await walk([], segments(pattern));
  return [...found].sort();
}

/** Files of every pattern of the scope (check patterns too) that `accept` takes, sorted. */
function walkScope(
  fs: FileSystem,
  root: string,
  scope: ManagedScope,
  accept: (head: string, name: string) => boolean,
): Promise<string[]> {
  return walkPatterns(fs, root, [
    ...scope.patterns,
    ...scope.checks ?? [],
    ...(scope.containerFiles ?? []).map((entry) => entry.pattern),
  ], accept);
}

/**
 * Every existing file of the scope, as sorted relative paths (files of check patterns whether
 * or not they are check files: {@link findStale} tells).
 */
export function listManagedFiles(
  fs: FileSystem,
  root: string,
  scope: ManagedScope,
): Promise<string[]> {
  return walkScope(fs, root, scope, matchesLast);
}

/**
 * Whether a `_container.yaml` names a table (`plain`: its `container_type` is one a sync
 * discovers) or is a computed container's (`computed`: anything else, also when unreadable).
 */
async function containerFileType(fs: FileSystem, file: string): Promise<"computed" | "plain"> {
  try {
    const data = await loadYaml((await fs.readTextFile(file)) ?? "");
    const type = data !== null && typeof data === "object" && !Array.isArray(data)
      ? (data as Record<string, unknown>).container_type
      : undefined;
    return PLAIN_CONTAINER_TYPES.includes(type as string) ? "plain" : "computed";
  } catch {
    return "computed";
  }
}

/**
 * Whether the file is a check file: a YAML mapping with a `rule_type` key. Files that cannot
 * be read or parsed are not.
 */
export async function isCheckFile(fs: FileSystem, file: string): Promise<boolean> {
  try {
    const data = await loadYaml((await fs.readTextFile(file)) ?? "");
    return data !== null && typeof data === "object" && !Array.isArray(data) &&
      Object.hasOwn(data, "rule_type");
  } catch {
    return false;
  }
}

/** Temp files that interrupted writes of managed files left (`<file>.tmp-<pid>-<ms>-<n>`). */
function listLeftoverTempFiles(
  fs: FileSystem,
  root: string,
  scope: ManagedScope,
): Promise<string[]> {
  return walkScope(fs, root, scope, (head, name) => {
    const suffix = TEMP_FILE_SUFFIX.exec(name);
    return suffix !== null && matchesLast(head, name.slice(0, suffix.index));
  });
}

/** Normalises a planned path (`datastores//x` of an empty slug) the way the file system does. */
function normalize(relative: string): string {
  return segments(relative).join("/");
}

/** Decides whether a managed file that the plan does not contain is stale. */
export type StaleFilter = (relativePath: string) => Promise<boolean>;

/** A file's content handed to {@link FolderMirror.stage}. */
interface Staged {
  content: string;
  /** Its temp file, `null` when the disk already has the content; unset while batched. */
  temp?: Promise<string | null>;
}

/**
 * Brings a folder in line with a plan: writes the planned files (atomically, only when the
 * content differs) and removes the managed files the plan no longer contains.
 *
 * Files may be staged ahead, while the rest of the plan is still being fetched: a staged file
 * is a temp file next to its destination (written by the file system's batch writer, off the
 * main thread where it can), put in place by {@link commit} only when the final plan has it
 * with the same content. A run that fails before the commit leaves the folder as it was
 * ({@link discard} removes what was staged).
 */
export class FolderMirror {
  readonly #writer: BatchWriter;
  readonly #staged = new Map<string, Staged>();
  /** Paths staged since the writer was last handed a batch. */
  #batch: string[] = [];
  #closed = false;

  constructor(readonly fs: FileSystem, readonly root: string) {
    this.#writer = fs.openBatchWriter();
  }

  #target(relative: string): string {
    return path.join(this.root, ...segments(relative));
  }

  /** Stages `content` for `relativePath` (a temp file, unless the file already has it). */
  stage(relativePath: string, content: string): void {
    if (this.#closed) throw new Error("FolderMirror: stage() after commit() or discard()");
    const relative = normalize(relativePath);
    const previous = this.#staged.get(relative);
    if (previous?.content === content) return;
    if (previous) this.#drop([previous]).catch(() => {});
    this.#staged.set(relative, { content });
    // What is staged in one synchronous run goes to the writer together, when the run ends.
    if (this.#batch.push(relative) === 1) queueMicrotask(() => this.#flush());
  }

  /** Hands the waiting batch to the writer. */
  #flush(): void {
    const waiting = [...new Set(this.#batch)]
      .map((relative) => ({ relative, staged: this.#staged.get(relative)! }))
      .filter(({ staged }) => !staged.temp);
    this.#batch = [];
    if (waiting.length === 0) return;
    const temps = this.#writer.stage(
      waiting.map(({ relative, staged }) => ({
        file: this.#target(relative),
        text: staged.content,
      })),
    );
    for (const [index, { staged }] of waiting.entries()) {
      staged.temp = temps.then((list) => list[index]);
      // A failure surfaces when the commit awaits it; until then it must not go unhandled.
      staged.temp.catch(() => {});
    }
  }

  /**
   * Puts the planned files in place (reusing what was staged with the same content, staging
   * the rest now), discards staged files the plan does not have, then removes the managed
   * files of `scope` that the plan does not contain and `isStale` confirms, and temp files
   * that interrupted runs left beside managed files.
   */
  async commit(
    files: readonly PlannedFile[],
    scope: ManagedScope,
    isStale: StaleFilter = () => Promise.resolve(true),
  ): Promise<WriteSummary> {
    const planned = new Set<string>();
    for (const file of files) {
      const relative = normalize(file.path);
      planned.add(relative);
      this.stage(relative, file.content);
    }
    this.#flush();
    this.#closed = true;
    const summary: WriteSummary = { written: [], unchanged: 0, removed: [] };
    try {
      await this.#drop(
        [...this.#staged].filter(([relative]) => !planned.has(relative)).map(([, s]) => s),
      );
      const moves: Array<{ temp: string; file: string }> = [];
      for (const relative of planned) {
        const temp = await this.#staged.get(relative)!.temp!;
        if (temp === null) summary.unchanged++;
        else {
          moves.push({ temp, file: this.#target(relative) });
          summary.written.push(relative);
        }
      }
      await this.#writer.commit(moves);
      this.#staged.clear();
    } finally {
      await this.discard();
    }
    const stale = await findStale(this.fs, this.root, planned, scope, isStale);
    for (const relative of [...stale, ...await listLeftoverTempFiles(this.fs, this.root, scope)]) {
      await this.fs.remove(path.join(this.root, ...segments(relative)));
    }
    summary.removed.push(...stale);
    await removeEmptyFolders(this.fs, this.root, stale, scope);
    return summary;
  }

  /** Removes every staged file that was not committed and stops the writer. */
  async discard(): Promise<void> {
    this.#closed = true;
    this.#batch = [];
    const staged = [...this.#staged.values()];
    this.#staged.clear();
    try {
      await this.#drop(staged);
    } finally {
      this.#writer.close();
    }
  }

  async #drop(staged: readonly Staged[]): Promise<void> {
    const temps = await Promise.all(staged.map((entry) => entry.temp?.catch(() => null) ?? null));
    const existing = temps.filter((temp): temp is string => typeof temp === "string");
    if (existing.length) await this.#writer.discard(existing);
  }
}

/**
 * Writes the planned files below `root` (atomically, only when the content differs) and
 * removes the managed files the plan no longer contains.
 */
export function mirrorFolder(
  fs: FileSystem,
  root: string,
  files: readonly PlannedFile[],
  scope: ManagedScope,
  isStale: StaleFilter = () => Promise.resolve(true),
): Promise<WriteSummary> {
  return new FolderMirror(fs, root).commit(files, scope, isStale);
}

/**
 * Managed files on disk that the plan does not contain and `isStale` confirms; of the files of
 * check patterns, only check files ({@link isCheckFile}); of the `_container.yaml` files of
 * `containerFiles`, only those of the pattern's type.
 */
export async function findStale(
  fs: FileSystem,
  root: string,
  planned: ReadonlySet<string>,
  scope: ManagedScope,
  isStale: StaleFilter = () => Promise.resolve(true),
): Promise<string[]> {
  const stale: string[] = [];
  for (const relative of await listManagedFiles(fs, root, scope)) {
    if (planned.has(relative)) continue;
    if (
      scope.checks?.some((pattern) => matchesPattern(relative, pattern)) &&
      !await isCheckFile(fs, path.join(root, ...segments(relative)))
    ) {
      continue;
    }
    const typed = scope.containerFiles?.find((entry) => matchesPattern(relative, entry.pattern));
    if (
      typed && !scope.patterns.some((pattern) => matchesPattern(relative, pattern)) &&
      await containerFileType(fs, path.join(root, ...segments(relative))) !== typed.type
    ) {
      continue;
    }
    if (await isStale(relative)) stale.push(relative);
  }
  return stale;
}

/** Whether a relative path (found by walking the scope) matches a scope pattern. */
function matchesPattern(relative: string, pattern: string): boolean {
  const parts = segments(relative);
  const heads = segments(pattern);
  if (parts.length !== heads.length) return false;
  const last = parts.length - 1;
  return heads.every((head, i) =>
    i === last ? matchesLast(head, parts[i]) : head === "*" || head === parts[i]
  );
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
 * a file exists, shared through `cache` with the export's own). Unreadable files and files
 * without a name are kept.
 */
export function connectionStaleFilter(
  client: QualyticsClient,
  fs: FileSystem,
  root: string,
  cache: ExportCache = new ExportCache(client),
): StaleFilter {
  let names: Promise<Set<string>> | undefined;
  return async (relative) => {
    if (!relative.startsWith("connections/")) return true;
    const text = await fs.readTextFile(path.join(root, ...segments(relative)));
    let name: unknown;
    try {
      const data = await loadYaml(text ?? "");
      name = data && typeof data === "object" ? (data as Record<string, unknown>).name : undefined;
    } catch {
      return false;
    }
    if (typeof name !== "string" || name === "") return false;
    names ??= cache.allConnections().then((list) => new Set(list.map((item) => String(item.name))));
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
  /** Resources written under a numbered path (their name shares a stem with another's). */
  numbered: NumberedPath[];
}

/** Check files rendered between two returns to the event loop: well under a millisecond. */
const RENDER_BATCH = 16;

/**
 * The check plans of the fetched datastores, rendered in short turns (the container details
 * still arriving are taken in between); each file is handed to `onFile` as it is rendered.
 */
async function renderChecksInTurns(
  fetched: FetchedConfig,
  onFile: (path: string, content: string) => void,
  signal: AbortSignal,
): Promise<ChecksPlan[]> {
  const all = withOwnObjects(fetched.lookups, fetched.datastores);
  const plans: ChecksPlan[] = [];
  const dirs = datastoreDirs(
    fetched.datastores.map((entry) => entry.datastore),
    fetched.listings?.datastores,
  );
  for (const [index, entry] of fetched.datastores.entries()) {
    const root = `datastores/${dirs[index]}/checks/`;
    const rendered: PlannedFile[] = [];
    for (const file of checkFiles(entry.checks, all)) {
      rendered.push(file);
      onFile(root + file.path, file.content);
      if (rendered.length % RENDER_BATCH === 0) {
        await yieldToEventLoop();
        signal.throwIfAborted();
      }
    }
    plans.push(checksPlanOf(rendered, entry.checks.length));
  }
  return plans;
}

/**
 * The planned files of `config export` and the scope they manage, without writing. The check
 * files are rendered while the computed fields are still being fetched, and handed to
 * `onCheckFile` as they are (to be written ahead; the returned plan is what counts).
 */
export async function planLiveConfig(
  client: QualyticsClient,
  options: { datastoreIds: readonly number[]; include?: ReadonlySet<ExportResource> },
  cache: ExportCache = new ExportCache(client),
  onCheckFile: (path: string, content: string) => void = () => {},
): Promise<{
  files: PlannedFile[];
  counts: Record<ExportResource, number>;
  scope: ManagedScope;
  numbered: NumberedPath[];
}> {
  const include = new Set(options.include ?? EXPORT_RESOURCES);
  let checks: Promise<ChecksPlan[]> | undefined;
  const rendering = new AbortController();
  let fetched: FetchedConfig;
  try {
    fetched = await fetchConfigExport(client, {
      datastoreIds: options.datastoreIds,
      include,
      cache,
      onChecks: (partial) => {
        checks = renderChecksInTurns(partial, onCheckFile, rendering.signal);
        // Awaited below; a failure meanwhile must not count as unhandled.
        checks.catch(() => {});
      },
    });
  } catch (error) {
    // No file may be handed out after the failure is reported.
    rendering.abort();
    await checks?.catch(() => {});
    throw error;
  }
  const plan = planConfigExport(fetched.datastores, fetched.lookups, {
    include,
    checks: await checks,
    listings: fetched.listings,
  });
  const scope = configScope(
    datastoreDirs(fetched.datastores.map((entry) => entry.datastore), fetched.listings?.datastores),
    include,
  );
  return { files: plan.files, counts: plan.counts, scope, numbered: plan.numbered };
}

/**
 * Exports the configuration of the datastores into `output`. Nothing is written unless every
 * request succeeded: check files are staged while the rest is fetched, and put in place only
 * once the whole plan is known.
 */
export async function exportConfig(
  client: QualyticsClient,
  fs: FileSystem,
  options: ConfigExportOptions,
): Promise<ConfigExportResult> {
  const mirror = new FolderMirror(fs, options.output);
  const cache = new ExportCache(client);
  try {
    const live = await planLiveConfig(
      client,
      options,
      cache,
      (path, content) => mirror.stage(path, content),
    );
    const summary = await mirror.commit(
      live.files,
      live.scope,
      connectionStaleFilter(client, fs, options.output, cache),
    );
    return {
      ...summary,
      counts: live.counts,
      files: live.files.length,
      numbered: live.numbered,
    };
  } finally {
    await mirror.discard();
  }
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

export { isFilteredChecksExport };

/**
 * Exports the checks of one datastore into `output` (the `checks/` layout). With no check
 * found nothing is written; stale check files of an unfiltered export are still removed, from
 * the folders of the datastore's containers only. A filtered export writes the same files
 * (names and UIDs) as the unfiltered one would, and removes nothing.
 */
export async function exportChecks(
  client: QualyticsClient,
  fs: FileSystem,
  options: ChecksExportOptions,
): Promise<ChecksExportResult> {
  const fetched = await fetchChecksExport(client, options, new ExportCache(client));
  const plan = planChecksExport(fetched.checks, fetched.lookups, fetched.unfiltered);
  const filtered = isFilteredChecksExport(options);
  const scope = filtered ? { patterns: [], keep: [], pruneBelow: [] } : checksScope([
    ...(fetched.containers ?? []).map((container) =>
      checkContainerDirName(typeof container.name === "string" ? container.name : "")
    ),
    // `<dir>/<file>`; an empty `<dir>` (a container name of symbols only) is left out.
    ...plan.files.map((file) => file.path.slice(0, file.path.indexOf("/"))),
    NO_CONTAINER_DIR,
  ]);
  const summary = await mirrorFolder(fs, options.output, plan.files, scope);
  return { ...summary, exported: plan.exported, containers: plan.containers, filtered };
}
