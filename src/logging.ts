import {
  configure,
  getConsoleSink,
  getStreamSink,
  getTextFormatter,
  jsonLinesFormatter,
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

export function redactingSink(inner: Sink): Sink {
  return (record: LogRecord) => inner({ ...record, properties: redact(record.properties) as Record<string, unknown> });
}

/**
 * LogTape for Relais and Fedify: readable lines in development, JSON lines in production, on stderr.
 * Fedify logs under ["fedify"], we log under ["relais", module].
 */
export async function setupLogging(opts: { format: "text" | "json"; level: "debug" | "info" | "warning" | "error" }): Promise<void> {
  const stderr = Writable.toWeb(process.stderr) as WritableStream<Uint8Array>;
  const base =
    opts.format === "json"
      ? getStreamSink(stderr, { formatter: jsonLinesFormatter })
      : getConsoleSink({ formatter: getTextFormatter({ timestamp: "date-time-tz" }) as never, console: { ...console, info: console.error, debug: console.error, log: console.error } as Console });
  await configure({
    reset: true,
    // Fedify attaches request context (trace ids) to its log records through this.
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: { main: redactingSink(base) },
    loggers: [
      { category: ["relais"], lowestLevel: opts.level, sinks: ["main"] },
      { category: ["fedify"], lowestLevel: opts.level === "debug" ? "debug" : "warning", sinks: ["main"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["main"] },
    ],
  });
}
