/**
 * Quality checks outside config as code: reading check files, the create/update/activate
 * payloads (the original's rules, config-as-code §10.3), creating checks in a datastore,
 * list filters and deletes. Nothing here prints.
 *
 * @module
 */
import type { QualyticsClient } from "../client/http_client.ts";
import { listContainerListing } from "../api/containers.ts";
import {
  bulkDeleteQualityChecks,
  createQualityCheck,
  deleteQualityCheck,
  getQualityCheck,
  type QualityCheckFilters,
  updateQualityCheck,
} from "../api/quality_checks.ts";
import type { ApiObject, QualityCheck } from "../api/types.ts";
import { parseJson } from "../util/json.ts";
import { loadYaml } from "../util/yaml.ts";

/** A check definition that cannot be used (bad file, bad owner, unknown container). */
export class CheckInputError extends Error {
  override name = "CheckInputError";
}

function isObject(value: unknown): value is ApiObject {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

/**
 * Reads a check file: JSON when the name ends in `.json`, else YAML (1.1 rules, as the
 * original reads it). A mapping gives one check, a list of mappings several.
 */
export async function parseCheckFile(text: string, fileName: string): Promise<ApiObject[]> {
  let data: unknown;
  try {
    data = fileName.toLowerCase().endsWith(".json")
      ? parseJson(text)
      : await loadYaml(text, fileName);
  } catch (error) {
    throw new CheckInputError(`Cannot read ${fileName}: ${(error as Error).message}`);
  }
  const items = Array.isArray(data) ? data : [data];
  if (items.length === 0 || !items.every(isObject)) {
    throw new CheckInputError(
      `${fileName} must contain a check (a mapping) or a list of checks (mappings).`,
    );
  }
  return items as ApiObject[];
}

/** Names of `[{name}]` or plain names. */
export function names(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => isObject(item) ? String(item.name) : String(item));
}

function ownerValue(value: unknown): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new CheckInputError("owner_id must be a positive user ID");
  }
  return number;
}

function assigneeValue(value: unknown): number | null {
  if (value === null || value === undefined || Number(value) === 0) return null;
  return Number(value);
}

/** The update body (`PUT /quality-checks/{id}`) of a check definition. */
export function checkUpdatePayload(check: ApiObject): ApiObject {
  const payload: ApiObject = {
    description: check.description ?? "Imported quality check",
    fields: names(check.fields),
    coverage: check.coverage ?? null,
    filter: check.filter ?? null,
    properties: check.properties ?? {},
    tags: check.tags !== undefined ? names(check.tags) : names(check.global_tags),
    additional_metadata: check.additional_metadata ?? {},
    status: check.status ?? "Active",
  };
  if (check.owner_id !== undefined && check.owner_id !== null) {
    payload.owner_id = ownerValue(check.owner_id);
  }
  if ("default_anomaly_assignee_id" in check) {
    payload.default_anomaly_assignee_id = assigneeValue(check.default_anomaly_assignee_id);
  }
  if ("anomaly_message_field" in check) {
    payload.anomaly_message_field = check.anomaly_message_field;
  }
  return payload;
}

/** The create body (`POST /quality-checks`) of a check definition in a container. */
export function checkCreatePayload(check: ApiObject, containerId: number): ApiObject {
  const rule = check.rule_type ?? check.rule;
  if (typeof rule !== "string" || rule === "") {
    throw new CheckInputError("The check has no rule_type.");
  }
  return { container_id: containerId, rule, ...checkUpdatePayload(check) };
}

/**
 * The server's check as an update base, overlaid with every key of `changes`: keys the file
 * leaves out keep their server values.
 */
export function mergeCheckForUpdate(existing: QualityCheck, changes: ApiObject): ApiObject {
  const base: ApiObject = {
    description: existing.description,
    fields: names(existing.fields),
    coverage: existing.coverage,
    filter: existing.filter,
    properties: existing.properties ?? {},
    tags: names(existing.global_tags ?? existing.tags),
    additional_metadata: existing.additional_metadata ?? {},
    status: existing.status ?? "Active",
  };
  if ("anomaly_message_field" in existing) {
    base.anomaly_message_field = existing.anomaly_message_field;
  }
  return { ...base, ...changes };
}

/** Overrides of the check owner and default anomaly assignee (flags win over files). */
export interface OwnershipOverrides {
  ownerId?: number;
  /** 0 clears the assignee. */
  defaultAnomalyAssigneeId?: number;
}

function applyOwnership(check: ApiObject, overrides: OwnershipOverrides): ApiObject {
  const out = { ...check };
  if (overrides.ownerId !== undefined) out.owner_id = overrides.ownerId;
  if (overrides.defaultAnomalyAssigneeId !== undefined) {
    out.default_anomaly_assignee_id = overrides.defaultAnomalyAssigneeId;
  }
  return out;
}

/** The outcome of creating one check of a file. */
export interface CheckCreateResult {
  /** 1-based position in the file. */
  index: number;
  status: "created" | "failed";
  id?: number;
  description?: string;
  container_id?: number;
  error?: string;
  /** True when the check was skipped because its container is not in the datastore. */
  skipped?: boolean;
}

/** Options of {@link createChecks}. */
export interface CreateChecksOptions extends OwnershipOverrides {
  datastoreId: number;
  checks: ApiObject[];
}

/**
 * Creates every check of a file in a datastore: containers are resolved by `container_id`
 * (which must belong to the datastore) or `container` name from one listing request; creates
 * run concurrently (bounded by the client). Results come back in file order.
 *
 * @throws {CheckInputError} when the datastore's containers cannot be listed.
 */
export async function createChecks(
  client: QualyticsClient,
  options: CreateChecksOptions,
): Promise<CheckCreateResult[]> {
  let listing;
  try {
    listing = await listContainerListing(client, options.datastoreId);
  } catch (error) {
    throw new CheckInputError(
      `Could not resolve containers for datastore ${options.datastoreId}. ${
        (error as Error).message
      }`,
    );
  }
  const byName = new Map<string, number>();
  const ids = new Set<number>();
  for (const container of listing ?? []) {
    byName.set(container.name, container.id);
    ids.add(container.id);
  }
  return Promise.all(options.checks.map(async (check, position) => {
    const index = position + 1;
    let containerId: number | undefined;
    if (check.container_id !== undefined && check.container_id !== null) {
      const wanted = Number(check.container_id);
      if (!ids.has(wanted)) {
        return {
          index,
          status: "failed" as const,
          skipped: true,
          error:
            `Container ID ${check.container_id} not found in datastore ${options.datastoreId}.`,
        };
      }
      containerId = wanted;
    } else {
      containerId = byName.get(String(check.container ?? ""));
      if (containerId === undefined) {
        return {
          index,
          status: "failed" as const,
          skipped: true,
          error: `Container '${
            check.container ?? ""
          }' not found in datastore ${options.datastoreId}.`,
        };
      }
    }
    try {
      const payload = checkCreatePayload(applyOwnership(check, options), containerId);
      const created = await createQualityCheck(client, payload);
      return {
        index,
        status: "created" as const,
        id: created.id,
        description: String(created.description ?? payload.description),
        container_id: containerId,
      };
    } catch (error) {
      return {
        index,
        status: "failed" as const,
        container_id: containerId,
        error: (error as Error).message,
      };
    }
  }));
}

/**
 * Updates one check from a (possibly partial) definition: GET, merge, PUT. Ownership flags win
 * over the file's keys; an owner ≤ 0 is refused before any request.
 */
export async function updateCheck(
  client: QualyticsClient,
  id: number,
  changes: ApiObject,
  overrides: OwnershipOverrides = {},
): Promise<QualityCheck> {
  const effective = applyOwnership(changes, overrides);
  if (effective.owner_id !== undefined && effective.owner_id !== null) {
    ownerValue(effective.owner_id);
  }
  const existing = await getQualityCheck(client, id);
  const payload = checkUpdatePayload(mergeCheckForUpdate(existing, effective));
  return updateQualityCheck(client, id, payload);
}

/** Check statuses `checks list --status` accepts (any case). */
export const CHECK_LIST_STATUSES = ["Active", "Draft", "Archived"] as const;

/** Filters of `checks list`. */
export interface CheckListOptions {
  datastoreId: number;
  containers?: number[];
  tags?: string[];
  status?: string;
}

/** The list filters: `Archived` selects archived checks, other statuses are capitalised. */
export function checkListFilters(options: CheckListOptions): QualityCheckFilters {
  const filters: QualityCheckFilters = { datastore: options.datastoreId };
  if (options.containers?.length) filters.container = options.containers;
  if (options.tags?.length) filters.tag = options.tags;
  if (options.status) {
    const status = options.status.trim();
    const known = CHECK_LIST_STATUSES.find((item) => item.toLowerCase() === status.toLowerCase());
    if (!known) {
      throw new CheckInputError(
        `Invalid status '${options.status}'. Use one of: ${CHECK_LIST_STATUSES.join(", ")}.`,
      );
    }
    if (known === "Archived") filters.archived = "only";
    else filters.status = known;
  }
  return filters;
}

/**
 * Archives (default) or deletes checks: one id uses the single endpoint (status Discarded,
 * anomalies deleted with it, as the original); several use the bulk endpoint.
 */
export async function deleteChecks(
  client: QualyticsClient,
  ids: number[],
  archive: boolean,
  bulk = ids.length > 1,
): Promise<void> {
  if (!bulk) {
    await deleteQualityCheck(client, ids[0], {
      archive,
      status: "Discarded",
      deleteAnomalies: true,
    });
    return;
  }
  await bulkDeleteQualityChecks(client, ids.map((id) => ({ id, archive })));
}

/** The PUT body that makes an existing (draft or archived) check active again. */
export function activationPayload(check: QualityCheck): ApiObject {
  const payload: ApiObject = {
    description: check.description ?? `${check.rule_type} quality check`,
    fields: names(check.fields),
    coverage: check.coverage ?? null,
    filter: check.filter ?? null,
    properties: check.properties ?? {},
    tags: names(check.global_tags),
    additional_metadata: check.additional_metadata ?? {},
    status: "Active",
  };
  if ("anomaly_message_field" in check) payload.anomaly_message_field = check.anomaly_message_field;
  return payload;
}

/** The outcome of activating one check. */
export interface ActivationResult {
  id: number;
  status: "activated" | "failed";
  error?: string;
}

/** Activates checks (GET + PUT each), concurrently and bounded by the client; input order. */
export function activateChecks(
  client: QualyticsClient,
  ids: number[],
): Promise<ActivationResult[]> {
  return Promise.all(ids.map(async (id) => {
    try {
      const check = await getQualityCheck(client, id);
      await updateQualityCheck(client, id, activationPayload(check));
      return { id, status: "activated" as const };
    } catch (error) {
      return { id, status: "failed" as const, error: (error as Error).message };
    }
  }));
}
