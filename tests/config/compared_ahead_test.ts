/**
 * The target's checks compared with the folder while their pages arrive (`TargetReader`): the
 * plan that uses those answers is the plan a full comparison gives, and every server check the
 * folder matches by a stored UID has its answer by the time the target is read.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import type { ApiObject } from "../../src/api/types.ts";
import { QualyticsClient } from "../../src/client/http_client.ts";
import {
  fetchTarget,
  planImport,
  planToData,
  serverCheckUids,
} from "../../src/services/config/import_plan.ts";
import { loadConfigFolder } from "../../src/services/config/load.ts";
import { nodeFileSystem } from "../../src/util/fs.ts";
import { tempDir } from "../helpers/cli.ts";
import { importedRetail, SECRETS } from "./import_fixtures.ts";

Deno.test("plan: checks compared while their pages arrive plan as a full comparison does", async () => {
  await using tmp = await tempDir();
  const { server, root } = await importedRetail(String(tmp));
  await using _server = server;

  const checks = path.join(root, "datastores/retail_dw/checks");
  const edit = async (file: string, from: string, to: string) => {
    const text = await Deno.readTextFile(path.join(checks, file));
    assert.ok(text.includes(from), `${file} has ${from}`);
    await Deno.writeTextFile(path.join(checks, file), text.replace(from, to));
  };
  await edit("sales_orders/notnull__order_id.yaml", "coverage: 1.0", "coverage: 0.9");
  await edit(
    "sales_orders/notnull__order_id.yaml",
    "description: Order id is always present",
    "description: Order id is never missing",
  );
  await edit("customer_accounts/matchespattern__email.yaml", "coverage: 1.0", "coverage: 0.5");
  const client = new QualyticsClient({ baseUrl: server.url, token: server.token });
  // One check archived on the target: the plan restores it, whatever the folder says.
  const datastores = await client.paginate<ApiObject>("datastores");
  const retail = datastores.find((d) => d.name === "Retail DW")!;
  const retailChecks = await client.paginate<ApiObject>("quality-checks", {
    datastore: retail.id as number,
  });
  const archived = retailChecks.find((c) =>
    (c.additional_metadata as ApiObject)?._qualytics_check_uid ===
      "customer_accounts__minlength__postal_code"
  )!;
  await client.delete(`quality-checks/${archived.id}`);

  const folder = await loadConfigFolder(nodeFileSystem, root, { env: SECRETS.retail });
  const target = await fetchTarget(client, folder);
  const ahead = planToData(planImport(folder, target));
  const full = planToData(planImport(folder, { ...target, comparedAhead: undefined }));
  assert.deepEqual(ahead, full);
  const updates = (ahead.items as Array<{ action: string; name: string }>)
    .filter((item) => item.action === "update").map((item) => item.name).sort();
  assert.deepEqual(updates, [
    "customer_accounts__matchespattern__email",
    "customer_accounts__minlength__postal_code",
    "sales_orders__notnull__order_id",
  ]);

  // Every check matched by its stored UID was compared ahead, the archived one excepted.
  const answers = new Map<string, boolean | undefined>();
  for (const ds of folder.datastores) {
    const id = target.datastores.find((d) => d.name === ds.name)!.id as number;
    const { byUid } = serverCheckUids(target.checks.get(id) ?? []);
    for (const check of ds.checks) {
      const existing = byUid.get(check.uid)!;
      answers.set(check.uid, target.comparedAhead!(check.doc, existing, check.uid));
      // Another document (a file read again, say) gets no answer of the first one's.
      assert.equal(target.comparedAhead!({ ...check.doc }, existing, check.uid), undefined);
    }
  }
  assert.equal(answers.size, 32);
  assert.equal(answers.get("customer_accounts__minlength__postal_code"), undefined);
  // False: "compare in full", for the edited checks and those whose rule type refers to others.
  assert.deepEqual(
    [...answers].filter(([, answer]) => answer === false).map(([uid]) => uid).sort(),
    [
      "customer_accounts__matchespattern__email",
      "sales_orders__existsin__account_id",
      "sales_orders__notnull__order_id",
      "store_visits__existsin__order_id",
      "store_visits__existsin__store_id",
    ],
  );
  assert.equal([...answers.values()].filter((answer) => answer === true).length, 26);
});
