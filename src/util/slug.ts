/**
 * The slug the original CLI uses for every file and directory name of config-as-code
 * (`config-as-code.md` §2.1).
 *
 * @module
 */

/**
 * Lower-cases `text`, replaces every run of characters outside `[a-z0-9]` by one `_` and strips
 * `_` from both ends: `"prod-db (main)"` → `"prod_db_main"`, `"café"` → `"caf"`, `"!!"` → `""`.
 * (The original also trims whitespace first; whitespace is never kept anyway.)
 */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}
