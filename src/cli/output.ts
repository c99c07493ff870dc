/**
 * Output in one place: data goes to stdout as YAML, JSON or a table, and nothing else does;
 * messages, warnings, progress and summaries go to stderr, coloured only for a terminal and
 * never when `NO_COLOR` is set.
 *
 * @module
 */
import Table from "cli-table3";
import { createColors } from "picocolors";
import { stringifyJson } from "../util/json.ts";
import { dumpYaml } from "../util/yaml.ts";
import type { CliContext, OutputStream } from "./context.ts";
import { InvalidArgumentError } from "@commander-js/extra-typings";

/** Output formats of data. */
export type Format = "yaml" | "json" | "table";

/** Parses a `--format` value; `table` only where the command lists things. */
export function parseFormat(value: string, allowTable = false): Format {
  const allowed = allowTable ? ["yaml", "json", "table"] : ["yaml", "json"];
  if (!allowed.includes(value)) {
    throw new InvalidArgumentError(
      `'${value}' is not one of ${allowed.map((item) => `'${item}'`).join(", ")}.`,
    );
  }
  return value as Format;
}

/** The `--format` parser of a command that prints one object (yaml, json). */
export const parseObjectFormat = (value: string): Format => parseFormat(value, false);
/** The `--format` parser of a command that prints a list (yaml, json, table). */
export const parseListFormat = (value: string): Format => parseFormat(value, true);

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") {
    if (Array.isArray(value)) {
      return value.map((item) =>
        item && typeof item === "object" && "name" in item ? String(item.name) : cell(item)
      ).join(", ");
    }
    if ("name" in value) return String((value as { name: unknown }).name);
    return stringifyJson(value);
  }
  return String(value);
}

/**
 * Renders a list of objects as a table of the given columns (default: the first keys), its
 * header in bold with `bold` (where colours are on).
 */
export function renderTable(rows: unknown[], columns?: string[], bold = false): string {
  const records = rows.filter((row): row is Record<string, unknown> =>
    !!row && typeof row === "object"
  );
  const keys = columns ?? Object.keys(records[0] ?? {}).slice(0, 6);
  const cells = records.map((record) => keys.map((key) => cell(record[key])));
  return (asciiTable(keys, cells, bold) ?? packageTable(keys, cells, bold)) + "\n";
}

const inBold = (text: string) => `\x1b[1m${text}\x1b[22m`;

/**
 * A table drawn by cli-table3 (as {@link asciiTable} draws the common case). The header is
 * made bold here, not by the package, which would ask the environment again.
 */
export function packageTable(head: string[], rows: string[][], bold: boolean): string {
  const table = new Table({
    head: bold ? head.map(inBold) : head,
    style: { head: [], border: [], compact: true },
    wordWrap: true,
  });
  for (const row of rows) table.push(row);
  return table.toString();
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * {@link packageTable}'s drawing of a table whose header and cells are all one line of printable
 * ASCII (a width is a length): nearly every table this CLI prints, without the package's cell
 * machinery (some 5 ms the first time, 2 ms after). Undefined for any other table.
 */
export function asciiTable(head: string[], rows: string[][], bold: boolean): string | undefined {
  if (!head.length) return undefined;
  for (const row of [head, ...rows]) {
    for (const text of row) if (!PRINTABLE_ASCII.test(text)) return undefined;
  }
  const widths = head.map((title, i) =>
    rows.reduce((width, row) => Math.max(width, row[i].length), title.length)
  );
  const rule = (left: string, middle: string, right: string) =>
    left + widths.map((width) => "─".repeat(width + 2)).join(middle) + right;
  const line = (texts: string[], style: (text: string) => string) =>
    "│" + texts.map((text, i) => ` ${style(text)}${" ".repeat(widths[i] - text.length)} `)
      .join("│") +
    "│";
  const lines = [rule("┌", "┬", "┐"), line(head, bold ? inBold : (text) => text)];
  if (rows.length) lines.push(rule("├", "┼", "┤"));
  for (const row of rows) lines.push(line(row, (text) => text));
  lines.push(rule("└", "┴", "┘"));
  return lines.join("\n");
}

/** Renders data in a format; YAML and JSON always end with one newline. */
export function renderData(value: unknown, format: Format, columns?: string[]): string {
  if (format === "json") return stringifyJson(value, { indent: 2 }) + "\n";
  if (format === "table") {
    return renderTable(Array.isArray(value) ? value : [value], columns);
  }
  const text = dumpYaml(value);
  return text.endsWith("\n") ? text : text + "\n";
}

/** Messages to stderr, coloured when a person is watching. */
export class Ui {
  readonly colors: ReturnType<typeof createColors>;
  /** Whether spinners and live progress may be drawn. */
  readonly interactive: boolean;

  constructor(readonly ctx: CliContext) {
    this.colors = createColors(this.#colorsOn(ctx.stderr));
    this.interactive = ctx.stderr.isTTY && !ctx.env.CI && !ctx.env.QUALYTICS_NO_BANNER;
  }

  /** Data to stdout in the chosen format. */
  data(value: unknown, format: Format, columns?: string[]): void {
    this.ctx.stdout.write(
      format === "table"
        ? renderTable(
          Array.isArray(value) ? value : [value],
          columns,
          this.#colorsOn(this.ctx.stdout),
        )
        : renderData(value, format),
    );
  }

  /** A table on stderr (summaries), its header bold where colours are on. */
  table(rows: unknown[], columns: string[]): void {
    this.ctx.stderr.write(renderTable(rows, columns, this.colors.isColorSupported));
  }

  /** Whether colours are on for `stream`: a terminal, without NO_COLOR or TERM=dumb. */
  #colorsOn(stream: OutputStream): boolean {
    return stream.isTTY && !this.ctx.env.NO_COLOR && this.ctx.env.TERM !== "dumb";
  }

  /** A line of information. */
  info(message: string): void {
    this.ctx.stderr.write(`${message}\n`);
  }
  /** A line saying something worked. */
  success(message: string): void {
    this.ctx.stderr.write(`${this.colors.green(message)}\n`);
  }
  /** A warning line. */
  warn(message: string): void {
    this.ctx.stderr.write(`${this.colors.yellow(`Warning: ${message}`)}\n`);
  }
  /** An error line. */
  error(message: string): void {
    this.ctx.stderr.write(`${this.colors.red(`Error: ${message}`)}\n`);
  }

  /**
   * A progress line that redraws itself on a terminal and prints only at most every few
   * seconds elsewhere (so CI logs stay readable).
   */
  progress(label: string): Progress {
    return new Progress(this, label);
  }
}

/** A live progress indicator on stderr. */
export class Progress {
  #lastPlain = 0;
  #drawn = false;
  constructor(readonly ui: Ui, readonly label: string) {}

  /** Shows `done` of `total` (total may be unknown) with an optional detail. */
  update(done: number, total?: number, detail = ""): void {
    const fraction = total ? Math.min(1, done / total) : undefined;
    const bar = fraction === undefined
      ? ""
      : `[${"#".repeat(Math.round(fraction * 20)).padEnd(20, "-")}] `;
    const counts = total ? `${done}/${total}` : `${done}`;
    const line = `${this.label} ${bar}${counts}${detail ? ` ${detail}` : ""}`;
    if (this.ui.interactive) {
      this.ui.ctx.stderr.write(`\r\x1b[2K${line}`);
      this.#drawn = true;
      return;
    }
    const now = Date.now();
    if (now - this.#lastPlain >= 5000 || done === total) {
      this.#lastPlain = now;
      this.ui.ctx.stderr.write(`${line}\n`);
    }
  }

  /** Ends the indicator with a final line. */
  done(message?: string): void {
    if (this.#drawn) this.ui.ctx.stderr.write("\r\x1b[2K");
    if (message) this.ui.ctx.stderr.write(`${message}\n`);
  }
}
