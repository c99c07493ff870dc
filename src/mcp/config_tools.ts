/**
 * Configuration-as-code tools: export a datastore's configuration (or its checks alone) to a
 * folder, and import a folder, with a dry run that returns the plan. The same services as
 * `qualytics config export/import` and `qualytics checks export/import`.
 *
 * @module
 */
import * as path from "node:path";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { QualyticsClient } from "../client/http_client.ts";
import { exportChecks, exportConfig } from "../services/config/export.ts";
import { applyImport, importFailed } from "../services/config/import_apply.ts";
import {
  fetchTarget,
  planHasChanges,
  planImport,
  planToData,
  type SyncMode,
} from "../services/config/import_plan.ts";
import {
  formatProblem,
  loadChecksFolder,
  loadConfigFolder,
  type LoadedFolder,
} from "../services/config/load.ts";
import { EXPORT_RESOURCES, type ExportResource } from "../services/config/plan.ts";
import { listOf, oneOf } from "./params.ts";
import { addTool, type McpDeps, ToolFailure, ToolInputError, WRITES } from "./tool.ts";

const include = () =>
  z.array(z.enum(EXPORT_RESOURCES)).optional().describe(
    "Resource kinds (default: all): connections, datastores, containers, computed_fields, checks.",
  );
const syncMode = () =>
  z.enum(["auto", "always", "never"]).default("auto").describe(
    "When to sync datastores: auto (created ones, or when containers are missing), always, never.",
  );

function resolve(deps: McpDeps, dir: string): string {
  return path.resolve(deps.cwd, dir);
}

async function requireDirectory(deps: McpDeps, dir: string): Promise<string> {
  const resolved = resolve(deps, dir);
  if (!(await deps.fs.isDirectory(resolved))) {
    throw new ToolInputError(`Input directory not found: ${resolved}`);
  }
  return resolved;
}

/** Plans a loaded folder against the target and, unless a dry run, applies the plan. */
async function planAndApply(
  deps: McpDeps,
  client: QualyticsClient,
  folder: LoadedFolder,
  options: {
    include?: ReadonlySet<ExportResource>;
    dryRun: boolean;
    prune: boolean;
    sync: SyncMode;
  },
): Promise<unknown> {
  const target = await fetchTarget(client, folder, {
    include: options.include,
    prune: options.prune,
  });
  const plan = planImport(folder, target, options);
  if (plan.problems.length) {
    // Nothing is written while the folder has problems; the caller sees what to fix.
    return new ToolFailure({
      message: `${plan.problems.length} problem(s) found in the input; nothing was written.`,
      problems: plan.problems.map(formatProblem),
    });
  }
  if (options.dryRun) return { dry_run: true, plan: planToData(plan) };
  const result = await applyImport(client, plan, {
    sync: options.sync,
    concurrency: client.concurrency,
    sleep: deps.sleep,
    now: deps.now,
  });
  const data = {
    dry_run: false,
    changes: planHasChanges(plan),
    summary: result.summary,
    errors: result.errors,
  };
  return importFailed(result) ? new ToolFailure(data) : data;
}

/** Registers the configuration-as-code tools. */
export function registerConfigTools(server: McpServer, deps: McpDeps): void {
  addTool(server, deps, "export_config", {
    title: "Export configuration as code",
    description: "Write the configuration of datastores (connections with secret " +
      "placeholders, datastores, computed containers, computed fields, checks) as YAML files " +
      "into a folder on the machine running this server, for git. Only changed files are " +
      "written; files of resources that no longer exist are removed.",
    input: {
      datastore_ids: z.array(z.number().int().positive()).min(1).describe("Datastore ids."),
      output_dir: z.string().default("qualytics-export").describe(
        "Output folder (relative to the server's working directory).",
      ),
      include: include(),
    },
    annotations: { ...WRITES, idempotentHint: true },
  }, async (args, call) => {
    const kinds = args.include ? new Set(args.include) : undefined;
    const ids = [...new Set(args.datastore_ids)];
    const output = resolve(deps, args.output_dir);
    const result = await exportConfig(await call.client(), deps.fs, {
      datastoreIds: ids,
      output,
      include: kinds,
    });
    return {
      output,
      datastore_ids: ids,
      exported: Object.fromEntries(
        EXPORT_RESOURCES.filter((kind) => !kinds || kinds.has(kind))
          .map((kind) => [kind, result.counts[kind]]),
      ),
      files: {
        total: result.files,
        written: result.written,
        unchanged: result.unchanged,
        removed: result.removed,
      },
      // Names sharing a file or folder name with another of their kind: numbered paths.
      ...(result.numbered.length ? { numbered: result.numbered } : {}),
    };
  });

  addTool(server, deps, "import_config", {
    title: "Import configuration as code",
    description: "Import a folder written by export_config into this instance: validate every " +
      "file, plan, then apply only the differences. Use dry_run=true first to get the plan " +
      "(creates, updates with field changes, deletes, syncs) without changing anything. " +
      "${ENV_VAR} placeholders of connection files (secrets, hosts…) are resolved in the " +
      "server's environment; resolved values never appear in results.",
    input: {
      input_dir: z.string().describe(
        "The exported folder (relative to the server's working " +
          "directory).",
      ),
      dry_run: z.boolean().default(false).describe("Only return the plan."),
      include: include(),
      prune: z.boolean().default(false).describe(
        "Also delete managed checks, computed fields and containers absent from the folder.",
      ),
      sync: syncMode(),
    },
    annotations: { ...WRITES, destructiveHint: true },
  }, async (args, call) => {
    const dir = await requireDirectory(deps, args.input_dir);
    const kinds = args.include ? new Set(args.include) : undefined;
    const folder = await loadConfigFolder(deps.fs, dir, { include: kinds, env: deps.env });
    // Values resolved from `${VAR}` must not come back in a server's error message.
    call.secret(...folder.secrets ?? []);
    return await planAndApply(deps, await call.client(), folder, {
      include: kinds,
      dryRun: args.dry_run,
      prune: args.prune,
      sync: args.sync,
    });
  });

  addTool(server, deps, "export_checks", {
    title: "Export quality checks",
    description: "Write a datastore's quality checks as YAML files, one per check " +
      "(<output_dir>/<container>/<rule>__<fields>.yaml), into a folder on the machine running " +
      "this server.",
    input: {
      datastore_id: z.number().int().positive().describe("Datastore id."),
      output_dir: z.string().default("checks").describe(
        "Output folder (relative to the server's working directory).",
      ),
      container_ids: z.array(z.number().int().positive()).optional().describe(
        "Only checks of these containers.",
      ),
      tags: z.array(z.string()).optional().describe("Only checks with these tags."),
      status: z.enum(["Active", "Draft", "Archived"]).optional(),
    },
    annotations: { ...WRITES, idempotentHint: true },
  }, async (args, call) => {
    const output = resolve(deps, args.output_dir);
    const result = await exportChecks(await call.client(), deps.fs, {
      datastoreId: args.datastore_id,
      containers: args.container_ids,
      tags: args.tags,
      status: args.status,
      output,
    });
    return {
      output,
      datastore_id: args.datastore_id,
      exported: result.exported,
      containers: result.containers,
      files: { written: result.written, unchanged: result.unchanged, removed: result.removed },
    };
  });

  addTool(server, deps, "import_checks", {
    title: "Import quality checks",
    description: "Import a folder written by export_checks into one or more datastores " +
      "(checks matched by their UID: created or updated). Use dry_run=true to get the plan.",
    input: {
      datastore_ids: z.array(z.number().int().positive()).min(1).optional().describe(
        "Target datastore ids (required, or datastore_id).",
      ),
      datastore_id: z.number().int().positive().optional().describe(
        "One target datastore id (the original tool's name; same as datastore_ids: [id]).",
      ),
      input_dir: z.string().default("checks").describe("The folder of check files."),
      dry_run: z.boolean().default(false).describe("Only return the plan."),
      prune: z.boolean().default(false).describe(
        "Also delete managed checks absent from " +
          "the folder.",
      ),
      sync: syncMode(),
    },
    annotations: WRITES,
  }, async (args, call) => {
    const ids = oneOf(
      "datastore_ids",
      args.datastore_ids,
      "datastore_id",
      listOf(args.datastore_id),
    );
    if (!ids) {
      throw new ToolInputError("Provide 'datastore_ids' (or the original's 'datastore_id').");
    }
    const dir = await requireDirectory(deps, args.input_dir);
    const folder = await loadChecksFolder(deps.fs, dir, [...new Set(ids)]);
    return await planAndApply(deps, await call.client(), folder, {
      include: new Set(["checks"]),
      dryRun: args.dry_run,
      prune: args.prune,
      sync: args.sync,
    });
  });
}
