import assert from "node:assert/strict";
import { QualyticsClient } from "../../src/client/http_client.ts";
import { awaitingReply, socketsMayNeedUs } from "../../src/util/event_loop.ts";
import { fake } from "../helpers/fake.ts";

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("long loops look at the sockets only while a request may need it", async () => {
  assert.equal(socketsMayNeedUs(), false, "nothing in flight");
  const slow = awaitingReply(60_000);
  await later(20);
  assert.equal(
    socketsMayNeedUs(),
    false,
    "handed over a while ago, its reply not due for a minute",
  );
  const anyTime = awaitingReply(0);
  await later(20);
  assert.equal(socketsMayNeedUs(), true, "a reply that may come at any time");
  anyTime();
  assert.equal(socketsMayNeedUs(), false, "its reply is in");
  slow();
  assert.equal(socketsMayNeedUs(), false);
});

Deno.test("the client expects no reply before 3/4 of its quickest round trip", async () => {
  await using server = await fake({ seed: "demo", latencyMs: 400 });
  const client = new QualyticsClient({ baseUrl: server.url, token: server.token });
  const first = client.get("connections");
  await later(50);
  assert.equal(socketsMayNeedUs(), true, "no round trip known yet: a reply may come at once");
  await first;
  assert.equal(socketsMayNeedUs(), false, "nothing in flight");
  const second = client.get("connections");
  await later(50);
  assert.equal(socketsMayNeedUs(), false, "not before some 300 ms");
  await second;
  assert.equal(socketsMayNeedUs(), false, "nothing in flight");
});
