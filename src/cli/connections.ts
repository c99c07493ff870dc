/**
 * `qualytics connections`: create, update, get, list, delete and test connections.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { createConnection, listConnections } from "../api/connections.ts";
import type { ApiObject } from "../api/types.ts";
import {
  buildConnectionChanges,
  buildConnectionCreatePayload,
  type ConnectionCreateFields,
  type ConnectionFields,
  type ConnectionTestOverrides,
  deleteConnectionById,
  getConnectionBy,
  testConnectionById,
  updateConnectionById,
} from "../services/connections.ts";
import { redactSecrets } from "../util/redact.ts";
import {
  examples,
  getByIdOrNameCommand,
  idCommand,
  printFound,
  runDeleteById,
  withServiceErrors,
} from "./common.ts";
import { type Format, parseListFormat, parseObjectFormat } from "./output.ts";
import { parseInteger, type Runtime, splitCommaList } from "./runtime.ts";

const DRY_RUN_MESSAGE = "Dry run successful. No HTTP request was made.";

/** Options of `connections create`. */
export interface ConnectionsCreateOptions extends ConnectionCreateFields {
  dryRun?: boolean;
  format: Format;
}

/** Builds the payload (secrets resolved), prints it redacted, and creates the connection. */
export async function runConnectionsCreate(
  runtime: Runtime,
  options: ConnectionsCreateOptions,
): Promise<number> {
  const { ui, ctx } = runtime;
  const payload = await withServiceErrors(() =>
    buildConnectionCreatePayload(options, ctx.env, ctx.secrets)
  );
  if (options.dryRun) {
    ui.info("Connection Create Payload (secrets redacted):");
    ui.data(redactSecrets(payload), options.format);
    ui.success(DRY_RUN_MESSAGE);
    return 0;
  }
  const client = await runtime.client();
  const created = await createConnection(client, payload);
  ui.success("Connection created successfully!");
  ui.info(`Connection ID: ${created.id}`);
  ui.info(`Connection Name: ${created.name}`);
  ui.info(`Connection Type: ${created.type}`);
  ui.data(redactSecrets(created), options.format);
  return 0;
}

/** Options of `connections update`. */
export interface ConnectionsUpdateOptions extends ConnectionFields {
  id: number;
  format: Format;
}

/** Changes from flags, then GET-merge-PUT. */
export async function runConnectionsUpdate(
  runtime: Runtime,
  options: ConnectionsUpdateOptions,
): Promise<number> {
  const { ui, ctx } = runtime;
  const changes = await withServiceErrors(() =>
    buildConnectionChanges(options, ctx.env, ctx.secrets)
  );
  const client = await runtime.client();
  const updated = await withServiceErrors(() => updateConnectionById(client, options.id, changes));
  ui.success(`Connection ${options.id} updated successfully.`);
  ui.data(redactSecrets(updated), options.format);
  return 0;
}

/** Options of `connections list`. */
export interface ConnectionsListOptions {
  name?: string;
  type?: string[];
  format: Format;
}

/** Columns of `connections list --format table`. */
export const CONNECTION_COLUMNS = ["id", "name", "type", "host", "created"];

/** Prints every connection matching the filters (all pages). */
export async function runConnectionsList(
  runtime: Runtime,
  options: ConnectionsListOptions,
): Promise<number> {
  const client = await runtime.client();
  const items = await listConnections(client, { name: options.name, type: options.type });
  printFound(runtime.ui, redactSecrets(items), "connections", options.format, CONNECTION_COLUMNS);
  return 0;
}

/** Options of `connections test`. */
export interface ConnectionsTestOptions extends ConnectionTestOverrides {
  id: number;
  format: Format;
}

/** Tests a connection; exit 1 when the test fails. */
export async function runConnectionsTest(
  runtime: Runtime,
  options: ConnectionsTestOptions,
): Promise<number> {
  const { ui, ctx } = runtime;
  const client = await runtime.client();
  const outcome = await withServiceErrors(() =>
    testConnectionById(
      client,
      options.id,
      {
        host: options.host,
        username: options.username,
        password: options.password,
      },
      ctx.env,
      ctx.secrets,
    )
  );
  if (outcome.passed) ui.success(`Connection ${options.id}: test passed successfully.`);
  else ui.error(`Connection ${options.id}: test failed — ${outcome.message}`);
  ui.data(redactSecrets(outcome.result as ApiObject), options.format);
  return outcome.passed ? 0 : 1;
}

const SECRET_HELP = "(accepts ${ENV_VAR})";

/** The `connections` group. */
export function connectionsCommand(runtime: Runtime): Command {
  const group = new Command("connections").description("Manage connections to data sources.");

  group.command("create")
    .description("Create a connection (secrets may be ${ENV_VAR} placeholders).")
    .option("-t, --type <type>", "Connection type (postgresql, snowflake, s3, …). Required.")
    .option("-n, --name <name>", "Connection name.")
    .option("--host <host>", `Host ${SECRET_HELP}.`)
    .option("--port <port>", "Port.", parseInteger)
    .option("--username <username>", `User name ${SECRET_HELP}.`)
    .option("--password <password>", `Password ${SECRET_HELP}.`)
    .option("--uri <uri>", `URI of a file-system connection ${SECRET_HELP}.`)
    .option("--access-key <key>", `Access key ${SECRET_HELP}.`)
    .option("--secret-key <key>", `Secret key ${SECRET_HELP}.`)
    .option("--catalog <catalog>", "Catalog.")
    .option("--jdbc-fetch-size <n>", "JDBC fetch size.", parseInteger)
    .option("--max-parallelization <n>", "Maximum parallelization.", parseInteger)
    .option(
      "--authentication-type <type>",
      "SHARED_KEY or IAM_ROLE (S3), BASIC or IAM_ROLE (Athena, Redshift).",
    )
    .option("--role-arn <arn>", "IAM role ARN (required with IAM_ROLE).")
    .option("--external-id <id>", "IAM external id.")
    .option(
      "--parameters <json>",
      "JSON object merged last: connection fields go top-level, the rest into parameters.",
    )
    .option("--dry-run", "Print the payload (secrets redacted) without sending it.")
    .option("-f, --format <format>", "Output format: yaml or json.", parseObjectFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        "qualytics connections create -t postgresql -n prod-pg --host db.internal --port 5432 --username app --password '${PG_PASSWORD}'",
        'qualytics connections create -t snowflake -n snow --host acme.snowflakecomputing.com --username svc --parameters \'{"passphrase": "${SNOW_PASSPHRASE}", "role": "ANALYST"}\' --dry-run',
        "qualytics connections create -t s3 -n lake --uri s3://bucket/path --authentication-type IAM_ROLE --role-arn arn:aws:iam::1:role/q",
      ),
    )
    .action(runtime.handle((options) =>
      runConnectionsCreate(runtime, {
        ...options,
        format: options.format as Format,
        dryRun: options.dryRun,
      })
    ));

  group.command("update")
    .description("Update a connection: fetches it, merges the changes and sends the whole body.")
    .requiredOption("--id <id>", "Connection ID.", parseInteger)
    .option("-n, --name <name>", "New name.")
    .option("--host <host>", `Host ${SECRET_HELP}.`)
    .option("--port <port>", "Port.", parseInteger)
    .option("--username <username>", `User name ${SECRET_HELP}.`)
    .option("--password <password>", `Password ${SECRET_HELP}.`)
    .option("--uri <uri>", `URI ${SECRET_HELP}.`)
    .option("--access-key <key>", `Access key ${SECRET_HELP}.`)
    .option("--secret-key <key>", `Secret key ${SECRET_HELP}.`)
    .option("--authentication-type <type>", "SHARED_KEY, BASIC or IAM_ROLE.")
    .option("--role-arn <arn>", "IAM role ARN.")
    .option("--external-id <id>", "IAM external id.")
    .option("--parameters <json>", "JSON object merged into the connection's parameters.")
    .option("-f, --format <format>", "Output format: yaml or json.", parseObjectFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        "qualytics connections update --id 1 --host new-db.internal",
        "qualytics connections update --id 1 --password '${PG_PASSWORD}' --format json",
      ),
    )
    .action(
      runtime.handle((options) =>
        runConnectionsUpdate(runtime, { ...options, format: options.format as Format })
      ),
    );

  group.addCommand(getByIdOrNameCommand(runtime, {
    description: "Show one connection by ID or by exact name (secrets redacted).",
    noun: "Connection",
    examples: [
      "qualytics connections get --id 1",
      "qualytics connections get --name prod-pg -f json",
    ],
    lookup: getConnectionBy,
  }));

  group.command("list")
    .description("List connections (all pages).")
    .option("--name <name>", "Only connections with this name.")
    .option(
      "-t, --type <types>",
      "Only these types (comma-separated).",
      (value) => splitCommaList(value),
    )
    .option(
      "-f, --format <format>",
      "Output format: yaml, json or table.",
      parseListFormat,
      "yaml",
    )
    .addHelpText(
      "after",
      examples(
        "qualytics connections list",
        "qualytics connections list --type postgresql,snowflake --format table",
      ),
    )
    .action(
      runtime.handle((options) =>
        runConnectionsList(runtime, { ...options, format: options.format as Format })
      ),
    );

  group.addCommand(
    idCommand("delete", "Delete a connection (refused while datastores use it).", "Connection ID.")
      .addHelpText("after", examples("qualytics connections delete --id 7"))
      .action(runtime.handle((options) =>
        runDeleteById(
          runtime,
          options,
          deleteConnectionById,
          `Connection ${options.id} deleted successfully.`,
        )
      )),
  );

  group.command("test")
    .description("Test a connection, optionally with other credentials. Exit 1 when it fails.")
    .requiredOption("--id <id>", "Connection ID.", parseInteger)
    .option("--host <host>", `Host to try instead ${SECRET_HELP}.`)
    .option("--username <username>", `User name to try instead ${SECRET_HELP}.`)
    .option("--password <password>", `Password to try instead ${SECRET_HELP}.`)
    .option("-f, --format <format>", "Output format: yaml or json.", parseObjectFormat, "yaml")
    .addHelpText(
      "after",
      examples(
        "qualytics connections test --id 1",
        "qualytics connections test --id 1 --username svc --password '${NEW_PASSWORD}'",
      ),
    )
    .action(
      runtime.handle((options) =>
        runConnectionsTest(runtime, { ...options, format: options.format as Format })
      ),
    );

  return group;
}
