/**
 * Qualytics CLI library: the HTTP client, services and config-as-code functions the
 * `qualytics` command uses.
 *
 * @module
 */
export { VERSION } from "./src/version.ts";
