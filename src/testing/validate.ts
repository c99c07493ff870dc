/** Request-body validation with pydantic's (FastAPI's) error shapes. */
import { isJsonFloat } from "../util/json.ts";
import { invalid, pyChoices, type ValidationIssue } from "./errors.ts";

/** Value types a body field may have. */
export type FieldKind =
  | "str"
  | "int"
  | "float"
  | "bool"
  | "list"
  | "list[str]"
  | "list[int]"
  | "dict"
  | "any";

/** The rule for one body field. */
export interface FieldRule {
  type: FieldKind;
  required?: boolean;
  /** Whether `null` is accepted (default: true for optional fields, false for required ones). */
  nullable?: boolean;
  enum?: readonly string[];
  ge?: number;
  le?: number;
  maxLength?: number;
}

/** A body schema: field name → rule. */
export type BodySchema = Record<string, FieldRule>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !isJsonFloat(value);

const isNumber = (value: unknown): boolean =>
  (typeof value === "number" && Number.isFinite(value)) || isJsonFloat(value);

function checkValue(
  value: unknown,
  rule: FieldRule,
  loc: (string | number)[],
  issues: ValidationIssue[],
): void {
  const push = (type: string, msg: string, ctx?: Record<string, unknown>) => {
    const issue: ValidationIssue = { type, loc, msg, input: value };
    if (ctx) issue.ctx = ctx;
    issues.push(issue);
  };
  switch (rule.type) {
    case "any":
      return;
    case "str":
      if (typeof value !== "string") return push("string_type", "Input should be a valid string");
      if (rule.maxLength !== undefined && value.length > rule.maxLength) {
        return push(
          "string_too_long",
          `String should have at most ${rule.maxLength} characters`,
          { max_length: rule.maxLength },
        );
      }
      if (rule.enum && !rule.enum.includes(value)) {
        const expected = pyChoices(rule.enum);
        return push("enum", `Input should be ${expected}`, { expected });
      }
      return;
    case "int": {
      if (typeof value === "boolean" || !isNumber(value)) {
        return push("int_type", "Input should be a valid integer");
      }
      const n = Number(value);
      if (!Number.isInteger(n)) {
        return push(
          "int_from_float",
          "Input should be a valid integer, got a number with a fractional part",
        );
      }
      return checkBounds(n);
    }
    case "float":
      if (typeof value === "boolean" || !isNumber(value)) {
        return push("float_type", "Input should be a valid number");
      }
      return checkBounds(Number(value));
    case "bool":
      if (typeof value !== "boolean") return push("bool_type", "Input should be a valid boolean");
      return;
    case "dict":
      if (!isObject(value)) return push("dict_type", "Input should be a valid dictionary");
      return;
    case "list":
    case "list[str]":
    case "list[int]":
      if (!Array.isArray(value)) return push("list_type", "Input should be a valid list");
      if (rule.type === "list[str]") {
        value.forEach((item, i) => checkValue(item, { type: "str" }, [...loc, i], issues));
      } else if (rule.type === "list[int]") {
        value.forEach((item, i) => checkValue(item, { type: "int" }, [...loc, i], issues));
      }
      return;
  }
  function checkBounds(n: number) {
    if (rule.ge !== undefined && n < rule.ge) {
      push("greater_than_equal", `Input should be greater than or equal to ${rule.ge}`, {
        ge: rule.ge,
      });
    } else if (rule.le !== undefined && n > rule.le) {
      push("less_than_equal", `Input should be less than or equal to ${rule.le}`, { le: rule.le });
    }
  }
}

/** Collects the issues of `body` against `schema` (locations start with `loc`). */
export function collectIssues(
  body: unknown,
  schema: BodySchema,
  loc: (string | number)[] = ["body"],
  forbidden: readonly string[] = [],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (body === undefined || body === null) {
    if (Object.values(schema).some((rule) => rule.required)) {
      issues.push({ type: "missing", loc, msg: "Field required", input: null });
    }
    return issues;
  }
  if (!isObject(body)) {
    issues.push({
      type: "model_attributes_type",
      loc,
      msg: "Input should be a valid dictionary or object to extract fields from",
      input: body,
    });
    return issues;
  }
  for (const [name, rule] of Object.entries(schema)) {
    const fieldLoc = [...loc, name];
    if (!(name in body) || body[name] === undefined) {
      if (rule.required) {
        issues.push({ type: "missing", loc: fieldLoc, msg: "Field required", input: body });
      }
      continue;
    }
    const value = body[name];
    if (value === null) {
      const nullable = rule.nullable ?? !rule.required;
      if (!nullable && rule.type !== "any") checkValue(value, rule, fieldLoc, issues);
      continue;
    }
    checkValue(value, rule, fieldLoc, issues);
  }
  for (const name of forbidden) {
    if (name in body) {
      issues.push({
        type: "extra_forbidden",
        loc: [...loc, name],
        msg: "Extra inputs are not permitted",
        input: body[name],
      });
    }
  }
  return issues;
}

/** Throws a 422 when `body` does not satisfy `schema`. */
export function validateBody(
  body: unknown,
  schema: BodySchema,
  options: { loc?: (string | number)[]; forbidden?: readonly string[] } = {},
): Record<string, any> {
  const issues = collectIssues(body, schema, options.loc, options.forbidden);
  if (issues.length) throw invalid(issues);
  return body as Record<string, any>;
}

/** Throws a 422 unless `body` is a JSON array (bulk endpoints). */
export function validateArray(body: unknown, itemSchema: BodySchema): Record<string, any>[] {
  if (!Array.isArray(body)) {
    throw invalid([{
      type: "list_type",
      loc: ["body"],
      msg: "Input should be a valid list",
      input: body ?? null,
    }]);
  }
  const issues = body.flatMap((item, i) => collectIssues(item, itemSchema, ["body", i]));
  if (issues.length) throw invalid(issues);
  return body;
}

export { isObject };
