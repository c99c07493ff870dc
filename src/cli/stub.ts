/**
 * Placeholder commands for groups whose implementation has not landed yet: they exist (so
 * help, completion and scripts see the whole tree) and fail honestly with exit code 1.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { CliError } from "./errors.ts";
import type { Runtime } from "./runtime.ts";

/** A group whose subcommands all say they are not implemented yet. */
export function stubGroup(
  runtime: Runtime,
  name: string,
  description: string,
  subcommands: readonly string[],
): Command {
  const group = new Command(name).description(description);
  for (const sub of subcommands) {
    group.command(sub)
      .description(`(not implemented yet)`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(runtime.handle(() => {
        throw new CliError(`'qualytics ${name} ${sub}' is not implemented yet.`);
      }));
  }
  return group;
}
