import assert from "node:assert/strict";
import { startFakeControlplane } from "../../src/testing/mod.ts";
import { api } from "./_helpers.ts";

Deno.test("roles: member, manager and admin tokens", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    const { member, manager, admin } = server.tokens;
    // Everybody reads.
    for (const token of [member, manager, admin]) {
      assert.equal((await api(server, "GET", "/api/datastores", { token })).status, 200);
    }
    // Manager-level actions.
    const conn = { name: "C", type: "postgresql", host: "h" };
    let res = await api(server, "POST", "/api/connections", { token: member, body: conn });
    assert.equal(res.status, 403);
    assert.equal(
      res.body.detail,
      "You must have the Manager role or higher to perform this action",
    );
    assert.equal(
      (await api(server, "POST", "/api/connections", { token: manager, body: conn })).status,
      200,
    );
    // Admin-only actions.
    res = await api(server, "DELETE", "/api/datastores/2", { token: manager });
    assert.equal(res.status, 403);
    assert.equal(res.body.detail, "You must have the Admin role to perform this action");
    // Team permissions: the member is only in Business (Reporter) on Sales DW.
    res = await api(server, "POST", "/api/operations/run", {
      token: member,
      body: { type: "scan", datastore_id: 1, incremental: false },
    });
    assert.equal(res.status, 403);
    assert.equal(
      res.body.detail,
      "You must have editor permission in at least one of these teams: ['Data Engineering', 'Analytics', 'Business']",
    );
    res = await api(server, "PUT", "/api/anomalies/1", {
      token: member,
      body: { status: "Acknowledged" },
    });
    assert.equal(res.status, 403);
    assert.match(res.body.detail, /^You must have author permission/);
    // An Author member (Ari, team Analytics) may write checks but not run operations.
    const author = server.issueToken("Member");
    server.state.users.get(3)!.teams = ["Analytics"];
    res = await api(server, "PUT", "/api/anomalies/1", {
      token: author,
      body: { status: "Acknowledged" },
    });
    assert.equal(res.status, 200);
    res = await api(server, "POST", "/api/operations/run", {
      token: author,
      body: { type: "sync", datastore_id: 1 },
    });
    assert.equal(res.status, 403);
    assert.equal((await api(server, "DELETE", "/api/datastores/2", { token: admin })).status, 204);
  } finally {
    await server.close();
  }
});

Deno.test("roles: reads follow the caller's teams; users and teams are for Managers", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    const { member, manager, admin } = server.tokens;
    const get = async (path: string, token: string) => await api(server, "GET", path, { token });
    const ids = async (path: string, token: string) =>
      (await get(path, token)).body.items.map((item: { id: number }) => item.id);
    // Mia (Member; Public, Business) sees Sales DW only; Max (Manager) lists every datastore.
    assert.deepEqual(await ids("/api/datastores", member), [1]);
    assert.deepEqual(await ids("/api/datastores?enrichment_only=true", member), []);
    assert.deepEqual(await ids("/api/datastores", manager), [1, 2]);
    assert.deepEqual(await ids("/api/datastores", admin), [1, 2]);
    let res = await get("/api/datastores/2", member);
    assert.equal(res.status, 403);
    assert.equal(
      res.body.detail,
      "You must have reporter permission in at least one of these teams: ['Data Engineering', 'Analytics']",
    );
    assert.equal((await get("/api/datastores/999", member)).status, 404);
    // Data lists hold only the member's datastores; single objects elsewhere are 403.
    const marketing = (await get("/api/containers?datastore=2", admin)).body.items[0].id;
    assert.equal((await get("/api/containers?datastore=2", member)).body.total, 0);
    assert.equal((await get(`/api/containers/${marketing}`, member)).status, 403);
    assert.equal((await get("/api/quality-checks?datastore=2", member)).body.total, 0);
    assert.ok((await get("/api/quality-checks?datastore=1", member)).body.total > 0);
    for (const path of ["/api/operations", "/api/fields"]) {
      const all = (await get(`${path}?size=100`, admin)).body.items;
      const mine = (await get(`${path}?size=100`, member)).body.items;
      assert.ok(mine.length < all.length, path);
    }
    // Users and teams: Manager and up (endpoints.md "Roles and permissions"); /users/me for all.
    for (const path of ["/api/users", "/api/users/1", "/api/teams", "/api/teams/1"]) {
      res = await get(path, member);
      assert.equal(res.status, 403, path);
      assert.equal(
        res.body.detail,
        "You must have the Manager role or higher to perform this action",
      );
      assert.equal((await get(path, manager)).status, 200, path);
    }
    assert.equal((await get("/api/users/me", member)).body.email, "member@example.com");
    // Managers are subject to team permissions for data: Business is Reporter only.
    server.state.datastores.get(2)!.teams = ["Business"];
    assert.equal((await get("/api/datastores/2", manager)).status, 200);
    assert.equal((await get("/api/containers?datastore=2", manager)).body.total, 0);
    res = await api(server, "PUT", "/api/datastores/2", {
      token: manager,
      body: { name: "Renamed", connection_id: 2, root_path: "/marketing/" },
    });
    assert.equal(res.status, 403);
    assert.equal(
      res.body.detail,
      "You must have editor permission in at least one of these teams: ['Business']",
    );
    res = await api(server, "POST", "/api/operations/run", {
      token: manager,
      body: { type: "sync", datastore_id: 2 },
    });
    assert.equal(res.status, 403);
    // Admin bypasses team permissions.
    res = await api(server, "POST", "/api/operations/run", {
      token: admin,
      body: { type: "sync", datastore_id: 2 },
    });
    assert.equal(res.status, 200);
  } finally {
    await server.close();
  }
});
