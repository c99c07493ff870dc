import assert from "node:assert/strict";
import { makeJwt, startFakeControlplane } from "../../src/testing/mod.ts";
import { JsonFloat } from "../../src/util/json.ts";
import { api } from "./_helpers.ts";

Deno.test("auth: 401 without a token, with an unknown token and with an expired one", async () => {
  const server = await startFakeControlplane({ seed: "empty" });
  try {
    let res = await api(server, "GET", "/api/datastores", { token: null });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { detail: "Not authenticated" });
    res = await api(server, "GET", "/api/datastores", {
      token: makeJwt({ sub: "x", exp: 4102444800 }),
    });
    assert.equal(res.status, 401);
    assert.equal(typeof res.body.detail, "string");
    const expired = server.issueToken("Admin", { exp: 1_000_000_000 });
    res = await api(server, "GET", "/api/datastores", { token: expired });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { detail: "Token has expired" });
    res = await api(server, "GET", "/api/datastores");
    assert.equal(res.status, 200);
    for (const token of Object.values(server.tokens)) {
      const [, payload] = token.split(".");
      const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
      assert.ok(claims.exp > Date.now() / 1000 + 10 * 365 * 86400);
    }
  } finally {
    await server.close();
  }
});

Deno.test("public endpoints: status, health, root, openapi with the served paths", async () => {
  const server = await startFakeControlplane({ seed: "empty" });
  try {
    let res = await api(server, "GET", "/api/status", { token: null });
    assert.deepEqual(res.body, { database_connection: "OK", rabbitmq_connection: "OK" });
    res = await api(server, "GET", "/api/health", { token: null });
    assert.equal(res.status, 204);
    res = await api(server, "GET", "/api/", { token: null });
    assert.equal(res.status, 200);
    res = await api(server, "GET", "/api/openapi.json", { token: null });
    assert.equal(res.status, 200);
    assert.match(res.body.openapi, /^3\./);
    const paths = res.body.paths;
    const required: [string, string][] = [
      ["get", "/api/anomalies"],
      ["patch", "/api/anomalies"],
      ["delete", "/api/anomalies"],
      ["get", "/api/anomalies/{id}"],
      ["put", "/api/anomalies/{id}"],
      ["delete", "/api/anomalies/{id}"],
      ["post", "/api/computed-fields"],
      ["put", "/api/computed-fields/{id}"],
      ["get", "/api/connections"],
      ["post", "/api/connections"],
      ["get", "/api/connections/{id}"],
      ["put", "/api/connections/{id}"],
      ["delete", "/api/connections/{id}"],
      ["post", "/api/connections/{id}/test"],
      ["get", "/api/containers"],
      ["post", "/api/containers"],
      ["patch", "/api/containers"],
      ["get", "/api/containers/listing"],
      ["post", "/api/containers/validate"],
      ["get", "/api/containers/{id}"],
      ["put", "/api/containers/{id}"],
      ["delete", "/api/containers/{id}"],
      ["get", "/api/containers/{id}/field-profiles"],
      ["get", "/api/datastores"],
      ["post", "/api/datastores"],
      ["get", "/api/datastores/{id}"],
      ["put", "/api/datastores/{id}"],
      ["delete", "/api/datastores/{id}"],
      ["post", "/api/datastores/{id}/connection"],
      ["delete", "/api/datastores/{id}/enrichment"],
      ["patch", "/api/datastores/{id}/enrichment/{enrichment_id}"],
      ["post", "/api/export/anomalies"],
      ["post", "/api/export/checks"],
      ["post", "/api/export/check-templates"],
      ["post", "/api/export/field-profiles"],
      ["get", "/api/global-tags"],
      ["post", "/api/global-tags"],
      ["get", "/api/global-tags/{name}"],
      ["delete", "/api/global-tags/{name}"],
      ["get", "/api/operations"],
      ["get", "/api/operations/{id}"],
      ["post", "/api/operations/run"],
      ["put", "/api/operations/abort/{id}"],
      ["get", "/api/quality-checks"],
      ["post", "/api/quality-checks"],
      ["delete", "/api/quality-checks"],
      ["get", "/api/quality-checks/{id}"],
      ["put", "/api/quality-checks/{id}"],
      ["delete", "/api/quality-checks/{id}"],
      ["post", "/api/quality-check-templates"],
      ["get", "/api/teams"],
      ["get", "/api/teams/{id}"],
      ["get", "/api/users"],
      ["get", "/api/users/{id}"],
      ["get", "/api/status"],
      ["delete", "/api/computed-fields/{id}"],
      ["post", "/api/datastores/connection"],
      ["get", "/api/users/me"],
      ["get", "/api/health"],
    ];
    for (const [method, path] of required) assert.ok(paths[path]?.[method], `${method} ${path}`);
    assert.equal(paths["/api/cli/authorize"], undefined);
  } finally {
    await server.close();
  }
});

Deno.test("paging: bounds, envelope and pages", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    for (const q of ["size=0", "size=101", "page=0", "page=abc", "size=-1"]) {
      const res = await api(server, "GET", `/api/quality-checks?${q}`);
      assert.equal(res.status, 422, q);
      assert.ok(Array.isArray(res.body.detail));
      assert.equal(res.body.detail[0].loc[0], "query");
    }
    const res = await api(server, "GET", "/api/quality-checks?size=101");
    assert.deepEqual(res.body.detail[0], {
      type: "less_than_equal",
      loc: ["query", "size"],
      msg: "Input should be less than or equal to 100",
      input: "101",
      ctx: { le: 100 },
    });
    const first = await api(server, "GET", "/api/quality-checks?size=20&page=1");
    assert.deepEqual(Object.keys(first.body), ["items", "total", "page", "size", "pages"]);
    assert.equal(first.body.items.length, 20);
    assert.equal(first.body.pages, Math.ceil(first.body.total / 20));
    const last = await api(server, "GET", `/api/quality-checks?size=20&page=${first.body.pages}`);
    assert.equal(last.body.items.length, first.body.total - 20 * (first.body.pages - 1));
    const beyond = await api(
      server,
      "GET",
      `/api/quality-checks?size=20&page=${first.body.pages + 1}`,
    );
    assert.deepEqual(beyond.body.items, []);
    const defaults = await api(server, "GET", "/api/quality-checks");
    assert.equal(defaults.body.size, 50);
    const ids = defaults.body.items.map((c: any) => c.id);
    assert.deepEqual(ids, [...ids].sort((a: number, b: number) => a - b));
    const listing = await api(server, "GET", "/api/containers/listing?datastore=1");
    assert.ok(Array.isArray(listing.body));
  } finally {
    await server.close();
  }
});

Deno.test("errors: 404 detail, 405, 422 for path ints, bad JSON and missing fields", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    let res = await api(server, "GET", "/api/datastores/999");
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { detail: "Datastore id: 999 not found" });
    res = await api(server, "GET", "/api/nothing-here");
    assert.deepEqual([res.status, res.body], [404, { detail: "Not Found" }]);
    res = await api(server, "PATCH", "/api/datastores/1");
    assert.equal(res.status, 405);
    res = await api(server, "GET", "/api/datastores/abc");
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.detail[0].loc, ["path", "id"]);
    res = await api(server, "POST", "/api/connections", { rawBody: "{not json" });
    assert.equal(res.status, 422);
    assert.equal(res.body.detail[0].type, "json_invalid");
    res = await api(server, "POST", "/api/connections", { body: { type: "postgresql" } });
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.detail[0].loc, ["body", "name"]);
    assert.equal(res.body.detail[0].msg, "Field required");
    res = await api(server, "POST", "/api/connections", {
      body: { name: 5, type: "postgresql", host: "h" },
    });
    assert.equal(res.body.detail[0].type, "string_type");
  } finally {
    await server.close();
  }
});

Deno.test("browser login: authorize redirects to the loopback with state and a valid token", async () => {
  const server = await startFakeControlplane({ seed: "empty" });
  try {
    const res = await fetch(
      `${server.url}/api/cli/authorize?redirect_uri=http://127.0.0.1:5555/callback&state=abc123&hostname=laptop`,
      { redirect: "manual" },
    );
    await res.body?.cancel();
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get("location")!);
    assert.equal(location.origin + location.pathname, "http://127.0.0.1:5555/callback");
    assert.equal(location.searchParams.get("state"), "abc123");
    const token = location.searchParams.get("token")!;
    assert.equal(token.split(".").length, 3);
    const me = await api(server, "GET", "/api/users/me", { token });
    assert.equal(me.status, 200);
    assert.equal(me.body.role, "Admin");
    const bad = await api(
      server,
      "GET",
      "/api/cli/authorize?redirect_uri=http://evil.example/cb&state=x",
      { token: null },
    );
    assert.equal(bad.status, 400);
  } finally {
    await server.close();
  }
  const denied = await startFakeControlplane({ seed: "empty", authorizeError: "access_denied" });
  try {
    const res = await fetch(
      `${denied.url}/api/cli/authorize?redirect_uri=http://127.0.0.1:5555/callback&state=s1`,
      { redirect: "manual" },
    );
    await res.body?.cancel();
    const location = new URL(res.headers.get("location")!);
    assert.equal(location.searchParams.get("error"), "access_denied");
    assert.equal(location.searchParams.get("token"), null);
    assert.equal(location.searchParams.get("state"), "s1");
  } finally {
    await denied.close();
  }
});

Deno.test("request log: method, path, query lists, parsed body, status, counts", async () => {
  const server = await startFakeControlplane({ seed: "demo" });
  try {
    await api(server, "GET", "/api/anomalies?status=Active&status=Acknowledged&size=5");
    await api(server, "POST", "/api/global-tags", {
      body: { type: "global", name: "new-tag", weight_modifier: new JsonFloat(1) },
    });
    await api(server, "GET", "/api/datastores/999");
    const [get, post, missing] = server.requests.entries;
    assert.equal(get.method, "GET");
    assert.equal(get.path, "/api/anomalies");
    assert.deepEqual(get.query, { status: ["Active", "Acknowledged"], size: ["5"] });
    assert.equal(get.status, 200);
    const postBody = post.body as Record<string, unknown>;
    assert.equal(postBody.name, "new-tag");
    assert.equal(String(postBody.weight_modifier), "1.0");
    assert.equal(post.status, 200);
    assert.equal(missing.status, 404);
    assert.deepEqual(server.requests.countsByMethod(), { GET: 2, POST: 1 });
    assert.equal(server.requests.count("GET"), 2);
    assert.equal(server.requests.count("GET", /^\/api\/datastores/), 1);
    assert.equal(server.requests.writes().length, 1);
    server.requests.clear();
    assert.equal(server.requests.count(), 0);
  } finally {
    await server.close();
  }
});
