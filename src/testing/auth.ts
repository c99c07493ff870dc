/** Tokens the fake server issued, roles and team permissions. */
import { forbidden, pyRepr } from "./errors.ts";
import { makeJwt } from "./jwt.ts";
import type { FakeState, Rec } from "./state.ts";

/** User roles, weakest first. */
export const ROLES = ["Member", "Manager", "Admin"] as const;
/** A user role. */
export type Role = (typeof ROLES)[number];
/** Team permissions on a datastore, weakest first. */
export const PERMISSIONS = ["Reporter", "Viewer", "Drafter", "Author", "Editor"] as const;
/** A team permission. */
export type Permission = (typeof PERMISSIONS)[number];

/** Far-future expiry (2100-01-01) of the tokens the server issues. */
export const FAR_FUTURE_EXP = 4102444800;

/** Who is calling. */
export interface Caller {
  token: string;
  role: Role;
  user: Rec;
}

/** Tokens issued by one server. */
export class TokenRegistry {
  readonly #tokens = new Map<string, { role: Role; userId: number }>();
  #counter = 0;
  readonly #nonce = Math.random().toString(36).slice(2, 10);

  /** Mints and registers a JWT for a user. */
  issue(role: Role, user: Rec, claims: Record<string, unknown> = {}): string {
    this.#counter++;
    const token = makeJwt({
      sub: String(user.email ?? user.id),
      user_id: user.id,
      role,
      iat: 1767225600,
      exp: FAR_FUTURE_EXP,
      jti: `fake-${this.#nonce}-${this.#counter}`,
      ...claims,
    });
    this.register(token, role, user.id);
    return token;
  }

  register(token: string, role: Role, userId: number): void {
    this.#tokens.set(token, { role, userId });
  }

  revoke(token: string): void {
    this.#tokens.delete(token);
  }

  lookup(token: string): { role: Role; userId: number } | undefined {
    return this.#tokens.get(token);
  }

  entries(): { token: string; role: string; user_id: number }[] {
    return [...this.#tokens].map(([token, v]) => ({ token, role: v.role, user_id: v.userId }));
  }
}

const rank = (role: Role) => ROLES.indexOf(role);

/** 403 unless the caller has at least `role`. */
export function requireRole(caller: Caller, role: Role): void {
  if (rank(caller.role) >= rank(role)) return;
  throw forbidden(
    role === "Admin"
      ? "You must have the Admin role to perform this action"
      : `You must have the ${role} role or higher to perform this action`,
  );
}

/**
 * 403 unless the caller may act on a datastore with `permission`: Admins and Managers pass;
 * Members need a team of the datastore whose permission is at least `permission`.
 */
export function requirePermission(
  state: FakeState,
  caller: Caller,
  datastore: Rec | undefined,
  permission: Permission,
): void {
  if (caller.role !== "Member") return;
  const teamNames: string[] = (datastore?.teams ?? []).map((t: unknown) =>
    typeof t === "string" ? t : String((t as Rec)?.name)
  );
  const memberOf = new Set<string>(caller.user.teams ?? []);
  const needed = PERMISSIONS.indexOf(permission);
  for (const name of teamNames) {
    const team = state.teamByName(name);
    const teamPermission = PERMISSIONS.indexOf(team?.permission ?? "Reporter");
    if (memberOf.has(name) && teamPermission >= needed) return;
  }
  throw forbidden(
    `You must have ${permission.toLowerCase()} permission in at least one of these teams: [${
      teamNames.map(pyRepr).join(", ")
    }]`,
  );
}
