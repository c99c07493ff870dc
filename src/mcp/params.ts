/**
 * Parameters in two spellings: ours, and the original Python server's (generation A of its MCP
 * tools), so that a client written for the original keeps working. The original took comma
 * separated strings and single values where we take lists, and a `payload` object where we take
 * separate parameters. Both spellings are in the JSON schema, each alias described as such;
 * giving both with different values is an error, never a silent choice.
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { splitCommaList } from "../util/comma_list.ts";
import { ToolInputError } from "./tool.ts";

/** `"a, b,,c"` → `["a", "b", "c"]` (brackets are no list syntax here). */
const splitList = (text: string) => splitCommaList(text, false);

/**
 * A list parameter that also takes one string, as the original tools did: a comma-separated
 * list (`"postgresql,snowflake"`) or a single value (`"Active"`). The handler gets the list.
 */
export function listOrString<Item extends z.ZodType<string, string>>(
  item: Item,
  description: string,
) {
  return z.union([z.array(item), z.string().transform(splitList).pipe(z.array(item))], {
    error: (issue) => {
      if (issue.code !== "invalid_union") return undefined;
      const input = issue.input;
      const branch = Array.isArray(input) ? 0 : typeof input === "string" ? 1 : -1;
      const first = branch < 0 ? undefined : issue.errors[branch]?.[0];
      if (!first) return "Expected a list or a comma-separated string";
      const index = first.path[0];
      const items = typeof input === "string" ? splitList(input) : input as unknown[];
      const value = typeof index === "number" ? items[index] : undefined;
      return value === undefined ? first.message : `'${value}': ${first.message}`;
    },
  }).describe(
    `${description} A list, or one comma-separated string (the original tool's form).`,
  );
}

/** `value` as a one-element list (a single id or tag given under the original's name). */
export function listOf<T>(value: T | undefined): T[] | undefined {
  return value === undefined ? undefined : [value];
}

/**
 * The value of our parameter `name`, else that of `aliasName` (the original tool's name for it,
 * already converted to our form). Both given with different values is a {@link ToolInputError}.
 */
export function oneOf<T>(
  name: string,
  value: T | undefined,
  aliasName: string,
  aliasValue: T | undefined,
): T | undefined {
  if (aliasValue === undefined) return value;
  if (value !== undefined && !isDeepStrictEqual(value, aliasValue)) {
    throw new ToolInputError(
      `'${aliasName}' (the original tool's name) and '${name}' are the same parameter and ` +
        "were given different values: give one of them.",
    );
  }
  return value ?? aliasValue;
}

/**
 * The separate parameters `params` with the keys of `payload` (the original's single object
 * holding them) added; a key given both ways with different values is a {@link ToolInputError}.
 */
export function mergePayload(
  params: Record<string, unknown>,
  payload: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) merged[key] = value;
  }
  for (const [key, value] of Object.entries(payload ?? {})) {
    const chosen = oneOf(key, merged[key], `payload.${key}`, value);
    if (chosen !== undefined) merged[key] = chosen;
  }
  return merged;
}
