/** Unit tests of operation payloads and `waitForOperation` with a virtual clock. */
import assert from "node:assert/strict";
import { QualyticsClient } from "../../src/client/http_client.ts";
import {
  normalizeAiEffort,
  OperationOptionError,
  profilePayload,
  scanPayload,
  waitForOperation,
} from "../../src/services/operations.ts";

/** A client whose transport answers `GET operations/1` from a list of states. */
function scriptedClient(states: Record<string, unknown>[]) {
  let calls = 0;
  const client = new QualyticsClient({
    baseUrl: "http://fake.test",
    token: "t",
    maxRetries: 0,
    transport: () => {
      const state = states[Math.min(calls++, states.length - 1)];
      return Promise.resolve({
        status: 200,
        headers: { get: () => null },
        text: JSON.stringify({ id: 1, ...state }),
      });
    },
  });
  return { client, calls: () => calls };
}

function virtualClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date(now),
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

Deno.test("waitForOperation polls at once, then every interval, until end_time", async () => {
  const running = {
    result: "running",
    end_time: null,
    status: { total_containers: 4, containers_analyzed: 1, records_processed: 10 },
  };
  const { client, calls } = scriptedClient([
    running,
    running,
    { result: "success", end_time: "2026-01-01T00:00:00Z", message: null },
  ]);
  const clock = virtualClock();
  const progress: number[] = [];
  const result = await waitForOperation(client, 1, {
    pollIntervalMs: 10_000,
    timeoutMs: 60_000,
    ...clock,
    onProgress: (p) => progress.push(p.containersAnalyzed ?? -1),
  });
  assert.equal(result.outcome, "success");
  assert.equal(calls(), 3);
  assert.deepEqual(clock.sleeps, [10_000, 10_000]);
  assert.deepEqual(progress, [1, 1]);
});

Deno.test("waitForOperation: warning, failure, aborted and timeout outcomes", async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ result: "success", end_time: "x", message: "2 containers skipped" }, "warning"],
    [{ result: "failure", end_time: "x", message: "boom" }, "failure"],
    [{ result: "aborted", end_time: "x" }, "aborted"],
  ];
  for (const [state, outcome] of cases) {
    const { client } = scriptedClient([state]);
    const result = await waitForOperation(client, 1, {
      pollIntervalMs: 1,
      timeoutMs: 10,
      ...virtualClock(),
    });
    assert.equal(result.outcome, outcome);
  }
  const { client, calls } = scriptedClient([{ result: "running", end_time: null }]);
  const clock = virtualClock();
  const result = await waitForOperation(client, 1, {
    pollIntervalMs: 10_000,
    timeoutMs: 25_000,
    ...clock,
  });
  assert.equal(result.outcome, "timeout");
  assert.deepEqual(clock.sleeps, [10_000, 10_000, 5_000]);
  assert.equal(calls(), 4);
});

Deno.test("payload builders follow the original's rules", () => {
  assert.equal(normalizeAiEffort("3"), "high");
  assert.equal(normalizeAiEffort("0"), "off");
  assert.equal(normalizeAiEffort("5"), "max");
  assert.equal(normalizeAiEffort("High"), "high");
  assert.throws(() => normalizeAiEffort("10"), OperationOptionError);
  assert.deepEqual(profilePayload(10, { aiEffort: "3", inferAsDraft: true }), {
    datastore_id: 10,
    type: "profile",
    ai_effort: "high",
    infer_as_draft: true,
  });
  assert.deepEqual(
    scanPayload(10, {
      incremental: true,
      greaterThanTime: "2024-05-01 10:11:12",
      containerNames: ["orders", "customers"],
    }),
    {
      datastore_id: 10,
      type: "scan",
      incremental: true,
      greater_than_time: "2024-05-01T10:11:12.000Z",
      container_names: ["orders", "customers"],
    },
  );
  assert.throws(() => scanPayload(1, { enrichmentSourceRecordLimit: 0 }), OperationOptionError);
  assert.throws(
    () => profilePayload(1, { maxRecordsAnalyzedPerPartition: -5 }),
    OperationOptionError,
  );
});
