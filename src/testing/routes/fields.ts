/** `/api/computed-fields*` and `/api/fields*`. */
import { dataVisibility, type Permission, requirePermission } from "../auth.ts";
import { buildComputedField } from "../build.ts";
import { type Ctx, type FakeRoute, idParam, noContent, ok, paged, tagNames } from "../context.ts";
import { conflict, notFound, valueError } from "../errors.ts";
import { renderComputedField, renderField } from "../render.ts";
import type { Rec } from "../state.ts";
import { type BodySchema, validateBody } from "../validate.ts";

const TRANSFORMATIONS = [
  "cast",
  "cleanedEntityName",
  "convertFormattedNumeric",
  "customExpression",
  "concatenate",
  "entityNameLookup",
] as const;

const SCHEMA: BodySchema = {
  name: { type: "str", required: true, maxLength: 255 },
  container_id: { type: "int", required: true },
  transformation: { type: "str", required: true, enum: TRANSFORMATIONS },
  source_fields: { type: "list[str]" },
  properties: { type: "dict" },
  additional_metadata: { type: "dict" },
};

function checkTransformation(data: Rec): void {
  const props = (data.properties ?? {}) as Rec;
  switch (data.transformation) {
    case "customExpression":
      if (data.source_fields != null) {
        throw valueError(
          ["body", "source_fields"],
          "source_fields must be null for customExpression",
          data.source_fields,
        );
      }
      if (typeof props.column_expression !== "string") {
        throw valueError(
          ["body", "properties"],
          "column_expression is required for customExpression",
          props,
        );
      }
      return;
    case "cast":
      if (typeof props.target_type !== "string") {
        throw valueError(["body", "properties"], "target_type is required for cast", props);
      }
    // falls through
    default:
      if (!Array.isArray(data.source_fields) || data.source_fields.length === 0) {
        throw valueError(
          ["body", "source_fields"],
          `${data.transformation} requires source_fields`,
          data.source_fields ?? null,
        );
      }
  }
}

function guard(ctx: Ctx, containerId: number, permission: Permission = "Editor"): Rec {
  const container = ctx.state.container(containerId);
  const ds = ctx.state.datastores.get(ctx.state.datastoreIdOf(container)!);
  requirePermission(ctx.state, ctx.caller, ds, permission);
  return container;
}

function uniqueName(ctx: Ctx, containerId: number, name: string, self?: number): void {
  const clash =
    ctx.state.computedFields.values().some((cf) =>
      cf.container_id === containerId && cf.name === name && cf.id !== self
    ) || ctx.state.fieldsOf(containerId).some((f) => f.name === name && !f.is_computed_field);
  if (clash) {
    throw conflict(
      `A field with the name '${name}' already exists in container id: ${containerId}`,
    );
  }
}

/** The field routes. */
export const fieldRoutes: FakeRoute[] = [
  {
    method: "POST",
    path: "/api/computed-fields",
    handler(ctx) {
      const data = validateBody(ctx.body, SCHEMA);
      checkTransformation(data);
      const container = guard(ctx, data.container_id);
      uniqueName(ctx, container.id, data.name);
      for (const name of data.source_fields ?? []) ctx.state.ensureField(container.id, name);
      const user = ctx.caller.user;
      const rec = ctx.state.computedFields.insert(buildComputedField({
        id: ctx.state.nextId(ctx.state.computedFields),
        name: data.name,
        container_id: container.id,
        transformation_type: data.transformation,
        source_fields: data.source_fields ?? null,
        properties: data.properties ?? {},
        additional_metadata: data.additional_metadata ?? null,
        last_editor_id: user.id,
        last_editor: { id: user.id, name: user.name },
      }, ctx.state.nowIso()));
      ctx.state.ensureField(container.id, data.name, { is_computed_field: true });
      return ok(renderComputedField(ctx.state, rec));
    },
  },
  {
    method: "GET",
    path: "/api/computed-fields/{id}",
    handler(ctx) {
      const rec = ctx.state.computedField(idParam(ctx));
      guard(ctx, rec.container_id, "Reporter");
      return ok(renderComputedField(ctx.state, rec));
    },
  },
  {
    method: "PUT",
    path: "/api/computed-fields/{id}",
    handler(ctx) {
      const rec = ctx.state.computedField(idParam(ctx));
      const data = validateBody(ctx.body, { ...SCHEMA, container_id: { type: "int" } });
      checkTransformation(data);
      guard(ctx, rec.container_id);
      uniqueName(ctx, rec.container_id, data.name, rec.id);
      const old = ctx.state.fieldByName(rec.container_id, rec.name);
      if (old && data.name !== rec.name) ctx.state.removeField(old);
      for (const name of data.source_fields ?? []) ctx.state.ensureField(rec.container_id, name);
      rec.name = data.name;
      rec.transformation_type = data.transformation;
      rec.source_fields = data.source_fields ?? null;
      if ("properties" in data) rec.properties = data.properties ?? {};
      if ("additional_metadata" in data) rec.additional_metadata = data.additional_metadata;
      if ("last_editor_id" in rec) rec.last_editor_id = ctx.caller.user.id;
      if ("last_editor" in rec) {
        rec.last_editor = { id: ctx.caller.user.id, name: ctx.caller.user.name };
      }
      ctx.state.ensureField(rec.container_id, data.name, { is_computed_field: true });
      return ok(renderComputedField(ctx.state, rec));
    },
  },
  {
    method: "DELETE",
    path: "/api/computed-fields/{id}",
    handler(ctx) {
      const rec = ctx.state.computedField(idParam(ctx));
      guard(ctx, rec.container_id);
      ctx.state.computedFields.delete(rec.id);
      const field = ctx.state.fieldByName(rec.container_id, rec.name);
      if (field) ctx.state.removeField(field);
      return noContent();
    },
  },
  {
    method: "GET",
    path: "/api/fields",
    handler(ctx) {
      const containerId = ctx.query.int("container_id");
      const containers = ctx.query.intList("container");
      const datastores = ctx.query.intList("datastore");
      const name = ctx.query.str("name");
      const visible = dataVisibility(ctx.state, ctx.caller);
      const items = ctx.state.fields.values().filter((f) => {
        const owner = ctx.state.containers.get(f.container_id);
        if (!visible(owner ? ctx.state.datastoreIdOf(owner) : undefined)) return false;
        if (containerId !== undefined && f.container_id !== containerId) return false;
        if (containers.length && !containers.includes(f.container_id)) return false;
        if (name !== undefined && f.name !== name) return false;
        if (datastores.length) {
          const c = ctx.state.containers.get(f.container_id);
          if (!c || !datastores.includes(ctx.state.datastoreIdOf(c)!)) return false;
        }
        return true;
      });
      return paged(ctx, items, (f) => renderField(ctx.state, f));
    },
  },
  {
    method: "GET",
    path: "/api/fields/{id}",
    handler(ctx) {
      const id = idParam(ctx);
      const field = ctx.state.fields.get(id);
      if (!field) throw notFound(`Field id: ${id} not found`);
      guard(ctx, field.container_id, "Reporter");
      return ok(renderField(ctx.state, field));
    },
  },
  {
    method: "PUT",
    path: "/api/fields/{id}",
    handler(ctx) {
      const id = idParam(ctx);
      const field = ctx.state.fields.get(id);
      if (!field) throw notFound(`Field id: ${id} not found`);
      guard(ctx, field.container_id);
      const data = validateBody(ctx.body, {
        status: { type: "str", enum: ["active", "masked", "missing", "excluded"] },
        tags: { type: "list[str]" },
        description: { type: "str" },
      });
      if ("status" in data) field.status = data.status;
      if ("description" in data) field.description = data.description;
      if ("tags" in data) field.global_tags = tagNames(ctx, data.tags);
      return ok(renderField(ctx.state, field));
    },
  },
];
