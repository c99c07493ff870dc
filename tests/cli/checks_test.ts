/**
 * End-to-end tests of `qualytics checks` (CRUD, activate, templates) against the fake
 * controlplane.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { tempDir } from "../helpers/cli.ts";
import { cliFor, fake, plain } from "../helpers/fake.ts";

Deno.test("checks create: posts the payload and prints the results", async () => {
  await using server = await fake({ seed: "demo" });
  await using tmp = await tempDir("qualytics-checks-");
  const home = tmp.path;
  const run = cliFor(server, { home: tmp.path });
  const file = path.join(home, "checks.yaml");
  await Deno.writeTextFile(
    file,
    [
      "- container: orders",
      "  rule_type: notNull",
      "  fields: [status]",
      "  description: Status is always set",
      "  coverage: 1.0",
      "  tags: [critical]",
      "  status: Draft",
    ].join("\n"),
  );
  server.requests.clear();
  const result = await run(["checks", "create", "--datastore-id", "1", "--file", file]);
  assert.equal(result.code, 0, result.stderr);
  const listing = server.requests.filter("GET", "/api/containers/listing");
  assert.equal(listing.length, 1);
  assert.deepEqual(listing[0].query.datastore, ["1"]);
  const posts = server.requests.filter("POST", "/api/quality-checks");
  assert.equal(posts.length, 1);
  assert.deepEqual(plain(posts[0].body), {
    container_id: 1,
    rule: "notNull",
    description: "Status is always set",
    fields: ["status"],
    coverage: 1,
    filter: null,
    properties: {},
    tags: ["critical"],
    additional_metadata: {},
    status: "Draft",
  });
  const results = parseYaml(result.stdout);
  assert.equal(results.length, 1);
  assert.equal(results[0].status, "created");
  assert.equal(typeof results[0].id, "number");
  assert.match(result.stderr, /\(1\/1\) Created check \d+: Status is always set/);
  assert.match(result.stderr, /Created 1, failed 0 of 1 checks\./);
});

Deno.test("checks create: unknown container and a 409 duplicate fail with exit 1", async () => {
  await using server = await fake({ seed: "demo" });
  await using tmp = await tempDir("qualytics-checks-");
  const home = tmp.path;
  const run = cliFor(server, { home: tmp.path });
  const file = path.join(home, "checks.json");
  await Deno.writeTextFile(
    file,
    JSON.stringify([
      { container: "nope", rule_type: "notNull", fields: ["x"] },
      // The same rule and field as seeded check 1: the server answers 409.
      { container_id: 1, rule_type: "notNull", fields: ["order_id"] },
    ]),
  );
  server.requests.clear();
  const result = await run([
    "checks",
    "create",
    "--datastore-id",
    "1",
    "-f",
    file,
    "--format",
    "json",
  ]);
  assert.equal(result.code, 1);
  const results = JSON.parse(result.stdout);
  assert.equal(results[0].status, "failed");
  assert.match(results[0].error, /Container 'nope' not found in datastore 1/);
  assert.equal(results[1].status, "failed");
  assert.match(results[1].error, /conflicts/);
  assert.equal(server.requests.count("POST", "/api/quality-checks"), 1);
  assert.match(result.stderr, /Created 0, failed 2 of 2 checks\./);
});

Deno.test("checks create: a bad flag value is a usage error", async () => {
  await using server = await fake({ seed: "demo" });
  await using tmp = await tempDir("qualytics-checks-");
  const run = cliFor(server, { home: tmp.path });
  server.requests.clear();
  const result = await run(["checks", "create", "--datastore-id", "x", "-f", "a.yaml"]);
  assert.equal(result.code, 2);
  const owner = await run([
    "checks",
    "create",
    "--datastore-id",
    "1",
    "-f",
    "a.yaml",
    "--owner-id",
    "0",
  ]);
  assert.equal(owner.code, 2);
  assert.match(owner.stderr, /--owner-id must be a positive user ID/);
  assert.equal(server.requests.length, 0);
});

Deno.test("checks get: prints the check; 404 exits 1", async () => {
  await using server = await fake({ seed: "demo" });
  await using tmp = await tempDir("qualytics-checks-");
  const run = cliFor(server, { home: tmp.path });
  const result = await run(["checks", "get", "--id", "2", "--format", "json"]);
  assert.equal(result.code, 0, result.stderr);
  const check = JSON.parse(result.stdout);
  assert.equal(check.id, 2);
  assert.equal(check.rule_type, "unique");
  assert.equal(server.requests.last()?.path, "/api/quality-checks/2");
  const yamlResult = await run(["checks", "get", "--id", "2"]);
  assert.equal(parseYaml(yamlResult.stdout).id, 2);
  const missing = await run(["checks", "get", "--id", "9999"]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, "");
  assert.match(missing.stderr, /not found/i);
});

Deno.test("checks list: filters, archived mapping and a bad status", async () => {
  await using server = await fake({ seed: "demo" });
  await using tmp = await tempDir("qualytics-checks-");
  const run = cliFor(server, { home: tmp.path });
  const result = await run([
    "checks",
    "list",
    "--datastore-id",
    "1",
    "--containers",
    "1,2",
    "--tags",
    "critical",
    "--status",
    "active",
    "--format",
    "json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const request = server.requests.last()!;
  assert.equal(request.path, "/api/quality-checks");
  assert.deepEqual(request.query, {
    datastore: ["1"],
    container: ["1", "2"],
    tag: ["critical"],
    status: ["Active"],
    page: ["1"],
    size: ["100"],
  });
  const checks = JSON.parse(result.stdout);
  assert.ok(checks.length > 0);
  assert.match(result.stderr, new RegExp(`Found ${checks.length} quality checks\\.`));

  const archived = await run(["checks", "list", "--datastore-id", "1", "--status", "Archived"]);
  assert.equal(archived.code, 0);
  assert.deepEqual(server.requests.last()!.query.archived, ["only"]);
  assert.equal(server.requests.last()!.query.status, undefined);
  const listed = parseYaml(archived.stdout);
  assert.ok(Array.isArray(listed));
  assert.ok(listed.every((check: { status: string }) => check.status === "Discarded"));

  const bad = await run(["checks", "list", "--datastore-id", "1", "--status", "Nope"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Invalid status 'Nope'/);
});

Deno.test("checks update: merges a partial file; owner 0 is refused", async () => {
  await using server = await fake({ seed: "demo" });
  await using tmp = await tempDir("qualytics-checks-");
  const home = tmp.path;
  const run = cliFor(server, { home: tmp.path });
  const file = path.join(home, "check.yaml");
  await Deno.writeTextFile(file, "description: Orders carry a customer\n");
  server.requests.clear();
  const result = await run([
    "checks",
    "update",
    "--id",
    "3",
    "--file",
    file,
    "--default-anomaly-assignee-id",
    "0",
    "--format",
    "json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const put = server.requests.filter("PUT", "/api/quality-checks/3");
  assert.equal(put.length, 1);
  assert.deepEqual(plain(put[0].body), {
    description: "Orders carry a customer",
    fields: ["customer_id"],
    coverage: 1,
    filter: null,
    properties: {},
    tags: [],
    additional_metadata: {},
    status: "Active",
    default_anomaly_assignee_id: null,
    anomaly_message_field: null,
  });
  assert.equal(JSON.parse(result.stdout).description, "Orders carry a customer");
  assert.match(result.stderr, /Quality check 3 updated successfully\./);

  server.requests.clear();
  const owner = await run(["checks", "update", "--id", "3", "-f", file, "--owner-id", "0"]);
  assert.equal(owner.code, 2);
  assert.equal(server.requests.writes().length, 0);

  const missing = await run(["checks", "update", "--id", "9999", "-f", file]);
  assert.equal(missing.code, 1);
});

Deno.test("checks delete: single archive, single hard delete, bulk, no id", async () => {
  await using server = await fake({ seed: "demo" });
  await using tmp = await tempDir("qualytics-checks-");
  const run = cliFor(server, { home: tmp.path });
  server.requests.clear();
  const single = await run(["checks", "delete", "--id", "5", "--no-archive"]);
  assert.equal(single.code, 0, single.stderr);
  const del = server.requests.last()!;
  assert.equal(del.method, "DELETE");
  assert.equal(del.path, "/api/quality-checks/5");
  assert.deepEqual(del.query, {
    archive: ["false"],
    status: ["Discarded"],
    delete_anomalies: ["true"],
  });
  assert.match(single.stderr, /Deleted quality check 5\./);
  assert.equal(single.stdout, "");

  const archive = await run(["checks", "delete", "--id", "6"]);
  assert.equal(archive.code, 0);
  assert.deepEqual(server.requests.last()!.query.archive, ["true"]);
  assert.match(archive.stderr, /Archived quality check 6\./);

  const bulk = await run(["checks", "delete", "--ids", "7,8,9", "--no-archive"]);
  assert.equal(bulk.code, 0, bulk.stderr);
  const bulkRequest = server.requests.last()!;
  assert.equal(bulkRequest.path, "/api/quality-checks");
  assert.deepEqual(plain(bulkRequest.body), [
    { id: 7, archive: false },
    { id: 8, archive: false },
    { id: 9, archive: false },
  ]);
  assert.match(bulk.stderr, /Deleted 3 quality checks\./);

  const none = await run(["checks", "delete"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Must specify --id or --ids\./);

  const missing = await run(["checks", "delete", "--id", "9999"]);
  assert.equal(missing.code, 1);
});

Deno.test("checks activate: activates drafts; a missing check exits 1", async () => {
  await using server = await fake({ seed: "demo" });
  await using tmp = await tempDir("qualytics-checks-");
  const run = cliFor(server, { home: tmp.path });
  server.requests.clear();
  const result = await run(["checks", "activate", "--ids", "12,9999"]);
  assert.equal(result.code, 1);
  const put = server.requests.filter("PUT", "/api/quality-checks/12");
  assert.equal(put.length, 1);
  assert.equal((put[0].body as { status: string }).status, "Active");
  assert.deepEqual(plain(put[0].body).fields, ["currency"]);
  const results = parseYaml(result.stdout);
  assert.deepEqual(results.map((item: { status: string }) => item.status), [
    "activated",
    "failed",
  ]);
  assert.match(result.stderr, /\(1\/2\) Activated quality check 12\./);
  assert.match(result.stderr, /Activated 1, failed 1 of 2 checks\./);
  const check = await run(["checks", "get", "--id", "12", "--format", "json"]);
  assert.equal(JSON.parse(check.stdout).status, "Active");

  const none = await run(["checks", "activate"]);
  assert.equal(none.code, 2);
});

Deno.test("checks import-templates and export-templates round trip", async () => {
  await using server = await fake({ seed: "demo" });
  await using tmp = await tempDir("qualytics-checks-");
  const home = tmp.path;
  const run = cliFor(server, { home: tmp.path });
  const input = path.join(home, "templates.yaml");
  await Deno.writeTextFile(
    input,
    [
      "- id: 900",
      "  rule_type: notNull",
      "  description: Never null",
      "  coverage: 1.0",
      "  properties: {}",
      "  global_tags:",
      "  - name: critical",
      "  template_locked: true",
    ].join("\n"),
  );
  server.requests.clear();
  const imported = await run(["checks", "import-templates", "--input", input]);
  assert.equal(imported.code, 0, imported.stderr);
  const post = server.requests.filter("POST", "/api/quality-check-templates");
  assert.equal(post.length, 1);
  assert.deepEqual(plain(post[0].body), {
    description: "Never null",
    rule: "notNull",
    coverage: 1,
    filter: null,
    properties: {},
    tags: ["critical"],
    template_locked: true,
    additional_metadata: { "from quality check id": "900" },
  });
  assert.match(imported.stderr, /Created a total of 1 check templates\./);

  const output = path.join(home, "out.json");
  const exported = await run(["checks", "export-templates", "--status", "--output", output]);
  assert.equal(exported.code, 0, exported.stderr);
  const list = server.requests.last()!;
  assert.equal(list.path, "/api/quality-checks");
  assert.deepEqual(list.query.template_only, ["true"]);
  assert.deepEqual(list.query.template_locked, ["true"]);
  const templates = JSON.parse(await Deno.readTextFile(output));
  assert.equal(templates.length, 1);
  assert.equal(templates[0].description, "Never null");
  assert.match(exported.stderr, /Total check templates exported: 1/);

  const none = await run(["checks", "export-templates", "--rules", "between", "--output", "-"]);
  assert.equal(none.code, 0);
  assert.match(none.stderr, /No check templates found\./);

  const enrichment = await run(["checks", "export-templates", "--enrichment_datastore_id", "3"]);
  assert.equal(enrichment.code, 0, enrichment.stderr);
  const exportRequest = server.requests.last()!;
  assert.equal(exportRequest.method, "POST");
  assert.equal(exportRequest.path, "/api/export/check-templates");
  assert.deepEqual(exportRequest.query.enrich_datastore_id, ["3"]);

  const missingFile = await run([
    "checks",
    "import-templates",
    "--input",
    path.join(home, "none.yaml"),
  ]);
  assert.equal(missingFile.code, 1);
  assert.match(missingFile.stderr, /File not found/);
});

Deno.test("checks import-templates creates the templates in the file's order, so the target lists them in that order", async () => {
  // The server numbers templates as they arrive: creates sent at once came back reordered.
  await using server = await fake({ data: {} });
  await using tmp = await tempDir("qualytics-checks-");
  const run = cliFor(server, { home: tmp.path });
  const input = path.join(tmp.path, "templates.json");
  const descriptions = Array.from({ length: 12 }, (_, i) => `template ${i}`);
  await Deno.writeTextFile(
    input,
    JSON.stringify(descriptions.map((description, i) => ({
      id: 900 + i,
      rule_type: "notNull",
      description,
      properties: {},
    }))),
  );
  const imported = await run(["checks", "import-templates", "--input", input]);
  assert.equal(imported.code, 0, imported.stderr);
  const posts = server.requests.filter("POST", "/api/quality-check-templates");
  assert.deepEqual(posts.map((post) => plain(post.body).description), descriptions);
  const listed = await run(["checks", "export-templates", "--output", "-", "--format", "json"]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(
    JSON.parse(listed.stdout).map((t: { description: string }) => t.description),
    descriptions,
  );
});

Deno.test("checks import-templates keeps a Draft template Draft", async () => {
  await using server = await fake({ data: {} });
  await using tmp = await tempDir("qualytics-checks-");
  const run = cliFor(server, { home: tmp.path });
  const input = path.join(tmp.path, "templates.yaml");
  await Deno.writeTextFile(
    input,
    "- {id: 900, rule_type: notNull, description: d, status: Draft}\n" +
      "- {id: 901, rule_type: unique, description: a, status: Active}\n",
  );
  const imported = await run(["checks", "import-templates", "--input", input]);
  assert.equal(imported.code, 0, imported.stderr);
  const listed = await run(["checks", "export-templates", "--output", "-", "--format", "json"]);
  assert.deepEqual(
    JSON.parse(listed.stdout).map((t: { status: string }) => t.status),
    ["Draft", "Active"],
  );
});

Deno.test("checks export-templates writes JSON files as the original's json.dump(indent=4)", async () => {
  const template = '{"id": 900, "rule_type": "between", ' +
    '"description": "Plage \\u2713 \\u2014 caf\\u00e9 \\ud83d\\ude00", "container": null, ' +
    '"fields": [], "coverage": 1.0, "filter": "a\\tb", "properties": {"min": 0.5, ' +
    '"max": 1e20, "tiny": 0.00001, "n": 3, "big": 12345678901234567890, "list": [], ' +
    '"map": {}}, "global_tags": ["critical"], "additional_metadata": ' +
    '{"note": "\\u00fcn\\u00ef\\u007f"}, "status": "Active", "is_template": true, ' +
    '"template_locked": false}';
  const minimal = await Deno.readTextFile(
    path.resolve(import.meta.dirname!, "../../../shared/fixtures/golden/minimal/server.json"),
  );
  const data = minimal.replace(/"checks": \[[^]*\]\s*}\s*$/, `"checks": [${template}]}`);
  assert.notEqual(data, minimal);
  await using server = await fake({ data });
  await using tmp = await tempDir("qualytics-checks-");
  const run = cliFor(server, { home: tmp.path });
  // Python: json.dump(items, f, indent=4) — ASCII only, floats as repr(), no final newline.
  const expected = [
    "[",
    "    {",
    '        "id": 900,',
    '        "rule_type": "between",',
    '        "description": "Plage \\u2713 \\u2014 caf\\u00e9 \\ud83d\\ude00",',
    '        "container": null,',
    '        "fields": [],',
    '        "coverage": 1.0,',
    '        "filter": "a\\tb",',
    '        "properties": {',
    '            "min": 0.5,',
    '            "max": 1e+20,',
    '            "tiny": 1e-05,',
    '            "n": 3,',
    '            "big": 12345678901234567890,',
    '            "list": [],',
    '            "map": {}',
    "        },",
    '        "global_tags": [',
    "            {",
    '                "id": 9,',
    '                "name": "critical",',
    '                "type": "global",',
    '                "color": null,',
    '                "description": null,',
    '                "category": null,',
    '                "weight_modifier": 0',
    "            }",
    "        ],",
    '        "additional_metadata": {',
    '            "note": "\\u00fcn\\u00ef\\u007f"',
    "        },",
    '        "status": "Active",',
    '        "is_template": true,',
    '        "template_locked": false,',
    '        "datastore": null',
    "    }",
    "]",
  ].join("\n");
  for (const args of [["--output", "t.json"], ["--output", "t.txt", "--format", "json"]]) {
    const exported = await run(["checks", "export-templates", ...args], { cwd: tmp.path });
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(await Deno.readTextFile(path.join(tmp.path, args[1])), expected, args.join(" "));
  }
});
