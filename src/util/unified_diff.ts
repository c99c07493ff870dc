/**
 * A small line-based unified diff (the `diff -u` / `git diff` format), used by `config diff` to
 * show drift between a folder and what an export of the live instance would write.
 *
 * @module
 */

/** Options of {@link unifiedDiff}. */
export interface UnifiedDiffOptions {
  /** Label of the old text (`--- <label>`), default `a`. */
  fromLabel?: string;
  /** Label of the new text (`+++ <label>`), default `b`. */
  toLabel?: string;
  /** Unchanged lines shown around each change (default 3). */
  context?: number;
}

type Op = { kind: " " | "-" | "+"; line: string; oldIndex: number; newIndex: number };

/**
 * Marks a last line without a newline, so that it differs from the same text with one (as in
 * `diff -u`, where such a line is followed by `\ No newline at end of file`).
 */
const NO_EOL = "\u0000no-eol";

/** Splits text into lines; a last line without a newline carries {@link NO_EOL}. */
function splitLines(text: string): string[] {
  if (text === "") return [];
  const missingNewline = !text.endsWith("\n");
  const lines = (missingNewline ? text : text.slice(0, -1)).split("\n");
  if (missingNewline) lines[lines.length - 1] += NO_EOL;
  return lines;
}

/**
 * The shortest edit script between two line lists (Myers' O(ND) algorithm), as a sequence of
 * kept, removed and added lines in order.
 */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])
        ? v[offset + k + 1]
        : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace back from the end to recover the path.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d];
    const k = x - y;
    let prevK: number;
    if (d === 0) prevK = k;
    else if (k === -d || (k !== d && vd[offset + k - 1] < vd[offset + k + 1])) prevK = k + 1;
    else prevK = k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: " ", line: a[x], oldIndex: x, newIndex: y });
    }
    if (d > 0) {
      if (x === prevX) {
        y--;
        ops.push({ kind: "+", line: b[y], oldIndex: x, newIndex: y });
      } else {
        x--;
        ops.push({ kind: "-", line: a[x], oldIndex: x, newIndex: y });
      }
    }
  }
  return ops.reverse();
}

function range(start: number, count: number): string {
  // A hunk that covers no line of a side names the line before it (`-0,0` for an empty file).
  const first = count === 0 ? start : start + 1;
  return count === 1 ? `${first}` : `${first},${count}`;
}

/**
 * The unified diff of two texts, or `""` when they are equal.
 *
 * @example
 * ```ts
 * unifiedDiff("a\nb\n", "a\nc\n", { fromLabel: "a/x.yaml", toLabel: "b/x.yaml" });
 * // --- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n
 * ```
 */
export function unifiedDiff(
  oldText: string,
  newText: string,
  options: UnifiedDiffOptions = {},
): string {
  if (oldText === newText) return "";
  const context = options.context ?? 3;
  const before = splitLines(oldText);
  const after = splitLines(newText);
  const ops = diffLines(before, after);
  const changed = ops.map((op) => op.kind !== " ");
  const out = [`--- ${options.fromLabel ?? "a"}`, `+++ ${options.toLabel ?? "b"}`];
  let index = 0;
  while (index < ops.length) {
    if (!changed[index]) {
      index++;
      continue;
    }
    const start = Math.max(0, index - context);
    // Extend the hunk while the next change is within 2 × context unchanged lines.
    let end = index;
    while (end < ops.length) {
      if (changed[end]) {
        end++;
        continue;
      }
      let gap = end;
      while (gap < ops.length && !changed[gap]) gap++;
      if (gap < ops.length && gap - end <= 2 * context) end = gap;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    const oldCount = hunk.filter((op) => op.kind !== "+").length;
    const newCount = hunk.filter((op) => op.kind !== "-").length;
    const oldStart = hunk.find((op) => op.kind !== "+")?.oldIndex ?? hunk[0].oldIndex;
    const newStart = hunk.find((op) => op.kind !== "-")?.newIndex ?? hunk[0].newIndex;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    for (const op of hunk) {
      if (op.line.endsWith(NO_EOL)) {
        out.push(`${op.kind}${op.line.slice(0, -NO_EOL.length)}`, "\\ No newline at end of file");
      } else out.push(`${op.kind}${op.line}`);
    }
    index = end;
  }
  return out.join("\n") + "\n";
}
