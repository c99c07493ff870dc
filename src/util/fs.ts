/**
 * The file system as services see it: a small interface so that services take it as a
 * collaborator, with the real implementation over `node:fs`. Writes are atomic (temp file +
 * rename), so no reader ever sees a half-written file.
 *
 * @module
 */
import * as fsc from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";
import { type BatchWriter, openBatchWriter } from "./batch_writer.ts";
import { tempFileFor } from "./temp_file.ts";

/** One entry of a directory listing. */
export interface DirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
}

/** What services need of a file system. */
export interface FileSystem {
  /** The file's text, or `undefined` when it does not exist. */
  readTextFile(file: string): Promise<string | undefined>;
  /**
   * The texts of several files (`undefined` for missing ones), read one after another before
   * returning. Optional: for thousands of small files (a config folder's checks) one blocking
   * call per batch costs far less than a promise per file; callers fall back to
   * {@link readTextFile}.
   */
  readTextFilesSync?(files: readonly string[]): Array<string | undefined>;
  /** Writes atomically (temp file in the same folder, then rename); creates parent folders. */
  writeTextFile(file: string, text: string, options?: { mode?: number }): Promise<void>;
  /**
   * Appends to a file in place (created when missing; its folder must exist): the bytes already
   * there are never rewritten, and a symbolic link stays a link to the file it names.
   */
  appendTextFile(file: string, text: string): Promise<void>;
  /** A writer for many files at once (see {@link BatchWriter}); close it when done. */
  openBatchWriter(): BatchWriter;
  /** Entries of a folder sorted by name, or `[]` when it does not exist. */
  readDir(dir: string): Promise<DirEntry[]>;
  /**
   * {@link readDir} as one blocking call. Optional, like {@link readTextFilesSync}: walking
   * hundreds of check folders costs several times less without a promise per folder.
   */
  readDirSync?(dir: string): DirEntry[];
  /** Creates a folder and its parents. */
  mkdir(dir: string): Promise<void>;
  /** Removes a file or an empty folder; a missing one is not an error. */
  remove(file: string): Promise<void>;
  /** Whether something exists at the path. */
  exists(file: string): Promise<boolean>;
  /** Whether the path is a folder (or a link to one); false when missing or a file. */
  isDirectory(file: string): Promise<boolean>;
  /** The permission bits of a file, or `undefined` when it does not exist. */
  mode(file: string): Promise<number | undefined>;
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: string })?.code === "ENOENT";
}

function isMissingFolder(error: unknown): boolean {
  return isNotFound(error) || (error as { code?: string })?.code === "ENOTDIR";
}

function entriesOf(dirents: fsc.Dirent[]): DirEntry[] {
  return dirents.map((entry) => ({
    name: entry.name,
    isFile: entry.isFile(),
    isDirectory: entry.isDirectory(),
  }));
}

function sortedByName(entries: DirEntry[]): DirEntry[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const UTF8 = { encoding: "utf8" } as const;

// The callback forms of `node:fs` rather than `node:fs/promises`: on Deno each promise-API call
// is several runtime ops (open, stat, read, close), the callback form one or two, which is a
// third of the cost when a config folder means thousands of small files.
const readFile = promisify(fsc.readFile) as (file: string, encoding: "utf8") => Promise<string>;
const writeFile = promisify(fsc.writeFile) as (
  file: string,
  text: string,
  options: { encoding: "utf8"; mode?: number },
) => Promise<void>;
const rename = promisify(fsc.rename);

/** Writes `temp`, creating the parent folders only when the write says they are missing. */
async function writeCreatingParents(
  temp: string,
  text: string,
  options: { encoding: "utf8"; mode?: number },
): Promise<void> {
  try {
    await writeFile(temp, text, options);
  } catch (error) {
    // Trying first costs one failed open per new folder instead of a mkdir per file.
    if (!isNotFound(error)) throw error;
    await fs.mkdir(path.dirname(temp), { recursive: true });
    await writeFile(temp, text, options);
  }
}

/**
 * The two blocking reads a config folder makes by the thousand (one per check file, one per
 * check folder), which a runtime may do more cheaply with its own calls than through `node:fs`.
 * Failures must carry Node's error codes (`ENOENT`, `ENOTDIR`).
 */
export interface BlockingReads {
  /** The file's text; throws when it cannot be read. */
  readTextFile(file: string): string;
  /** The entries of a folder, in any order; throws when it cannot be listed. */
  readDir(dir: string): DirEntry[];
}

const nodeBlockingReads: BlockingReads = {
  readTextFile: (file) => fsc.readFileSync(file, "utf8"),
  readDir: (dir) => entriesOf(fsc.readdirSync(dir, { withFileTypes: true })),
};

/** {@link FileSystem.readTextFilesSync} and {@link FileSystem.readDirSync} over `reads`. */
function blockingMethods(
  reads: BlockingReads,
): Required<Pick<FileSystem, "readTextFilesSync" | "readDirSync">> {
  return {
    readTextFilesSync(files) {
      return files.map((file) => {
        try {
          return reads.readTextFile(file);
        } catch (error) {
          if (isNotFound(error)) return undefined;
          throw error;
        }
      });
    },
    readDirSync(dir) {
      try {
        return sortedByName(reads.readDir(dir));
      } catch (error) {
        if (isMissingFolder(error)) return [];
        throw error;
      }
    },
  };
}

/**
 * {@link nodeFileSystem} with its blocking reads done by `reads`: a runtime's own calls where
 * they are cheaper than its `node:fs` layer (the CLI uses Deno's, which skip that layer's
 * argument handling and Buffers: the bench's folder of 5000 check files loads in about 12% less
 * time).
 */
export function withBlockingReads(reads: BlockingReads): FileSystem {
  return { ...nodeFileSystem, ...blockingMethods(reads) };
}

/** The real file system, through `node:fs`. */
export const nodeFileSystem: FileSystem = {
  ...blockingMethods(nodeBlockingReads),
  async readTextFile(file) {
    try {
      return await readFile(file, "utf8");
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  },
  async writeTextFile(file, text, options = {}) {
    const temp = tempFileFor(file);
    try {
      const mode = options.mode;
      await writeCreatingParents(temp, text, mode === undefined ? UTF8 : { ...UTF8, mode });
      // The mode given to open is reduced by the umask; the file must have exactly `mode`.
      if (mode !== undefined) await fs.chmod(temp, mode);
      await rename(temp, file);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
  },
  async appendTextFile(file, text) {
    await fs.appendFile(file, text, UTF8);
  },
  openBatchWriter: () => openBatchWriter(),
  async readDir(dir) {
    try {
      return sortedByName(entriesOf(await fs.readdir(dir, { withFileTypes: true })));
    } catch (error) {
      if (isMissingFolder(error)) return [];
      throw error;
    }
  },
  async mkdir(dir) {
    await fs.mkdir(dir, { recursive: true });
  },
  async remove(file) {
    try {
      await fs.rm(file);
    } catch (error) {
      if (isNotFound(error)) return;
      if ((error as { code?: string })?.code === "ERR_FS_EISDIR") {
        await fs.rmdir(file);
        return;
      }
      throw error;
    }
  },
  async exists(file) {
    try {
      await fs.stat(file);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  },
  async isDirectory(file) {
    try {
      return (await fs.stat(file)).isDirectory();
    } catch (error) {
      if (isMissingFolder(error)) return false;
      throw error;
    }
  },
  async mode(file) {
    try {
      return (await fs.stat(file)).mode & 0o777;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  },
};
