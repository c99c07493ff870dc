/**
 * The plan's shortcut for unchanged checks (`checkUnchanged`) against the full comparison it
 * skips (`checkChanges`: the export of the server check, diffed with the file): whenever the
 * shortcut says "unchanged", the full comparison must find nothing, over real API checks of the
 * golden and scale servers, hand-picked edits of either side and random combinations of them.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { QualyticsClient } from "../../src/client/http_client.ts";
import { listContainers } from "../../src/api/containers.ts";
import { listAllDatastores } from "../../src/api/datastores.ts";
import type { ApiObject } from "../../src/api/types.ts";
import {
  checkChanges,
  checkUnchanged,
  serverCheckUids,
} from "../../src/services/config/import_plan.ts";
import {
  exportCheck,
  type ExportLookups,
  REFERENCE_RULE_TYPES,
} from "../../src/services/config/transform.ts";
import { JsonFloat, parseJson, setOwn, stringifyJson } from "../../src/util/json.ts";
import { dumpYaml, loadYaml } from "../../src/util/yaml.ts";
import { fake } from "../helpers/fake.ts";
import { GOLDEN } from "./golden.ts";

/** A server check with its UID and the file an export writes for it. */
interface Case {
  uid: string;
  server: string;
  file: string;
  reference: boolean;
}

async function casesOf(options: Parameters<typeof fake>[0]): Promise<{
  cases: Case[];
  lookups: ExportLookups;
}> {
  await using server = await fake(options);
  const client = new QualyticsClient({ baseUrl: server.url, token: server.token });
  const datastores = await listAllDatastores(client);
  const ids = datastores.map((d) => d.id as number);
  const containers = await listContainers(client, { datastore: ids });
  const lookups: ExportLookups = {
    containers: new Map(containers.map((c) => [c.id as number, c as ApiObject])),
    datastores: new Map(datastores.map((d) => [d.id as number, d as ApiObject])),
  };
  const cases: Case[] = [];
  for (const id of ids) {
    const checks = await client.paginate<ApiObject>("quality-checks", {
      datastore: id,
      archived: "include",
    });
    for (const [uid, check] of serverCheckUids(checks).byUid) {
      if (check.deleted_at) continue;
      cases.push({
        uid,
        server: stringifyJson(check),
        file: dumpYaml(exportCheck(check, uid, lookups)),
        reference: REFERENCE_RULE_TYPES.includes(check.rule_type as string),
      });
    }
  }
  return { cases, lookups };
}

type Edit = (doc: ApiObject, server: ApiObject) => void;
const metadataOf = (value: ApiObject) => value.additional_metadata as ApiObject;

/** Edits after which the file still matches the server (the full comparison finds nothing). */
const KEEPING: Record<string, Edit> = {
  "a partial file": (doc) => delete doc.description,
  "metadata keys in another order": (doc) => {
    doc.additional_metadata = Object.fromEntries(Object.entries(metadataOf(doc)).reverse());
  },
  "an internal metadata key on the server": (_, server) => {
    server.additional_metadata = { ...metadataOf(server), "main datastore id": 3 };
  },
  "an unknown key set to null": (doc) => doc.extra = null,
  "coverage as an integer": (doc) => {
    if (doc.coverage instanceof JsonFloat) doc.coverage = doc.coverage.value;
  },
  "a container_id": (doc) => doc.container_id = 99,
  "no properties on the server, {} in the file": (doc, server) => {
    server.properties = null;
    doc.properties = {};
  },
  "no status on the server, Active in the file": (doc, server) => {
    server.status = "";
    doc.status = "Active";
  },
  "no description on the server, the default in the file": (doc, server) => {
    server.description = null;
    doc.description = `${server.rule_type} quality check`;
  },
};

/** Edits that may or may not change the comparison's outcome. */
const OTHERS: Record<string, Edit> = {
  "description changed": (doc) => doc.description = `${doc.description} (edited)`,
  "no description on the server": (_, server) => server.description = "",
  "tags reversed": (doc) => {
    doc.tags = ["b", "a"];
  },
  "tags reversed on the server": (_, server) => {
    server.global_tags = [{ name: "a" }, { name: "b" }];
  },
  "a tag added on the server": (_, server) => {
    server.global_tags = [...(server.global_tags as unknown[] ?? []), { name: "new" }];
  },
  "tags null": (doc) => doc.tags = null,
  "tags as numbers": (doc, server) => {
    doc.tags = ["7"];
    server.global_tags = [7];
  },
  "a nameless field on the server": (_, server) => server.fields = [{ id: 1 }],
  "a field added": (doc) => doc.fields = [...(doc.fields as string[]), "extra"],
  "fields as numbers": (doc, server) => {
    doc.fields = [1];
    server.fields = [1];
  },
  "properties as a list on the server": (_, server) => server.properties = [],
  "properties as text on both sides": (doc, server) => {
    doc.properties = "text";
    server.properties = "text";
  },
  "a property as a float": (doc) => {
    const properties = doc.properties as ApiObject;
    for (const key of Object.keys(properties)) {
      if (typeof properties[key] === "number") properties[key] = new JsonFloat(1);
    }
  },
  "a property added on the server": (_, server) => {
    server.properties = { ...server.properties as ApiObject, added: 1 };
  },
  "a stored UID that is empty": (_, server) => {
    server.additional_metadata = { ...metadataOf(server), _qualytics_check_uid: "" };
  },
  "no metadata on the server": (_, server) => server.additional_metadata = null,
  "a metadata key added in the file": (doc) => metadataOf(doc).jira = "DQ-1",
  "another UID in the file": (doc) => metadataOf(doc)._qualytics_check_uid = "another",
  "an internal key in the file instead of a real one": (doc, server) => {
    server.additional_metadata = { ...metadataOf(server), "from quality check id": "1", j: 1 };
    metadataOf(doc)["from quality check id"] = "1";
  },
  "a metadata key removed in the file": (doc) => {
    const keys = Object.keys(metadataOf(doc));
    if (keys.length > 1) delete metadataOf(doc)[keys[keys.length - 1]];
  },
  "__proto__ in the file": (doc) => setOwn(doc, "__proto__", null),
  "__proto__ in the file's metadata": (doc) => setOwn(metadataOf(doc), "__proto__", 1),
  "__proto__ in the server's metadata": (_, server) => {
    setOwn(metadataOf(server) ?? (server.additional_metadata = {}), "__proto__", 1);
  },
  "teams as an empty list": (doc) => doc.teams = [],
  "teams null": (doc) => doc.teams = null,
  "container renamed in the file": (doc) => doc.container = "elsewhere",
  "no status on the server": (_, server) => server.status = "",
  "rule type null on the server": (_, server) => server.rule_type = null,
  "filter set": (doc) => doc.filter = "amount > 1",
  "no anomaly_message_field on the server": (_, server) => delete server.anomaly_message_field,
  "coverage as text": (doc) => doc.coverage = "1.0",
  "coverage as a float on the server": (_, server) => {
    if (typeof server.coverage === "number") server.coverage = new JsonFloat(server.coverage);
  },
  "an unknown key with a value": (doc) => doc.extra = "value",
};

/** Applies `edits` to fresh copies of a case and checks the shortcut against the full diff. */
async function verdicts(
  item: Case,
  lookups: ExportLookups,
  edits: Edit[],
): Promise<{ shortcut: boolean; changes: number }> {
  const doc = await loadYaml(item.file) as ApiObject;
  const server = parseJson(item.server) as ApiObject;
  for (const edit of edits) edit(doc, server);
  return {
    shortcut: checkUnchanged(doc, server, item.uid),
    changes: checkChanges(doc, server, item.uid, lookups).length,
  };
}

const SETS = [
  { data: await Deno.readTextFile(path.join(GOLDEN, "minimal", "server.json")) },
  { data: await Deno.readTextFile(path.join(GOLDEN, "retail", "server.json")) },
  { seed: "scale" as const, scale: { datastores: 1, containers: 8, checks: 25 } },
];

Deno.test("checkUnchanged: says unchanged only when the full comparison finds nothing", async () => {
  let random = 0x2545f491;
  const next = (n: number) => {
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    return (random >>> 0) % n;
  };
  const all = [...Object.values(KEEPING), ...Object.values(OTHERS)];
  let shortcuts = 0;
  for (const set of SETS) {
    const { cases, lookups } = await casesOf(set);
    assert.ok(cases.length >= 4, "checks to compare");
    for (const item of cases) {
      const plain = await verdicts(item, lookups, []);
      assert.equal(plain.changes, 0, `${item.uid}: the export of the check is unchanged`);
      // The shortcut takes every unchanged check whose export needs no lookups.
      assert.equal(plain.shortcut, !item.reference, `${item.uid}: shortcut`);
      for (const [name, edit] of Object.entries(KEEPING)) {
        const kept = await verdicts(item, lookups, [edit]);
        assert.equal(kept.changes, 0, `${item.uid}, ${name}: still unchanged`);
        assert.equal(kept.shortcut, !item.reference, `${item.uid}, ${name}: shortcut`);
      }
      for (const [name, edit] of Object.entries(OTHERS)) {
        const edited = await verdicts(item, lookups, [edit]);
        assert.ok(!edited.shortcut || edited.changes === 0, `${item.uid}, ${name}`);
        if (edited.shortcut) shortcuts++;
      }
      for (let round = 0; round < 40; round++) {
        const edits = Array.from({ length: 1 + next(3) }, () => all[next(all.length)]);
        const mixed = await verdicts(item, lookups, edits);
        assert.ok(!mixed.shortcut || mixed.changes === 0, `${item.uid}, round ${round}`);
        if (mixed.shortcut) shortcuts++;
      }
    }
  }
  // Some edits keep the check unchanged (an empty stored UID, coverage as a float): the
  // shortcut must still have taken part of the edited cases, or this test proves nothing.
  assert.ok(shortcuts > 100, `shortcut taken ${shortcuts} times`);
});
