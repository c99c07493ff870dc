/** Fixtures shared by the config import tests. */
import * as path from "node:path";
import assert from "node:assert/strict";
import { runQualytics } from "../helpers/cli.ts";
import { envFor, fake } from "../helpers/fake.ts";
import { GOLDEN } from "./golden.ts";

/** The placeholders of each set, as `commands.txt`'s import command sets them. */
export const SECRETS: Record<string, Record<string, string>> = {
  minimal: {
    LAKE_S3_ACCESS_KEY: "lake-s3-access-key",
    LAKE_S3_SECRET_KEY: "lake-s3-secret-key",
    PROD_PG_PASSWORD: "prod-pg-password",
  },
  retail: {
    RETAIL_LAKE_ACCESS_KEY: "retail-lake-access-key",
    RETAIL_LAKE_SECRET_KEY: "retail-lake-secret-key",
    RETAIL_PG_PROD_PASSWORD: "retail-pg-prod-password",
  },
};

/** Copies a golden set's `config-export/` into `dir`. */
export async function copyGolden(set: string, dir: string): Promise<string> {
  const source = path.join(GOLDEN, set, "config-export");
  const target = path.join(dir, "config-export");
  const walk = async (relative: string) => {
    for await (const entry of Deno.readDir(path.join(source, relative))) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory) {
        await Deno.mkdir(path.join(target, child), { recursive: true });
        await walk(child);
      } else await Deno.copyFile(path.join(source, child), path.join(target, child));
    }
  };
  await Deno.mkdir(target, { recursive: true });
  await walk("");
  return target;
}

/** An empty retail server with the golden folder (a copy in `tmp`) imported. */
export async function importedRetail(tmp: string) {
  const server = await fake({
    data: await Deno.readTextFile(path.join(GOLDEN, "retail", "empty-server.json")),
  });
  const env = { ...envFor(server), ...SECRETS.retail };
  const root = await copyGolden("retail", tmp);
  const run = await runQualytics(["config", "import", "-i", root], { env });
  assert.equal(run.code, 0, run.stderr);
  return { server, env, root };
}
