/**
 * `serverCheckUids`: which server check a folder check's UID stands for — stored UIDs, shared
 * ones, archived checks, and UIDs computed (and numbered) for checks that store none.
 */
import assert from "node:assert/strict";
import type { ApiObject } from "../../src/api/types.ts";
import { serverCheckUids } from "../../src/services/config/import_plan.ts";

let nextId = 1;
function check(
  uid: string | undefined,
  options: { archived?: boolean; field?: string; container?: string } = {},
): ApiObject {
  return {
    id: nextId++,
    rule_type: "notNull",
    container: { name: options.container ?? "orders" },
    fields: [{ name: options.field ?? "id" }],
    additional_metadata: uid === undefined ? null : { _qualytics_check_uid: uid },
    deleted_at: options.archived ? "2026-01-01T00:00:00Z" : null,
  };
}

const idsOf = (byUid: Map<string, ApiObject>) =>
  Object.fromEntries([...byUid].map(([uid, c]) => [uid, c.id]).sort());

Deno.test("serverCheckUids: stored UIDs, shared ones and archived checks", () => {
  nextId = 1;
  const checks = [
    check("a"), // 1
    check("shared"), // 2
    check("shared"), // 3: the last active holder stands for it
    check("a", { archived: true }), // 4: an active check has the UID
    check("b", { archived: true }), // 5: restorable
    check("b", { archived: true }), // 6: the first archived one is
  ];
  const { byUid, shared } = serverCheckUids(checks);
  assert.deepEqual(idsOf(byUid), { a: 1, b: 5, shared: 3 });
  assert.deepEqual([...shared], [["shared", [2, 3]]]);
});

Deno.test("serverCheckUids: computed UIDs are numbered in list order around the stored ones", () => {
  nextId = 1;
  const checks = [
    check(undefined), // 1: orders__notnull__id is stored by 2, so __2
    check("orders__notnull__id"), // 2
    check(undefined), // 3: __3
    check(undefined, { field: "email" }), // 4: orders__notnull__email
    check(undefined, { archived: true }), // 5: archived without a UID: not matched
    check("orders__notnull__id__3", { archived: true }), // 6: taken by 3
  ];
  const { byUid, shared } = serverCheckUids(checks);
  assert.deepEqual(idsOf(byUid), {
    "orders__notnull__email": 4,
    "orders__notnull__id": 2,
    "orders__notnull__id__2": 1,
    "orders__notnull__id__3": 3,
  });
  assert.equal(shared.size, 0);
});
