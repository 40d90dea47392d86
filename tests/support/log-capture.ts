// Collects the log records of this test process (Relais instances run in it), to wait for what the
// inbox decided and to check what the logs say and how much.
import { configure, type LogLevel, type LogRecord, reset } from "@logtape/logtape";
import { AsyncLocalStorage } from "node:async_hooks";
import { boundedSink, type LogLevelSetting, loggerConfigs, redactingSink } from "../../src/logging.ts";
import { until } from "./wait.ts";

export interface CapturedLine {
  readonly category: string;
  readonly level: LogLevel;
  /** The message with its values rendered as the text formatter would. */
  readonly text: string;
  readonly record: LogRecord;
}

export interface LogCapture {
  readonly lines: CapturedLine[];
  /** Resolves with the first line (past or future) matching `predicate`. */
  waitFor(what: string, predicate: (line: CapturedLine) => boolean, timeoutMs?: number): Promise<CapturedLine>;
  clear(): void;
  close(): Promise<void>;
}

function render(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Routes Relais's and Fedify's logs to memory, with the production configuration for `level`
 * (RELAIS_LOG_LEVEL; default debug) and through the same redacting and bounding sinks.
 */
export async function captureLogs(level: LogLevelSetting = "debug"): Promise<LogCapture> {
  const lines: CapturedLine[] = [];
  const sink = redactingSink(
    boundedSink((record: LogRecord) => {
      const text = record.message.map((part, i) => (i % 2 === 0 ? String(part) : render(part))).join("");
      lines.push({ category: record.category.join("."), level: record.level, text, record });
    }),
  );
  await configure({
    reset: true,
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: { memory: sink },
    loggers: loggerConfigs(level, "memory"),
  });
  return {
    lines,
    waitFor: (what, predicate, timeoutMs = 20_000) => until(what, async () => lines.find(predicate), timeoutMs),
    clear: () => {
      lines.length = 0;
    },
    close: () => reset(),
  };
}
