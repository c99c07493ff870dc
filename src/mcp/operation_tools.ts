/**
 * Operation tools: start sync, profile, scan and materialize operations (one per datastore,
 * without waiting: an MCP call should not block for the minutes an operation takes), then
 * follow them with get_operation / list_operations, or abort them.
 *
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { abortOperation, getOperation, listOperations } from "../api/operations.ts";
import type { ApiObject } from "../api/types.ts";
import {
  AI_EFFORT_LEVELS,
  describeAbort,
  materializePayload,
  OPERATION_RESULTS,
  operationListQuery,
  profilePayload,
  runOperations,
  scanPayload,
  syncPayload,
} from "../services/operations.ts";
import { notFoundAs } from "../services/resource_errors.ts";
import { listOrString } from "./params.ts";
import { addTool, type CallScope, idParam, type McpDeps, READ_ONLY, WRITES } from "./tool.ts";

const datastoreIds = () =>
  z.array(z.number().int().positive()).min(1).describe(
    "Datastore ids; one operation is started per datastore.",
  );
const containerNames = () =>
  z.array(z.string()).optional().describe("Only these containers (default: all).");
const containerTags = () =>
  z.array(z.string()).optional().describe("Only containers with these tags.");
const maxRecords = () =>
  z.number().int().min(-1).optional().describe(
    "Records analysed per partition at most (-1: all).",
  );

const RUN_NOTE = "Returns right after starting, with each operation's id; follow progress " +
  "with get_operation.";

/** Starts one operation per datastore; a failure to start one is reported, not thrown. */
async function start(
  deps: McpDeps,
  call: CallScope,
  ids: number[],
  payloadFor: (id: number) => ApiObject,
): Promise<unknown> {
  const datastoreIds = [...new Set(ids)];
  // Built before asking for a client, so that option mistakes are reported first.
  const payloads = new Map(datastoreIds.map((id) => [id, payloadFor(id)]));
  const runs = await runOperations(await call.client(), {
    datastoreIds,
    payloadFor: (id) => payloads.get(id)!,
    background: true,
    // Not used in background mode; required by the service's signature.
    wait: { pollIntervalMs: 0, timeoutMs: 0, sleep: deps.sleep, now: deps.now },
  });
  return runs.map((run) => ({
    datastore_id: run.datastoreId,
    started: run.operation !== undefined,
    ...(run.operation ? { operation: run.operation } : {}),
    ...(run.error ? { error: run.error } : {}),
  }));
}

/** Registers the operation tools. */
export function registerOperationTools(server: McpServer, deps: McpDeps): void {
  addTool(server, deps, "run_sync", {
    title: "Run a sync",
    description: `Discover the containers (tables, files) of datastores. ${RUN_NOTE}`,
    input: {
      datastore_ids: datastoreIds(),
      prune: z.boolean().default(false).describe("Remove containers no longer in the source."),
      recreate: z.boolean().default(false).describe("Recreate deleted containers."),
    },
    annotations: WRITES,
  }, async (args, call) =>
    await start(
      deps,
      call,
      args.datastore_ids,
      (id) => syncPayload(id, { prune: args.prune, recreate: args.recreate }),
    ));

  addTool(
    server,
    deps,
    "run_profile",
    {
      title: "Run a profile",
      description: "Profile datastores: gather field statistics and infer quality checks. " +
        RUN_NOTE,
      input: {
        datastore_ids: datastoreIds(),
        container_names: containerNames(),
        container_tags: containerTags(),
        max_records_analyzed_per_partition: maxRecords(),
        ai_effort: z.enum(AI_EFFORT_LEVELS).optional().describe(
          "How much effort check inference spends.",
        ),
        infer_as_draft: z.boolean().optional().describe("Create inferred checks as drafts."),
      },
      annotations: WRITES,
    },
    async (args, call) =>
      await start(deps, call, args.datastore_ids, (id) =>
        profilePayload(id, {
          containerNames: args.container_names,
          containerTags: args.container_tags,
          maxRecordsAnalyzedPerPartition: args.max_records_analyzed_per_partition,
          aiEffort: args.ai_effort,
          inferAsDraft: args.infer_as_draft,
        })),
  );

  addTool(
    server,
    deps,
    "run_scan",
    {
      title: "Run a scan",
      description: `Scan datastores: run their quality checks and record anomalies. ${RUN_NOTE}`,
      input: {
        datastore_ids: datastoreIds(),
        container_names: containerNames(),
        container_tags: containerTags(),
        incremental: z.boolean().optional().describe("Scan only new records."),
        max_records_analyzed_per_partition: maxRecords(),
        auto_resolve_passed_anomalies: z.boolean().optional().describe(
          "Resolve open anomalies whose checks now pass.",
        ),
      },
      annotations: WRITES,
    },
    async (args, call) =>
      await start(deps, call, args.datastore_ids, (id) =>
        scanPayload(id, {
          containerNames: args.container_names,
          containerTags: args.container_tags,
          incremental: args.incremental,
          maxRecordsAnalyzedPerPartition: args.max_records_analyzed_per_partition,
          autoResolvePassedAnomalies: args.auto_resolve_passed_anomalies,
        })),
  );

  addTool(
    server,
    deps,
    "run_materialize",
    {
      title: "Run a materialize",
      description: `Materialize computed containers into the enrichment datastore. ${RUN_NOTE}`,
      input: {
        datastore_ids: datastoreIds(),
        container_names: containerNames(),
        container_tags: containerTags(),
      },
      annotations: WRITES,
    },
    async (args, call) =>
      await start(deps, call, args.datastore_ids, (id) =>
        materializePayload(id, {
          containerNames: args.container_names,
          containerTags: args.container_tags,
        })),
  );

  addTool(server, deps, "get_operation", {
    title: "Get an operation",
    description: "Get an operation's state: result is running, success, failure or aborted; " +
      "with progress counters and messages.",
    input: { operation_id: idParam("Operation id.") },
    annotations: READ_ONLY,
  }, async (args, call) => {
    const client = await call.client();
    return await notFoundAs(
      `Operation with ID ${args.operation_id} not found.`,
      () => getOperation(client, args.operation_id),
    );
  });

  addTool(server, deps, "list_operations", {
    title: "List operations",
    description: "List operations, newest first (all of them unless a limit is given).",
    input: {
      datastore_id: idParam("Only operations of this datastore.").optional(),
      type: z.enum(["sync", "profile", "scan", "materialize", "export"]).optional(),
      status: listOrString(
        z.enum(OPERATION_RESULTS),
        "Only operations with these results (running, success, failure, aborted).",
      ).optional(),
      limit: z.number().int().positive().optional().describe(
        "Return at most this many, newest first (default: all).",
      ),
    },
    annotations: READ_ONLY,
  }, async (args, call) => {
    const operations = await listOperations(
      await call.client(),
      operationListQuery({
        datastoreIds: args.datastore_id === undefined ? undefined : [args.datastore_id],
        type: args.type,
        results: args.status,
      }),
    );
    return args.limit === undefined ? operations : operations.slice(0, args.limit);
  });

  addTool(server, deps, "abort_operation", {
    title: "Abort an operation",
    description: "Ask the instance to abort a running operation.",
    input: { operation_id: idParam("Operation id.") },
    annotations: { ...WRITES, idempotentHint: true },
  }, async (args, call) => {
    const client = await call.client();
    const operation = await notFoundAs(
      `Operation with ID ${args.operation_id} not found.`,
      () => abortOperation(client, args.operation_id),
    );
    return { message: describeAbort(args.operation_id, operation), operation };
  });
}
