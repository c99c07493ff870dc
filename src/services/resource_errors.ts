/**
 * Errors the resource services (connections, datastores, containers) raise for input the user
 * must fix; the CLI turns them into exit codes, the MCP server into tool errors.
 *
 * @module
 */

/**
 * The request itself is wrong (a missing or contradictory option, a bad value): nothing was
 * sent. `usage` tells a CLI to exit with its usage-error code.
 */
export class InvalidInputError extends Error {
  override name = "InvalidInputError";
  constructor(message: string, readonly usage = true) {
    super(message);
  }
}

/** A name or id did not match any object on the server. */
export class ResourceNotFoundError extends Error {
  override name = "ResourceNotFoundError";
  constructor(message: string) {
    super(message);
  }
}
