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
import { CliError } from "./errors.ts";
import { type Format, parseListFormat, parseObjectFormat } from "./output.ts";
import { parseInteger, type Runtime } from "./runtime.ts";

/** Prints a list with the original's count message (`Found 3 user(s).` / `No users found.`). */
function printList(
  runtime: Runtime,
  items: unknown[],
  noun: string,
  format: Format,
  columns: string[],
): void {
  runtime.ui.info(items.length ? `Found ${items.length} ${noun}(s).` : `No ${noun}s found.`);
  runtime.ui.data(items, format, columns);
}

/** Lists every user. */
export async function runUsersList(runtime: Runtime, options: { format: Format }): Promise<number> {
  const users = await listUsers(await runtime.client());
  printList(runtime, users, "user", options.format, ["id", "name", "email", "role"]);
  return 0;
}

/** Prints one user. */
export async function runUsersGet(
  runtime: Runtime,
  options: { id: number; format: Format },
): Promise<number> {
  runtime.ui.data(await getUser(await runtime.client(), options.id), options.format);
  return 0;
}

/** Lists every team. */
export async function runTeamsList(runtime: Runtime, options: { format: Format }): Promise<number> {
  const teams = await listTeams(await runtime.client());
  printList(runtime, teams, "team", options.format, ["id", "name", "description", "users"]);
  return 0;
}

/** Prints one team. */
export async function runTeamsGet(
  runtime: Runtime,
  options: { id: number; format: Format },
): Promise<number> {
  runtime.ui.data(await getTeam(await runtime.client(), options.id), options.format);
  return 0;
}

/** Lists every global tag. */
export async function runTagsList(runtime: Runtime, options: { format: Format }): Promise<number> {
  const tags = await listTags(await runtime.client());
  printList(runtime, tags, "tag", options.format, [
    "name",
    "color",
    "category",
    "weight_modifier",
    "description",
  ]);
  return 0;
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
  const users = new Command("users").description("List and inspect users.");
  users.command("list")
    .description("List every user.")
    .option("-f, --format <format>", "yaml, json or table.", parseListFormat, "yaml" as Format)
    .addHelpText("after", "\nExamples:\n  $ qualytics users list --format table\n")
    .action(runtime.handle((options) => runUsersList(runtime, options)));
  users.command("get")
    .description("Show one user.")
    .requiredOption("--id <id>", "User ID.", parseInteger)
    .option("-f, --format <format>", "yaml or json.", parseObjectFormat, "yaml" as Format)
    .addHelpText("after", "\nExamples:\n  $ qualytics users get --id 1\n")
    .action(runtime.handle((options) => runUsersGet(runtime, options)));
  return users;
}

/** The `teams` group. */
export function teamsCommand(runtime: Runtime): Command {
  const teams = new Command("teams").description("List and inspect teams.");
  teams.command("list")
    .description("List every team.")
    .option("-f, --format <format>", "yaml, json or table.", parseListFormat, "yaml" as Format)
    .addHelpText("after", "\nExamples:\n  $ qualytics teams list\n")
    .action(runtime.handle((options) => runTeamsList(runtime, options)));
  teams.command("get")
    .description("Show one team.")
    .requiredOption("--id <id>", "Team ID.", parseInteger)
    .option("-f, --format <format>", "yaml or json.", parseObjectFormat, "yaml" as Format)
    .addHelpText("after", "\nExamples:\n  $ qualytics teams get --id 1 --format json\n")
    .action(runtime.handle((options) => runTeamsGet(runtime, options)));
  return teams;
}

/** The `tags` group. */
export function tagsCommand(runtime: Runtime): Command {
  const tags = new Command("tags").description("Manage global tags.");
  tags.command("list")
    .description("List every global tag.")
    .option("-f, --format <format>", "yaml, json or table.", parseListFormat, "yaml" as Format)
    .addHelpText("after", "\nExamples:\n  $ qualytics tags list --format table\n")
    .action(runtime.handle((options) => runTagsList(runtime, options)));
  tags.command("get")
    .description("Show one global tag.")
    .requiredOption("--name <name>", "Tag name.")
    .option("-f, --format <format>", "yaml or json.", parseObjectFormat, "yaml" as Format)
    .addHelpText("after", "\nExamples:\n  $ qualytics tags get --name pii\n")
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
    .addHelpText("after", "\nExamples:\n  $ qualytics tags delete --name pii\n")
    .action(runtime.handle((options) => runTagsDelete(runtime, options)));
  return tags;
}
