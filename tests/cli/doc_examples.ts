/**
 * Runs the `$ qualytics …` examples of a docs page against a fresh demo fake controlplane.
 */
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { startFakeControlplane } from "../../src/testing/mod.ts";
import { runQualytics } from "../helpers/cli.ts";

/** Splits a shell command line (single and double quotes, no expansion). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let quote: string | undefined;
  let started = false;
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      started = true;
    } else if (/\s/.test(char)) {
      if (started) words.push(current);
      current = "";
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) words.push(current);
  return words;
}

/** Runs every `$ qualytics …` line of the ```sh blocks of a docs page against the demo seed. */
export async function runDocExamples(page: string): Promise<number> {
  const text = await Deno.readTextFile(new URL(`../../docs/${page}`, import.meta.url));
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]);
  const lines = blocks.flatMap((block) => block.split("\n"))
    .filter((line) => line.startsWith("$ qualytics "));
  for (const line of lines) {
    const server = await startFakeControlplane({ seed: "demo" });
    try {
      const env = { QUALYTICS_URL: server.url, QUALYTICS_TOKEN: server.token };
      const run = await runQualytics(shellWords(line.slice("$ qualytics ".length)), { env });
      assert.equal(run.code, 0, `${line}\n${run.stderr}`);
      if (!line.includes("table")) parseYaml(run.stdout);
    } finally {
      await server.close();
    }
  }
  return lines.length;
}
