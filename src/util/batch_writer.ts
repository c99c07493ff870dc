/**
 * Writing thousands of files (an export's check files) without holding up the main thread:
 * a {@link BatchWriter} stages texts as temp files next to their destinations and renames them
 * into place later, in batches, on a worker thread where one can run. Through promises, each
 * small file costs the main thread several times what the system calls themselves cost; a
 * worker doing them synchronously costs it one message per batch.
 *
 * @module
 */
import * as fsc from "node:fs";
import * as path from "node:path";
import { tempFileFor } from "./temp_file.ts";

/** Writes many files in two steps: stage (temp files), then commit (renames). */
export interface BatchWriter {
  /**
   * For each file whose content differs from `text` (or that does not exist): writes `text` to
   * a temp file next to it, creating folders. Resolves, in order, with each temp file's path,
   * or `null` where the file already holds the text.
   */
  stage(files: ReadonlyArray<{ file: string; text: string }>): Promise<Array<string | null>>;
  /** Renames temp files over their destinations (each rename atomic). */
  commit(moves: ReadonlyArray<{ temp: string; file: string }>): Promise<void>;
  /** Removes temp files; missing ones are not an error. */
  discard(temps: readonly string[]): Promise<void>;
  /** Stops the writer (its thread, if any). */
  close(): void;
}

/** One operation of a {@link BatchWriter}, as sent to its worker. */
export type WriterOperation =
  | { op: "stage"; files: ReadonlyArray<{ file: string; text: string }> }
  | { op: "commit"; moves: ReadonlyArray<{ temp: string; file: string }> }
  | { op: "discard"; temps: readonly string[] };

function isNotFound(error: unknown): boolean {
  return (error as { code?: string })?.code === "ENOENT";
}

function readIfExists(file: string): string | undefined {
  try {
    return fsc.readFileSync(file, "utf8");
  } catch (error) {
    if (isNotFound(error) || (error as { code?: string })?.code === "ENOTDIR") return undefined;
    throw error;
  }
}

function stageOne(file: string, text: string): string | null {
  if (readIfExists(file) === text) return null;
  const temp = tempFileFor(file);
  try {
    fsc.writeFileSync(temp, text, "utf8");
  } catch (error) {
    // Trying first costs one failed open per new folder instead of a mkdir per file.
    if (!isNotFound(error)) throw error;
    fsc.mkdirSync(path.dirname(temp), { recursive: true });
    fsc.writeFileSync(temp, text, "utf8");
  }
  return temp;
}

/** Runs one operation synchronously on this thread (what the worker does for each message). */
export function runWriterOperation(operation: WriterOperation): Array<string | null> | undefined {
  switch (operation.op) {
    case "stage": {
      const temps: Array<string | null> = [];
      try {
        for (const { file, text } of operation.files) temps.push(stageOne(file, text));
      } catch (error) {
        for (const temp of temps) if (temp) fsc.rmSync(temp, { force: true });
        throw error;
      }
      return temps;
    }
    case "commit":
      for (const { temp, file } of operation.moves) {
        try {
          fsc.renameSync(temp, file);
        } catch (error) {
          fsc.rmSync(temp, { force: true });
          throw error;
        }
      }
      return undefined;
    case "discard":
      for (const temp of operation.temps) fsc.rmSync(temp, { force: true });
      return undefined;
  }
}

/** A reply of the worker. */
export interface WriterReply {
  id: number;
  result?: Array<string | null>;
  error?: { message: string; code?: string };
}

/** Runs an operation on this thread, as a promise. */
function runHere(operation: WriterOperation): Promise<Array<string | null> | undefined> {
  try {
    return Promise.resolve(runWriterOperation(operation));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The {@link BatchWriter} methods over one way of running an operation. */
abstract class OperationWriter implements BatchWriter {
  protected abstract run(operation: WriterOperation): Promise<Array<string | null> | undefined>;

  stage(files: ReadonlyArray<{ file: string; text: string }>): Promise<Array<string | null>> {
    return this.run({ op: "stage", files }) as Promise<Array<string | null>>;
  }
  async commit(moves: ReadonlyArray<{ temp: string; file: string }>): Promise<void> {
    await this.run({ op: "commit", moves });
  }
  async discard(temps: readonly string[]): Promise<void> {
    await this.run({ op: "discard", temps });
  }
  close(): void {}
}

/** Runs every operation on this thread (where no worker can run). */
class InThreadWriter extends OperationWriter {
  protected run(operation: WriterOperation): Promise<Array<string | null> | undefined> {
    return runHere(operation);
  }
}

/**
 * Runs the operations on a worker thread, one after another. If the worker cannot start or
 * fails, the operations not done yet (and all later ones) run on this thread instead.
 */
class WorkerWriter extends OperationWriter {
  readonly #worker: Worker;
  readonly #pending = new Map<number, {
    operation: WriterOperation;
    resolve: (result: Array<string | null> | undefined) => void;
    reject: (error: unknown) => void;
  }>();
  #nextId = 0;
  #here = false;

  constructor(worker: Worker) {
    super();
    this.#worker = worker;
    worker.onmessage = ({ data }: MessageEvent<WriterReply>) => {
      const pending = this.#pending.get(data.id);
      if (!pending) return;
      this.#pending.delete(data.id);
      if (data.error) {
        pending.reject(Object.assign(new Error(data.error.message), { code: data.error.code }));
      } else pending.resolve(data.result);
    };
    worker.onerror = (event) => {
      // Handled here: otherwise the worker's error would end the whole process.
      event.preventDefault();
      this.#switchToThisThread();
    };
  }

  override close(): void {
    this.#worker.terminate();
    this.#switchToThisThread();
  }

  protected run(operation: WriterOperation): Promise<Array<string | null> | undefined> {
    if (this.#here) return runHere(operation);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { operation, resolve, reject });
      this.#worker.postMessage({ id, ...operation });
    });
  }

  #switchToThisThread(): void {
    this.#here = true;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { operation, resolve, reject } of pending) runHere(operation).then(resolve, reject);
  }
}

/**
 * A {@link BatchWriter}: on a worker thread where the runtime has workers (and `worker` is not
 * false), else on this one.
 *
 * @example
 * ```ts
 * const writer = openBatchWriter();
 * try {
 *   const [temp] = await writer.stage([{ file: "out/a.yaml", text: "a: 1\n" }]);
 *   if (temp) await writer.commit([{ temp, file: "out/a.yaml" }]);
 * } finally {
 *   writer.close();
 * }
 * ```
 */
export function openBatchWriter(options: { worker?: boolean } = {}): BatchWriter {
  if (options.worker !== false && typeof Worker === "function") {
    try {
      const url = new URL("./batch_writer_worker.ts", import.meta.url);
      return new WorkerWriter(new Worker(url.href, { type: "module" }));
    } catch {
      // No worker here (a sandbox, or a bundle without the worker's module).
    }
  }
  return new InThreadWriter();
}
