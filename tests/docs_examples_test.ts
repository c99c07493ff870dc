/**
 * Every `$ qualytics …` line inside a ```sh block of docs/*.md runs against a fake controlplane
 * with the demo seed and must succeed, so the documentation cannot drift from the CLI.
 * Examples that must not run (browser login, real instances) live in ```text blocks.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { runQualytics, tempDir } from "./helpers/cli.ts";
import { envFor, fake } from "./helpers/fake.ts";

const docsDir = path.resolve(import.meta.dirname!, "../docs");

/** Splits a shell command line into words (quotes and `$VAR` expansion, no globbing). */
function shellWords(line: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
      continue;
    }
    if (c === "$") {
      const match = /^\$(\{)?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(line.slice(i));
      if (match) {
        current += env[match[2]] ?? "";
        inWord = true;
        i += match[0].length - 1;
        continue;
      }
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < line.length) current += line[++i];
      else current += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === " " || c === "\t") {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else if (c === "\\" && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function examples(markdown: string): string[] {
  const lines: string[] = [];
  let inShell = false;
  for (const line of markdown.split("\n")) {
    if (/^```(sh|bash|shell)\s*$/.test(line)) inShell = true;
    else if (line.startsWith("```")) inShell = false;
    else if (inShell && line.startsWith("$ qualytics ")) {
      lines.push(line.slice(2).replace(/\s+#.*$/, ""));
    }
  }
  return lines;
}

for (const entry of Deno.readDirSync(docsDir)) {
  if (!entry.name.endsWith(".md")) continue;
  const markdown = Deno.readTextFileSync(path.join(docsDir, entry.name));
  const lines = examples(markdown);
  if (lines.length === 0) continue;
  Deno.test(`docs/${entry.name}: every example runs against the demo seed`, async () => {
    for (const line of lines) {
      // A fresh server per example, so that examples never depend on each other's writes.
      await using server = await fake({ seed: "demo", operationDurationMs: 0 });
      await using tmp = await tempDir();
      const env = { ...envFor(server), HOME: tmp.path };
      const words = shellWords(line, env);
      const result = await runQualytics(words.slice(1), { env, home: tmp.path, cwd: tmp.path });
      assert.equal(result.code, 0, `${line}\nstderr: ${result.stderr}`);
      // Text-producing commands (status lines, crontab entries, scripts) are exempt.
      const textOutput =
        ["auth", "schedule", "completions", "--show-completion"].includes(words[1]) &&
        !words.includes("--format") && !words.includes("-f");
      if (!textOutput && !words.includes("table")) parseYaml(result.stdout);
    }
  });
}
