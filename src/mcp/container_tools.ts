/**
 * Container tools, over the same services as `qualytics containers`.
 *
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { listFieldProfiles } from "../api/containers.ts";
import {
  buildContainerCreatePayload,
  COMPUTED_CONTAINER_TYPES,
  CONTAINER_TYPES,
  createComputedContainer,
  deleteContainerById,
  getContainerById,
  JOIN_TYPES,
  listContainersOf,
  validateContainerDefinition,
} from "../services/containers.ts";
import { notFoundAs } from "../services/resource_errors.ts";
import { listOrString } from "./params.ts";
import { addTool, DESTRUCTIVE, idParam, type McpDeps, READ_ONLY, WRITES } from "./tool.ts";

/** Seconds the server may take to validate a definition (the original's limit). */
const VALIDATE_TIMEOUT_SECONDS = 60;

/** The definition parameters shared by create_container and validate_container. */
function definitionShape() {
  return {
    container_type: z.enum(COMPUTED_CONTAINER_TYPES as [string, ...string[]]).describe(
      "computed_table (SQL query over a JDBC datastore), computed_file (select over a file " +
        "container) or computed_join (join of two containers).",
    ),
    datastore_id: idParam("Datastore id (computed_table, computed_file).").optional(),
    query: z.string().optional().describe("SQL query (computed_table)."),
    source_container_id: idParam("Source file container id (computed_file).").optional(),
    select_clause: z.string().optional().describe(
      "Select clause (computed_file, computed_join).",
    ),
    where_clause: z.string().optional(),
    group_by_clause: z.string().optional(),
    left_container_id: idParam("Left container id (computed_join).").optional(),
    right_container_id: idParam("Right container id (computed_join).").optional(),
    left_key_field: z.string().optional().describe("Left join key field (computed_join)."),
    right_key_field: z.string().optional().describe("Right join key field (computed_join)."),
    left_prefix: z.string().optional(),
    right_prefix: z.string().optional(),
    join_type: z.enum(JOIN_TYPES as [string, ...string[]]).optional().describe(
      "Join type (computed_join).",
    ),
  };
}

type Definition = {
  container_type: string;
  name: string;
  datastore_id?: number;
  query?: string;
  source_container_id?: number;
  select_clause?: string;
  where_clause?: string;
  group_by_clause?: string;
  left_container_id?: number;
  right_container_id?: number;
  left_key_field?: string;
  right_key_field?: string;
  left_prefix?: string;
  right_prefix?: string;
  join_type?: string;
  description?: string;
  tags?: string[];
};

function payloadOf(args: Definition) {
  return buildContainerCreatePayload({
    type: args.container_type,
    name: args.name,
    datastoreId: args.datastore_id,
    query: args.query,
    sourceContainerId: args.source_container_id,
    selectClause: args.select_clause,
    whereClause: args.where_clause,
    groupByClause: args.group_by_clause,
    leftContainerId: args.left_container_id,
    rightContainerId: args.right_container_id,
    leftKeyField: args.left_key_field,
    rightKeyField: args.right_key_field,
    leftPrefix: args.left_prefix,
    rightPrefix: args.right_prefix,
    joinType: args.join_type,
    description: args.description,
    tags: args.tags,
  });
}

/** Registers the container tools. */
export function registerContainerTools(server: McpServer, deps: McpDeps): void {
  addTool(server, deps, "list_containers", {
    title: "List containers",
    description: "List the containers (tables, views, files, computed containers) of a datastore.",
    input: {
      datastore_id: idParam("Datastore id."),
      type: listOrString(z.enum(CONTAINER_TYPES), "Filter by container types.").optional(),
      name: z.string().optional().describe("Filter by name."),
      tag: z.string().optional().describe("Filter by tag name."),
      search: z.string().optional().describe("Free-text search."),
    },
    annotations: READ_ONLY,
  }, async (args, call) =>
    await listContainersOf(await call.client(), {
      datastoreId: args.datastore_id,
      types: args.type,
      name: args.name,
      tag: args.tag,
      search: args.search,
    }));

  addTool(server, deps, "get_container", {
    title: "Get a container",
    description: "Get one container by id (its fields, type and definition).",
    input: { id: idParam("Container id.") },
    annotations: READ_ONLY,
  }, async (args, call) => await getContainerById(await call.client(), args.id));

  addTool(server, deps, "get_field_profiles", {
    title: "Get field profiles",
    description: "Get the field profiles of a container (types, completeness, distinct " +
      "values, min/max, histograms) gathered by the last profile operation.",
    input: { container_id: idParam("Container id.") },
    annotations: READ_ONLY,
  }, async (args, call) => {
    const client = await call.client();
    return await notFoundAs(
      `Container with ID ${args.container_id} not found.`,
      () => listFieldProfiles(client, args.container_id),
    );
  });

  addTool(server, deps, "create_container", {
    title: "Create a computed container",
    description: "Create a computed container. computed_table needs datastore_id and query; " +
      "computed_file needs datastore_id, source_container_id and select_clause; computed_join " +
      "needs left/right_container_id, left/right_key_field and select_clause. Call " +
      "validate_container first to check the definition.",
    input: {
      name: z.string().describe("Container name."),
      ...definitionShape(),
      description: z.string().optional(),
      tags: z.array(z.string()).optional().describe("Tag names."),
    },
    annotations: WRITES,
  }, async (args, call) => {
    // The definition is checked before asking for a client: input mistakes come first.
    const payload = payloadOf(args);
    return await createComputedContainer(await call.client(), payload);
  });

  addTool(server, deps, "delete_container", {
    title: "Delete a container",
    description: "Delete a container with its fields, checks and anomalies.",
    input: { id: idParam("Container id.") },
    annotations: DESTRUCTIVE,
  }, async (args, call) => await deleteContainerById(await call.client(), args.id));

  addTool(server, deps, "validate_container", {
    title: "Validate a computed container",
    description: "Ask the instance whether a computed container definition works, without " +
      "creating it. Returns valid and, when not valid, the server's objection.",
    input: {
      name: z.string().default("validation_test").describe("Container name to validate with."),
      ...definitionShape(),
    },
    annotations: READ_ONLY,
  }, async (args, call) => {
    const payload = payloadOf(args);
    return await validateContainerDefinition(
      await call.client(),
      payload,
      VALIDATE_TIMEOUT_SECONDS,
    );
  });
}
