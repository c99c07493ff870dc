import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256Hex } from "../../src/util/sha256.ts";

Deno.test("sha256Hex: the FIPS 180-2 vectors, and node:crypto's digest for texts of every length", () => {
  assert.equal(
    sha256Hex(""),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  for (let length = 0; length < 200; length++) {
    const text = "売上é-".repeat(length).slice(0, length);
    assert.equal(sha256Hex(text), createHash("sha256").update(text).digest("hex"), `${length}`);
  }
});
