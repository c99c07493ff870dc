/** Just enough SQL reading to know which fields a computed container produces. */

function splitTopLevel(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = "";
      continue;
    }
    if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  items.push(text.slice(start));
  return items.map((s) => s.trim()).filter(Boolean);
}

/** The select list of a full query (between the first SELECT and its FROM), if found. */
function selectListOfQuery(query: string): string | undefined {
  const lower = query.toLowerCase();
  const select = lower.search(/\bselect\b/);
  if (select < 0) return undefined;
  let depth = 0;
  let quote = "";
  for (let i = select + 6; i < query.length; i++) {
    const c = query[i];
    if (quote) {
      if (c === quote) quote = "";
      continue;
    }
    if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (
      depth === 0 && /\bfrom\b/.test(lower.slice(i, i + 5)) && /\s/.test(query[i - 1] ?? " ")
    ) {
      return query.slice(select + 6, i).replace(/^\s*distinct\s+/i, "");
    }
  }
  return query.slice(select + 6);
}

/**
 * Names of the fields a select list produces (each item's alias or last identifier, plus the
 * `<qualifier>_<name>` variant for qualified columns); `undefined` when it has a `*`.
 */
export function producedFields(sql: string, isSelectClause: boolean): string[] | undefined {
  const list = isSelectClause ? sql : selectListOfQuery(sql);
  if (list === undefined) return undefined;
  const names: string[] = [];
  for (const item of splitTopLevel(list)) {
    if (item.endsWith("*")) return undefined;
    const alias = /\s+as\s+[`"]?([\w ]+?)[`"]?\s*$/i.exec(item) ??
      /[\s)][`"]?(\w+)[`"]?\s*$/.exec(item);
    if (alias) {
      names.push(alias[1]);
      continue;
    }
    const qualified = /^[`"]?(\w+)[`"]?\.[`"]?(\w+)[`"]?$/.exec(item);
    if (qualified) {
      names.push(qualified[2], `${qualified[1]}_${qualified[2]}`);
      continue;
    }
    const bare = /[`"]?(\w+)[`"]?$/.exec(item);
    if (bare) names.push(bare[1]);
  }
  return names;
}

/** Whether a text looks like a query the fake can "run" (SELECT or WITH first). */
export function looksLikeQuery(sql: string): boolean {
  return /^\s*(\(\s*)*(select|with)\b/i.test(sql);
}
