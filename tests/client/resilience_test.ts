/**
 * The client against servers that misbehave in ways the fake controlplane does not express:
 * small raw HTTP servers (no mocking of `fetch`) answering with non-pages, clamped page sizes,
 * lists that change while they are read, redirects, gateway errors after an applied DELETE,
 * odd `Retry-After` values, HTML error pages and empty creates.
 */
import assert from "node:assert/strict";
import * as https from "node:https";
import * as path from "node:path";
import { NetworkError, NotFoundError, QualyticsApiError } from "../../src/client/errors.ts";
import { type ClientOptions, QualyticsClient } from "../../src/client/http_client.ts";
import { dropNthAfterApply, envFor, fake } from "../helpers/fake.ts";
import { runQualytics, tempDir } from "../helpers/cli.ts";
import { cliTransport } from "../../cli.ts";

interface Seen {
  method: string;
  url: URL;
  authorization: string | null;
}

/** A raw HTTP server on 127.0.0.1 that records what it was asked. */
function raw(
  handler: (request: Request, url: URL, seen: Seen[]) => Response | Promise<Response>,
) {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const url = new URL(request.url);
    seen.push({ method: request.method, url, authorization: request.headers.get("authorization") });
    return handler(request, url, seen);
  });
  const url = `http://127.0.0.1:${server.addr.port}`;
  return {
    url,
    seen,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

/** A paged list of `count` items (ids 1..count) served with the given page `size` cap. */
function pageOf(ids: number[], url: URL, cap = 100, omit: string[] = []) {
  const page = Number(url.searchParams.get("page") ?? 1);
  const size = Math.min(Number(url.searchParams.get("size") ?? 50), cap);
  const body: Record<string, unknown> = {
    items: ids.slice((page - 1) * size, page * size).map((id) => ({ id, name: `item ${id}` })),
    total: ids.length,
    page,
    size,
    pages: Math.ceil(ids.length / size),
  };
  for (const key of omit) delete body[key];
  return json(body);
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

function clientOf(url: string, options: Partial<ClientOptions> = {}) {
  return new QualyticsClient({
    baseUrl: url,
    token: "secret-token",
    retryBaseMs: 1,
    sleep: () => Promise.resolve(),
    ...options,
  });
}

// 1. A 200 that is not a page is an error, never an empty list.

Deno.test("paginate rejects a 200 that is not a page, naming the URL", async () => {
  for (const body of [{ message: "maintenance" }, [], [{ id: 1 }], null, "ok"]) {
    await using server = raw(() => json(body));
    await assert.rejects(clientOf(server.url).paginate("quality-checks", { datastore: 1 }), (e) => {
      assert.ok(e instanceof QualyticsApiError, String(e));
      assert.match(e.message, /not a page/);
      assert.match(e.message, /GET http:\/\/127\.0\.0\.1:\d+\/api\/quality-checks\?datastore=1/);
      return true;
    }, JSON.stringify(body));
  }
});

Deno.test("paginate rejects a later page that is not a page", async () => {
  await using server = raw((_request, url) =>
    url.searchParams.get("page") === "2"
      ? json({ message: "maintenance" })
      : pageOf(range(1, 150), url)
  );
  await assert.rejects(clientOf(server.url).paginate("containers"), /page=2.* not a page/);
});

Deno.test("config export against a server in maintenance fails and keeps the folder", async () => {
  await using upstream = await fake({ seed: "demo" });
  await using cwd = await tempDir();
  const out = path.join(String(cwd), "export");
  const args = ["config", "export", "--datastore-id", "1", "-o", out];
  const first = await runQualytics(args, { env: envFor(upstream) });
  assert.equal(first.code, 0, first.stderr);
  const before = await listFiles(out);
  assert.ok(before.some((file) => file.includes("/checks/")), "the demo datastore has checks");

  // A gateway in front of the instance answers the check listing with a maintenance notice.
  await using proxy = raw(async (request, url) => {
    if (url.pathname === "/api/quality-checks") return json({ message: "maintenance" });
    const answer = await fetch(upstream.url + url.pathname + url.search, {
      method: request.method,
      headers: { authorization: request.headers.get("authorization") ?? "" },
    });
    return new Response(await answer.arrayBuffer(), {
      status: answer.status,
      headers: answer.headers,
    });
  });
  const again = await runQualytics(args, {
    env: { ...envFor(upstream), QUALYTICS_URL: proxy.url },
  });
  assert.equal(again.code, 1, again.stderr);
  assert.match(again.stderr, /quality-checks.* not a page/);
  assert.deepEqual(await listFiles(out), before, "no file removed");
});

Deno.test("the CLI warns on stderr when a listing disagrees with its total", async () => {
  await using upstream = await fake({ seed: "demo" });
  // The tags listing claims two more tags than its pages hold (deleted while it was read).
  await using proxy = raw(async (_request, url) => {
    const answer = await fetch(upstream.url + url.pathname + url.search, {
      headers: { authorization: `Bearer ${upstream.token}` },
    });
    const body = await answer.json();
    if (url.pathname === "/api/global-tags") body.total += 2;
    return json(body, answer.status);
  });
  const run = await runQualytics(["tags", "list", "--format", "json"], {
    env: { ...envFor(upstream), QUALYTICS_URL: proxy.url },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(JSON.parse(run.stdout).length > 0);
  assert.match(run.stderr, /Warning: GET .*global-tags.*: the server counted \d+ items/);
});

async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory) files.push(...await listFiles(full));
    else files.push(full);
  }
  return files.sort();
}

// 2. The server's size/pages/total, de-duplication and an honest count.

Deno.test("paginate follows the server's page size when it clamps the requested one", async () => {
  await using server = raw((_request, url) => pageOf(range(1, 230), url, 50));
  const client = clientOf(server.url);
  const items = await client.paginate<{ id: number }>("containers");
  assert.deepEqual(items.map((item) => item.id), range(1, 230));
  // With a guess of the total, the guessed pages are still the server's pages.
  const guessed = await client.paginate<{ id: number }>("containers", {}, 100, 230);
  assert.deepEqual(guessed.map((item) => item.id), range(1, 230));
});

Deno.test("paginate drops items repeated across pages when the list shifts", async () => {
  // Page 1 is read from 1..201; then an item is inserted at the head, so later pages shift.
  await using server = raw((_request, url) =>
    pageOf(url.searchParams.get("page") === "1" ? range(1, 201) : range(0, 201), url)
  );
  const notices: string[] = [];
  const items = await clientOf(server.url, { notice: (line) => notices.push(line) })
    .paginate<{ id: number }>("quality-checks");
  assert.deepEqual(items.map((item) => item.id), range(1, 201), "each item once, first wins");
  assert.deepEqual(notices, []);
});

Deno.test("paginate reports a count that disagrees with the total", async () => {
  // Page 1 is read from 1..201; then item 1 is deleted, so item 101 slides onto page 1.
  await using server = raw((_request, url) =>
    pageOf(url.searchParams.get("page") === "1" ? range(1, 201) : range(2, 201), url)
  );
  const notices: string[] = [];
  const items = await clientOf(server.url, { notice: (line) => notices.push(line) })
    .paginate<{ id: number }>("quality-checks", { datastore: 3 });
  assert.equal(items.length, 200);
  assert.equal(notices.length, 1);
  assert.match(notices[0], /201.*200|200.*201/);
  assert.match(notices[0], /quality-checks\?datastore=3/);
});

Deno.test("paginate reads every page when total is missing", async () => {
  await using withPages = raw((_request, url) => pageOf(range(1, 230), url, 100, ["total"]));
  const items = await clientOf(withPages.url).paginate<{ id: number }>("containers");
  assert.deepEqual(items.map((item) => item.id), range(1, 230));

  await using bare = raw((_request, url) => pageOf(range(1, 230), url, 100, ["total", "pages"]));
  const sequential = await clientOf(bare.url).paginate<{ id: number }>("containers");
  assert.deepEqual(sequential.map((item) => item.id), range(1, 230));
});

// 3. Redirects are not followed.

Deno.test("a redirect is an error naming the Location, never followed", async () => {
  await using elsewhere = raw(() => json({ id: 7 }));
  await using server = raw((_request, url) =>
    new Response(null, {
      status: 301,
      headers: { location: `${elsewhere.url}${url.pathname}${url.search}` },
    })
  );
  const client = clientOf(server.url);
  await assert.rejects(
    client.post("connections", { body: { name: "pg", type: "postgresql" } }),
    (error) => {
      assert.ok(error instanceof QualyticsApiError);
      assert.equal(error.status, 301);
      assert.ok(error.message.includes(`${elsewhere.url}/api/connections`), error.message);
      assert.ok(error.message.includes(`--url ${elsewhere.url}`), error.message);
      return true;
    },
  );
  await assert.rejects(client.get("connections"), /301/);
  assert.equal(server.seen.length, 2, "not retried");
  assert.equal(elsewhere.seen.length, 0, "the token never goes to another origin");
});

// 4. A DELETE applied by an attempt that then failed.

Deno.test("a 404 on the retry of a DELETE that may have been applied counts as deleted", async () => {
  let deleted = false;
  await using server = raw(() => {
    if (deleted) return json({ detail: "Quality check not found" }, 404);
    deleted = true;
    return json({ detail: "Bad gateway" }, 502);
  });
  const client = clientOf(server.url);
  assert.equal(await client.delete("quality-checks/5"), null);
  assert.equal(server.seen.length, 2);
  // A 404 on the first attempt is still a 404.
  await assert.rejects(client.delete("quality-checks/5"), NotFoundError);
});

// 5. Time-outs beyond what a timer can hold.

Deno.test("a time-out above 2^31-1 ms is clamped, not an instant time-out", async () => {
  await using server = raw(async () => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return json({ ok: true });
  });
  const client = clientOf(server.url, { timeoutMs: 99_999_999 * 1000, maxRetries: 0 });
  assert.deepEqual(await client.get("status"), { ok: true });
});

// 6. Retry-After.

Deno.test("an empty or negative Retry-After falls back to the backoff", async () => {
  const values = ["", "-5", "soon"];
  await using server = raw(() => {
    const value = values.shift();
    return value === undefined ? json({ ok: true }) : json({}, 429, { "retry-after": value });
  });
  const waits: number[] = [];
  const client = clientOf(server.url, {
    retryBaseMs: 100,
    random: () => 0,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  await client.get("status");
  assert.deepEqual(waits, [50, 100, 200]);
});

Deno.test("a long Retry-After is announced once", async () => {
  let calls = 0;
  await using server = raw(() =>
    calls++ < 2 ? json({}, 503, { "retry-after": "120" }) : json({ ok: true })
  );
  const waits: number[] = [];
  const notices: string[] = [];
  const client = clientOf(server.url, {
    notice: (line) => notices.push(line),
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  await Promise.all([client.get("a"), client.get("b")]);
  assert.deepEqual(waits, [30_000, 30_000]);
  assert.equal(notices.length, 1, notices.join("\n"));
  assert.match(notices[0], /120 s/);
  assert.match(notices[0], /30 s/);
});

// 7. TLS.

Deno.test("https:// against a plain-HTTP server says to use http://, without retrying", async () => {
  await using server = raw(() => json({ ok: true }));
  const url = server.url.replace("http://", "https://");
  for (const sslVerify of [true, false]) {
    let sleeps = 0;
    const client = clientOf(url, {
      sslVerify,
      maxRetries: 2,
      sleep: () => {
        sleeps++;
        return Promise.resolve();
      },
    });
    await assert.rejects(client.get("status"), (error) => {
      assert.ok(error instanceof NetworkError);
      assert.match(error.message, /SSL handshake failed for https:\/\/127\.0\.0\.1/);
      assert.ok(error.message.includes(`use http:// instead of https://`), error.message);
      assert.ok(error.message.includes(`--url ${server.url}`), error.message);
      return true;
    });
    assert.equal(sleeps, 0, `ssl_verify ${sslVerify}: a permanent failure is not retried`);
  }
});

Deno.test("an untrusted certificate is not retried", async () => {
  const dir = new URL("../fixtures/tls/", import.meta.url);
  const server = https.createServer({
    key: await Deno.readTextFile(new URL("key.pem", dir)),
    cert: await Deno.readTextFile(new URL("cert.pem", dir)),
  }, (_request, response) => response.end("{}"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  try {
    const { port } = server.address() as { port: number };
    let sleeps = 0;
    const client = clientOf(`https://127.0.0.1:${port}`, {
      maxRetries: 2,
      sleep: () => {
        sleeps++;
        return Promise.resolve();
      },
    });
    await assert.rejects(client.get("status"), /certificate|--no-verify-ssl/);
    assert.equal(sleeps, 0);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

// 8. Error bodies and empty creates.

Deno.test("a long non-JSON error body is cut short in the message", async () => {
  const page = `<html><body>${"<p>Bad gateway</p>".repeat(3500)}</body></html>`;
  await using server = raw(() =>
    new Response(page, { status: 500, headers: { "content-type": "text/html" } })
  );
  await assert.rejects(clientOf(server.url).get("connections"), (error) => {
    assert.ok(error instanceof QualyticsApiError);
    assert.ok(error.message.length < 1000, `${error.message.length} characters`);
    assert.match(error.message, /… \(\d+ more bytes\)/);
    return true;
  });
});

Deno.test("a create answered without an object is a clear error", async () => {
  for (const [status, body] of [[201, ""], [200, "null"], [201, "[]"], [200, '"ok"']] as const) {
    await using server = raw(() => new Response(body, { status }));
    await assert.rejects(
      clientOf(server.url).post("quality-checks", { body: { rule: "notNull" } }),
      (error) => {
        assert.ok(error instanceof QualyticsApiError, String(error));
        assert.match(error.message, /POST http:\/\/127\.0\.0\.1:\d+\/api\/quality-checks/);
        assert.match(error.message, /object/);
        return true;
      },
      `${status} ${JSON.stringify(body)}`,
    );
  }
  // Requests that may answer with nothing still may.
  await using empty = raw(() => new Response(null, { status: 204 }));
  assert.equal(await clientOf(empty.url).post("containers/validate", { idempotent: true }), null);
  assert.equal(await clientOf(empty.url).post("export/check-templates"), null);
});

Deno.test("paging stops when a server without counts repeats a page of items without ids", async () => {
  let requests = 0;
  await using server = raw(() => {
    requests++;
    // Ignores `page`, sends no `total`/`pages`, and its items have no `id`.
    return json({ items: [{ name: "a" }, { name: "b" }], size: 2 });
  });
  const items = await clientOf(server.url).paginate("things", {}, 2);
  assert.deepEqual(items, [{ name: "a" }, { name: "b" }]);
  assert.equal(requests, 2);
});

Deno.test("a request sent at most once is not resent when its answer is lost after the server applied it", async () => {
  // Over a kept-alive connection that closes before the answer, Deno's fetch and its node:http
  // send a request again by themselves. `once` gives it a connection of its own: the server sees
  // it once and the client reports the loss. Each transport the CLI uses, with certificate
  // checks (the program's, cli.ts) and without (the client's node:https one).
  for (const sslVerify of [true, false]) {
    await using server = await fake({
      seed: "demo",
      faults: dropNthAfterApply("POST", "/api/global-tags", 1),
    });
    const client = new QualyticsClient({
      baseUrl: server.url,
      token: server.token,
      sslVerify,
      transport: sslVerify ? cliTransport() : undefined,
      maxRetries: 0,
    });
    await client.get("connections");
    await assert.rejects(
      client.post("global-tags", { body: { name: "once", color: "#fff" }, once: true }),
      (error) =>
        error instanceof NetworkError && /closed before the server answered/.test(error.message),
    );
    assert.equal(server.requests.count("POST", "/api/global-tags"), 1, `sslVerify ${sslVerify}`);
  }
});
