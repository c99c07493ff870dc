/**
 * Comma lists as the original CLI and MCP server take them.
 *
 * @module
 */

/**
 * Splits a comma list as the original does: `a,b`, or `[a,b]` with the brackets stripped;
 * items trimmed, empty items dropped.
 */
export function splitCommaList(value: string, stripBrackets = true): string[] {
  let text = value.trim();
  if (stripBrackets && text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  return text.split(",").map((item) => item.trim()).filter((item) => item !== "");
}
