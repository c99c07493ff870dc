/**
 * The compatibility contract: every command of the original and every flag its reference
 * (spec/original/commands.md) names for that command exists here with the same spelling,
 * including the multi-letter short flags (`-cn`, `-db`, `-sc`).
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { buildProgram, MULTI_LETTER_FLAGS } from "../../src/cli/main.ts";
import type { Runtime } from "../../src/cli/runtime.ts";
import { Ui } from "../../src/cli/output.ts";

const reference = path.resolve(import.meta.dirname!, "../../../shared/spec/original/commands.md");

function program(): Command {
  const ctx = {
    stdout: { write: () => {}, isTTY: false },
    stderr: { write: () => {}, isTTY: false },
    env: {},
  } as unknown as Runtime["ctx"];
  const runtime: Runtime = {
    ctx,
    ui: new Ui(ctx),
    globals: () => ({}),
    client: () => Promise.reject(new Error("no client in this test")),
    handle: (action) => async (...args) => void await action(...args),
  };
  return buildProgram(runtime);
}

function find(root: Command, names: string[]): Command | undefined {
  let command: Command | undefined = root;
  for (const name of names) {
    command = command?.commands.find((child) => child.name() === name) as Command | undefined;
  }
  return command;
}

function flagsOf(command: Command): Set<string> {
  const flags = new Set<string>();
  for (const option of command.options) {
    if (option.long) flags.add(option.long);
    if (option.short) flags.add(option.short);
    // A `--no-x` option stands for the `--x/--no-x` pair of the original.
    if (option.long?.startsWith("--no-")) flags.add(`--${option.long.slice(5)}`);
  }
  for (const [short, long] of Object.entries(MULTI_LETTER_FLAGS)) {
    if (flags.has(long)) flags.add(short);
  }
  return flags;
}

Deno.test("every command and flag of the original exists with the same spelling", async () => {
  // Flags wrapped across lines in the reference are joined back together.
  const text = (await Deno.readTextFile(reference)).replace(/-\n(?=[a-z])/g, "-");
  const root = program();
  const missing: string[] = [];
  let commands = 0;
  let flags = 0;
  for (const section of text.split(/\n### /).slice(1)) {
    const [heading, ...rest] = section.split("\n");
    const body = rest.join("\n").split(/\n## /)[0];
    const named = new Set<string>();
    for (const match of body.matchAll(/`(--?[a-z][a-z0-9_-]*(?:\/--?[a-z][a-z0-9_-]*)*)[^`]*`/g)) {
      for (const flag of match[1].split("/")) if (flag !== "--help") named.add(flag);
    }
    for (const [, name] of heading.matchAll(/`([a-z-]+ [a-z-]+)`/g)) {
      const command = find(root, name.split(" "));
      if (!command) {
        missing.push(`command '${name}'`);
        continue;
      }
      commands++;
      const have = flagsOf(command);
      for (const flag of named) {
        flags++;
        if (!have.has(flag)) missing.push(`${name} ${flag}`);
      }
    }
  }
  assert.deepEqual(missing, []);
  assert.ok(commands >= 45, `only ${commands} commands were found in the reference`);
  assert.ok(flags >= 250, `only ${flags} flags were found in the reference`);
});
