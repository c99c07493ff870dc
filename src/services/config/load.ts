/**
 * Reading a config-as-code folder for `config import` / `checks import`: every file is read and
 * validated before anything is sent, and every problem is collected (file and line) instead of
 * stopping at the first one (`config-as-code.md` §8, §10.2, §12; `PRODUCT.md` "A real plan").
 *
 * @module
 */
import * as path from "node:path";
import type { ApiObject } from "../../api/types.ts";
import { mapConcurrent } from "../../client/pool.ts";
import { yieldToEventLoop } from "../../util/event_loop.ts";
import { isJsonFloat, stringifyJson } from "../../util/json.ts";
import type { DirEntry, FileSystem } from "../../util/fs.ts";
import { resolvePlaceholders } from "../../util/env_placeholders.ts";
import { SECRET_KEYS, secretValues } from "../../util/redact.ts";
import {
  loadYaml,
  loadYamlFast,
  loadYamlWithFullParser,
  YamlSyntaxError,
} from "../../util/yaml.ts";
import { CHECK_UID_KEY, computeCheckUid } from "./naming.ts";
import { COMPUTED_CONTAINER_TYPES, PLAIN_CONTAINER_TYPES } from "./transform.ts";
import type { ExportResource } from "./plan.ts";

/** One thing wrong with the input, with its place when known. */
export interface Problem {
  /** Path relative to the input root (or the option name, e.g. `--include`). */
  file: string;
  line?: number;
  message: string;
}

/** Renders a problem as `file:line: message`. */
export function formatProblem(problem: Problem): string {
  return `${problem.file}${problem.line ? `:${problem.line}` : ""}: ${problem.message}`;
}

/** A connection file. */
export interface LoadedConnection {
  file: string;
  name: string;
  /** The document as written (placeholders kept): what plans and diffs show. */
  doc: ApiObject;
  /**
   * The document with every `${VAR}` (in any string value) resolved from the environment: what
   * is sent and compared with the server; never printed or written.
   */
  resolved: ApiObject;
}

/** A `_datastore.yaml`. */
export interface LoadedDatastore {
  file: string;
  name: string;
  doc: ApiObject;
}

/** A computed container's `_container.yaml`. */
export interface LoadedContainer {
  file: string;
  name: string;
  doc: ApiObject;
}

/** A computed field file. */
export interface LoadedComputedField {
  file: string;
  /** The container it belongs to (from `_container.yaml`, else the directory name). */
  containerName: string;
  /** Whether {@link containerName} is the directory's name (no `_container.yaml` names it). */
  folderNamed?: boolean;
  name: string;
  doc: ApiObject;
}

/** A check file. */
export interface LoadedCheck {
  file: string;
  /** The container name (`container`), `""` without one. */
  containerName: string;
  /** The UID this check is matched by (file order `__k` suffix for repeated UIDs). */
  uid: string;
  /** The document, with `additional_metadata._qualytics_check_uid` set to {@link uid}. */
  doc: ApiObject;
}

/** One `datastores/<dir>/` folder (or, for `checks import`, one target datastore). */
export interface LoadedDatastoreFolder {
  /** The directory name (`retail_dw`), or `#<id>` for `checks import`. */
  dir: string;
  /** The datastore's name from `_datastore.yaml`, when there is one. */
  name?: string;
  /** For `checks import`: the target datastore id. */
  id?: number;
  datastore?: LoadedDatastore;
  containers: LoadedContainer[];
  /**
   * Tables (views, files) named by a `_container.yaml` of a sync-discovered type: the container
   * its folder's computed fields belong to, where the folder's name is not the table's name.
   * Never created or changed.
   */
  tables?: LoadedContainer[];
  computedFields: LoadedComputedField[];
  checks: LoadedCheck[];
}

/** A whole folder, read and validated. */
export interface LoadedFolder {
  root: string;
  connections: LoadedConnection[];
  datastores: LoadedDatastoreFolder[];
  problems: Problem[];
  /**
   * Connection files that have problems of their own: their names (when readable) and how many
   * could not be read at all, so that references to them are not reported a second time.
   */
  brokenConnections?: { names: string[]; unreadable: number };
  /**
   * What must never be printed: every value resolved from a `${VAR}` of a connection file and
   * every value of a secret key the connections carry. Callers register them for scrubbing.
   */
  secrets?: string[];
}

/** A datastore of the folder, announced before the rest of the folder is read. */
export interface FoundDatastore {
  /** The datastore's name (from a valid `_datastore.yaml`). */
  name?: string;
  /** For `checks import`: the target datastore id. */
  id?: number;
  /**
   * How many check files the folder has for it: with any, the import needs the target's checks,
   * about as many when the target already matches.
   */
  checks: number;
}

/** Options of {@link loadConfigFolder} and {@link loadChecksFolder}. */
export interface LoadHooks {
  /**
   * Called once per datastore folder as soon as its name (or id) and whether it has check files
   * are known, while the checks and the rest are still being read: lets the caller start reading
   * the target meanwhile.
   */
  onDatastore?: (found: FoundDatastore) => void;
}

/** Options of {@link loadConfigFolder}. */
export interface LoadOptions extends LoadHooks {
  /** Resource kinds to read (all when undefined). */
  include?: ReadonlySet<ExportResource>;
  /** Environment for `${VAR}` placeholders. */
  env: Record<string, string | undefined>;
}

/** A mapping: not a list, nor a float's box (`30.0` read from a file). */
const isObject = (value: unknown): value is ApiObject =>
  value !== null && typeof value === "object" && !Array.isArray(value) && !isJsonFloat(value);

/** The 1-based line of `key:` in a YAML text (first match, any indentation). */
function lineOf(text: string, key: string): number | undefined {
  const lines = text.split("\n");
  const pattern = new RegExp(
    `^\\s*(- )?['"]?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}['"]?\\s*:`,
  );
  const index = lines.findIndex((line) => pattern.test(line));
  return index === -1 ? undefined : index + 1;
}

type Kind = "str" | "int" | "num" | "bool" | "dict" | "list[str]";

function kindOk(value: unknown, kind: Kind): boolean {
  if (value === null) return true;
  switch (kind) {
    case "str":
      return typeof value === "string";
    case "int":
      return typeof value === "number" && Number.isInteger(value) && !isJsonFloat(value);
    case "num":
      return typeof value === "number" || isJsonFloat(value);
    case "bool":
      return typeof value === "boolean";
    case "dict":
      return isObject(value);
    case "list[str]":
      return Array.isArray(value) && value.every((item) => typeof item === "string");
  }
}

const KIND_TEXT: Record<Kind, string> = {
  str: "a string",
  int: "a whole number",
  num: "a number",
  bool: "true or false",
  dict: "a mapping",
  "list[str]": "a list of strings",
};

const CONNECTION_TYPES: Record<string, Kind> = {
  name: "str",
  type: "str",
  host: "str",
  port: "int",
  username: "str",
  uri: "str",
  jdbc_fetch_size: "int",
  max_parallelization: "int",
  parameters: "dict",
  secrets_manager: "dict",
};
const DATASTORE_TYPES: Record<string, Kind> = {
  name: "str",
  connection_name: "str",
  connection_id: "int",
  enrich_datastore_name: "str",
  database: "str",
  schema: "str",
  root_path: "str",
  description: "str",
  enrichment_only: "bool",
  enrichment_prefix: "str",
  enrichment_source_record_limit: "int",
  enrichment_remediation_strategy: "str",
  high_count_rollup_threshold: "int",
  tags: "list[str]",
  teams: "list[str]",
  trigger_sync: "bool",
};
const CONTAINER_TYPES: Record<string, Kind> = {
  name: "str",
  container_type: "str",
  query: "str",
  description: "str",
  source_container_name: "str",
  left_container_name: "str",
  right_container_name: "str",
  left_datastore_name: "str",
  right_datastore_name: "str",
  select_clause: "str",
  where_clause: "str",
  group_by_clause: "str",
  tags: "list[str]",
  additional_metadata: "dict",
};
const FIELD_TYPES: Record<string, Kind> = {
  name: "str",
  transformation: "str",
  source_fields: "list[str]",
  properties: "dict",
  additional_metadata: "dict",
};
const CHECK_TYPES: Record<string, Kind> = {
  rule_type: "str",
  description: "str",
  container: "str",
  container_id: "int",
  fields: "list[str]",
  coverage: "num",
  filter: "str",
  anomaly_message_field: "str",
  properties: "dict",
  tags: "list[str]",
  status: "str",
  additional_metadata: "dict",
};

/**
 * `path.relative(root, file) || file`. The files of a load are joined onto its root, so their
 * relative path is what follows the root's prefix: a slice, where `path.relative` (resolving
 * both paths) costs microseconds a file, a noticeable share of loading thousands of checks.
 */
function relativePath(root: string, file: string): string {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  if (file.length > prefix.length && file.startsWith(prefix) && path.isAbsolute(root)) {
    const rest = file.slice(prefix.length);
    // Only a normalised remainder is the answer path.relative would give.
    if (!UNNORMALISED.test(rest)) return rest;
  }
  return path.relative(root, file) || file;
}

/** A path with an empty, `.` or `..` segment (tested instead of splitting: no allocation). */
const UNNORMALISED = path.sep === "/" ? /(?:^|\/)\.{0,2}(?:\/|$)/ : /(?:^|\\)\.{0,2}(?:\\|$)/;

/**
 * The problem message for a file that {@link FileSystem.readTextFile} could not read (it throws
 * the system's error, with its code, for anything but a missing file), or undefined when the
 * error is not about the file (no error code).
 */
function unreadable(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string") return undefined;
  if (code === "EISDIR") return "is a directory, not a file";
  if (code === "EACCES" || code === "EPERM") return "cannot be read: permission denied";
  return `cannot be read: ${(error as Error).message}`;
}

/** A YAML file that holds a mapping: the mapping and the text (for problems' line numbers). */
interface Mapping {
  doc: ApiObject;
  text: string;
}

/** Reads and parses files, collecting problems. */
class Reader {
  readonly problems: Problem[] = [];
  constructor(readonly fs: FileSystem, readonly root: string) {}

  rel(file: string): string {
    return relativePath(this.root, file);
  }

  problem(file: string, message: string, line?: number): void {
    this.problems.push({ file: this.rel(file), line, message });
  }

  /**
   * A YAML mapping, or undefined when it does not exist, or (problem recorded) when it is not
   * one or cannot be read (a folder in its place, no permission).
   */
  async mapping(file: string): Promise<Mapping | undefined> {
    let text: string | undefined;
    try {
      text = await this.fs.readTextFile(file);
    } catch (error) {
      const message = unreadable(error);
      if (message === undefined) throw error;
      this.problem(file, message);
      return undefined;
    }
    return text === undefined ? undefined : this.mappingOf(file, text);
  }

  /**
   * {@link mapping} of a file already read: without a promise when the text is in the subset an
   * export writes (see {@link loadYamlFast}), which a folder of thousands of check files saves
   * per file.
   */
  mappingOf(file: string, text: string): Mapping | undefined | Promise<Mapping | undefined> {
    const fast = loadYamlFast(text);
    if (fast) return this.#asMapping(file, text, fast.value);
    return loadYamlWithFullParser(text, this.rel(file)).then(
      (doc) => this.#asMapping(file, text, doc),
      (error) => {
        if (!(error instanceof YamlSyntaxError)) throw error;
        this.problems.push({
          file: this.rel(file),
          line: error.line,
          message: `invalid YAML: ${error.reason} (column ${error.column})`,
        });
        return undefined;
      },
    );
  }

  #asMapping(file: string, text: string, doc: unknown): Mapping | undefined {
    if (isObject(doc)) return { doc, text };
    this.problem(file, "expected a mapping of keys to values", 1);
    return undefined;
  }

  /** Checks the types of known keys; returns false when any is wrong. */
  types(file: string, text: string, doc: ApiObject, types: Record<string, Kind>): boolean {
    let ok = true;
    // `for in` rather than Object.entries: no arrays allocated, for every file of a folder.
    for (const key in types) {
      const kind = types[key];
      if (!(key in doc) || kindOk(doc[key], kind)) continue;
      ok = false;
      this.problem(
        file,
        `'${key}' must be ${KIND_TEXT[kind]}, got ${stringifyJson(doc[key])}`,
        lineOf(text, key),
      );
    }
    return ok;
  }

  /** The `name` of a document (problem recorded when missing or empty). */
  name(file: string, text: string, doc: ApiObject): string | undefined {
    if (typeof doc.name === "string" && doc.name.trim() !== "") return doc.name;
    // A name of the wrong type is reported by the type check (every such file has one).
    if (doc.name !== undefined && doc.name !== null && typeof doc.name !== "string") return;
    this.problem(
      file,
      "no 'name' field: every connection, datastore, container and computed field needs one",
      "name" in doc ? lineOf(text, "name") : 1,
    );
    return undefined;
  }

  async yamlFiles(dir: string): Promise<string[]> {
    const entries = await this.fs.readDir(dir);
    return entries.filter((e) => e.isFile && e.name.endsWith(".yaml")).map((e) =>
      path.join(dir, e.name)
    );
  }

  /** Every `*.yaml` below `dir`, in sorted relative path order (the original's load order). */
  async yamlFilesRecursive(dir: string): Promise<string[]> {
    const out: string[] = [];
    // Names are appended by hand below (no path.join per file): start from a normal path.
    let start = path.normalize(dir);
    if (start.length > 1 && start.endsWith(path.sep)) start = start.slice(0, -1);
    const collect = (current: string, entries: DirEntry[]): string[] => {
      const subdirs: string[] = [];
      for (const entry of entries) {
        const full = `${current}${path.sep}${entry.name}`;
        if (entry.isDirectory) subdirs.push(full);
        else if (entry.isFile && entry.name.endsWith(".yaml")) out.push(full);
      }
      return subdirs;
    };
    const readDirSync = this.fs.readDirSync?.bind(this.fs);
    if (readDirSync) {
      const walkSync = (current: string): void => {
        for (const sub of collect(current, readDirSync(current))) walkSync(sub);
      };
      walkSync(start);
    } else {
      const walk = async (current: string): Promise<void> => {
        await Promise.all(collect(current, await this.fs.readDir(current)).map(walk));
      };
      await walk(start);
    }
    // Every path starts with the same `dir/`, so full paths sort as the relative ones do
    // (code unit order, the default), without a `path.relative` per comparison.
    return out.sort();
  }
}

/**
 * Resolves placeholders in the string values of a connection, at any depth: `${VAR}` and `$VAR`
 * in secret keys (as the original does), `${VAR}` alone in the others (hosts and users differ
 * between environments too, but a literal `$` there must survive), none in its top-level
 * `name` (the key it is matched by). Returns the unresolved names.
 */
export function resolveConnectionPlaceholders(
  doc: ApiObject,
  env: Record<string, string | undefined>,
): { resolved: ApiObject; unresolved: string[] } {
  const unresolved: string[] = [];
  const resolveValue = (value: unknown, secret: boolean): unknown => {
    if (typeof value === "string") {
      const result = resolvePlaceholders(value, env, { bracedOnly: !secret });
      for (const name of result.unresolved) if (!unresolved.includes(name)) unresolved.push(name);
      return result.value;
    }
    if (Array.isArray(value)) return value.map((item) => resolveValue(item, secret));
    if (isObject(value)) {
      const out: ApiObject = {};
      for (const [key, member] of Object.entries(value)) {
        out[key] = resolveValue(member, secret || SECRET_KEYS.has(key.toLowerCase()));
      }
      return out;
    }
    return value;
  };
  const { name, ...rest } = doc;
  const resolved = resolveValue(rest, false) as ApiObject;
  return { resolved: "name" in doc ? { name, ...resolved } : resolved, unresolved };
}

async function loadConnections(reader: Reader, root: string, env: LoadOptions["env"]) {
  const out: LoadedConnection[] = [];
  const secrets: string[] = [];
  const broken = { names: [] as string[], unreadable: 0 };
  const seen = new Map<string, string>();
  for (const file of await reader.yamlFiles(path.join(root, "connections"))) {
    const read = await reader.mapping(file);
    if (!read) {
      broken.unreadable++;
      continue;
    }
    const name = reader.name(file, read.text, read.doc);
    const typesOk = reader.types(file, read.text, read.doc, CONNECTION_TYPES);
    if (!name) broken.unreadable++;
    if (!name || !typesOk) {
      if (name) broken.names.push(name);
      continue;
    }
    if (seen.has(name)) {
      reader.problem(file, `connection '${name}' is also defined in ${seen.get(name)}`, 1);
      continue;
    }
    seen.set(name, reader.rel(file));
    const { resolved, unresolved } = resolveConnectionPlaceholders(read.doc, env);
    // What lands in secret keys; a resolved host or user name is no secret (and scrubbing
    // it would mangle every message that names it).
    secrets.push(...secretValues(resolved));
    if (unresolved.length) {
      const key = Object.keys(read.doc).find((k) =>
        stringifyJson(read.doc[k]).includes(`\${${unresolved[0]}}`)
      );
      reader.problem(
        file,
        `Unresolved environment variable(s): ${
          unresolved.join(", ")
        }. Set them in your environment or .env file.`,
        key ? lineOf(read.text, key) : undefined,
      );
      broken.names.push(name);
      continue;
    }
    out.push({ file: reader.rel(file), name, doc: read.doc, resolved });
  }
  return { connections: out, broken, secrets: [...new Set(secrets)] };
}

async function loadDatastore(reader: Reader, dir: string): Promise<LoadedDatastore | undefined> {
  const file = path.join(dir, "_datastore.yaml");
  const read = await reader.mapping(file);
  if (!read) return undefined;
  const name = reader.name(file, read.text, read.doc);
  let ok = reader.types(file, read.text, read.doc, DATASTORE_TYPES);
  if ("trigger_catalog" in read.doc) {
    ok = false;
    reader.problem(
      file,
      "'trigger_catalog' is no longer supported; use 'trigger_sync'",
      lineOf(read.text, "trigger_catalog"),
    );
  }
  if (!name || !ok) return undefined;
  return { file: reader.rel(file), name, doc: read.doc };
}

async function loadContainers(reader: Reader, dsDir: string) {
  const containers: LoadedContainer[] = [];
  const tables: LoadedContainer[] = [];
  const fields: LoadedComputedField[] = [];
  const names = new Map<string, string>();
  const fieldFiles = new Map<string, string>();
  for (const entry of await reader.fs.readDir(path.join(dsDir, "containers"))) {
    if (!entry.isDirectory) continue;
    const dir = path.join(dsDir, "containers", entry.name);
    let containerName = entry.name;
    const file = path.join(dir, "_container.yaml");
    const read = await reader.mapping(file);
    if (read) {
      const name = reader.name(file, read.text, read.doc);
      const ok = reader.types(file, read.text, read.doc, CONTAINER_TYPES);
      const type = read.doc.container_type;
      const extra = Object.keys(read.doc).filter((key) =>
        key !== "name" && key !== "container_type"
      );
      if (PLAIN_CONTAINER_TYPES.includes(type as string)) {
        // It names the table of the folder's computed fields (an export writes one when the
        // folder's name is not the table's); tables come from syncs, never from files.
        if (extra.length) {
          reader.problem(
            file,
            `${extra.map((key) => `'${key}'`).join(", ")} cannot be set here: the ` +
              `_container.yaml of a ${type} only names the ${type} its folder's computed fields ` +
              `belong to (config import never creates or changes a ${type})`,
            lineOf(read.text, extra[0]),
          );
        } else if (name && ok) {
          if (names.has(name)) {
            reader.problem(file, `container '${name}' is also defined in ${names.get(name)}`, 1);
          } else {
            names.set(name, reader.rel(file));
            tables.push({ file: reader.rel(file), name, doc: read.doc });
          }
        }
      } else if (!COMPUTED_CONTAINER_TYPES.includes(type as string)) {
        reader.problem(
          file,
          `'container_type' must be one of ${COMPUTED_CONTAINER_TYPES.join(", ")}, got ${
            stringifyJson(type ?? null)
          }`,
          lineOf(read.text, "container_type") ?? 1,
        );
      } else if (name && ok) {
        if (names.has(name)) {
          reader.problem(file, `container '${name}' is also defined in ${names.get(name)}`, 1);
        } else {
          names.set(name, reader.rel(file));
          containers.push({ file: reader.rel(file), name, doc: read.doc });
        }
      }
      if (name) containerName = name;
    }
    for (const fieldFile of await reader.yamlFiles(path.join(dir, "computed_fields"))) {
      const field = await reader.mapping(fieldFile);
      if (!field) continue;
      const name = reader.name(fieldFile, field.text, field.doc);
      let ok = reader.types(fieldFile, field.text, field.doc, FIELD_TYPES);
      if (typeof field.doc.transformation !== "string" || !field.doc.transformation) {
        ok = false;
        reader.problem(
          fieldFile,
          "no 'transformation' field",
          lineOf(field.text, "transformation") ?? 1,
        );
      }
      if (!name || !ok) continue;
      const key = `${containerName}\n${name}`;
      if (fieldFiles.has(key)) {
        reader.problem(
          fieldFile,
          `computed field '${name}' of container '${containerName}' is also defined in ` +
            fieldFiles.get(key),
          lineOf(field.text, "name") ?? 1,
        );
        continue;
      }
      fieldFiles.set(key, reader.rel(fieldFile));
      fields.push({
        file: reader.rel(fieldFile),
        containerName,
        folderNamed: containerName === entry.name,
        name,
        doc: field.doc,
      });
    }
  }
  return { containers, tables, fields };
}

/** One check file, read and validated; its problems stay with it until merged in file order. */
interface CheckFile {
  file: string;
  problems: Problem[];
  /** The document, when it is a valid check. */
  doc?: ApiObject;
}

/** Reads and validates one check file. */
async function readCheckFile(fs: FileSystem, root: string, file: string): Promise<CheckFile> {
  return await checkFileOf(fs, root, file, await fs.readTextFile(file));
}

/**
 * Validates one check file's text; a file that vanished after it was listed (no text) is no
 * check and no problem.
 */
function checkFileOf(
  fs: FileSystem,
  root: string,
  file: string,
  text: string | undefined,
): CheckFile | Promise<CheckFile> {
  if (text === undefined) return { file, problems: [] };
  const r = new Reader(fs, root);
  const read = r.mappingOf(file, text);
  return read instanceof Promise
    ? read.then((read) => validCheck(r, file, read))
    : validCheck(r, file, read);
}

/** The check of a file read by `r` (undefined: not a mapping), with its problems. */
function validCheck(r: Reader, file: string, read: Mapping | undefined): CheckFile {
  if (!read) return { file, problems: r.problems };
  const { doc, text } = read;
  let ok = r.types(file, text, doc, CHECK_TYPES);
  if (typeof doc.rule_type !== "string" || doc.rule_type === "") {
    // A rule_type of the wrong type was reported by the type check already.
    if (doc.rule_type === undefined || doc.rule_type === null || doc.rule_type === "") {
      r.problem(file, "no 'rule_type' field: not a quality check", lineOf(text, "rule_type") ?? 1);
    }
    ok = false;
  }
  if ((typeof doc.container !== "string" || doc.container === "") && !("container_id" in doc)) {
    r.problem(file, "no 'container' field: the check's container name is required", 1);
    ok = false;
  }
  return { file, problems: r.problems, doc: ok ? doc : undefined };
}

/** Check files read (and parsed) between two returns to the event loop: about 0.1 ms of work. */
const CHECK_BATCH = 8;

/**
 * Reads and validates check files. With a batch reader, in batches with a return to the event
 * loop after each (the target's reads, started meanwhile, must not stall behind thousands of
 * files); otherwise many at once (bounded, to stay below descriptor limits).
 */
async function readCheckFiles(
  fs: FileSystem,
  root: string,
  files: string[],
): Promise<CheckFile[]> {
  if (!fs.readTextFilesSync) {
    return mapConcurrent(files, 64, (file) => readCheckFile(fs, root, file));
  }
  const out: CheckFile[] = [];
  for (let start = 0; start < files.length; start += CHECK_BATCH) {
    const batch = files.slice(start, start + CHECK_BATCH);
    const texts = fs.readTextFilesSync(batch);
    for (let index = 0; index < batch.length; index++) {
      const read = checkFileOf(fs, root, batch[index], texts[index]);
      out.push(read instanceof Promise ? await read : read);
    }
    await yieldToEventLoop();
  }
  return out;
}

/**
 * Gives each check of one checks folder (files in sorted path order) its UID: the UID in the
 * file, else the one an export would compute; a UID already used by an earlier file gets the
 * first free `__<k>` suffix (k ≥ 2), so a folder written by the original with a repeated UID
 * imports as separate checks. Problems are added to `problems` in file order.
 */
function checksOf(root: string, read: CheckFile[], problems: Problem[]): LoadedCheck[] {
  const out: LoadedCheck[] = [];
  const used = new Set<string>();
  for (const { file, problems: own, doc } of read) {
    problems.push(...own);
    if (!doc) continue;
    const fields = Array.isArray(doc.fields) ? doc.fields as string[] : [];
    const metadata = isObject(doc.additional_metadata) ? doc.additional_metadata : {};
    const written = metadata[CHECK_UID_KEY];
    const base = typeof written === "string" && written !== ""
      ? written
      : computeCheckUid(doc.container as string, doc.rule_type as string, fields);
    let uid = base;
    for (let k = 2; used.has(uid); k++) uid = `${base}__${k}`;
    used.add(uid);
    out.push({
      file: relativePath(root, file),
      containerName: typeof doc.container === "string" ? doc.container : "",
      uid,
      doc: leadsWith(metadata, uid) ? doc : withUid(doc, metadata, uid),
    });
  }
  return out;
}

/**
 * Whether `metadata` already starts with `uid` as its UID (what an exported file has): then the
 * document is used as read, without the copies {@link withUid} makes.
 */
function leadsWith(metadata: ApiObject, uid: string): boolean {
  for (const key in metadata) return key === CHECK_UID_KEY && metadata[key] === uid;
  return false;
}

/** A copy of a check document whose `additional_metadata` starts with `uid` as its UID. */
function withUid(doc: ApiObject, metadata: ApiObject, uid: string): ApiObject {
  const { [CHECK_UID_KEY]: _old, ...rest } = metadata;
  return { ...doc, additional_metadata: { [CHECK_UID_KEY]: uid, ...rest } };
}

/**
 * Reads the check files of one checks folder (`checks/` of a datastore, or a `checks export`
 * folder) in sorted path order and gives each its UID (see {@link checksOf}).
 */
export async function loadChecks(
  reader: { fs: FileSystem; root: string; problems: Problem[] },
  dir: string,
): Promise<LoadedCheck[]> {
  const files = await new Reader(reader.fs, reader.root).yamlFilesRecursive(dir);
  const read = await readCheckFiles(reader.fs, reader.root, files);
  return checksOf(reader.root, read, reader.problems);
}

/**
 * Finds the folder root the way the original does: `<input>` itself, or `<input>/../..` when
 * the user pointed at one datastore folder, or `<input>/..` when they pointed at `datastores/`.
 */
export async function detectRoot(fs: FileSystem, input: string): Promise<string> {
  if (await fs.exists(path.join(input, "_datastore.yaml"))) return path.resolve(input, "../..");
  if (!(await fs.exists(path.join(input, "datastores")))) {
    for (const entry of await fs.readDir(input)) {
      if (entry.isDirectory && await fs.exists(path.join(input, entry.name, "_datastore.yaml"))) {
        return path.resolve(input, "..");
      }
    }
  }
  return input;
}

/**
 * Reads a whole `config export` folder and validates every file; problems are collected, not
 * thrown. `${VAR}` placeholders of connection files (every string value) are resolved from
 * `env`; the values resolved are listed in `secrets`.
 *
 * Each datastore's `_datastore.yaml` and check listing come first, announced through
 * `onDatastore`; then everything else is read at once. Problems keep the order of a file by
 * file read: connections, then per datastore its file, containers and checks.
 */
export async function loadConfigFolder(
  fs: FileSystem,
  input: string,
  options: LoadOptions,
): Promise<LoadedFolder> {
  const root = await detectRoot(fs, input);
  const has = (kind: ExportResource) => !options.include || options.include.has(kind);
  const entries = (await fs.readDir(path.join(root, "datastores"))).filter((e) => e.isDirectory);
  const heads = await Promise.all(entries.map(async (entry) => {
    const dir = path.join(root, "datastores", entry.name);
    const reader = new Reader(fs, root);
    // The datastore file is read whatever --include says: its name identifies the target.
    const datastore = await loadDatastore(reader, dir);
    const checkFiles = has("checks")
      ? await reader.yamlFilesRecursive(path.join(dir, "checks"))
      : [];
    options.onDatastore?.({ name: datastore?.name, checks: checkFiles.length });
    return { entry, dir, reader, datastore, checkFiles };
  }));
  const connectionReader = new Reader(fs, root);
  const [connectionFiles, containers, checkFiles] = await Promise.all([
    has("connections")
      ? loadConnections(connectionReader, root, options.env)
      : { connections: [], broken: { names: [], unreadable: 0 }, secrets: [] },
    Promise.all(heads.map(async ({ dir }) => {
      const reader = new Reader(fs, root);
      if (!has("containers") && !has("computed_fields")) {
        return { reader, containers: [], tables: [], fields: [] };
      }
      return { reader, ...(await loadContainers(reader, dir)) };
    })),
    readCheckFiles(fs, root, heads.flatMap((head) => head.checkFiles)),
  ]);
  const problems = [...connectionReader.problems];
  const datastores: LoadedDatastoreFolder[] = [];
  const datastoreFiles = new Map<string, string>();
  let offset = 0;
  for (const [index, { entry, dir, reader, datastore, checkFiles: files }] of heads.entries()) {
    problems.push(...reader.problems);
    if (datastore) {
      // Two folders for one datastore would each prune what only the other holds.
      const other = datastoreFiles.get(datastore.name);
      if (other) {
        problems.push({
          file: datastore.file,
          line: 1,
          message: `datastore '${datastore.name}' is also defined in ${other}: ` +
            `keep one folder per datastore`,
        });
      } else datastoreFiles.set(datastore.name, datastore.file);
    }
    const loaded = containers[index];
    problems.push(...loaded.reader.problems);
    const folder: LoadedDatastoreFolder = {
      dir: entry.name,
      name: datastore?.name,
      datastore,
      containers: has("containers") ? loaded.containers : [],
      tables: has("computed_fields") ? loaded.tables : [],
      computedFields: has("computed_fields") ? loaded.fields : [],
      checks: checksOf(root, checkFiles.slice(offset, offset += files.length), problems),
    };
    if (!datastore && !(await fs.exists(path.join(dir, "_datastore.yaml")))) {
      if (folder.containers.length || folder.computedFields.length || folder.checks.length) {
        problems.push({
          file: reader.rel(path.join(dir, "_datastore.yaml")),
          line: undefined,
          message: "missing: the datastore folder needs a _datastore.yaml naming its datastore",
        });
      }
    }
    datastores.push(folder);
  }
  return {
    root,
    connections: connectionFiles.connections,
    datastores,
    problems,
    brokenConnections: connectionFiles.broken,
    secrets: connectionFiles.secrets,
  };
}

/** A `checks export` folder read by {@link loadChecksFolder}. */
export interface LoadedChecksFolder extends LoadedFolder {
  /**
   * YAML files that are no checks (a mapping without a `rule_type` key: `_datastore.yaml`, a
   * `README.yaml`), relative to the input and in load order: skipped, as the original's loader
   * does (§10.2), for the caller to report.
   */
  skipped: string[];
}

/**
 * Whether a check file that did not validate is no check at all: valid YAML whose document is
 * a mapping without a `rule_type` key. Called only for files with problems (few): parsed again.
 */
async function notACheck(fs: FileSystem, read: CheckFile): Promise<boolean> {
  try {
    const text = await fs.readTextFile(read.file);
    if (text === undefined) return false;
    const doc = await loadYaml(text, read.file);
    return isObject(doc) && !("rule_type" in doc);
  } catch {
    // Unreadable or invalid YAML: its problems stand.
    return false;
  }
}

/**
 * Reads a `checks export` folder (`<container>/<file>.yaml`) for `checks import`, once per
 * target datastore id (each id once, in first-seen order; each announced through `onDatastore`
 * once check files are listed). YAML mappings without a `rule_type` key are skipped (listed in
 * `skipped`), not problems; invalid YAML and checks with errors are problems.
 */
export async function loadChecksFolder(
  fs: FileSystem,
  input: string,
  datastoreIds: readonly number[],
  hooks: LoadHooks = {},
): Promise<LoadedChecksFolder> {
  const ids = [...new Set(datastoreIds)];
  const problems: Problem[] = [];
  const files = await new Reader(fs, input).yamlFilesRecursive(input);
  // Announced only when there is something to import: an empty folder reads no target.
  if (files.length) {
    for (const id of ids) hooks.onDatastore?.({ id, checks: files.length });
  }
  const read = await readCheckFiles(fs, input, files);
  const skipped = new Set<CheckFile>();
  for (const file of read) {
    if (!file.doc && file.problems.length && await notACheck(fs, file)) skipped.add(file);
  }
  const checks = checksOf(input, read.filter((file) => !skipped.has(file)), problems);
  return {
    root: input,
    connections: [],
    datastores: ids.map((id) => ({
      dir: `#${id}`,
      id,
      containers: [],
      computedFields: [],
      checks,
    })),
    problems,
    skipped: [...skipped].map((file) => relativePath(input, file.file)),
  };
}
