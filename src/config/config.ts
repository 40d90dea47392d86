import { isIP } from "node:net";
import { isAbsolute, join } from "node:path";
import { z } from "zod";
import { normaliseDomain } from "../modules/moderation/block-target.ts";

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
  /** Where uploaded images are stored (served at /media/); default `<dataDir>/media`. */
  readonly mediaDir: string;
  /** Largest upload accepted; larger ones are cut off before they are read whole. */
  readonly maxUploadBytes: number;
  /** Undefined: the embedded PostgreSQL under `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Undefined: Fedify's in-process queue and the PostgreSQL key–value store. */
  readonly redisUrl: string | undefined;
  readonly allowPrivateAddresses: boolean;
  readonly maxInboxBodyBytes: number;
  readonly blockedDomains: readonly string[];
  /** Bounds on every request to another server (see src/federation/outbound/outbound-fetch.ts). */
  readonly outbound: {
    readonly connectTimeoutMs: number;
    readonly headersTimeoutMs: number;
    readonly responseTimeoutMs: number;
    readonly maxResponseBytes: number;
    readonly connectionsPerOrigin: number;
  };
  readonly production: boolean;
  readonly logFormat: "text" | "json";
  readonly logLevel: "debug" | "info" | "warning" | "error";
  /** Which proxies' `X-Forwarded-For` gives the client's address (Express's `trust proxy`); false: none. */
  readonly trustProxy: string | false;
  /** Failed API authentications allowed per client address in 15 minutes. */
  readonly apiAuthFailureLimit: number;
  /** Inbox POSTs allowed per minute per remote origin (the signing key's host) and client address. */
  readonly inboxRateLimit: number;
  /** `smtp://user:pass@host:587` or `smtps://…`: invitations and reset links are also e-mailed. */
  readonly smtpUrl: string | undefined;
  /** The From of those messages. */
  readonly smtpFrom: string | undefined;
  /** Inbox POSTs handled at once (bodies read, parsed, verified); 8 times as many may wait. */
  readonly inboxConcurrency: number;
  /**
   * Queued messages (deliveries, accepted inbox activities) a worker process handles at once; one
   * waiting on a slow server gives its slot up (src/federation/outbound/slow-hosts.ts).
   */
  readonly deliveryConcurrency: number;
  /** Whether the embedded PostgreSQL (PGlite) runs in a worker thread instead of the server's own. */
  readonly embeddedThread: boolean;
  /** PostgreSQL's shared_buffers of the embedded database, in MiB (PGlite's default is 128). */
  readonly embeddedSharedBuffersMb: number;
  /**
   * Whether following the instance actor (the instance-wide relay, e.g. a Gancio that adds this
   * instance) waits for an operator's approval. False by default: it only relays public events.
   */
  readonly instanceManuallyApprovesFollowers: boolean;
  /**
   * `/metrics` (Prometheus): on the public app only for requests with `Authorization: Bearer <token>`,
   * and/or on its own port (no token there: bind it to a private address). Neither: not served.
   */
  readonly metrics: { readonly token: string | undefined; readonly port: number | undefined; readonly host: string };
  /**
   * Fedify's OpenTelemetry traces, sent over OTLP/HTTP (JSON) to `endpoint` (the full URL, e.g.
   * `http://collector:4318/v1/traces`); undefined: no tracing (nothing of OpenTelemetry's SDK is loaded).
   */
  readonly traces: { readonly endpoint: URL; readonly serviceName: string } | undefined;
  /**
   * A file the worker (`relais worker`, `relais start`) rewrites every few seconds while its event loop
   * runs, for a liveness probe (`node bin/relais-alive.js <file>`); undefined: none.
   */
  readonly heartbeatFile: string | undefined;
  /** Seconds the event loop may stall before the process ends itself (src/ops/watchdog.ts); 0: never. */
  readonly watchdogSeconds: number;
  /**
   * How long before it starts each occurrence of a recurring event goes out to followers, in hours
   * (120: five days; FEDERATION.md "Recurring events").
   */
  readonly occurrenceLeadHours: number;
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
// "loopback", "uniquelocal", "linklocal", addresses and CIDR ranges, comma-separated; "false" for none.
const trustProxySchema = z.string().transform((value, ctx) => {
  const v = value.trim();
  if (v === "false" || v === "none" || v === "") return false as const;
  const bad = v
    .split(",")
    .map((part) => part.trim())
    .filter((part) => !["loopback", "uniquelocal", "linklocal"].includes(part) && isIP(part.split("/")[0] ?? "") === 0);
  if (bad.length > 0) {
    ctx.addIssue({ code: "custom", message: `"${bad.join(", ")}" is not loopback, uniquelocal, linklocal, an address or a CIDR range` });
    return z.NEVER;
  }
  return v;
});
const httpUrlSchema = z.string().transform((value, ctx) => {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL, e.g. http://otel-collector:4318" });
    return z.NEVER;
  }
  return new URL(value);
});
const redisUrlSchema = z.string().refine((v) => /^rediss?:\/\//.test(v), "must be a redis:// or rediss:// URL");

const schema = z.object({
  RELAIS_ORIGIN: originSchema,
  HOST: z.string().min(1),
  PORT: intString(0, 65535),
  RELAIS_DATA_DIR: z.string().min(1, "must not be empty"),
  RELAIS_MEDIA_DIR: z.string().min(1, "must not be empty").optional(),
  RELAIS_MAX_UPLOAD_BYTES: intString(64 * 1024, 256 * 1024 * 1024),
  DATABASE_URL: databaseUrlSchema.optional(),
  REDIS_URL: redisUrlSchema.optional(),
  RELAIS_ALLOW_PRIVATE_ADDRESSES: booleanString,
  RELAIS_MAX_INBOX_BODY_BYTES: intString(1024, 64 * 1024 * 1024),
  RELAIS_BLOCKED_DOMAINS: z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
    const domains: string[] = [];
    for (const entry of (Array.isArray(v) ? v : v.split(",")).map((d) => d.trim()).filter((d) => d !== "")) {
      // The same reading as `relais block add`: IDNs in their ASCII form, lower case, no trailing dot.
      const domain = normaliseDomain(entry);
      if (domain.ok) domains.push(domain.domain);
      else ctx.addIssue({ code: "custom", message: domain.message });
    }
    return [...new Set(domains)];
  }),
  RELAIS_OUTBOUND_CONNECT_TIMEOUT_MS: intString(100, 120_000),
  RELAIS_OUTBOUND_HEADERS_TIMEOUT_MS: intString(100, 600_000),
  RELAIS_OUTBOUND_RESPONSE_TIMEOUT_MS: intString(100, 600_000),
  RELAIS_OUTBOUND_MAX_RESPONSE_BYTES: intString(64 * 1024, 256 * 1024 * 1024),
  RELAIS_OUTBOUND_CONNECTIONS_PER_ORIGIN: intString(1, 1024),
  NODE_ENV: z.string().optional(),
  RELAIS_LOG_FORMAT: z.enum(["auto", "text", "json"]),
  RELAIS_LOG_LEVEL: z.enum(["debug", "info", "warning", "error"]),
  RELAIS_TRUST_PROXY: trustProxySchema,
  RELAIS_API_AUTH_FAILURE_LIMIT: intString(1, 1_000_000),
  RELAIS_INBOX_RATE_LIMIT: intString(1, 1_000_000),
  RELAIS_SMTP_URL: z.string().refine((v) => /^smtps?:\/\//.test(v), "must be an smtp:// or smtps:// URL, e.g. smtps://user:password@mail.example:465").optional(),
  RELAIS_SMTP_FROM: z.string().min(3).optional(),
  RELAIS_INBOX_CONCURRENCY: intString(1, 1024),
  RELAIS_DELIVERY_CONCURRENCY: intString(1, 256),
  RELAIS_EMBEDDED_THREAD: booleanString,
  RELAIS_EMBEDDED_SHARED_BUFFERS_MB: intString(1, 65_536),
  RELAIS_INSTANCE_MANUAL_APPROVAL: booleanString,
  RELAIS_METRICS_TOKEN: z
    .string()
    .min(24, "must be at least 24 characters (e.g. openssl rand -hex 24)")
    .regex(/^[\x21-\x7e]+$/, "must be printable characters without spaces")
    .optional(),
  RELAIS_METRICS_PORT: intString(1, 65535).optional(),
  RELAIS_METRICS_HOST: z.string().min(1),
  // OpenTelemetry's own names, so that a collector set up for other services applies as it is.
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrlSchema.optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrlSchema.optional(),
  OTEL_SERVICE_NAME: z.string().min(1),
  RELAIS_HEARTBEAT_FILE: z.string().refine((v) => isAbsolute(v), "must be an absolute path, e.g. /tmp/relais-worker.alive").optional(),
  // 0 (off) or at least 10 s: garbage collection or a start-up's work may hold the loop for seconds.
  RELAIS_WATCHDOG_SECONDS: intString(0, 3600).refine((v) => v === 0 || v >= 10, "must be 0 (off) or at least 10"),
  // At least an hour (the worker looks every ten minutes), at most 60 days (no flood of a series' dates).
  RELAIS_OCCURRENCE_LEAD_HOURS: intString(1, 60 * 24),
});

/** Every environment variable the configuration reads (deployment files are checked against it). */
export const configVariables: readonly string[] = Object.keys(schema.shape);

/** Which file key feeds which environment variable. */
const fileKeys: Record<string, keyof z.input<typeof schema>> = {
  origin: "RELAIS_ORIGIN",
  host: "HOST",
  port: "PORT",
  dataDir: "RELAIS_DATA_DIR",
  mediaDir: "RELAIS_MEDIA_DIR",
  maxUploadBytes: "RELAIS_MAX_UPLOAD_BYTES",
  databaseUrl: "DATABASE_URL",
  redisUrl: "REDIS_URL",
  allowPrivateAddresses: "RELAIS_ALLOW_PRIVATE_ADDRESSES",
  maxInboxBodyBytes: "RELAIS_MAX_INBOX_BODY_BYTES",
  blockedDomains: "RELAIS_BLOCKED_DOMAINS",
  outboundConnectTimeoutMs: "RELAIS_OUTBOUND_CONNECT_TIMEOUT_MS",
  outboundHeadersTimeoutMs: "RELAIS_OUTBOUND_HEADERS_TIMEOUT_MS",
  outboundResponseTimeoutMs: "RELAIS_OUTBOUND_RESPONSE_TIMEOUT_MS",
  outboundMaxResponseBytes: "RELAIS_OUTBOUND_MAX_RESPONSE_BYTES",
  outboundConnectionsPerOrigin: "RELAIS_OUTBOUND_CONNECTIONS_PER_ORIGIN",
  logFormat: "RELAIS_LOG_FORMAT",
  logLevel: "RELAIS_LOG_LEVEL",
  trustProxy: "RELAIS_TRUST_PROXY",
  apiAuthFailureLimit: "RELAIS_API_AUTH_FAILURE_LIMIT",
  inboxRateLimit: "RELAIS_INBOX_RATE_LIMIT",
  smtpUrl: "RELAIS_SMTP_URL",
  smtpFrom: "RELAIS_SMTP_FROM",
  inboxConcurrency: "RELAIS_INBOX_CONCURRENCY",
  deliveryConcurrency: "RELAIS_DELIVERY_CONCURRENCY",
  embeddedThread: "RELAIS_EMBEDDED_THREAD",
  embeddedSharedBuffersMb: "RELAIS_EMBEDDED_SHARED_BUFFERS_MB",
  instanceManualApproval: "RELAIS_INSTANCE_MANUAL_APPROVAL",
  metricsToken: "RELAIS_METRICS_TOKEN",
  metricsPort: "RELAIS_METRICS_PORT",
  metricsHost: "RELAIS_METRICS_HOST",
  tracesEndpoint: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  occurrenceLeadHours: "RELAIS_OCCURRENCE_LEAD_HOURS",
};

const builtInDefaults: Record<string, unknown> = {
  HOST: "127.0.0.1",
  RELAIS_LOG_FORMAT: "auto",
  RELAIS_LOG_LEVEL: "info",
  RELAIS_BLOCKED_DOMAINS: [],
  RELAIS_ALLOW_PRIVATE_ADDRESSES: false,
  RELAIS_TRUST_PROXY: "loopback",
  RELAIS_API_AUTH_FAILURE_LIMIT: 20,
  RELAIS_INBOX_RATE_LIMIT: 600,
  RELAIS_INBOX_CONCURRENCY: 16,
  RELAIS_DELIVERY_CONCURRENCY: 16,
  RELAIS_EMBEDDED_THREAD: true,
  RELAIS_EMBEDDED_SHARED_BUFFERS_MB: 32,
  RELAIS_MAX_UPLOAD_BYTES: 10 * 1024 * 1024,
  RELAIS_OUTBOUND_CONNECT_TIMEOUT_MS: 5_000,
  RELAIS_OUTBOUND_HEADERS_TIMEOUT_MS: 15_000,
  RELAIS_OUTBOUND_RESPONSE_TIMEOUT_MS: 30_000,
  RELAIS_OUTBOUND_MAX_RESPONSE_BYTES: 1024 * 1024,
  RELAIS_OUTBOUND_CONNECTIONS_PER_ORIGIN: 16,
  RELAIS_INSTANCE_MANUAL_APPROVAL: false,
  RELAIS_METRICS_HOST: "127.0.0.1",
  OTEL_SERVICE_NAME: "relais",
  RELAIS_OCCURRENCE_LEAD_HOURS: 5 * 24,
  RELAIS_WATCHDOG_SECONDS: 0,
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
    if (value !== undefined && !(value === "" && (name === "DATABASE_URL" || name === "REDIS_URL" || name === "RELAIS_SMTP_URL" || name === "RELAIS_MEDIA_DIR" || name === "RELAIS_METRICS_TOKEN" || name === "RELAIS_METRICS_PORT" || name === "RELAIS_HEARTBEAT_FILE" || name.startsWith("OTEL_EXPORTER_OTLP_")))) {
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
  if (v.RELAIS_OUTBOUND_HEADERS_TIMEOUT_MS > v.RELAIS_OUTBOUND_RESPONSE_TIMEOUT_MS) {
    throw new ConfigError([
      "RELAIS_OUTBOUND_HEADERS_TIMEOUT_MS must not be longer than RELAIS_OUTBOUND_RESPONSE_TIMEOUT_MS: the response deadline covers the headers too",
    ]);
  }
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
    mediaDir: v.RELAIS_MEDIA_DIR ?? join(v.RELAIS_DATA_DIR, "media"),
    maxUploadBytes: v.RELAIS_MAX_UPLOAD_BYTES,
    databaseUrl: v.DATABASE_URL,
    redisUrl: v.REDIS_URL,
    allowPrivateAddresses: v.RELAIS_ALLOW_PRIVATE_ADDRESSES,
    maxInboxBodyBytes: v.RELAIS_MAX_INBOX_BODY_BYTES,
    blockedDomains: v.RELAIS_BLOCKED_DOMAINS,
    outbound: {
      connectTimeoutMs: v.RELAIS_OUTBOUND_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: v.RELAIS_OUTBOUND_HEADERS_TIMEOUT_MS,
      responseTimeoutMs: v.RELAIS_OUTBOUND_RESPONSE_TIMEOUT_MS,
      maxResponseBytes: v.RELAIS_OUTBOUND_MAX_RESPONSE_BYTES,
      connectionsPerOrigin: v.RELAIS_OUTBOUND_CONNECTIONS_PER_ORIGIN,
    },
    production,
    logFormat: v.RELAIS_LOG_FORMAT === "auto" ? (production ? "json" : "text") : v.RELAIS_LOG_FORMAT,
    logLevel: v.RELAIS_LOG_LEVEL,
    trustProxy: v.RELAIS_TRUST_PROXY,
    apiAuthFailureLimit: v.RELAIS_API_AUTH_FAILURE_LIMIT,
    inboxRateLimit: v.RELAIS_INBOX_RATE_LIMIT,
    smtpUrl: v.RELAIS_SMTP_URL,
    smtpFrom: v.RELAIS_SMTP_FROM,
    inboxConcurrency: v.RELAIS_INBOX_CONCURRENCY,
    deliveryConcurrency: v.RELAIS_DELIVERY_CONCURRENCY,
    embeddedThread: v.RELAIS_EMBEDDED_THREAD,
    embeddedSharedBuffersMb: v.RELAIS_EMBEDDED_SHARED_BUFFERS_MB,
    instanceManuallyApprovesFollowers: v.RELAIS_INSTANCE_MANUAL_APPROVAL,
    metrics: { token: v.RELAIS_METRICS_TOKEN, port: v.RELAIS_METRICS_PORT, host: v.RELAIS_METRICS_HOST },
    heartbeatFile: v.RELAIS_HEARTBEAT_FILE,
    watchdogSeconds: v.RELAIS_WATCHDOG_SECONDS,
    traces: tracesEndpoint(v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, v.OTEL_EXPORTER_OTLP_ENDPOINT, v.OTEL_SERVICE_NAME),
    occurrenceLeadHours: v.RELAIS_OCCURRENCE_LEAD_HOURS,
  };
}

/**
 * The OTLP traces URL as OpenTelemetry's exporters read these variables: the signal's own endpoint as
 * it is, or the general endpoint with `v1/traces` appended.
 */
function tracesEndpoint(traces: URL | undefined, general: URL | undefined, serviceName: string): Config["traces"] {
  if (traces) return { endpoint: traces, serviceName };
  if (!general) return undefined;
  return { endpoint: new URL(`${general.href.replace(/\/?$/, "/")}v1/traces`), serviceName };
}
