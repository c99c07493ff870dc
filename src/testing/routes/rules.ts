/** A static copy of the rule specifications (fields scope, required properties). */

/** The specification of one rule type. */
export interface RuleSpec {
  description: string;
  fields: "single" | "multi" | "calculated" | "none";
  coverage: boolean;
  types?: string[];
  properties?: string[];
  /** Required properties; `a|b` means at least one of them. */
  required?: string[];
}

const NUMERIC = ["Integral", "Fractional"];
const TEMPORAL = ["Date", "Timestamp"];

/** Every rule type the fake accepts. */
export const RULES: Record<string, RuleSpec> = {
  afterDateTime: {
    description: "Asserts the field is a timestamp later than a date-time",
    fields: "single",
    coverage: true,
    types: TEMPORAL,
    properties: ["datetime"],
    required: ["datetime"],
  },
  aggregationComparison: {
    description: "Compares an aggregation against a reference",
    fields: "none",
    coverage: false,
    properties: [
      "expression",
      "comparison",
      "ref_expression",
      "ref_filter",
      "ref_container_id",
      "ref_datastore_id",
    ],
  },
  anyNotNull: {
    description: "At least one of the fields is not null",
    fields: "multi",
    coverage: true,
  },
  beforeDateTime: {
    description: "Asserts the field is a timestamp earlier than a date-time",
    fields: "single",
    coverage: true,
    types: TEMPORAL,
    properties: ["datetime"],
    required: ["datetime"],
  },
  between: {
    description: "Asserts the field is between min and max",
    fields: "single",
    coverage: true,
    types: NUMERIC,
    properties: ["min", "max", "inclusive_min", "inclusive_max"],
    required: ["min|max"],
  },
  betweenTimes: {
    description: "Asserts the field is between two times",
    fields: "single",
    coverage: true,
    types: TEMPORAL,
    properties: ["min_time", "max_time"],
  },
  containsCreditCard: {
    description: "The field contains a credit card number",
    fields: "single",
    coverage: true,
  },
  containsEmail: {
    description: "The field contains an email address",
    fields: "single",
    coverage: true,
  },
  containsSocialSecurityNumber: {
    description: "The field contains a social security number",
    fields: "single",
    coverage: true,
  },
  containsUrl: { description: "The field contains a URL", fields: "single", coverage: true },
  dataDiff: {
    description: "Compares the container with a reference",
    fields: "multi",
    coverage: true,
    properties: ["ref_container_id", "ref_datastore_id"],
    required: ["ref_container_id"],
  },
  distinctCount: {
    description: "Asserts the number of distinct values",
    fields: "single",
    coverage: false,
    properties: ["comparison", "value"],
    required: ["value"],
  },
  entityResolution: {
    description: "Detects entities with similar names",
    fields: "single",
    coverage: true,
  },
  equalTo: {
    description: "Asserts the field equals a value",
    fields: "multi",
    coverage: true,
    properties: ["value"],
  },
  equalToField: {
    description: "Asserts the field equals another field",
    fields: "single",
    coverage: true,
    properties: ["field_name"],
    required: ["field_name"],
  },
  existsIn: {
    description: "Asserts the values exist in a reference field",
    fields: "single",
    coverage: true,
    properties: ["field_name", "ref_container_id", "ref_datastore_id"],
    required: ["field_name", "ref_container_id"],
  },
  expectedSchema: {
    description: "Asserts the container has the listed fields",
    fields: "none",
    coverage: false,
    properties: ["list", "allow_other_fields"],
    required: ["list"],
  },
  expectedValues: {
    description: "Asserts the values are in a list",
    fields: "single",
    coverage: true,
    properties: ["list"],
    required: ["list"],
  },
  fieldCount: {
    description: "Asserts the number of fields",
    fields: "none",
    coverage: false,
    properties: ["value"],
    required: ["value"],
  },
  freshness: {
    description: "Asserts the data is fresh",
    fields: "none",
    coverage: false,
    properties: ["value"],
    required: ["value"],
  },
  greaterThan: {
    description: "Asserts the field is greater than a value",
    fields: "single",
    coverage: true,
    types: NUMERIC,
    properties: ["value", "inclusive"],
    required: ["value"],
  },
  greaterThanField: {
    description: "Asserts the field is greater than another field",
    fields: "single",
    coverage: true,
    properties: ["field_name", "inclusive"],
    required: ["field_name"],
  },
  isAddress: { description: "Asserts the field is an address", fields: "single", coverage: true },
  isCreditCard: {
    description: "Asserts the field is a credit card number",
    fields: "single",
    coverage: true,
  },
  isNotReplicaOf: {
    description: "Asserts the container is not a replica",
    fields: "multi",
    coverage: true,
    properties: ["ref_container_id", "ref_datastore_id"],
  },
  isReplicaOf: {
    description: "Asserts the container is a replica (deprecated: dataDiff)",
    fields: "multi",
    coverage: true,
    properties: ["ref_container_id", "ref_datastore_id"],
    required: ["ref_container_id"],
  },
  isType: {
    description: "Asserts the values have a type",
    fields: "single",
    coverage: true,
    properties: ["field_type"],
    required: ["field_type"],
  },
  lessThan: {
    description: "Asserts the field is less than a value",
    fields: "single",
    coverage: true,
    types: NUMERIC,
    properties: ["value", "inclusive"],
    required: ["value"],
  },
  lessThanField: {
    description: "Asserts the field is less than another field",
    fields: "single",
    coverage: true,
    properties: ["field_name", "inclusive"],
    required: ["field_name"],
  },
  matchesPattern: {
    description: "Asserts the values match a pattern",
    fields: "single",
    coverage: true,
    properties: ["pattern"],
    required: ["pattern"],
  },
  maxLength: {
    description: "Asserts a maximum length",
    fields: "single",
    coverage: true,
    properties: ["value"],
    required: ["value"],
  },
  maxPartitionSize: {
    description: "Asserts a maximum partition size",
    fields: "none",
    coverage: false,
    properties: ["value"],
  },
  maxValue: {
    description: "Asserts a maximum value",
    fields: "single",
    coverage: true,
    types: NUMERIC,
    properties: ["value", "inclusive"],
    required: ["value"],
  },
  metric: {
    description: "Asserts a metric stays within bounds",
    fields: "single",
    coverage: false,
    types: NUMERIC,
    properties: ["comparison", "min", "max"],
    required: ["min|max"],
  },
  minLength: {
    description: "Asserts a minimum length",
    fields: "single",
    coverage: true,
    properties: ["value"],
    required: ["value"],
  },
  minPartitionSize: {
    description: "Asserts a minimum partition size",
    fields: "none",
    coverage: false,
    properties: ["value"],
  },
  minValue: {
    description: "Asserts a minimum value",
    fields: "single",
    coverage: true,
    types: NUMERIC,
    properties: ["value", "inclusive"],
    required: ["value"],
  },
  notExistsIn: {
    description: "Asserts the values do not exist in a reference field",
    fields: "single",
    coverage: true,
    properties: ["field_name", "ref_container_id", "ref_datastore_id"],
    required: ["field_name", "ref_container_id"],
  },
  notFuture: {
    description: "Asserts the field is not in the future",
    fields: "single",
    coverage: true,
  },
  notNegative: {
    description: "Asserts the field is not negative",
    fields: "single",
    coverage: true,
  },
  notNull: { description: "Asserts the fields are not null", fields: "multi", coverage: true },
  positive: { description: "Asserts the field is positive", fields: "single", coverage: true },
  predictedBy: {
    description: "Asserts the field is predicted by an expression",
    fields: "single",
    coverage: true,
    properties: ["expression", "tolerance"],
  },
  requiredValues: {
    description: "Asserts all listed values occur",
    fields: "single",
    coverage: true,
    properties: ["list"],
    required: ["list"],
  },
  satisfiesExpression: {
    description: "Asserts each row satisfies an expression",
    fields: "calculated",
    coverage: true,
    properties: ["expression"],
    required: ["expression"],
  },
  sum: {
    description: "Asserts the sum of the field",
    fields: "single",
    coverage: true,
    types: NUMERIC,
    properties: ["value"],
    required: ["value"],
  },
  timeDistributionSize: {
    description: "Asserts the distribution of records over time",
    fields: "single",
    coverage: true,
    properties: ["interval_name", "min_size", "max_size"],
  },
  unique: { description: "Asserts the fields are unique", fields: "multi", coverage: true },
  userDefinedFunction: {
    description: "Asserts a user-defined function",
    fields: "single",
    coverage: true,
  },
  volumetric: {
    description: "Asserts the volume of records",
    fields: "none",
    coverage: false,
    properties: ["comparison", "window_size", "min", "max"],
  },
};

/** Rule type names. */
export const RULE_TYPES: readonly string[] = Object.keys(RULES);
