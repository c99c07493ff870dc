import assert from "node:assert/strict";
import { startFakeControlplane } from "../../src/testing/mod.ts";
import { RawJson, toJsonText } from "../../src/testing/json_text.ts";
import { JsonFloat, parseJson, stringifyJson } from "../../src/util/json.ts";
import { api } from "./_helpers.ts";

const GOLDEN = new URL("../../../shared/fixtures/golden/", import.meta.url);

Deno.test("toJsonText writes what stringifyJson writes, and splices RawJson in", async () => {
  // deno-lint-ignore no-sparse-arrays
  const sparse = [1, , 2];
  const tricky = {
    float: new JsonFloat(1),
    small: 1e-7,
    big: 1e21,
    nan: NaN,
    text: 'quote " backslash \\ newline \n tab \t nul \u0000 del \u007f ü 😀 \u2028',
    lone: "half \ud800 surrogate",
    date: new Date(0),
    skipped: undefined,
    fn: () => 1,
    list: [undefined, null, true, 0n, [], {}],
    sparse,
    [Symbol("as_given")]: true,
  };
  assert.equal(toJsonText(tricky), stringifyJson(tricky));
  const text = await Deno.readTextFile(new URL("retail/server.json", GOLDEN));
  const data = parseJson(text);
  assert.equal(toJsonText(data), stringifyJson(data));
  assert.equal(
    toJsonText({ items: [new RawJson('{"id": 1}')], total: 1 }),
    '{"items": [{"id": 1}], "total": 1}',
  );
});

Deno.test("cached list items follow writes, operations and direct state edits", async () => {
  const server = await startFakeControlplane({ seed: "demo", operationDurationMs: 0 });
  try {
    const page = async () => (await api(server, "GET", "/api/quality-checks?size=100")).body;
    const first = (await page()).items[0];
    assert.equal((await page()).items[0].description, first.description);

    // A write request (tag rename) changes the tag objects embedded in every check.
    const tagged = (await page()).items.find((c: any) => c.global_tags.length > 0);
    const tag = tagged.global_tags[0];
    const renamed = await api(server, "PUT", `/api/global-tags/${encodeURIComponent(tag.name)}`, {
      body: { name: `${tag.name}-renamed` },
    });
    assert.equal(renamed.status, 200);
    const after = (await page()).items.find((c: any) => c.id === tagged.id);
    assert.ok(after.global_tags.some((t: any) => t.name === `${tag.name}-renamed`));

    // A direct edit through `server.state`, as tests do.
    server.state.checks.get(first.id)!.description = "edited directly";
    assert.equal((await page()).items[0].description, "edited directly");

    // A scan changes anomaly counts of checks in place.
    const ds = first.datastore.id;
    const before = (await page()).items.map((c: any) => c.anomaly_count).join();
    const scan = await api(server, "POST", "/api/operations/run", {
      body: { type: "scan", datastore_id: ds },
    });
    assert.equal(scan.status, 200);
    const anomalies = (await api(server, "GET", `/api/anomalies?datastore=${ds}&size=100`)).body;
    if (anomalies.total > 0) {
      assert.notEqual((await page()).items.map((c: any) => c.anomaly_count).join(), before);
    }
  } finally {
    await server.close();
  }
});
