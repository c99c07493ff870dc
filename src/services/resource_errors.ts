/**
 * Errors the resource services (connections, datastores, containers) raise for input the user
 * must fix, and the checks and lookups that raise them; the CLI turns them into exit codes, the
 * MCP server into tool errors.
 *
 * @module
 */
import { NotFoundError } from "../client/errors.ts";

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

/** Throws {@link InvalidInputError} unless exactly one of two options has a value. */
export function requireOneOf(
  first: string,
  firstValue: unknown,
  second: string,
  secondValue: unknown,
): void {
  if (firstValue !== undefined && secondValue !== undefined) {
    throw new InvalidInputError(`Cannot specify both ${first} and ${second}. Please use only one.`);
  }
  if (firstValue === undefined && secondValue === undefined) {
    throw new InvalidInputError(`Must specify either ${first} or ${second}.`);
  }
}

/** Runs an API call; a 404 becomes {@link ResourceNotFoundError} with `message`. */
export async function notFoundAs<T>(message: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof NotFoundError) throw new ResourceNotFoundError(message);
    throw error;
  }
}

/**
 * The object `selector` names by `--id` or by exact `--name` (exactly one of them); `noun`
 * (`Connection`, `Datastore`) starts the not-found message of a name.
 */
export async function findByIdOrName<T>(
  selector: { id?: number; name?: string },
  noun: string,
  byId: (id: number) => Promise<T>,
  byName: (name: string) => Promise<T | undefined>,
): Promise<T> {
  requireOneOf("--id", selector.id, "--name", selector.name);
  if (selector.id !== undefined) return await byId(selector.id);
  const found = await byName(selector.name!);
  if (!found) throw new ResourceNotFoundError(`${noun} with name '${selector.name}' not found.`);
  return found;
}
