/**
 * Minimal JWT helpers for the fake controlplane: tokens are `header.payload.signature` in
 * base64url; the signature is not verified by anybody (the CLI decodes `exp` unverified and
 * the fake server only accepts tokens it issued), so it is a fixed marker.
 *
 * @module
 */

/** Claims of a fake token. `exp`/`iat` are seconds since the epoch. */
export interface JwtClaims {
  sub?: string;
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

function base64UrlEncode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64UrlDecode(text: string): string {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

/**
 * Builds an unsigned-looking JWT with the given claims (HS256 header, dummy signature).
 * Pass `exp` in the past to get an expired token; omit it for a non-expiring one.
 *
 * @example
 * ```ts
 * const expired = makeJwt({ sub: "ci@example.com", exp: 1_000_000_000 });
 * ```
 */
export function makeJwt(claims: JwtClaims = {}, signature = "fake-signature"): string {
  const header = base64UrlEncode(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64UrlEncode(JSON.stringify(claims));
  return `${header}.${payload}.${base64UrlEncode(signature)}`;
}

/** Decodes the payload of a JWT without verifying it; `undefined` when it is not a JWT. */
export function decodeJwtPayload(token: string): JwtClaims | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const value = JSON.parse(base64UrlDecode(parts[1]));
    return value && typeof value === "object" && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
