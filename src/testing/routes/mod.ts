/** Every route of the fake controlplane. */
import type { FakeRoute } from "../context.ts";
import { anomalyRoutes } from "./anomalies.ts";
import { checkRoutes } from "./checks.ts";
import { connectionRoutes } from "./connections.ts";
import { containerRoutes } from "./containers.ts";
import { datastoreRoutes } from "./datastores.ts";
import { fieldRoutes } from "./fields.ts";
import { miscRoutes } from "./misc.ts";
import { operationRoutes } from "./operations.ts";
import { peopleRoutes } from "./people.ts";
import { tagRoutes } from "./tags.ts";

/** All routes, in registration order. */
export const allRoutes: readonly FakeRoute[] = [
  ...miscRoutes,
  ...connectionRoutes,
  ...datastoreRoutes,
  ...containerRoutes,
  ...fieldRoutes,
  ...checkRoutes,
  ...anomalyRoutes,
  ...operationRoutes,
  ...tagRoutes,
  ...peopleRoutes,
];
