/**
 * `qualytics config`: configuration as code — export, diff (drift), plan and import.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { configExportCommands } from "./config_export.ts";
import { configImportCommands } from "./config_import.ts";
import type { Runtime } from "./runtime.ts";

/** The `config` group. */
export function configCommand(runtime: Runtime): Command {
  const group = new Command("config")
    .summary("Configuration as code: export, plan, import and detect drift.")
    .description(
      "Configuration as code: export a datastore's data-quality setup to a folder, plan and " +
        "import it into another instance, and detect drift.",
    );
  for (const command of [...configExportCommands(runtime), ...configImportCommands(runtime)]) {
    group.addCommand(command as unknown as Command);
  }
  return group;
}
