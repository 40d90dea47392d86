import { eventWording } from "../modules/event/event-summary.ts";
import { t } from "../shared/i18n.ts";

/**
 * Events worded for the web pages (dates with their zone, places, statuses, categories), over the
 * pages' translator. Domain and federation code are given their wording by the composition root.
 */
export const { categoryLabel, formatEventWhen, formatEventWhere, mastodonSummary, statusText, zoneLabel } = eventWording(t);
