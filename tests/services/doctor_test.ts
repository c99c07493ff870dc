/** Unit tests of the OpenAPI compatibility check of `doctor`. */
import assert from "node:assert/strict";
import {
  missingOperations,
  normalizeApiPath,
  OpenApiSchemaError,
  REQUIRED_API_OPERATIONS,
} from "../../src/services/doctor.ts";

function schemaOf(operations: readonly { method: string; path: string }[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { method, path } of operations) {
    (paths[path] ??= {})[method.toLowerCase()] = { responses: {} };
  }
  return { openapi: "3.1.0", paths };
}

Deno.test("the manifest requires 54 operations", () => {
  assert.equal(REQUIRED_API_OPERATIONS.length, 54);
});

Deno.test("normalizeApiPath ignores the /api prefix, parameter names and queries", () => {
  assert.equal(normalizeApiPath("/api/quality-checks/{check_id}?x=1"), "/quality-checks/{}");
  assert.equal(normalizeApiPath("/quality-checks/{id}"), "/quality-checks/{}");
  assert.equal(normalizeApiPath("/api"), "/");
});

Deno.test("a complete schema has nothing missing; prefixed and plain paths combine", () => {
  assert.deepEqual(missingOperations(schemaOf(REQUIRED_API_OPERATIONS)), []);
  const split = schemaOf(
    REQUIRED_API_OPERATIONS.map((op) =>
      op.method === "GET" ? op : { ...op, path: op.path.replace(/^\/api/, "") }
    ),
  );
  assert.deepEqual(missingOperations(split), []);
});

Deno.test("missing paths and methods are reported, sorted", () => {
  const ops = REQUIRED_API_OPERATIONS.filter((op) =>
    !(op.method === "POST" && op.path === "/api/operations/run") &&
    !(op.method === "DELETE" && op.path === "/api/anomalies/{id}")
  );
  assert.deepEqual(
    missingOperations(schemaOf(ops)).map((m) => `${m.method} ${m.path} ${m.reason}`),
    [
      "DELETE /api/anomalies/{id} method is missing (server exposes: GET, PUT)",
      "POST /api/operations/run path is missing",
    ],
  );
});

Deno.test("invalid schemas raise OpenApiSchemaError", () => {
  for (const schema of [null, [], "x", {}, { paths: {} }, { paths: { "/a": [] } }]) {
    assert.throws(() => missingOperations(schema), OpenApiSchemaError);
  }
});
