/**
 * `config import`, `config plan` and `checks import` (placeholders until implemented).
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import type { Runtime } from "./runtime.ts";
import { stubGroup } from "./stub.ts";

/** The `config import` and `config plan` commands. */
export function configImportCommands(runtime: Runtime): Command[] {
  return stubGroup(runtime, "config", "", ["import", "plan"]).commands as Command[];
}

/** The `checks import` command. */
export function checksImportCommand(runtime: Runtime): Command {
  return stubGroup(runtime, "checks", "", ["import"]).commands[0] as Command;
}
