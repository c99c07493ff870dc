import assert from "node:assert/strict";
import * as path from "node:path";
import { openBatchWriter } from "../../src/util/batch_writer.ts";
import { TEMP_FILE_SUFFIX } from "../../src/util/temp_file.ts";

async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory) out.push(...(await listAll(full)).map((f) => `${entry.name}/${f}`));
    else out.push(entry.name);
  }
  return out.sort();
}

for (const worker of [true, false]) {
  const where = worker ? "on a worker" : "on this thread";

  Deno.test(`batch writer ${where}: stage writes temp files only, commit puts them in place`, async () => {
    const dir = await Deno.makeTempDir();
    const writer = openBatchWriter({ worker });
    try {
      await Deno.writeTextFile(path.join(dir, "same.yaml"), "same: 1\n");
      const files = [
        { file: path.join(dir, "a/b/new.yaml"), text: "new: 1\n" },
        { file: path.join(dir, "same.yaml"), text: "same: 1\n" },
      ];
      const temps = await writer.stage(files);
      assert.equal(temps[1], null, "a file that already has the text is not staged");
      assert.match(temps[0]!, TEMP_FILE_SUFFIX);
      assert.deepEqual(await listAll(dir), [`a/b/${path.basename(temps[0]!)}`, "same.yaml"]);
      await writer.commit([{ temp: temps[0]!, file: files[0].file }]);
      assert.deepEqual(await listAll(dir), ["a/b/new.yaml", "same.yaml"]);
      assert.equal(await Deno.readTextFile(files[0].file), "new: 1\n");
    } finally {
      writer.close();
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`batch writer ${where}: discard removes staged files; errors keep their code`, async () => {
    const dir = await Deno.makeTempDir();
    const writer = openBatchWriter({ worker });
    try {
      const temps = await writer.stage([{ file: path.join(dir, "x.yaml"), text: "x\n" }]);
      await writer.discard([temps[0]!, path.join(dir, "never-existed.tmp-1-2-3")]);
      assert.deepEqual(await listAll(dir), []);
      await Deno.writeTextFile(path.join(dir, "file"), "not a folder");
      await assert.rejects(
        writer.stage([{ file: path.join(dir, "file", "y.yaml"), text: "y\n" }]),
        (error: Error & { code?: string }) => error.code === "ENOTDIR",
      );
    } finally {
      writer.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
