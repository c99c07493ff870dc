/**
 * Everything a command needs from the outside world, injected so that tests run commands with
 * real streams, a temporary home folder and a fake controlplane.
 *
 * @module
 */
import type { Transport } from "../client/transport.ts";
import type { FileSystem } from "../util/fs.ts";
import type { SecretRegistry } from "../util/redact.ts";

/** A text output stream. */
export interface OutputStream {
  write(text: string): void;
  /** Whether a person is looking at it (colours, spinners, tables). */
  isTTY: boolean;
  /** Width in columns when known. */
  columns?: number;
}

/** The injected world of one CLI run. */
export interface CliContext {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Environment variables; `.env` files are loaded into it without overriding. */
  env: Record<string, string | undefined>;
  cwd: string;
  homeDir: string;
  /** This machine's host name (browser login names the token after it). */
  hostname: string;
  platform: string;
  fs: FileSystem;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Opens a URL in the user's browser; resolves false when no browser could be started. */
  openBrowser: (url: string) => Promise<boolean>;
  /** Runs a program with optional standard input (crontab). */
  runProgram?: (
    program: string,
    args: string[],
    input?: string,
  ) => Promise<{ code: number; stdout: string; stderr: string }>;
  /** Whether standard input is a terminal (never prompt otherwise). */
  stdinIsTTY: boolean;
  /**
   * The network layer of API clients with certificate checks on (default: `fetch`); the
   * program's gives requests sent at most once a connection of their own where the runtime
   * would otherwise resend them (see `TransportRequest.once`).
   */
  transport?: Transport;
  /**
   * The secrets of this run, scrubbed from everything written to `stdout` and `stderr`.
   * `runCli` sets it (and wraps both streams); whoever creates a secret registers it here.
   */
  secrets?: SecretRegistry;
}
