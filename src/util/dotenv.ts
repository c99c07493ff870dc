/**
 * `.env` files in python-dotenv's syntax: `KEY=value`, an optional `export ` prefix, single or
 * double quotes, `#` comments and `${OTHER}` interpolation.
 *
 * @module
 */

/**
 * Parses a `.env` text. `${NAME}` in unquoted and double-quoted values is replaced from the
 * variables parsed so far, then from `env`.
 *
 * @example
 * ```ts
 * parseDotenv('export A=1\nB="${A}2" # two'); // { A: "1", B: "12" }
 * ```
 */
export function parseDotenv(
  text: string,
  env: Record<string, string | undefined> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  const lookup = (name: string) => out[name] ?? env[name] ?? "";
  const interpolate = (value: string) =>
    value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => lookup(name));
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, key, rest] = match;
    let value: string;
    if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      value = end === -1 ? rest.slice(1) : rest.slice(1, end);
    } else if (rest.startsWith('"')) {
      const end = rest.slice(1).search(/(?<!\\)"/);
      value = interpolate(
        (end === -1 ? rest.slice(1) : rest.slice(1, end + 1))
          .replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\"),
      );
    } else {
      value = interpolate(rest.replace(/\s+#.*$/, "").trim());
    }
    out[key] = value;
  }
  return out;
}

/** Copies `vars` into `env` without overriding variables that are already set. */
export function applyDotenv(
  env: Record<string, string | undefined>,
  vars: Record<string, string>,
): void {
  for (const [key, value] of Object.entries(vars)) {
    if (env[key] === undefined) env[key] = value;
  }
}
