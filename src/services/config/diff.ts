/**
 * `config diff`: drift between a config-as-code folder and the live instance — what an export
 * of the instance would write (added, changed) or remove (removed) in the folder, each with a
 * unified diff (`a/` = the folder, `b/` = the live instance).
 *
 * @module
 */

import * as path from "node:path";
import type { QualyticsClient } from "../../client/http_client.ts";
import type { FileSystem } from "../../util/fs.ts";
import { secretValues } from "../../util/redact.ts";
import { unifiedDiff } from "../../util/unified_diff.ts";
import { loadYaml, YamlSyntaxError } from "../../util/yaml.ts";
import {
  configScope,
  connectionStaleFilter,
  findStale,
  listManagedFiles,
  type ManagedScope,
  planLiveConfig,
  type StaleFilter,
} from "./export.ts";
import { ExportCache } from "./fetch.ts";
import { EXPORT_RESOURCES, type ExportResource, type PlannedFile } from "./plan.ts";

/** How a file differs. */
export type DriftStatus = "added" | "changed" | "removed";

/** One drifted file. */
export interface DriftFile {
  /** Path relative to the folder, with `/`. */
  path: string;
  /** `added`: the instance has it, the folder not; `removed`: the reverse. */
  status: DriftStatus;
  /** Unified diff from the folder's text to the live text. */
  diff: string;
}

/** The outcome of a drift check. */
export interface DriftReport {
  /** Drifted files sorted by path. */
  files: DriftFile[];
  /** Number of managed files identical in both. */
  unchanged: number;
  /** Datastores compared: id and name. */
  datastores: { id: number; name: string }[];
  /** Datastore folders whose `_datastore.yaml` names no datastore of the instance. */
  missingDatastores: string[];
  /**
   * Literal values of secret keys in the folder's connection files (a placeholder is no
   * secret): the diffs may show them, so whoever prints the report must scrub them.
   */
  secrets: string[];
}

/**
 * Compares planned files with the folder's text (`existing`, path → text) and the stale paths.
 * Pure.
 */
export function compareFiles(
  planned: readonly PlannedFile[],
  existing: ReadonlyMap<string, string>,
  stale: readonly string[],
): { files: DriftFile[]; unchanged: number } {
  const files: DriftFile[] = [];
  let unchanged = 0;
  for (const file of planned) {
    const relative = file.path.split("/").filter(Boolean).join("/");
    const current = existing.get(relative);
    if (current === file.content) {
      unchanged++;
      continue;
    }
    files.push({
      path: relative,
      status: current === undefined ? "added" : "changed",
      diff: unifiedDiff(current ?? "", file.content, {
        fromLabel: current === undefined ? "/dev/null" : `a/${relative}`,
        toLabel: `b/${relative}`,
      }),
    });
  }
  for (const relative of stale) {
    files.push({
      path: relative,
      status: "removed",
      diff: unifiedDiff(existing.get(relative) ?? "", "", {
        fromLabel: `a/${relative}`,
        toLabel: "/dev/null",
      }),
    });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, unchanged };
}

/** Thrown when the folder cannot be compared (no datastores found, unreadable file). */
export class DriftInputError extends Error {
  override name = "DriftInputError";
}

/** Options of {@link diffConfig}. */
export interface DiffConfigOptions {
  /** The folder (a `config export` output). */
  input: string;
  /**
   * Datastores to compare; when absent they are found by the `name` in the folder's
   * `datastores/* /_datastore.yaml` files.
   */
  datastoreIds?: readonly number[];
  /** Resource kinds to compare (all when absent). */
  include?: ReadonlySet<ExportResource>;
}

/** The datastore folders of an export and the `name` each `_datastore.yaml` gives. */
export async function folderDatastores(
  fs: FileSystem,
  input: string,
): Promise<{ dir: string; name: string }[]> {
  const out: { dir: string; name: string }[] = [];
  for (const entry of await fs.readDir(path.join(input, "datastores"))) {
    if (!entry.isDirectory) continue;
    const file = path.join(input, "datastores", entry.name, "_datastore.yaml");
    const text = await fs.readTextFile(file);
    if (text === undefined) continue;
    let data: unknown;
    try {
      data = await loadYaml(text, file);
    } catch (error) {
      if (error instanceof YamlSyntaxError) throw new DriftInputError(error.message);
      throw error;
    }
    const name = data && typeof data === "object"
      ? (data as Record<string, unknown>).name
      : undefined;
    if (typeof name !== "string" || name === "") {
      throw new DriftInputError(`${file} has no 'name'.`);
    }
    out.push({ dir: entry.name, name });
  }
  return out;
}

/**
 * Compares the folder with what `config export` of the live instance would write there.
 *
 * @throws {DriftInputError} when the folder has no datastore to compare or an unreadable file
 */
export async function diffConfig(
  client: QualyticsClient,
  fs: FileSystem,
  options: DiffConfigOptions,
): Promise<DriftReport> {
  const include = new Set(options.include ?? EXPORT_RESOURCES);
  const cache = new ExportCache(client);
  let datastoreIds = options.datastoreIds ? [...options.datastoreIds] : [];
  const missingDirs: string[] = [];
  if (!options.datastoreIds?.length) {
    const folders = await folderDatastores(fs, options.input);
    if (!folders.length) {
      throw new DriftInputError(
        `No datastores/*/_datastore.yaml found in ${options.input}; pass --datastore-id.`,
      );
    }
    const server = await cache.allDatastores();
    for (const folder of folders) {
      const match = server.find((datastore) => datastore.name === folder.name);
      if (match && typeof match.id === "number") {
        datastoreIds.push(match.id);
      } else missingDirs.push(folder.dir);
    }
    datastoreIds = [...new Set(datastoreIds)];
  }
  const live = datastoreIds.length
    ? await planLiveConfig(client, { datastoreIds, include }, cache)
    : { files: [], scope: configScope([], include) };
  // Folders of datastores the instance no longer has: everything managed there is drift.
  const scope: ManagedScope = missingDirs.length
    ? mergeScopes(live.scope, configScope(missingDirs, include))
    : live.scope;
  const existing = new Map<string, string>();
  for (const relative of await listManagedFiles(fs, options.input, scope)) {
    existing.set(
      relative,
      await fs.readTextFile(path.join(options.input, ...relative.split("/"))) ?? "",
    );
  }
  const isStale: StaleFilter = connectionStaleFilter(client, fs, options.input, cache);
  const planned = new Set(live.files.map((file) => file.path.split("/").filter(Boolean).join("/")));
  const stale = await findStale(fs, options.input, planned, scope, isStale);
  const compared = compareFiles(live.files, existing, stale);
  const secrets: string[] = [];
  for (const [relative, text] of existing) {
    if (!relative.startsWith("connections/")) continue;
    try {
      for (const value of secretValues(await loadYaml(text, relative))) {
        if (!ONLY_PLACEHOLDER.test(value)) secrets.push(value);
      }
    } catch {
      // Not YAML: its diff shows it as it is, with no key to tell a secret by.
    }
  }
  const datastores = await Promise.all(datastoreIds.map(async (id) => {
    const datastore = await cache.datastore(id);
    return { id, name: String(datastore.name ?? "") };
  }));
  return { ...compared, datastores, missingDatastores: missingDirs, secrets };
}

/** A value that is one `${VAR}` placeholder and nothing else. */
const ONLY_PLACEHOLDER = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

function mergeScopes(a: ManagedScope, b: ManagedScope): ManagedScope {
  return {
    patterns: [...new Set([...a.patterns, ...b.patterns])],
    checks: [...new Set([...a.checks ?? [], ...b.checks ?? []])],
    containerFiles: [...a.containerFiles ?? [], ...b.containerFiles ?? []],
    keep: [...new Set([...a.keep, ...b.keep])],
    pruneBelow: [...new Set([...a.pruneBelow, ...b.pruneBelow])],
  };
}
