/**
 * The worker thread of `openBatchWriter`: runs each operation it is sent and replies with its
 * result.
 *
 * @module
 */
import { runWriterOperation, type WriterOperation, type WriterReply } from "./batch_writer.ts";

const scope = globalThis as unknown as {
  postMessage(message: WriterReply): void;
  addEventListener(
    type: "message",
    listener: (event: MessageEvent<WriterOperation & { id: number }>) => void,
  ): void;
};

scope.addEventListener("message", ({ data }) => {
  try {
    scope.postMessage({ id: data.id, result: runWriterOperation(data) });
  } catch (error) {
    const { message, code } = error as { message?: string; code?: string };
    scope.postMessage({ id: data.id, error: { message: message ?? String(error), code } });
  }
});
