import {
  configure,
  getConsoleSink,
  getStreamSink,
  getTextFormatter,
  jsonLinesFormatter,
  type LoggerConfig,
  type LogRecord,
  type Sink,
} from "@logtape/logtape";
import { AsyncLocalStorage } from "node:async_hooks";
import { Writable } from "node:stream";

const secretKey = /private|secret|password|passwd|token|jwk|authorization|cookie|signature/i;

/** Replaces values under secret-looking keys, at any depth, before a record leaves the process. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error || value instanceof URL || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = secretKey.test(k) ? "[redacted]" : redact(v, depth + 1);
  return out;
}

/**
 * Maps each property of a record, and the same values where the message shows them (the message holds
 * the very objects of the properties), so that what is hidden or cut is hidden or cut in every format.
 */
function mapRecordValues(record: LogRecord, map: (key: string, value: unknown) => unknown): LogRecord {
  const replaced = new Map<unknown, unknown>();
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record.properties)) {
    const mapped = map(key, value);
    if (mapped !== value) replaced.set(value, mapped);
    properties[key] = mapped;
  }
  const message = record.message.map((part, i) => (i % 2 === 1 && replaced.has(part) ? replaced.get(part) : part));
  return { ...record, message, properties };
}

export function redactingSink(inner: Sink): Sink {
  return (record: LogRecord) => inner(mapRecordValues(record, (key, value) => (secretKey.test(key) ? "[redacted]" : redact(value))));
}

/** Fedify's names for whole request bodies and documents in its log records. */
const bodyKeys = new Set(["activity", "json", "body", "document"]);
const maxLoggedText = 2_000;

function cut(text: string): string {
  return text.length > maxLoggedText ? `${text.slice(0, maxLoggedText)}… (${text.length - maxLoggedText} more characters)` : text;
}

/**
 * Keeps logs bounded whatever remote servers send: bodies (Fedify's `activity`, `json`…) are left out
 * above debug level and, at debug level, written as JSON cut to 2,000 characters (a body nested too
 * deeply to serialise says so instead of breaking the sink); every long text is cut the same way.
 */
export function boundedSink(inner: Sink): Sink {
  return (record: LogRecord) => {
    const verbose = record.level === "debug" || record.level === "trace";
    inner(
      mapRecordValues(record, (key, value) => {
        if (typeof value === "string") return cut(value);
        if (!bodyKeys.has(key) || value === null || typeof value !== "object") return value;
        if (!verbose) return "[body left out above debug level]";
        try {
          return cut(JSON.stringify(value) ?? "");
        } catch {
          return "[body too deeply nested to write]";
        }
      }),
    );
  };
}

export type LogLevelSetting = "debug" | "info" | "warning" | "error";

/**
 * Which records go to `sink`: ours from `level` up, Fedify's from warning up (all at debug). Fedify's
 * document loader logs every failed remote fetch at error level, URLs chosen by strangers included,
 * and its access log every 4xx; our own lines (or Fedify's inbox) say what each failure meant (an Undo
 * ignored, an inbox POST refused…), so those two are kept for debug level only: a flood of junk gives
 * one line per refusal.
 */
export function loggerConfigs<S extends string>(level: LogLevelSetting, sink: S): LoggerConfig<S, string>[] {
  const debug = level === "debug";
  return [
    { category: ["relais"], lowestLevel: level, sinks: [sink] },
    { category: ["fedify"], lowestLevel: debug ? "debug" : "warning", sinks: [sink] },
    { category: ["fedify", "runtime", "docloader"], lowestLevel: debug ? "debug" : "fatal" },
    // Fedify's access log (a warning for every 4xx answer): Relais keeps no access log, and the refusal
    // itself is already a line.
    { category: ["fedify", "federation", "http"], lowestLevel: debug ? "debug" : "fatal" },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [sink] },
  ];
}

/**
 * LogTape for Relais and Fedify: readable lines in development, JSON lines in production, on stderr.
 * Fedify logs under ["fedify"], we log under ["relais", module].
 */
export async function setupLogging(opts: { format: "text" | "json"; level: LogLevelSetting }): Promise<void> {
  const stderr = Writable.toWeb(process.stderr) as WritableStream<Uint8Array>;
  const base =
    opts.format === "json"
      ? getStreamSink(stderr, { formatter: jsonLinesFormatter })
      : getConsoleSink({ formatter: getTextFormatter({ timestamp: "date-time-tz" }) as never, console: { ...console, info: console.error, debug: console.error, log: console.error } as Console });
  await configure({
    reset: true,
    // Fedify attaches request context (trace ids) to its log records through this.
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: { main: redactingSink(boundedSink(base)) },
    loggers: loggerConfigs(opts.level, "main"),
  });
}
