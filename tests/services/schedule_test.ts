/** Unit tests of the crontab block builder and merge. */
import assert from "node:assert/strict";
import {
  exportMetadataBlock,
  exportMetadataUrl,
  mergeCrontab,
  parseExportOptions,
  ScheduleInputError,
  validateCron,
} from "../../src/services/schedule.ts";

Deno.test("exportMetadataUrl builds the original's URL", () => {
  assert.equal(
    exportMetadataUrl("https://example.com/api/", "checks", 42, [1, 2]),
    "https://example.com/api/export/checks?datastore=42&containers=1&containers=2",
  );
});

Deno.test("parseExportOptions: all anywhere means every export", () => {
  assert.deepEqual(parseExportOptions("all"), ["anomalies", "checks", "field-profiles"]);
  assert.deepEqual(parseExportOptions("[checks, anomalies]"), ["checks", "anomalies"]);
  assert.throws(() => parseExportOptions("logs"), ScheduleInputError);
});

Deno.test("validateCron accepts 5 fields and macros only", async () => {
  assert.equal(await validateCron(" 0  2 * * * "), "0 2 * * *");
  assert.equal(await validateCron("@daily"), "@daily");
  for (const bad of ["* * *", "61 * * * *", "0 0 1 1 * 2020", "@sometimes", "0 0 * * * %"]) {
    await assert.rejects(() => validateCron(bad), ScheduleInputError, bad);
  }
});

Deno.test("mergeCrontab appends, replaces in place and is idempotent", () => {
  const schedule = {
    cron: "0 2 * * *",
    datastore: 7,
    options: ["checks"],
    baseUrl: "https://example.com/api/",
    configDir: "/home/u/.qualytics",
  };
  const block = exportMetadataBlock(schedule);
  const user =
    "MAILTO=me\n# BEGIN qualytics export-metadata 8\nx\n# END qualytics export-metadata 8\n";
  const once = mergeCrontab(user, block, 7);
  assert.equal(once, user + block);
  assert.equal(mergeCrontab(once, block, 7), once);
  const other = exportMetadataBlock({ ...schedule, cron: "5 4 * * *" });
  const replaced = mergeCrontab(once, other, 7);
  assert.equal(replaced, user + other);
  assert.equal(mergeCrontab("", block, 7), block);
  assert.throws(
    () => mergeCrontab("# BEGIN qualytics export-metadata 7\n", block, 7),
    ScheduleInputError,
  );
});
