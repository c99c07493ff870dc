import assert from "node:assert/strict";
import { normalizeBaseUrl } from "../../src/client/url.ts";

Deno.test("base URLs are normalised exactly as the original CLI does", () => {
  const cases: Array<[string, string]> = [
    ["https://example.com", "https://example.com/api/"],
    ["http://localhost:8000", "http://localhost:8000/api/"],
    ["example.com", "https://example.com/api/"],
    ["https://example.com/", "https://example.com/api/"],
    ["https://example.com/api", "https://example.com/api/"],
    ["https://example.com/api/", "https://example.com/api/"],
    ["https://qualytics.ai", "https://qualytics.ai/api/"],
    ["https://example.com/capi", "https://example.com/capi/api/"],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeBaseUrl(input), expected, input);
  assert.equal(normalizeBaseUrl(normalizeBaseUrl("example.com")), "https://example.com/api/");
});
