/**
 * The settings file `~/.qualytics/config.yaml` (`url`, `token`, `ssl_verify`, optional
 * `timeout`), read and written in the original's format, with the legacy `config.json`
 * migrated. The file holds a token, so it is written with mode 0600.
 *
 * @module
 */
import * as path from "node:path";
import type { FileSystem } from "../util/fs.ts";
import { dumpYaml, loadYaml } from "../util/yaml.ts";

/** The settings the file stores. */
export interface StoredConfig {
  url: string;
  token: string;
  ssl_verify: boolean;
  /** Request time-out in seconds (read only; `auth init` and `login` drop it, as the original). */
  timeout?: number;
}

/** Where the settings live. */
export interface SettingsPaths {
  dir: string;
  yaml: string;
  legacyJson: string;
  dotenv: string;
}

/** The settings folder: `QUALYTICS_CONFIG_DIR`, else `~/.qualytics`. */
export function settingsPaths(
  env: Record<string, string | undefined>,
  homeDir: string,
): SettingsPaths {
  const dir = env.QUALYTICS_CONFIG_DIR || path.join(homeDir, ".qualytics");
  return {
    dir,
    yaml: path.join(dir, "config.yaml"),
    legacyJson: path.join(dir, "config.json"),
    dotenv: path.join(dir, ".env"),
  };
}

/** A settings file that exists but cannot be used. */
export class SettingsFileError extends Error {
  override name = "SettingsFileError";
}

function fromObject(value: unknown, file: string): StoredConfig | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new SettingsFileError(`${file} must be a mapping with url and token keys.`);
  }
  const record = value as Record<string, unknown>;
  const timeout = Number(record.timeout);
  return {
    url: String(record.url ?? ""),
    token: String(record.token ?? ""),
    ssl_verify: record.ssl_verify === undefined ? true : record.ssl_verify !== false,
    ...(Number.isInteger(timeout) && timeout > 0 ? { timeout } : {}),
  };
}

/**
 * Reads the settings file. When only the legacy `config.json` exists, it is converted to
 * `config.yaml` (the JSON file is kept) and `notice` is told.
 */
export async function readStoredConfig(
  fs: FileSystem,
  paths: SettingsPaths,
  notice: (message: string) => void = () => {},
): Promise<StoredConfig | undefined> {
  const yamlText = await fs.readTextFile(paths.yaml);
  if (yamlText !== undefined) {
    let parsed: unknown;
    try {
      parsed = await loadYaml(yamlText, paths.yaml);
    } catch (error) {
      throw new SettingsFileError(
        `${(error as Error).message.split("\n")[0]}. ` +
          `Fix it or run 'qualytics auth init --url <url> --token <token>' to rewrite it.`,
      );
    }
    return fromObject(parsed, paths.yaml);
  }
  const jsonText = await fs.readTextFile(paths.legacyJson);
  if (jsonText === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsonText);
  } catch (error) {
    throw new SettingsFileError(
      `${paths.legacyJson} is not valid JSON (${(error as Error).message}).`,
    );
  }
  const config = fromObject(parsed, paths.legacyJson);
  if (config) {
    await writeStoredConfig(fs, paths, config);
    notice(
      `Migrated config from ${paths.legacyJson} to ${paths.yaml}. ` +
        `You can safely remove the old config.json file.`,
    );
  }
  return config;
}

/** Writes `url`, `token` and `ssl_verify` (only those, as the original) with mode 0600. */
export async function writeStoredConfig(
  fs: FileSystem,
  paths: SettingsPaths,
  config: Pick<StoredConfig, "url" | "token" | "ssl_verify">,
): Promise<void> {
  await fs.mkdir(paths.dir);
  const text = dumpYaml({ url: config.url, token: config.token, ssl_verify: config.ssl_verify });
  await fs.writeTextFile(paths.yaml, text, { mode: 0o600 });
}
