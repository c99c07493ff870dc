/**
 * The names of the temp files that atomic writes (temp file, then rename) use, in one place:
 * whoever writes one names it so, and an export recognises the ones a stopped run left.
 *
 * @module
 */
import process from "node:process";

/**
 * The name part of a temp file: `<file>.tmp-<pid>-<ms>-<n>`. A file with it that no run is
 * writing was left by a process that was stopped in the middle.
 */
export const TEMP_FILE_SUFFIX = /\.tmp-\d+-\d+-\d+$/;

let counter = 0;

/** A fresh temp file name next to `file` (unique within this process). */
export function tempFileFor(file: string): string {
  return `${file}.tmp-${process.pid}-${Date.now()}-${counter++}`;
}
