import type { CallVersionView, CallView } from "../modules/call/call.types.ts";

/** An instant with the offset of the call's zone ("2027-03-01T23:59:00+01:00"). */
const withOffset = (instant: Temporal.Instant, timezone: string) =>
  instant.toZonedDateTimeISO(timezone).toString({ timeZoneName: "never", smallestUnit: "second" });

/** The JSON API's call: the model's names, plus id, url (the HTML page, also the ActivityPub id). */
export function presentCall(call: CallView) {
  return {
    id: call.id,
    url: call.apId.href,
    apId: call.apId.href,
    collective: call.collective.slug,
    status: call.status,
    version: call.version,
    title: call.title,
    pitch: call.pitch ?? null,
    body: call.bodySource,
    bodyHtml: call.body,
    demands: call.demands,
    deadline: call.deadline ? withOffset(call.deadline, call.timezone) : null,
    timezone: call.timezone,
    relatedEvents: call.relatedEvents,
    image: call.image ?? null,
    createdAt: call.createdAt.toString(),
    updatedAt: call.updatedAt.toString(),
    launchedAt: call.launchedAt?.toString() ?? null,
    closedAt: call.closedAt?.toString() ?? null,
    withdrawnAt: call.withdrawnAt?.toString() ?? null,
  };
}

/** One version of a call's text. */
export function presentCallVersion(version: CallVersionView) {
  return {
    version: version.version,
    createdAt: version.createdAt.toString(),
    title: version.title,
    pitch: version.pitch ?? null,
    body: version.bodySource,
    bodyHtml: version.body,
    demands: version.demands,
    deadline: version.deadline ? withOffset(version.deadline, version.timezone) : null,
    timezone: version.timezone,
    relatedEvents: version.relatedEvents,
    image: version.image ?? null,
  };
}
