import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Config, type ConfigFile, loadConfig } from "./config.ts";

const defaultFile = fileURLToPath(new URL("../../config/default.json", import.meta.url));

/** Reads `config/default.json` (and `RELAIS_CONFIG_FILE` when set) and the environment, once. */
export function loadConfigFromProcess(env: NodeJS.ProcessEnv = process.env): Config {
  const files: ConfigFile[] = [JSON.parse(readFileSync(defaultFile, "utf8")) as ConfigFile];
  const extra = env.RELAIS_CONFIG_FILE;
  if (extra) files.push(JSON.parse(readFileSync(extra, "utf8")) as ConfigFile);
  return loadConfig(env, files);
}
