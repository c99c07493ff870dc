/** `/api/operations*`. */
import { dataVisibility, requirePermission } from "../auth.ts";
import { type FakeRoute, idParam, ok, paged, sortBy } from "../context.ts";
import { abortOperation, OPERATION_RESULTS, runOperation } from "../operations.ts";
import { renderOperation } from "../render.ts";

/** The operation routes. */
export const operationRoutes: FakeRoute[] = [
  {
    method: "POST",
    path: "/api/operations/run",
    handler(ctx) {
      return ok(renderOperation(ctx.state, runOperation(ctx)));
    },
  },
  {
    method: "GET",
    path: "/api/operations",
    handler(ctx) {
      const datastores = ctx.query.intList("datastore");
      const type = ctx.query.enumOf(
        "operation_type",
        [
          "sync",
          "catalog",
          "profile",
          "scan",
          "materialize",
          "export",
        ] as const,
      );
      const results = ctx.query.enumList("result", OPERATION_RESULTS);
      const finished = ctx.query.bool("finished");
      const ids = ctx.query.intList("id");
      const start = ctx.query.date("start_date");
      const end = ctx.query.date("end_date");
      const visible = dataVisibility(ctx.state, ctx.caller);
      let items = ctx.state.operations.values().filter((op) =>
        visible(op.datastore) &&
        (!datastores.length || datastores.includes(op.datastore)) &&
        (type === undefined || op.type === (type === "catalog" ? "sync" : type)) &&
        (!results.length || results.includes(op.result)) &&
        (finished === undefined || (op.end_time !== null) === finished) &&
        (!ids.length || ids.includes(op.id)) &&
        (start === undefined || String(op.created).slice(0, 10) >= start) &&
        (end === undefined || String(op.created).slice(0, 10) <= end)
      );
      items = sortBy(ctx, items, { sort_created: (op) => op.created });
      return paged(ctx, items, (op) => renderOperation(ctx.state, op));
    },
  },
  {
    method: "GET",
    path: "/api/operations/{id}",
    handler(ctx) {
      const op = ctx.state.operation(idParam(ctx));
      requirePermission(ctx.state, ctx.caller, ctx.state.datastores.get(op.datastore), "Reporter");
      return ok(renderOperation(ctx.state, op));
    },
  },
  {
    method: "PUT",
    path: "/api/operations/abort/{id}",
    handler(ctx) {
      const op = ctx.state.operation(idParam(ctx));
      requirePermission(ctx.state, ctx.caller, ctx.state.datastores.get(op.datastore), "Editor");
      return ok(renderOperation(ctx.state, abortOperation(ctx.state, op)));
    },
  },
];
