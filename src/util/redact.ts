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
 * Replaces every occurrence of the given secret strings in `text` (tokens, passwords taken
 * from the environment) so that no message or log line can leak them.
 */
export function scrubText(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("***");
  }
  return out;
}
