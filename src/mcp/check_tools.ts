/**
 * Quality check and anomaly tools, over the same services as `qualytics checks` and
 * `qualytics anomalies`.
 *
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { getAnomaly, listAnomalies } from "../api/anomalies.ts";
import { createQualityCheck, getQualityCheck, listQualityChecks } from "../api/quality_checks.ts";
import {
  ANOMALY_TYPES,
  anomalyListQuery,
  ARCHIVE_STATUSES,
  archiveAnomalies,
  deleteAnomalies,
  OPEN_STATUSES,
  updateAnomalies,
} from "../services/anomalies.ts";
import {
  checkCreatePayload,
  checkListFilters,
  deleteChecks,
  updateCheck,
} from "../services/checks.ts";
import { notFoundAs } from "../services/resource_errors.ts";
import { listOf, listOrString, mergePayload, oneOf } from "./params.ts";
import {
  addTool,
  DESTRUCTIVE,
  idParam,
  type McpDeps,
  READ_ONLY,
  strictShape,
  ToolInputError,
  WRITES,
} from "./tool.ts";

/** The settings of a check: what create_check sets and update_check changes. */
function checkSettingsShape() {
  return {
    fields: z.array(z.string()).optional().describe(
      "Field names the check applies to (default: none).",
    ),
    description: z.string().optional(),
    properties: z.record(z.string(), z.unknown()).optional().describe("Rule settings."),
    filter: z.string().optional().describe("SQL filter of the records to check."),
    coverage: z.number().min(0).max(1).optional().describe(
      "Fraction of records that must pass.",
    ),
    tags: z.array(z.string()).optional().describe("Tag names."),
    status: z.enum(["Active", "Draft"]).optional().describe("Active (default) or Draft."),
    additional_metadata: z.record(z.string(), z.unknown()).optional(),
  };
}

/** What create_check takes, as separate parameters or inside `payload`. */
function checkCreateShape() {
  return {
    container_id: idParam("Container id (required, here or in payload).").optional(),
    rule: z.string().optional().describe(
      "Rule type, e.g. notNull, between, isUnique (required, here or in payload).",
    ),
    ...checkSettingsShape(),
  };
}

/** The keys update_check may change. */
function checkChangesShape() {
  const settings = checkSettingsShape();
  return {
    ...settings,
    filter: settings.filter.unwrap().nullable().optional().describe(
      "SQL filter of the records to check (null removes it).",
    ),
    coverage: settings.coverage.unwrap().nullable().optional().describe(
      "Fraction of records that must pass (null removes it).",
    ),
    owner_id: z.number().int().positive().optional().describe("User id of the check's owner."),
    default_anomaly_assignee_id: z.number().int().min(0).nullable().optional().describe(
      "User id assigned to new anomalies (0 or null clears it).",
    ),
    anomaly_message_field: z.string().nullable().optional().describe(
      "Field whose value is used in anomaly messages.",
    ),
  };
}

/** Registers the quality check tools. */
export function registerCheckTools(server: McpServer, deps: McpDeps): void {
  addTool(server, deps, "list_checks", {
    title: "List quality checks",
    description: "List the quality checks of a datastore (archived ones only with " +
      "status=Archived).",
    input: {
      datastore_id: idParam("Datastore id."),
      container_ids: z.array(z.number().int().positive()).optional().describe(
        "Only checks of these containers.",
      ),
      container_id: idParam(
        "Only checks of this container (the original tool's name; same as container_ids: [id]).",
      ).optional(),
      tags: z.array(z.string()).optional().describe("Only checks with these tags."),
      tag: z.string().optional().describe(
        "Only checks with this tag (the original tool's name; same as tags: [tag]).",
      ),
      status: z.enum(["Active", "Draft", "Archived"]).optional(),
    },
    annotations: READ_ONLY,
  }, async (args, call) => {
    const filters = checkListFilters({
      datastoreId: args.datastore_id,
      containers: oneOf(
        "container_ids",
        args.container_ids,
        "container_id",
        listOf(args.container_id),
      ),
      tags: oneOf("tags", args.tags, "tag", listOf(args.tag)),
      status: args.status,
    });
    return await listQualityChecks(await call.client(), filters);
  });

  addTool(server, deps, "get_check", {
    title: "Get a quality check",
    description: "Get one quality check by id (rule, fields, properties, filter, status).",
    input: { check_id: idParam("Quality check id.") },
    annotations: READ_ONLY,
  }, async (args, call) => {
    const client = await call.client();
    return await notFoundAs(
      `Quality check with ID ${args.check_id} not found.`,
      () => getQualityCheck(client, args.check_id),
    );
  });

  addTool(server, deps, "create_check", {
    title: "Create a quality check",
    description: "Create a quality check on a container. 'rule' is the rule type (e.g. " +
      "notNull, between, matchesPattern, isUnique, expectedValues, satisfiesExpression); " +
      '\'properties\' holds the rule\'s settings (e.g. {"min": 0, "max": 100} for between). ' +
      "Give the check as separate parameters or, as the original tool took it, as one " +
      "'payload' object with the same keys.",
    input: {
      ...checkCreateShape(),
      payload: strictShape(checkCreateShape(), "payload", "key").optional().describe(
        "The original tool's form: the whole check as one object with the same keys as the " +
          "separate parameters (container_id, rule, fields, …). A key given both here and as " +
          "a parameter must have the same value.",
      ),
    },
    annotations: WRITES,
  }, async (args, call) => {
    const { payload: original, ...params } = args;
    const { container_id: containerId, ...check } = mergePayload(params, original);
    if (containerId === undefined || check.rule === undefined) {
      throw new ToolInputError(
        "Provide 'container_id' and 'rule' (as parameters or inside 'payload').",
      );
    }
    const payload = checkCreatePayload(check, containerId as number);
    return await createQualityCheck(await call.client(), payload);
  });

  addTool(server, deps, "update_check", {
    title: "Update a quality check",
    description: "Update a quality check: the keys given in 'changes' (description, fields, " +
      "properties, filter, coverage, tags, status, additional_metadata, owner_id) replace the " +
      "check's; the others keep their current values.",
    input: {
      check_id: idParam("Quality check id."),
      changes: strictShape(checkChangesShape(), "changes", "key").optional().describe(
        'The keys to change, e.g. {"properties": {"max": 200}, "status": "Draft"}.',
      ),
      payload: strictShape(checkChangesShape(), "payload", "key").optional().describe(
        "The original tool's name for 'changes' (give one of them).",
      ),
    },
    annotations: { ...WRITES, idempotentHint: true },
  }, async (args, call) => {
    const changes = oneOf("changes", args.changes, "payload", args.payload);
    if (changes === undefined) {
      throw new ToolInputError("Provide 'changes' (or the original tool's 'payload').");
    }
    const client = await call.client();
    return await notFoundAs(
      `Quality check with ID ${args.check_id} not found.`,
      () => updateCheck(client, args.check_id, changes),
    );
  });

  addTool(server, deps, "delete_check", {
    title: "Delete a quality check",
    description: "Archive a quality check (status Discarded, its anomalies removed), or with " +
      "archive=false delete it permanently.",
    input: {
      check_id: idParam("Quality check id."),
      archive: z.boolean().default(true).describe("false deletes permanently."),
    },
    annotations: DESTRUCTIVE,
  }, async (args, call) => {
    const client = await call.client();
    await notFoundAs(
      `Quality check with ID ${args.check_id} not found.`,
      () => deleteChecks(client, [args.check_id], args.archive),
    );
    return {
      success: true,
      message: `Quality check ${args.check_id} ${args.archive ? "archived" : "deleted"}.`,
    };
  });
}

/** Registers the anomaly tools. */
export function registerAnomalyTools(server: McpServer, deps: McpDeps): void {
  addTool(server, deps, "list_anomalies", {
    title: "List anomalies",
    description: "List anomalies (data-quality issues found by scans). Archived statuses " +
      "(Resolved, Invalid, Duplicate, Discarded) are only included when asked for.",
    input: {
      datastore_id: idParam("Datastore id.").optional(),
      container_id: idParam("Container id.").optional(),
      check_id: idParam("Quality check id.").optional(),
      status: listOrString(
        z.enum([...OPEN_STATUSES, ...ARCHIVE_STATUSES]),
        "Only anomalies with these statuses.",
      ).optional(),
      type: z.enum(ANOMALY_TYPES).optional().describe("shape or record anomalies."),
      tags: z.array(z.string()).optional().describe("Only anomalies with these tags."),
      tag: z.string().optional().describe(
        "Only anomalies with this tag (the original tool's name; same as tags: [tag]).",
      ),
      start_date: z.string().optional().describe("YYYY-MM-DD"),
      end_date: z.string().optional().describe("YYYY-MM-DD"),
    },
    annotations: READ_ONLY,
  }, async (args, call) =>
    await listAnomalies(
      await call.client(),
      anomalyListQuery({
        // The query leaves an absent datastore out; the type wants a number.
        datastoreId: args.datastore_id as number,
        containerId: args.container_id,
        checkId: args.check_id,
        statuses: args.status,
        type: args.type,
        tags: oneOf("tags", args.tags, "tag", listOf(args.tag)),
        startDate: args.start_date,
        endDate: args.end_date,
      }),
    ));

  addTool(server, deps, "get_anomaly", {
    title: "Get an anomaly",
    description: "Get one anomaly by id (status, failed checks, source records summary).",
    input: { id: idParam("Anomaly id.") },
    annotations: READ_ONLY,
  }, async (args, call) => {
    const client = await call.client();
    return await notFoundAs(
      `Anomaly with ID ${args.id} not found.`,
      () => getAnomaly(client, args.id),
    );
  });

  addTool(server, deps, "update_anomaly", {
    title: "Update an anomaly",
    description: "Set an open anomaly's status (Active or Acknowledged), description or tags. " +
      "To close an anomaly use archive_anomaly.",
    input: {
      id: idParam("Anomaly id."),
      status: z.enum(OPEN_STATUSES),
      description: z.string().optional(),
      tags: z.array(z.string()).optional(),
    },
    annotations: { ...WRITES, idempotentHint: true },
  }, async (args, call) => {
    const client = await call.client();
    return await notFoundAs(
      `Anomaly with ID ${args.id} not found.`,
      () =>
        updateAnomalies(client, [args.id], {
          status: args.status,
          description: args.description,
          tags: args.tags,
        }),
    );
  });

  addTool(server, deps, "archive_anomaly", {
    title: "Archive an anomaly",
    description: "Close an anomaly with an archive status: Resolved (default), Invalid, " +
      "Duplicate or Discarded.",
    input: {
      id: idParam("Anomaly id."),
      status: z.enum(ARCHIVE_STATUSES).default("Resolved"),
    },
    annotations: { ...DESTRUCTIVE, idempotentHint: true },
  }, async (args, call) => {
    const client = await call.client();
    await notFoundAs(
      `Anomaly with ID ${args.id} not found.`,
      () => archiveAnomalies(client, [args.id], args.status),
    );
    return { success: true, message: `Anomaly ${args.id} archived as ${args.status}.` };
  });

  addTool(server, deps, "delete_anomaly", {
    title: "Delete an anomaly",
    description: "Delete an anomaly permanently (archive_anomaly keeps it as history).",
    input: { id: idParam("Anomaly id.") },
    annotations: DESTRUCTIVE,
  }, async (args, call) => {
    const client = await call.client();
    await notFoundAs(
      `Anomaly with ID ${args.id} not found.`,
      () => deleteAnomalies(client, [args.id]),
    );
    return { success: true, message: `Anomaly ${args.id} deleted.` };
  });
}
