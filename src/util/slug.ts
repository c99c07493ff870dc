/**
 * The slug the original CLI uses for every file and directory name of config-as-code
 * (`config-as-code.md` §2.1).
 *
 * @module
 */

/**
 * Slugs already computed: a folder names thousands of checks after far fewer containers, rule
 * types and fields. Bounded, for long-running processes (the MCP server).
 */
const known = new Map<string, string>();
const KNOWN_LIMIT = 10_000;

/**
 * Lower-cases `text`, replaces every run of characters outside `[a-z0-9]` by one `_` and strips
 * `_` from both ends: `"prod-db (main)"` → `"prod_db_main"`, `"café"` → `"caf"`, `"!!"` → `""`.
 * (The original also trims whitespace first; whitespace is never kept anyway.)
 */
export function slug(text: string): string {
  let slugged = known.get(text);
  if (slugged === undefined) {
    slugged = text.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
    if (known.size >= KNOWN_LIMIT) known.clear();
    known.set(text, slugged);
  }
  return slugged;
}
