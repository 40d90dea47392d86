import { z } from "zod";

/**
 * The whole configuration of a Relais process. Read once, at start-up, by `loadConfig`; nothing else
 * reads `process.env`.
 */
export interface Config {
  /** Public origin, e.g. https://relais.example — every URL we publish is built from it. */
  readonly origin: URL;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Undefined: the embedded PostgreSQL under `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Undefined: Fedify's in-process queue and the PostgreSQL key–value store. */
  readonly redisUrl: string | undefined;
  readonly allowPrivateAddresses: boolean;
  readonly maxInboxBodyBytes: number;
  readonly blockedDomains: readonly string[];
  readonly production: boolean;
  readonly logFormat: "text" | "json";
  readonly logLevel: "debug" | "info" | "warning" | "error";
}

/** Defaults from `config/*.json`; environment variables override them. */
export type ConfigFile = Partial<Record<string, unknown>>;

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

const booleanString = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", "yes", "no", ""])])
  .transform((v) => v === true || v === "true" || v === "1" || v === "yes");

const intString = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const originSchema = z.string().transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a URL; write it like https://relais.example` });
    return z.NEVER;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    ctx.addIssue({ code: "custom", message: "must start with http:// or https://" });
    return z.NEVER;
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || url.username) {
    ctx.addIssue({
      code: "custom",
      message: "must be an origin only (scheme, host and optional port), without path, query or credentials",
    });
    return z.NEVER;
  }
  return new URL(url.origin);
});

const databaseUrlSchema = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgres:// or postgresql:// URL");
const redisUrlSchema = z.string().refine((v) => /^rediss?:\/\//.test(v), "must be a redis:// or rediss:// URL");

const schema = z.object({
  RELAIS_ORIGIN: originSchema,
  HOST: z.string().min(1),
  PORT: intString(0, 65535),
  RELAIS_DATA_DIR: z.string().min(1, "must not be empty"),
  DATABASE_URL: databaseUrlSchema.optional(),
  REDIS_URL: redisUrlSchema.optional(),
  RELAIS_ALLOW_PRIVATE_ADDRESSES: booleanString,
  RELAIS_MAX_INBOX_BODY_BYTES: intString(1024, 64 * 1024 * 1024),
  RELAIS_BLOCKED_DOMAINS: z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : v.split(","))
        .map((d) => d.trim().toLowerCase())
        .filter((d) => d !== ""),
    ),
  NODE_ENV: z.string().optional(),
  RELAIS_LOG_FORMAT: z.enum(["auto", "text", "json"]),
  RELAIS_LOG_LEVEL: z.enum(["debug", "info", "warning", "error"]),
});

/** Which file key feeds which environment variable. */
const fileKeys: Record<string, keyof z.input<typeof schema>> = {
  origin: "RELAIS_ORIGIN",
  host: "HOST",
  port: "PORT",
  dataDir: "RELAIS_DATA_DIR",
  databaseUrl: "DATABASE_URL",
  redisUrl: "REDIS_URL",
  allowPrivateAddresses: "RELAIS_ALLOW_PRIVATE_ADDRESSES",
  maxInboxBodyBytes: "RELAIS_MAX_INBOX_BODY_BYTES",
  blockedDomains: "RELAIS_BLOCKED_DOMAINS",
  logFormat: "RELAIS_LOG_FORMAT",
  logLevel: "RELAIS_LOG_LEVEL",
};

const builtInDefaults: Record<string, unknown> = {
  HOST: "127.0.0.1",
  RELAIS_LOG_FORMAT: "auto",
  RELAIS_LOG_LEVEL: "info",
  RELAIS_BLOCKED_DOMAINS: [],
  RELAIS_ALLOW_PRIVATE_ADDRESSES: false,
};

/**
 * Builds the configuration from defaults (`files`, in order, later ones winning) and the environment.
 * Pure: the caller reads the files and passes `process.env`. Reports every problem at once, each with
 * the variable's name.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, files: readonly ConfigFile[] = []): Config {
  const input: Record<string, unknown> = { ...builtInDefaults };
  const problems: string[] = [];
  for (const file of files) {
    for (const [key, value] of Object.entries(file)) {
      const name = fileKeys[key];
      if (name === undefined) {
        problems.push(`config file key "${key}" is unknown (known: ${Object.keys(fileKeys).join(", ")})`);
        continue;
      }
      input[name] = value;
    }
  }
  for (const name of Object.keys(schema.shape)) {
    const value = env[name];
    if (value !== undefined && !(value === "" && (name === "DATABASE_URL" || name === "REDIS_URL"))) {
      input[name] = value;
    }
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? "configuration");
      const message = issue.code === "invalid_type" && input[name] === undefined ? "is required" : issue.message;
      problems.push(`${name} ${message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const v = parsed.data;
  const production = v.NODE_ENV === "production";
  if (production && v.RELAIS_ALLOW_PRIVATE_ADDRESSES) {
    throw new ConfigError([
      "RELAIS_ALLOW_PRIVATE_ADDRESSES must not be true when NODE_ENV=production: it lets remote servers make this instance reach private networks",
    ]);
  }
  return {
    origin: v.RELAIS_ORIGIN,
    host: v.HOST,
    port: v.PORT,
    dataDir: v.RELAIS_DATA_DIR,
    databaseUrl: v.DATABASE_URL,
    redisUrl: v.REDIS_URL,
    allowPrivateAddresses: v.RELAIS_ALLOW_PRIVATE_ADDRESSES,
    maxInboxBodyBytes: v.RELAIS_MAX_INBOX_BODY_BYTES,
    blockedDomains: v.RELAIS_BLOCKED_DOMAINS,
    production,
    logFormat: v.RELAIS_LOG_FORMAT === "auto" ? (production ? "json" : "text") : v.RELAIS_LOG_FORMAT,
    logLevel: v.RELAIS_LOG_LEVEL,
  };
}
