/**
 * `config export`, `config diff` and `checks export` (placeholders until implemented).
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import type { Runtime } from "./runtime.ts";
import { stubGroup } from "./stub.ts";

/** The `config export` and `config diff` commands. */
export function configExportCommands(runtime: Runtime): Command[] {
  return stubGroup(runtime, "config", "", ["export", "diff"]).commands as Command[];
}

/** The `checks export` command. */
export function checksExportCommand(runtime: Runtime): Command {
  return stubGroup(runtime, "checks", "", ["export"]).commands[0] as Command;
}
