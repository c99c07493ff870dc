/**
 * Connection and datastore tools, over the same services as `qualytics connections` and
 * `qualytics datastores`.
 *
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { createConnection, listConnections } from "../api/connections.ts";
import { createDatastore, listDatastores } from "../api/datastores.ts";
import {
  buildConnectionCreatePayload,
  deleteConnectionById,
  getConnectionBy,
  testConnectionById,
} from "../services/connections.ts";
import {
  buildDatastoreCreatePayload,
  deleteDatastoreById,
  getDatastoreBy,
  resolveConnectionId,
  setEnrichment,
  verifyDatastore,
} from "../services/datastores.ts";
import { stringifyJson } from "../util/json.ts";
import { secretValues } from "../util/redact.ts";
import { listOrString } from "./params.ts";
import {
  addTool,
  DESTRUCTIVE,
  idParam,
  type McpDeps,
  READ_ONLY,
  requireIdOrName,
  ToolInputError,
  WRITES,
} from "./tool.ts";

// The server never resolves `${VAR}` from its own environment for a caller (the original does
// no resolution either): a caller could otherwise read any variable of the server's process.
const PLACEHOLDER_HINT = "Sent as given: the server's environment variables are never " +
  "substituted.";

/** Registers the connection tools. */
export function registerConnectionTools(server: McpServer, deps: McpDeps): void {
  addTool(
    server,
    deps,
    "list_connections",
    {
      title: "List connections",
      description: "List the connections (source database/storage credentials) of the instance. " +
        "Secrets are redacted.",
      input: {
        name: z.string().optional().describe("Filter by name (server-side match)."),
        type: listOrString(
          z.string(),
          "Filter by connection types, e.g. ['postgresql', 'snowflake'].",
        ).optional(),
      },
      annotations: READ_ONLY,
    },
    async (args, call) =>
      await listConnections(await call.client(), { name: args.name, type: args.type }),
  );

  addTool(server, deps, "get_connection", {
    title: "Get a connection",
    description: "Get one connection by id or exact name (exactly one). Secrets are redacted.",
    input: {
      id: idParam("Connection id.").optional(),
      name: z.string().optional().describe("Exact connection name."),
    },
    annotations: READ_ONLY,
  }, async (args, call) => {
    requireIdOrName(args);
    return await getConnectionBy(await call.client(), args);
  });

  addTool(server, deps, "create_connection", {
    title: "Create a connection",
    description: "Create a connection to a data source. Every value is sent as given (no " +
      "variable substitution). Returns the created connection with secrets redacted.",
    input: {
      type: z.string().describe("Connection type, e.g. postgresql, snowflake, bigquery, s3."),
      name: z.string().describe("Unique connection name."),
      host: z.string().optional(),
      port: z.number().int().positive().optional(),
      username: z.string().optional(),
      password: z.string().optional().describe(`Password. ${PLACEHOLDER_HINT}`),
      uri: z.string().optional().describe("URI of file/object storage, e.g. s3://bucket/path."),
      access_key: z.string().optional().describe(`Access key. ${PLACEHOLDER_HINT}`),
      secret_key: z.string().optional().describe(`Secret key. ${PLACEHOLDER_HINT}`),
      catalog: z.string().optional(),
      database: z.string().optional().describe(
        "Accepted for compatibility with the original tool, which ignored it; not used (a " +
          "connection has no database: give it to create_datastore).",
      ),
      parameters: z.record(z.string(), z.unknown()).optional().describe(
        "Further settings: top-level connection keys go to the top, other keys under " +
          '\'parameters\' (e.g. {"role": "ANALYST", "warehouse": "WH"}).',
      ),
    },
    annotations: WRITES,
  }, async (args, call) => {
    const payload = buildConnectionCreatePayload({
      type: args.type,
      name: args.name,
      host: args.host,
      port: args.port,
      username: args.username,
      password: args.password,
      uri: args.uri,
      accessKey: args.access_key,
      secretKey: args.secret_key,
      catalog: args.catalog,
      parameters: args.parameters === undefined ? undefined : stringifyJson(args.parameters),
    }, null);
    // Secrets the caller gave must not come back in a server's error message either.
    call.secret(...secretValues(payload));
    return await createConnection(await call.client(), payload);
  });

  addTool(server, deps, "delete_connection", {
    title: "Delete a connection",
    description: "Delete a connection. Fails (naming them) while datastores still use it.",
    input: { id: idParam("Connection id.") },
    annotations: DESTRUCTIVE,
  }, async (args, call) => await deleteConnectionById(await call.client(), args.id));

  addTool(server, deps, "test_connection", {
    title: "Test a connection",
    description: "Ask the instance to connect with a stored connection; returns whether it " +
      "worked and why not.",
    input: { id: idParam("Connection id.") },
    annotations: READ_ONLY,
  }, async (args, call) => {
    const outcome = await testConnectionById(await call.client(), args.id, {}, null);
    return { connected: outcome.passed, message: outcome.message, result: outcome.result };
  });
}

/** Registers the datastore tools. */
export function registerDatastoreTools(server: McpServer, deps: McpDeps): void {
  addTool(server, deps, "list_datastores", {
    title: "List datastores",
    description: "List datastores (a database/schema or storage location under a connection).",
    input: {
      name: z.string().optional().describe("Filter by name (server-side match)."),
      type: listOrString(z.string(), "Filter by datastore types.").optional(),
      tag: z.string().optional().describe("Filter by tag name."),
      enrichment_only: z.boolean().optional().describe(
        "true: only enrichment datastores; false or absent (the API's default): only sources.",
      ),
    },
    annotations: READ_ONLY,
  }, async (args, call) =>
    await listDatastores(await call.client(), {
      name: args.name,
      datastore_type: args.type,
      tag: args.tag,
      enrichment_only: args.enrichment_only,
    }));

  addTool(server, deps, "get_datastore", {
    title: "Get a datastore",
    description: "Get one datastore by id or exact name (exactly one).",
    input: {
      id: idParam("Datastore id.").optional(),
      name: z.string().optional().describe("Exact datastore name."),
    },
    annotations: READ_ONLY,
  }, async (args, call) => {
    requireIdOrName(args);
    return await getDatastoreBy(await call.client(), args);
  });

  addTool(server, deps, "create_datastore", {
    title: "Create a datastore",
    description: "Create a datastore on an existing connection (by connection_id or exact " +
      "connection_name). By default the server starts a sync (catalog discovery) right away.",
    input: {
      name: z.string().describe("Unique datastore name."),
      connection_id: idParam("Id of the connection to use.").optional(),
      connection_name: z.string().optional().describe("Exact name of the connection to use."),
      database: z.string().describe("Database (or catalog/bucket) name."),
      schema: z.string().describe("Schema (or path) name."),
      tags: z.array(z.string()).optional().describe("Tag names."),
      teams: z.array(z.string()).optional().describe("Team names."),
      enrichment_only: z.boolean().optional().describe("Create an enrichment datastore."),
      trigger_sync: z.boolean().default(true).describe("Start a sync after creating."),
    },
    annotations: WRITES,
  }, async (args, call) => {
    if ((args.connection_id === undefined) === (args.connection_name === undefined)) {
      throw new ToolInputError(
        "Provide either 'connection_id' or 'connection_name' (exactly one).",
      );
    }
    const client = await call.client();
    const connectionId = await resolveConnectionId(client, {
      connectionId: args.connection_id,
      connectionName: args.connection_name,
    });
    return await createDatastore(
      client,
      buildDatastoreCreatePayload({
        name: args.name,
        connectionId,
        database: args.database,
        schema: args.schema,
        tags: args.tags,
        teams: args.teams,
        enrichmentOnly: args.enrichment_only,
        triggerSync: args.trigger_sync,
      }),
    );
  });

  addTool(server, deps, "delete_datastore", {
    title: "Delete a datastore",
    description: "Delete a datastore with its containers, checks and anomalies.",
    input: { id: idParam("Datastore id.") },
    annotations: DESTRUCTIVE,
  }, async (args, call) => await deleteDatastoreById(await call.client(), args.id));

  addTool(server, deps, "verify_datastore_connection", {
    title: "Verify a datastore's connection",
    description: "Ask the instance to connect to a datastore; returns connected and a message.",
    input: { datastore_id: idParam("Datastore id.") },
    annotations: READ_ONLY,
  }, async (args, call) => {
    const outcome = await verifyDatastore(await call.client(), args.datastore_id);
    return {
      connected: outcome.passed,
      message: outcome.passed ? "Connection verified." : outcome.message,
      result: outcome.result,
    };
  });

  addTool(
    server,
    deps,
    "link_enrichment",
    {
      title: "Link an enrichment datastore",
      description: "Link an enrichment datastore (where anomalies and metadata are written) to a " +
        "source datastore.",
      input: {
        datastore_id: idParam("Source datastore id."),
        enrichment_id: idParam("Enrichment datastore id."),
      },
      annotations: { ...WRITES, idempotentHint: true },
    },
    async (args, call) =>
      await setEnrichment(await call.client(), args.datastore_id, args.enrichment_id),
  );

  addTool(server, deps, "unlink_enrichment", {
    title: "Unlink the enrichment datastore",
    description: "Remove the enrichment datastore link of a source datastore.",
    input: { datastore_id: idParam("Source datastore id.") },
    annotations: { ...DESTRUCTIVE, idempotentHint: true },
  }, async (args, call) => await setEnrichment(await call.client(), args.datastore_id, undefined));
}
