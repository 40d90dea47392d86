import { getLogger } from "@logtape/logtape";
import { AppError } from "../../shared/errors.ts";
import { fetchErrorStatus } from "./inbox-handlers.ts";

const logger = getLogger(["relais", "inbox"]);

/**
 * Why handling an activity failed in a way that every retry would repeat, or undefined when a retry
 * may succeed (network, 5xx, a database that is down). Permanent: what PostgreSQL refuses to store
 * (SQLSTATE classes 22 and 23), a remote document our parser cannot read (JSON-LD syntax, invalid
 * types, nesting that overflows the stack), a document its server says does not exist (4xx), a document
 * on a blocked server (never fetched), and our own validation errors.
 */
export function permanentFailure(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error instanceof AppError && error.status < 500) return `${error.code}: ${error.message}`;
  if (error.name === "BlockedFetchError") return "a document it needs is on a blocked server";
  const sqlState = (error as { code?: unknown }).code;
  if (typeof sqlState === "string" && /^2[23][0-9A-Z]{3}$/.test(sqlState)) return `the database refused the data (SQLSTATE ${sqlState})`;
  const status = fetchErrorStatus(error);
  if (status !== undefined && status >= 400 && status < 500) return `a document it needs answered ${status}`;
  if (error instanceof RangeError && /call stack/i.test(error.message)) return "a document it needs is nested too deeply to read";
  if (error.name.startsWith("jsonld.") && error.name !== "jsonld.InvalidUrl") return `a document it needs is not valid JSON-LD (${error.name})`;
  if (error instanceof TypeError && /^(Invalid JSON-LD|Invalid type|Unexpected type|Invalid @id)/.test(error.message)) {
    return "a document it needs is not a readable ActivityStreams object";
  }
  return undefined;
}

/**
 * Wraps an inbox listener so that an activity which cannot be handled for good is refused once, with
 * one log line and no body, instead of being retried by Fedify's inbox retry policy for hours. Other
 * errors go on to Fedify, which retries.
 */
export function refusedOnceWhenPermanent<C, A extends { id: URL | null; actorId: URL | null }>(
  type: string,
  listener: (ctx: C, activity: A) => Promise<void>,
): (ctx: C, activity: A) => Promise<void> {
  return async (ctx, activity) => {
    try {
      await listener(ctx, activity);
    } catch (error) {
      const reason = permanentFailure(error);
      if (reason === undefined) throw error;
      logger.warn("{type} refused for good, not retried: {reason}", { type, reason });
      logger.debug("{type} {id} from {actor} refused for good: {error}", {
        type,
        id: activity.id?.href ?? null,
        actor: activity.actorId?.href ?? null,
        error,
      });
    }
  };
}
