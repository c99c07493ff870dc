/** `/api/teams*`, `/api/users*`. */
import { PERMISSIONS, requireRole, ROLES } from "../auth.ts";
import { buildTeam } from "../build.ts";
import { type FakeRoute, idParam, noContent, ok, paged, sortBy } from "../context.ts";
import { badRequest, conflict } from "../errors.ts";
import { renderTeam, renderUser } from "../render.ts";
import { type BodySchema, validateBody } from "../validate.ts";

const TEAM: BodySchema = {
  name: { type: "str", required: true, maxLength: 255 },
  description: { type: "str" },
  permission: { type: "str", enum: PERMISSIONS },
  user_ids: { type: "list[int]" },
};

/** The team and user routes. */
export const peopleRoutes: FakeRoute[] = [
  {
    method: "GET",
    path: "/api/teams",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      const name = ctx.query.str("name");
      let items = ctx.state.teams.values().filter((t) =>
        name === undefined || String(t.name).toLowerCase().includes(name.toLowerCase())
      );
      items = sortBy(ctx, items, { sort_created: (t) => t.created, sort_name: (t) => t.name });
      return paged(ctx, items, (t) => renderTeam(ctx.state, t));
    },
  },
  {
    method: "POST",
    path: "/api/teams",
    handler(ctx) {
      requireRole(ctx.caller, "Admin");
      const data = validateBody(ctx.body, TEAM);
      if (ctx.state.teamByName(data.name)) {
        throw conflict(`A team with the name '${data.name}' already exists`);
      }
      for (const id of data.user_ids ?? []) ctx.state.user(id);
      const team = ctx.state.teams.insert(buildTeam({
        id: ctx.state.nextId(ctx.state.teams),
        name: data.name,
        description: data.description ?? null,
        permission: data.permission ?? "Reporter",
        users: data.user_ids ?? [],
      }, ctx.state.nowIso()));
      for (const id of data.user_ids ?? []) {
        const user = ctx.state.user(id);
        user.teams = [...new Set([...(user.teams ?? []), team.name])];
      }
      return ok(renderTeam(ctx.state, team));
    },
  },
  {
    method: "GET",
    path: "/api/teams/{id}",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      return ok(renderTeam(ctx.state, ctx.state.team(idParam(ctx))));
    },
  },
  {
    method: "PUT",
    path: "/api/teams/{id}",
    handler(ctx) {
      requireRole(ctx.caller, "Admin");
      const team = ctx.state.team(idParam(ctx));
      const data = validateBody(ctx.body, TEAM);
      if (team.name === "Public" && data.name !== "Public") {
        throw badRequest("The Public team cannot be renamed");
      }
      for (const key of ["name", "description", "permission"]) {
        if (key in data) team[key] = data[key];
      }
      if ("user_ids" in data) team.users = data.user_ids ?? [];
      return ok(renderTeam(ctx.state, team));
    },
  },
  {
    method: "DELETE",
    path: "/api/teams/{id}",
    handler(ctx) {
      requireRole(ctx.caller, "Admin");
      const team = ctx.state.team(idParam(ctx));
      if (team.name === "Public") throw badRequest("The Public team cannot be deleted");
      ctx.state.teams.delete(team.id);
      for (const ds of ctx.state.datastores.values()) {
        if (Array.isArray(ds.teams)) ds.teams = ds.teams.filter((t: unknown) => t !== team.name);
      }
      return noContent();
    },
  },
  {
    method: "GET",
    path: "/api/users",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      const name = ctx.query.str("name");
      let items = ctx.state.users.values().filter((u) =>
        name === undefined ||
        `${u.name} ${u.email}`.toLowerCase().includes(name.toLowerCase())
      );
      items = sortBy(ctx, items, { sort_created: (u) => u.created, sort_name: (u) => u.name });
      return paged(ctx, items, (u) => renderUser(ctx.state, u));
    },
  },
  {
    method: "GET",
    path: "/api/users/me",
    handler(ctx) {
      return ok(renderUser(ctx.state, ctx.caller.user));
    },
  },
  {
    method: "GET",
    path: "/api/users/{id}",
    handler(ctx) {
      requireRole(ctx.caller, "Manager");
      return ok(renderUser(ctx.state, ctx.state.user(idParam(ctx))));
    },
  },
  {
    method: "PUT",
    path: "/api/users/{id}",
    handler(ctx) {
      requireRole(ctx.caller, "Admin");
      const user = ctx.state.user(idParam(ctx));
      const data = validateBody(ctx.body, { role: { type: "str", required: true, enum: ROLES } });
      user.role = data.role;
      return ok(renderUser(ctx.state, user));
    },
  },
];
