import type { Activity } from "@fedify/vocab";
import type { Logger } from "@logtape/logtape";

/**
 * Small helpers the inbox handlers share: their decision log and the reading of single values of the
 * JSON an activity arrived as (`receivedJson`). What must read a raw body the way Fedify will (`@id`,
 * aliases, expanded forms) is in activity-document.ts, not here. The readings of received values are
 * pure and shared with the mappers, so they live in mappers/json-values.ts.
 */
export { idOf, instant, isObject, languageMap } from "../mappers/json-values.ts";

/**
 * Logs what a handler decided about an activity, one line each. At INFO only the activity type, the
 * collective (`slug`) and the outcome: who follows or sends what is political-opinion data, so the actor
 * and activity ids (which name people: `…/users/ana#follows/3/undo`) are logged at DEBUG only.
 */
export type Decided = (type: string, outcome: string, activity: Activity, fields?: { slug?: string }) => void;

/** The `decided` of a handler file, logging to `logger`. */
export function decisionLog(logger: Logger): Decided {
  return (type, outcome, activity, fields = {}) => {
    const where = fields.slug ? ` (@${fields.slug})` : "";
    logger.info(`{type}${where}: {outcome}`, { type, outcome, ...fields });
    logger.debug(`{type} {id} from {actor}${where}: {outcome}`, {
      type,
      id: activity.id?.href ?? null,
      actor: activity.actorId?.href ?? null,
      outcome,
      ...fields,
    });
  };
}

/** A `decided` for handlers that own what they log: it logs, then answers true (no other handler is to see it). */
export type Handled = (type: string, outcome: string, activity: Activity, fields?: { slug?: string }) => true;

/** The `handled` of a handler file, logging with its `decided`. */
export function handledBy(decided: Decided): Handled {
  return (type, outcome, activity, fields) => {
    decided(type, outcome, activity, fields);
    return true;
  };
}

/** Whether `url` is a URL on `origin`'s origin. */
export const sameOrigin = (url: string | undefined, origin: URL): boolean => url !== undefined && URL.canParse(url) && new URL(url).origin === origin.origin;

/** The path of one of our URLs (on `ours`' origin), or undefined for another origin's. */
export function ourPath(ours: URL, url: string | undefined): string | undefined {
  if (!url || !URL.canParse(url)) return undefined;
  const u = new URL(url);
  return u.origin === ours.origin ? u.pathname : undefined;
}
