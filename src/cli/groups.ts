/**
 * The command groups of the CLI besides `auth` and `completions`, in the order help lists them.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import type { Runtime } from "./runtime.ts";
import { anomaliesCommand } from "./anomalies.ts";
import { checksCommand } from "./checks.ts";
import { tagsCommand, teamsCommand, usersCommand } from "./directory.ts";
import { doctorCommand } from "./doctor.ts";
import { operationsCommand } from "./operations.ts";
import { scheduleCommand } from "./schedule.ts";
import { configCommand } from "./config.ts";
import { checksExportCommand } from "./config_export.ts";
import { checksImportCommand } from "./config_import.ts";
import { connectionsCommand } from "./connections.ts";
import { datastoresCommand } from "./datastores.ts";
import { containersCommand } from "./containers.ts";
import { mcpCommand } from "./mcp.ts";

/** Every group's command, built for one run. */
export function commandGroups(runtime: Runtime): Command[] {
  return [
    connectionsCommand(runtime),
    datastoresCommand(runtime),
    containersCommand(runtime),
    checksCommand(runtime, [checksExportCommand(runtime), checksImportCommand(runtime)]),
    anomaliesCommand(runtime),
    operationsCommand(runtime),
    configCommand(runtime),
    scheduleCommand(runtime),
    mcpCommand(runtime),
    usersCommand(runtime),
    teamsCommand(runtime),
    tagsCommand(runtime),
    doctorCommand(runtime),
  ];
}
