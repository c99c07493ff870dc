/**
 * The CLI's file system (`withBlockingReads` over Deno's own calls) must answer exactly as
 * `nodeFileSystem` does through `node:fs`: missing files and folders, a file listed as a folder,
 * name order, and errors that are not "missing" still thrown.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { type FileSystem, nodeFileSystem } from "../../src/util/fs.ts";
import { cliFileSystem } from "../../cli.ts";

const denoReads = cliFileSystem();

function outcome<T>(read: () => T): { value: T } | { code: string | undefined } {
  try {
    return { value: read() };
  } catch (error) {
    return { code: (error as { code?: string }).code };
  }
}

Deno.test("the CLI's file system on Deno answers as node:fs does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(path.join(dir, "checks", "b_table"), { recursive: true });
    await Deno.mkdir(path.join(dir, "checks", "A_table"));
    for (const name of ["z.yaml", "a.yaml", "B.yaml", "é.yaml", "10.yaml", "9.yaml"]) {
      await Deno.writeTextFile(path.join(dir, "checks", "b_table", name), `name: ${name}\nü: 1\n`);
    }
    const folders = [
      path.join(dir, "checks"),
      path.join(dir, "checks", "b_table"),
      path.join(dir, "missing"),
      path.join(dir, "checks", "b_table", "a.yaml"), // a file, not a folder
    ];
    const files = [
      path.join(dir, "checks", "b_table", "é.yaml"),
      path.join(dir, "checks", "b_table", "missing.yaml"),
      path.join(dir, "missing", "x.yaml"),
    ];
    const answers = (fs: FileSystem) => ({
      folders: folders.map((folder) => outcome(() => fs.readDirSync!(folder))),
      files: outcome(() => fs.readTextFilesSync!(files)),
      // A folder read as a file is an error, not a missing file.
      folderAsFile: outcome(() => fs.readTextFilesSync!([path.join(dir, "checks")])),
    });
    const expected = answers(nodeFileSystem);
    assert.deepEqual(answers(denoReads), expected);
    assert.deepEqual(
      (expected.folders[1] as { value: { name: string }[] }).value.map((e) => e.name),
      ["10.yaml", "9.yaml", "B.yaml", "a.yaml", "z.yaml", "é.yaml"],
    );
    assert.deepEqual(expected.files, { value: ["name: é.yaml\nü: 1\n", undefined, undefined] });
    assert.equal("code" in expected.folderAsFile, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
