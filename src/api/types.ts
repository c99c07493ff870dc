/**
 * Shapes of the controlplane's objects, as far as this package reads them. Servers send more
 * keys; they are kept (index signature) so that exports and `get` output show them all.
 *
 * @module
 */

/** Any JSON object from the API. */
export type ApiObject = Record<string, unknown>;

/** `{id, name}` references the API nests in objects. */
export interface Ref {
  id: number;
  name: string;
  [key: string]: unknown;
}

/** A connection (secrets are never returned). */
export interface Connection extends ApiObject {
  id: number;
  name: string;
  type: string;
}

/** A datastore. */
export interface Datastore extends ApiObject {
  id: number;
  name: string;
}

/** A container (table, view, file, computed_table, computed_file, computed_join). */
export interface Container extends ApiObject {
  id: number;
  name: string;
  container_type: string;
}

/** A computed field of a container. */
export interface ComputedField extends ApiObject {
  id: number;
  name: string;
}

/** A quality check. */
export interface QualityCheck extends ApiObject {
  id: number;
  rule_type: string;
}

/** An anomaly. */
export interface Anomaly extends ApiObject {
  id: number;
}

/** An operation (sync, profile, scan, materialize, export). */
export interface Operation extends ApiObject {
  id: number;
  type?: string;
  result?: string | null;
  end_time?: string | null;
  message?: string | null;
  status?: {
    total_containers?: number | null;
    containers_analyzed?: number | null;
    records_processed?: number | null;
  } | null;
}

/** A global tag. */
export interface Tag extends ApiObject {
  name: string;
}
