/**
 * Errors that end a command with a message and an exit code.
 *
 * @module
 */

/** A failure the user can act on: one line on stderr, exit code 1 (or the given one). */
export class CliError extends Error {
  override name = "CliError";
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, 2);
  }
}
