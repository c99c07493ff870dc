/**
 * Token checks done before every authenticated command: the JWT is decoded without verifying
 * its signature (as the original does) and only `exp` is looked at.
 *
 * @module
 */
import { decodeJwt } from "jose";

/** What a token check found. */
export type TokenCheck =
  | { valid: true; expiresAt?: Date }
  | { valid: false; reason: "expired"; expiresAt: Date }
  | { valid: false; reason: "malformed"; message: string };

/**
 * Checks a token's `exp` against `now`. A token without `exp` is valid; one that is not a JWT
 * is malformed.
 *
 * @example
 * ```ts
 * checkToken("not-a-jwt", new Date()); // { valid: false, reason: "malformed", … }
 * ```
 */
export function checkToken(token: string, now: Date): TokenCheck {
  let claims: { exp?: unknown };
  try {
    claims = decodeJwt(token);
  } catch (error) {
    return { valid: false, reason: "malformed", message: (error as Error).message };
  }
  if (typeof claims.exp !== "number") return { valid: true };
  const expiresAt = new Date(claims.exp * 1000);
  if (claims.exp < now.getTime() / 1000) return { valid: false, reason: "expired", expiresAt };
  return { valid: true, expiresAt };
}

/** Human text for a token's expiry, as `auth status` shows it. */
export function describeExpiry(expiresAt: Date, now: Date): string {
  const stamp = `${expiresAt.toISOString().slice(0, 10)} ${
    expiresAt.toISOString().slice(11, 16)
  } UTC`;
  const deltaMs = expiresAt.getTime() - now.getTime();
  const dayMs = 86_400_000;
  if (deltaMs < 0) {
    // The original prints abs(delta.days) of a negative timedelta, one day too many; we don't.
    const days = Math.floor(-deltaMs / dayMs);
    return days >= 1
      ? `Token expired ${days} day(s) ago (${stamp})`
      : `Token expired ${Math.floor(-deltaMs / 3_600_000)} hour(s) ago (${stamp})`;
  }
  const days = Math.floor(deltaMs / dayMs);
  if (days >= 1) return `Token expires in ${days} day(s) (${stamp})`;
  return `Token expires in ${Math.floor(deltaMs / 3_600_000)} hour(s) (${stamp})`;
}
