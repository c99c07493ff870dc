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
