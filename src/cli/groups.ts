/**
 * The command groups of the CLI besides `auth` and `completions`, in the order help lists them.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import type { Runtime } from "./runtime.ts";
import { stubGroup } from "./stub.ts";

/** Every group's command, built for one run. */
export function commandGroups(runtime: Runtime): Command[] {
  return [
    stubGroup(runtime, "connections", "Manage connections to data sources.", [
      "create",
      "update",
      "get",
      "list",
      "delete",
      "test",
    ]),
    stubGroup(runtime, "datastores", "Manage datastores.", [
      "create",
      "update",
      "get",
      "list",
      "delete",
      "verify",
      "enrichment",
    ]),
    stubGroup(runtime, "containers", "Manage containers (tables, views, files, computed).", [
      "create",
      "update",
      "get",
      "list",
      "delete",
      "validate",
      "import",
      "preview",
    ]),
    stubGroup(runtime, "checks", "Manage quality checks.", [
      "create",
      "get",
      "list",
      "update",
      "delete",
      "activate",
      "export",
      "import",
      "export-templates",
      "import-templates",
    ]),
    stubGroup(runtime, "anomalies", "Manage anomalies.", [
      "get",
      "list",
      "update",
      "archive",
      "delete",
    ]),
    stubGroup(runtime, "operations", "Run and manage operations (sync, profile, scan, …).", [
      "sync",
      "profile",
      "scan",
      "materialize",
      "export",
      "get",
      "list",
      "abort",
    ]),
    stubGroup(runtime, "config", "Configuration as code: export, plan, import and diff.", [
      "export",
      "import",
      "plan",
      "diff",
    ]),
    stubGroup(runtime, "schedule", "Schedule metadata exports.", ["export-metadata"]),
    stubGroup(runtime, "mcp", "Model Context Protocol server.", ["serve"]),
    stubGroup(runtime, "users", "List and inspect users.", ["list", "get"]),
    stubGroup(runtime, "teams", "List and inspect teams.", ["list", "get"]),
    stubGroup(runtime, "tags", "Manage global tags.", ["list", "get", "create", "delete"]),
  ];
}
