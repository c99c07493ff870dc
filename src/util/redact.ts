/**
 * Redaction of secrets in everything the CLI prints or logs.
 *
 * @module
 */

/** Keys whose values are secrets, at any depth (the original's list). */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  "password",
  "passphrase",
  "token",
  "api_key",
  "secret",
  "secret_key",
  "private_key",
  "private_key_der_b64",
  "private_key_path",
  "access_key",
  "credentials",
  "credentials_payload",
  "auth_token",
]);

/** What a secret is replaced with. */
export const REDACTED = "*** redacted ***";

/**
 * Returns a deep copy of `value` with every secret key's value replaced by {@link REDACTED},
 * in objects at any depth, including objects inside lists.
 *
 * @example
 * ```ts
 * redactSecrets({ name: "pg", password: "hunter2" }); // { name: "pg", password: "*** redacted ***" }
 * ```
 */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item)) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
      out[key] = SECRET_KEYS.has(key.toLowerCase()) && member !== null && member !== undefined &&
          member !== ""
        ? REDACTED
        : redactSecrets(member);
    }
    return out as T;
  }
  return value;
}

/** Masks a token for display: its first 4 characters and 16 stars (`****` when very short). */
export function maskToken(token: string): string {
  return token.length <= 4 ? "****" : `${token.slice(0, 4)}${"*".repeat(16)}`;
}

/**
 * Secrets shorter than this are never scrubbed from text: replacing every `abc` or `1` of an
 * output would mangle it while hiding next to nothing (such a value is guessed at once anyway).
 * Key-based redaction ({@link redactSecrets}) still hides them wherever they sit under a secret
 * key.
 */
export const MIN_SECRET_LENGTH = 4;

/**
 * Whether a value is scrubbed from text at all: long enough, and not a short number (a
 * password `5432` would otherwise turn every port 5432 of a JSON output into `***`, which is no
 * longer JSON).
 */
function isScrubbable(secret: string): boolean {
  return secret.length >= MIN_SECRET_LENGTH && !(secret.length < 8 && /^\d+$/.test(secret));
}

const isWordCode = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) ||
  code === 95;

/**
 * `text` with each occurrence of `secret` that stands alone replaced by {@link SCRUBBED}: not
 * inside a longer word (a password `postgres` leaves `postgresql` alone), where a secret
 * echoed in a message always stands (quoted, after a colon, at a line's end).
 */
function replaceWhole(text: string, secret: string): string {
  const first = secret.charCodeAt(0);
  const last = secret.charCodeAt(secret.length - 1);
  let out = "";
  let copied = 0;
  for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) {
    const end = at + secret.length;
    // Only a boundary on a word character can be inside a longer word.
    if (isWordCode(first) && at > 0 && isWordCode(text.charCodeAt(at - 1))) continue;
    if (isWordCode(last) && end < text.length && isWordCode(text.charCodeAt(end))) continue;
    if (at < copied) continue;
    out += text.slice(copied, at) + SCRUBBED;
    copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** What a scrubbed secret becomes in text. */
export const SCRUBBED = "***";

/**
 * Replaces every occurrence of the given secret strings in `text` (tokens, passwords taken
 * from the environment) so that no message or log line can leak them. Secrets shorter than
 * {@link MIN_SECRET_LENGTH} are left alone.
 */
export function scrubText(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && isScrubbable(secret) && out.includes(secret)) out = replaceWhole(out, secret);
  }
  return out;
}

/**
 * Where secrets are registered as they come into being (token, `${VAR}` values, payloads).
 *
 * @example
 * ```ts
 * const sink: SecretSink = new SecretRegistry();
 * sink.add(process.env.PG_PASSWORD);
 * ```
 */
export interface SecretSink {
  /** Registers values to scrub from all output; non-strings and short strings are ignored. */
  add(...values: unknown[]): void;
}

/**
 * The secret strings of one run (a CLI command, an MCP server or one tool call): the token
 * however it was configured, every value resolved from a `${VAR}` placeholder and every value
 * of a secret key of a payload sent. Everything written out goes through {@link scrub}.
 *
 * Scrubbing is a substring search per secret (a handful), so megabytes of output cost a few
 * linear scans; longer secrets are replaced first, so that one containing another goes whole.
 *
 * @example
 * ```ts
 * const secrets = new SecretRegistry();
 * secrets.add("hunter2-password");
 * secrets.scrub("rejected hunter2-password"); // "rejected ***"
 * ```
 */
export class SecretRegistry implements SecretSink {
  readonly #secrets = new Set<string>();
  #ordered: string[] = [];
  /** Registries whose secrets are scrubbed too (e.g. the server's, for one tool call). */
  readonly #parents: readonly SecretRegistry[];

  constructor(...parents: Array<SecretRegistry | undefined>) {
    this.#parents = parents.filter((parent): parent is SecretRegistry => parent !== undefined);
  }

  add(...values: unknown[]): void {
    let added = false;
    for (const value of values) {
      if (typeof value !== "string" || !isScrubbable(value)) continue;
      if (this.#secrets.has(value)) continue;
      this.#secrets.add(value);
      added = true;
    }
    if (added) this.#ordered = [...this.#secrets].sort((a, b) => b.length - a.length);
  }

  /** How many secrets are registered here (not counting parents). */
  get size(): number {
    return this.#secrets.size;
  }

  /** The secrets of this registry and its parents, longest first. */
  #all(): readonly string[] {
    if (!this.#parents.length) return this.#ordered;
    const all = new Set(this.#ordered);
    for (const parent of this.#parents) for (const secret of parent.#all()) all.add(secret);
    return [...all].sort((a, b) => b.length - a.length);
  }

  /** `text` with every registered secret (here and in the parents) replaced by `***`. */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.#all()) {
      if (out.includes(secret)) out = replaceWhole(out, secret);
    }
    return out;
  }
}

/**
 * Every string value of a secret key ({@link SECRET_KEYS}) at any depth of `value`.
 *
 * @example
 * ```ts
 * secretValues({ name: "pg", password: "hunter22", parameters: { secret_key: "k3y!" } });
 * // ["hunter22", "k3y!"]
 * ```
 */
export function secretValues(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) secretValues(item, out);
  } else if (value && typeof value === "object") {
    for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_KEYS.has(key.toLowerCase()) && typeof member === "string") out.push(member);
      else secretValues(member, out);
    }
  }
  return out;
}
