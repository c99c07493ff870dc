/**
 * `${VAR}` placeholders in secrets, resolved as the original CLI does (Python's
 * `os.path.expandvars`): `$NAME` and `${NAME}` are replaced when the variable is set and left
 * as written otherwise; what is still a `${NAME}` afterwards is reported as unresolved.
 *
 * @module
 */

/** The outcome of {@link resolvePlaceholders}. */
export interface PlaceholderResolution {
  /** The text with every known variable substituted. */
  value: string;
  /** Names of the `${NAME}` placeholders left unresolved, in order of appearance, unique. */
  unresolved: string[];
}

// The same pattern as CPython's posixpath.expandvars: `$word` or `${anything but }}`.
const VARIABLE = /\$(\w+|\{[^}]*\})/g;
const LEFTOVER = /\$\{(\w+)\}/g;
/** Only the braced form, for values that are no secrets (see {@link resolvePlaceholders}). */
const BRACED = /\$\{(\w+)\}/g;

/**
 * Expands `$NAME` / `${NAME}` in `text` from `env`; unknown variables stay as written and the
 * names of the remaining `${NAME}` placeholders are listed in `unresolved`. With `bracedOnly`,
 * only `${NAME}` is expanded: a `$` in a host, a URI or a user name is far more often literal
 * than a variable (`$HOME` and `$USER` are set everywhere).
 *
 * @example
 * ```ts
 * resolvePlaceholders("user=${U}", { U: "admin" }); // { value: "user=admin", unresolved: [] }
 * resolvePlaceholders("${NOPE}", {}); // { value: "${NOPE}", unresolved: ["NOPE"] }
 * ```
 */
export function resolvePlaceholders(
  text: string,
  env: Record<string, string | undefined>,
  options: { bracedOnly?: boolean } = {},
): PlaceholderResolution {
  // A string without `$` is returned untouched, as expandvars does.
  if (!text.includes("$")) return { value: text, unresolved: [] };
  const value = text.replace(options.bracedOnly ? BRACED : VARIABLE, (whole, inner: string) => {
    const name = inner.startsWith("{") ? inner.slice(1, -1) : inner;
    const replacement = env[name];
    return replacement === undefined ? whole : replacement;
  });
  const unresolved: string[] = [];
  for (const match of value.matchAll(LEFTOVER)) {
    if (!unresolved.includes(match[1])) unresolved.push(match[1]);
  }
  return { value, unresolved };
}

/** Thrown when placeholders are left unresolved; the message is the original's. */
export class UnresolvedVariablesError extends Error {
  override name = "UnresolvedVariablesError";
  constructor(readonly names: readonly string[]) {
    super(
      `Unresolved environment variable(s): ${
        names.join(", ")
      }. Set them in your environment or .env file.`,
    );
  }
}

/**
 * Collects resolutions of several values and throws one {@link UnresolvedVariablesError}
 * naming every unresolved variable at the end. With `env` null nothing is resolved: values pass
 * through as written (the MCP server never reads its environment for a caller).
 */
export class PlaceholderResolver {
  readonly #unresolved: string[] = [];
  constructor(readonly env: Record<string, string | undefined> | null) {}

  /** Resolves one value (non-strings pass through). */
  resolve<T>(value: T): T {
    if (typeof value !== "string" || this.env === null) return value;
    const result = resolvePlaceholders(value, this.env);
    for (const name of result.unresolved) {
      if (!this.#unresolved.includes(name)) this.#unresolved.push(name);
    }
    return result.value as T;
  }

  /** Names left unresolved by the values resolved so far. */
  get unresolved(): readonly string[] {
    return this.#unresolved;
  }

  /** Throws when any value had an unresolved placeholder. */
  assertResolved(): void {
    if (this.#unresolved.length) throw new UnresolvedVariablesError(this.#unresolved);
  }
}
