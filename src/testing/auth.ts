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

function callerTeams(caller: Caller): Set<string> {
  return new Set<string>([...(caller.user.teams ?? []), "Public"]);
}

function datastoreTeams(datastore: Rec | undefined): string[] {
  return (datastore?.teams ?? []).map((t: unknown) =>
    typeof t === "string" ? t : String((t as Rec)?.name)
  );
}

/**
 * Whether the caller holds at least `permission` on the datastore (Admins always do).
 *
 * The role model (PRODUCT.md "The fake controlplane"; api/endpoints.md "Roles and permissions",
 * api/entities.md §9–10):
 *
 * - **Admin**: everything; bypasses team permissions.
 * - **Manager**: Manager-role actions (create connections/datastores, tags, templates), lists
 *   and reads every datastore object, views users and teams; for the data of a datastore
 *   (containers, fields, checks, anomalies, operations, catalog) and every write to it, subject
 *   to team permissions like a Member.
 * - **Member**: sees and acts on datastores through their teams only; no users/teams.
 *
 * A user's teams are the names in `user.teams`, plus `Public` (which contains every user).
 * A team grants its `permission` (Reporter < Viewer < Drafter < Author < Editor) on every
 * datastore that lists the team in `teams`. Lists are filtered to what the caller may see;
 * a single object outside the caller's teams is a 403 whose `detail` names the teams needed
 * (the real API's message, endpoints.md "Status codes and error bodies").
 */
export function hasPermission(
  state: FakeState,
  caller: Caller,
  datastore: Rec | undefined,
  permission: Permission,
): boolean {
  if (caller.role === "Admin") return true;
  const memberOf = callerTeams(caller);
  const needed = PERMISSIONS.indexOf(permission);
  return datastoreTeams(datastore).some((name) =>
    memberOf.has(name) &&
    PERMISSIONS.indexOf(state.teamByName(name)?.permission ?? "Reporter") >= needed
  );
}

/**
 * 403 unless the caller may act on a datastore with `permission`: Admins pass; Managers and
 * Members need a team of the datastore whose permission is at least `permission`.
 */
export function requirePermission(
  state: FakeState,
  caller: Caller,
  datastore: Rec | undefined,
  permission: Permission,
): void {
  if (hasPermission(state, caller, datastore, permission)) return;
  throw forbidden(
    `You must have ${permission.toLowerCase()} permission in at least one of these teams: [${
      datastoreTeams(datastore).map(pyRepr).join(", ")
    }]`,
  );
}

/** Whether the caller sees the datastore object itself (Admins and Managers: every one). */
export function seesDatastore(state: FakeState, caller: Caller, datastore: Rec): boolean {
  return caller.role !== "Member" || hasPermission(state, caller, datastore, "Reporter");
}

/** 403 unless the caller sees the datastore object (see {@link seesDatastore}). */
export function requireDatastoreView(state: FakeState, caller: Caller, datastore: Rec): void {
  if (caller.role !== "Member") return;
  requirePermission(state, caller, datastore, "Reporter");
}

/**
 * For list endpoints: whether the caller may see the data of the datastore with this id
 * (Reporter or more through a team; Admins: all). Computed once per request.
 */
export function dataVisibility(state: FakeState, caller: Caller): (id: unknown) => boolean {
  if (caller.role === "Admin") return () => true;
  const ids = new Set<unknown>(
    state.datastores.values()
      .filter((ds) => hasPermission(state, caller, ds, "Reporter"))
      .map((ds) => ds.id),
  );
  return (id) => ids.has(id);
}
