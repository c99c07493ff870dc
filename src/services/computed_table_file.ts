/**
 * Computed-table definition files (`.xlsx`, `.csv`, `.txt`): reading them as the original CLI
 * does (positional columns name, description, query; first row a header), validating the rows,
 * previewing them, and naming unnamed SELECT expressions.
 *
 * @module
 */
import { pythonFloatRepr } from "../util/json.ts";
import { InvalidInputError } from "./resource_errors.ts";

/** One definition read from the file. */
export interface ComputedTableRecord {
  name: string;
  description: string;
  query: string;
  /** The row of the file (1-based, the header is row 1) where the record starts. */
  row: number;
}

/** Extensions the reader accepts. */
export const SUPPORTED_EXTENSIONS = [".xlsx", ".xls", ".csv", ".txt"];

/** A file that cannot be read as definitions. */
export class DefinitionFileError extends Error {
  override name = "DefinitionFileError";
}

/** Reads a file's bytes; `undefined` when it does not exist. */
export type ReadBytes = (file: string) => Promise<Uint8Array | undefined>;

function extensionOf(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot).toLowerCase();
}

/** The default delimiter of a file: TAB for `.txt`, comma otherwise. */
export function defaultDelimiter(file: string): string {
  return extensionOf(file) === ".txt" ? "\t" : ",";
}

/**
 * Splits delimited text RFC-4180 style (`"` quoting, doubled quotes, quoted fields spanning
 * lines) into rows, each with the 1-based line where it starts.
 */
export function parseDelimited(
  text: string,
  delimiter: string,
): Array<{ cells: string[]; line: number }> {
  const rows: Array<{ cells: string[]; line: number }> = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let rowHasContent = false;
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const endRow = () => {
    cells.push(cell);
    if (rowHasContent || cells.length > 1 || cell !== "") rows.push({ cells, line: rowLine });
    cells = [];
    cell = "";
    rowHasContent = false;
  };
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (quoted) {
      if (char === '"') {
        if (source[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (char === "\n") line++;
        cell += char;
      }
      continue;
    }
    if (char === '"' && cell === "") {
      quoted = true;
      rowHasContent = true;
    } else if (source.startsWith(delimiter, i)) {
      cells.push(cell);
      cell = "";
      rowHasContent = true;
      i += delimiter.length - 1;
    } else if (char === "\r" && source[i + 1] === "\n") {
      continue;
    } else if (char === "\n" || char === "\r") {
      endRow();
      line++;
      rowLine = line;
    } else {
      cell += char;
    }
  }
  if (cell !== "" || cells.length || rowHasContent) endRow();
  return rows;
}

/** Python's `str()` of a spreadsheet cell value. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  }
  if (typeof value === "boolean") return value ? "True" : "False";
  if (value instanceof Date) return value.toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.richText)) {
      return (record.richText as Array<{ text?: string }>).map((part) => part.text ?? "").join("");
    }
    if ("result" in record) return cellText(record.result);
    if ("text" in record) return cellText(record.text);
    if ("error" in record) return String(record.error);
  }
  return String(value);
}

async function readWorkbookRows(
  bytes: Uint8Array,
): Promise<Array<{ cells: string[]; line: number }>> {
  // exceljs is large: only the commands that read spreadsheets load it.
  const module = await import("exceljs");
  // deno-lint-ignore no-explicit-any
  const ExcelJS: any = (module as any).default ?? module;
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes);
  const activeTab = workbook.views?.[0]?.activeTab ?? 0;
  const sheet = workbook.worksheets[activeTab] ?? workbook.worksheets[0];
  const rows: Array<{ cells: string[]; line: number }> = [];
  if (!sheet) return rows;
  // deno-lint-ignore no-explicit-any
  sheet.eachRow({ includeEmpty: false }, (row: any, rowNumber: number) => {
    const values = Array.isArray(row.values) ? row.values.slice(1) : [];
    const cells: string[] = [];
    for (let i = 0; i < Math.max(values.length, 3); i++) cells.push(cellText(values[i]));
    rows.push({ cells, line: rowNumber });
  });
  return rows;
}

/**
 * Reads the definitions of a file: the first row is a header; columns are positional (name,
 * description, query); rows without a name (or, in delimited files, with fewer than three
 * cells) are skipped; values are trimmed.
 */
export async function readComputedTableFile(
  file: string,
  readBytes: ReadBytes,
  delimiter?: string,
): Promise<ComputedTableRecord[]> {
  const extension = extensionOf(file);
  if (!SUPPORTED_EXTENSIONS.includes(extension)) {
    throw new DefinitionFileError(
      `Unsupported file format: ${extension || "(none)"}. Supported formats: ${
        SUPPORTED_EXTENSIONS.join(", ")
      }`,
    );
  }
  const bytes = await readBytes(file);
  if (bytes === undefined) throw new DefinitionFileError(`File not found: ${file}`);
  let rows: Array<{ cells: string[]; line: number }>;
  const spreadsheet = extension === ".xlsx" || extension === ".xls";
  if (spreadsheet) {
    try {
      rows = await readWorkbookRows(bytes);
    } catch (error) {
      throw new DefinitionFileError(
        `Cannot read ${file} as an Excel workbook: ${(error as Error).message}`,
      );
    }
  } else {
    const text = new TextDecoder("utf-8").decode(bytes);
    rows = parseDelimited(text, delimiter || defaultDelimiter(file));
    if (!rows.length) throw new DefinitionFileError("CSV file appears to be empty.");
  }
  const records: ComputedTableRecord[] = [];
  for (const { cells, line } of rows.slice(1)) {
    if (!spreadsheet && cells.length < 3) continue;
    const name = (cells[0] ?? "").trim();
    if (!name) continue;
    records.push({
      name,
      description: (cells[1] ?? "").trim(),
      query: (cells[2] ?? "").trim(),
      row: line,
    });
  }
  return records;
}

/** The outcome of {@link validateRecords}. */
export interface RecordValidation {
  valid: ComputedTableRecord[];
  warnings: string[];
}

/** Drops records with an empty query or a name seen before; warnings cite file rows. */
export function validateRecords(records: readonly ComputedTableRecord[]): RecordValidation {
  const valid: ComputedTableRecord[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
    if (!record.name) {
      warnings.push(`Row ${record.row}: Empty name, skipping.`);
      continue;
    }
    if (!record.query) {
      warnings.push(`Row ${record.row}: '${record.name}' has empty query, skipping.`);
      continue;
    }
    const first = seen.get(record.name);
    if (first !== undefined) {
      warnings.push(
        `Row ${record.row}: Duplicate name '${record.name}' (first seen at row ${first}), skipping.`,
      );
      continue;
    }
    seen.set(record.name, record.row);
    valid.push(record);
  }
  return { valid, warnings };
}

/** Names that appear more than once, with the rows of the first two occurrences. */
export function findDuplicateNames(
  records: readonly ComputedTableRecord[],
): Array<{ name: string; rows: [number, number] }> {
  const first = new Map<string, number>();
  const duplicates: Array<{ name: string; rows: [number, number] }> = [];
  for (const record of records) {
    const seenAt = first.get(record.name);
    if (seenAt === undefined) first.set(record.name, record.row);
    else duplicates.push({ name: record.name, rows: [seenAt, record.row] });
  }
  return duplicates;
}

/** Suffixes the original strips from a name to get the rule id (exact case). */
const RULE_ID_SUFFIXES = [
  "_SNOWFLAKE",
  "_snowflake",
  "_SNOW",
  "_snow",
  "_SF",
  "_sf",
  "_DB",
  "_db",
  "_BQ",
  "_bq",
  "_PG",
  "_pg",
];

/** The rule id of a definition: its name without one trailing platform suffix. */
export function ruleIdOf(name: string): string {
  for (const suffix of RULE_ID_SUFFIXES) {
    if (name.endsWith(suffix) && name.length > suffix.length) {
      return name.slice(0, -suffix.length);
    }
  }
  return name;
}

/** Splits `--tags` on commas or semicolons; trimmed, empties dropped. */
export function splitImportTags(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(/[,;]/).map((tag) => tag.trim()).filter((tag) => tag !== "");
}

/** Shortens text for display: `limit` characters and `...`. */
export function truncate(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}...` : text;
}

const KEYWORDS = new Set([
  "FROM",
  "WHERE",
  "AND",
  "OR",
  "NOT",
  "JOIN",
  "ON",
  "LEFT",
  "RIGHT",
  "INNER",
  "OUTER",
  "GROUP",
  "ORDER",
  "BY",
  "HAVING",
  "UNION",
  "DISTINCT",
  "END",
  "THEN",
  "ELSE",
  "WHEN",
  "CASE",
  "IS",
  "NULL",
  "TRUE",
  "FALSE",
  "IN",
  "LIKE",
  "BETWEEN",
  "AS",
]);

/** `col`, `t.col`, `"Col"`, `` `col` ``, `[col]`, `*` or `t.*`: already named columns. */
const PLAIN_COLUMN =
  /^(?:(?:[A-Za-z_][\w$]*|"[^"]+"|`[^`]+`|\[[^\]]+\])\.)*(?:[A-Za-z_][\w$]*|"[^"]+"|`[^`]+`|\[[^\]]+\]|\*)$/;

function hasAlias(column: string): boolean {
  const text = column.trim();
  if (PLAIN_COLUMN.test(text)) return true;
  if (/\sAS\s+(?:[A-Za-z_][\w$]*|"[^"]+"|`[^`]+`|\[[^\]]+\])$/i.test(text)) return true;
  const implicit = /^([\s\S]*\S)\s+([A-Za-z_][\w$]*|"[^"]+"|`[^`]+`)$/.exec(text);
  if (!implicit) return false;
  const word = implicit[2].replace(/^["`]|["`]$/g, "");
  if (KEYWORDS.has(word.toUpperCase())) return false;
  // `a + b` ends with a word too; only a complete expression followed by a name is an alias.
  return !/[-+*/%|=<>,(!&^~]$/.test(implicit[1]) &&
    !KEYWORDS.has((/(\w+)$/.exec(implicit[1])?.[1] ?? "").toUpperCase());
}

interface Scan {
  depth: number;
  index: number;
}

/** Walks SQL outside quotes and comments, calling `visit` at each character of depth 0. */
function scanTopLevel(sql: string, visit: (index: number, scan: Scan) => boolean | void): void {
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const char = sql[i];
    if (char === "'" || char === '"' || char === "`") {
      const close = sql.indexOf(char, i + 1);
      i = close === -1 ? sql.length : close;
      continue;
    }
    if (char === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end;
      continue;
    }
    if (char === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 1;
      continue;
    }
    if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (depth === 0 && visit(i, { depth, index: i }) === true) return;
  }
}

function keywordAt(sql: string, index: number, keyword: string): boolean {
  if (sql.slice(index, index + keyword.length).toUpperCase() !== keyword) return false;
  const before = index === 0 ? " " : sql[index - 1];
  const after = sql[index + keyword.length] ?? " ";
  return !/[\w$.]/.test(before) && !/[\w$]/.test(after);
}

/**
 * Names the unnamed expressions of the main SELECT (` AS expr_<k>`), so that every column of
 * the computed table has a usable name. Unlike the original helper it leaves `*`, `t.*` and
 * plain columns alone, finds the main SELECT after any `WITH` clause, and changes nothing else
 * in the text.
 *
 * @example
 * ```ts
 * addMissingAliases("SELECT id, upper(name) FROM t"); // "SELECT id, upper(name) AS expr_1 FROM t"
 * ```
 */
export function addMissingAliases(sql: string): string {
  let selectAt = -1;
  let fromAt = -1;
  scanTopLevel(sql, (i) => {
    if (selectAt === -1) {
      if (keywordAt(sql, i, "SELECT")) selectAt = i;
      return;
    }
    if (keywordAt(sql, i, "FROM")) {
      fromAt = i;
      return true;
    }
  });
  if (selectAt === -1 || fromAt === -1) return sql;
  let start = selectAt + "SELECT".length;
  const afterSelect = sql.slice(start, fromAt);
  const modifier = /^(\s+(?:DISTINCT|ALL)\b)/i.exec(afterSelect);
  if (modifier) start += modifier[1].length;
  const columns = sql.slice(start, fromAt);
  // Split the column list at depth-0 commas (relative to the list).
  const cuts: number[] = [];
  scanTopLevel(columns, (i) => {
    if (columns[i] === ",") cuts.push(i);
  });
  const bounds = [-1, ...cuts, columns.length];
  let counter = 0;
  let rebuilt = "";
  for (let k = 0; k < bounds.length - 1; k++) {
    const piece = columns.slice(bounds[k] + 1, bounds[k + 1]);
    const separator = k < bounds.length - 2 ? "," : "";
    const trimmedEnd = piece.replace(/\s+$/, "");
    const trailing = piece.slice(trimmedEnd.length);
    if (trimmedEnd.trim() === "" || hasAlias(trimmedEnd)) {
      rebuilt += piece + separator;
    } else {
      counter++;
      rebuilt += `${trimmedEnd} AS expr_${counter}${trailing}${separator}`;
    }
  }
  if (!counter) return sql;
  return sql.slice(0, start) + rebuilt + sql.slice(fromAt);
}

/** Input problems with the definitions as a whole. */
export function assertHasValidRecords(validation: RecordValidation): void {
  if (!validation.valid.length) {
    throw new InvalidInputError("No valid records to import after validation.", false);
  }
}
