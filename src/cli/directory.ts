/**
 * `qualytics users`, `qualytics teams` and `qualytics tags`: the directory of the instance.
 *
 * @module
 */
import { Command, InvalidArgumentError } from "@commander-js/extra-typings";
import {
  createTag,
  deleteTag,
  getTag,
  getTeam,
  getUser,
  listTags,
  listTeams,
  listUsers,
} from "../api/directory.ts";
import type { ApiObject } from "../api/types.ts";
import { QualyticsApiError } from "../client/errors.ts";
import type { QualyticsClient } from "../client/http_client.ts";
import { examples, getByIdCommand } from "./common.ts";
import { CliError } from "./errors.ts";
import { type Format, parseListFormat, parseObjectFormat } from "./output.ts";
import { parseInteger, type Runtime } from "./runtime.ts";

/** A directory `list`: what it lists and how it prints it. */
interface DirectoryList {
  /** Singular, as the count message uses it (`user`). */
  noun: string;
  description: string;
  example: string;
  list: (client: QualyticsClient) => Promise<unknown[]>;
  columns: string[];
}

/** Prints a list with the original's count message (`Found 3 user(s).` / `No users found.`). */
export async function runDirectoryList(
  runtime: Runtime,
  options: { format: Format },
  spec: DirectoryList,
): Promise<number> {
  const items = await spec.list(await runtime.client());
  runtime.ui.info(
    items.length ? `Found ${items.length} ${spec.noun}(s).` : `No ${spec.noun}s found.`,
  );
  runtime.ui.data(items, options.format, spec.columns);
  return 0;
}

function listCommand(runtime: Runtime, spec: DirectoryList) {
  return new Command("list")
    .description(spec.description)
    .option("-f, --format <format>", "yaml, json or table.", parseListFormat, "yaml" as Format)
    .addHelpText("after", examples(spec.example))
    .action(runtime.handle((options) => runDirectoryList(runtime, options, spec)));
}

/** Prints one global tag. */
export async function runTagsGet(
  runtime: Runtime,
  options: { name: string; format: Format },
): Promise<number> {
  runtime.ui.data(await getTag(await runtime.client(), options.name), options.format);
  return 0;
}

/** Options of `tags create`. */
export interface TagsCreateOptions {
  name: string;
  color?: string;
  description?: string;
  category?: string;
  weightModifier?: number;
  format: Format;
}

/** The create body of a global tag: given keys only. */
export function tagPayload(options: Omit<TagsCreateOptions, "format">): ApiObject {
  const body: ApiObject = { type: "global", name: options.name };
  if (options.color !== undefined) body.color = options.color;
  if (options.description !== undefined) body.description = options.description;
  if (options.category !== undefined) body.category = options.category;
  if (options.weightModifier !== undefined) body.weight_modifier = options.weightModifier;
  return body;
}

/** Creates a global tag. */
export async function runTagsCreate(runtime: Runtime, options: TagsCreateOptions): Promise<number> {
  const tag = await createTag(await runtime.client(), tagPayload(options));
  runtime.ui.success("Tag created successfully!");
  runtime.ui.info(`Tag name: ${tag?.name ?? options.name}`);
  runtime.ui.data(tag, options.format);
  return 0;
}

/** Deletes a global tag. */
export async function runTagsDelete(runtime: Runtime, options: { name: string }): Promise<number> {
  const client = await runtime.client();
  try {
    await deleteTag(client, options.name);
  } catch (error) {
    if (error instanceof QualyticsApiError) {
      throw new CliError(`Failed to delete tag '${options.name}': ${error.message}`);
    }
    throw error;
  }
  runtime.ui.success(`Tag '${options.name}' deleted successfully.`);
  return 0;
}

function parseWeight(value: string): number {
  const weight = parseInteger(value);
  if (weight < -10 || weight > 10) throw new InvalidArgumentError("must be from -10 to 10.");
  return weight;
}

function parseColor(value: string): string {
  if (!/^#[0-9a-fA-F]{6}$/.test(value)) {
    throw new InvalidArgumentError("must be a hex colour such as #FF9933.");
  }
  return value;
}

/** The `users` group. */
export function usersCommand(runtime: Runtime): Command {
  return new Command("users")
    .description("List and inspect users.")
    .addCommand(listCommand(runtime, {
      noun: "user",
      description: "List every user.",
      example: "qualytics users list --format table",
      list: listUsers,
      columns: ["id", "name", "email", "role"],
    }))
    .addCommand(getByIdCommand(runtime, {
      description: "Show one user.",
      idHelp: "User ID.",
      examples: ["qualytics users get --id 1"],
      fetch: getUser,
    }));
}

/** The `teams` group. */
export function teamsCommand(runtime: Runtime): Command {
  return new Command("teams")
    .description("List and inspect teams.")
    .addCommand(listCommand(runtime, {
      noun: "team",
      description: "List every team.",
      example: "qualytics teams list",
      list: listTeams,
      columns: ["id", "name", "description", "users"],
    }))
    .addCommand(getByIdCommand(runtime, {
      description: "Show one team.",
      idHelp: "Team ID.",
      examples: ["qualytics teams get --id 1 --format json"],
      fetch: getTeam,
    }));
}

/** The `tags` group. */
export function tagsCommand(runtime: Runtime): Command {
  const tags = new Command("tags").description("Manage global tags.");
  tags.addCommand(listCommand(runtime, {
    noun: "tag",
    description: "List every global tag.",
    example: "qualytics tags list --format table",
    list: listTags,
    columns: ["name", "color", "category", "weight_modifier", "description"],
  }));
  tags.command("get")
    .description("Show one global tag.")
    .requiredOption("--name <name>", "Tag name.")
    .option("-f, --format <format>", "yaml or json.", parseObjectFormat, "yaml" as Format)
    .addHelpText("after", examples("qualytics tags get --name pii"))
    .action(runtime.handle((options) => runTagsGet(runtime, options)));
  tags.command("create")
    .description("Create a global tag.")
    .requiredOption("--name <name>", "Tag name.")
    .option("--color <hex>", "Colour, e.g. #FF0000.", parseColor)
    .option("--description <text>", "Description.")
    .option("--category <category>", "Category.")
    .option("--weight-modifier <n>", "Quality-score weight from -10 to 10.", parseWeight)
    .option(
      "-f, --format <format>",
      "Format of the created tag on stdout: yaml or json.",
      parseObjectFormat,
      "yaml" as Format,
    )
    .addHelpText(
      "after",
      '\nExamples:\n  $ qualytics tags create --name pii --color "#FF0000" --weight-modifier 3\n',
    )
    .action(runtime.handle((options) => runTagsCreate(runtime, options)));
  tags.command("delete")
    .description("Delete a global tag.")
    .requiredOption("--name <name>", "Tag name.")
    .addHelpText("after", examples("qualytics tags delete --name pii"))
    .action(runtime.handle((options) => runTagsDelete(runtime, options)));
  return tags;
}
