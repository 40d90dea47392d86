import { type LanguageMap, primaryFirst } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import type { Collective } from "../collective/collective.entity.ts";
import type { CallChangeNoteRow, CallRow, CallVersionRow } from "./call.entity.ts";
import type { CallChangeNoteView, CallText, CallVersionView, CallView, RelatedEvent } from "./call.types.ts";

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());
const optInstant = (d: Date | null | undefined) => (d ? instant(d) : undefined);

/**
 * The text columns of a call or a version as domain data, every language map with the primary
 * language first again (jsonb keeps keys in its own order).
 */
export function rowToText(row: CallRow | CallVersionRow, primary: string): CallText {
  const first = (map: LanguageMap) => primaryFirst(map, primary);
  return {
    title: first(row.title),
    pitch: row.pitch ? first(row.pitch) : undefined,
    body: first(row.body),
    bodySource: first(row.bodySource),
    demands: row.demands.map(first),
    deadline: optInstant(row.deadline),
    timezone: row.timezone,
    relatedEvents: row.relatedEvents,
    image: row.image ? { ...row.image, ...(row.image.alt ? { alt: first(row.image.alt) } : {}) } : undefined,
  };
}

/** Domain text as column values. */
export function textToColumns(text: CallText) {
  return {
    title: text.title,
    pitch: text.pitch ?? null,
    body: text.body,
    bodySource: text.bodySource,
    demands: text.demands.map((d) => ({ ...d })),
    deadline: text.deadline ? new Date(text.deadline.epochMilliseconds) : null,
    timezone: text.timezone,
    relatedEvents: [...text.relatedEvents],
    image: text.image ?? null,
  };
}

export function toCallView(row: CallRow, collective: Collective, events: readonly RelatedEvent[], urls: Urls): CallView {
  return {
    ...rowToText(row, collective.primaryLanguage),
    id: row.id,
    apId: urls.call(row.id),
    status: row.status,
    version: row.version,
    revision: row.revision,
    collective: {
      apId: urls.collective(collective.slug),
      slug: collective.slug,
      primaryLanguage: collective.primaryLanguage,
      name: collective.name,
    },
    events,
    createdAt: instant(row.createdAt),
    updatedAt: instant(row.updatedAt),
    launchedAt: optInstant(row.launchedAt),
    closedAt: optInstant(row.closedAt),
    withdrawnAt: optInstant(row.withdrawnAt),
    deletedAt: optInstant(row.deletedAt),
  };
}

export function toVersionView(callId: string, row: CallVersionRow, primary: string): CallVersionView {
  return { ...rowToText(row, primary), callId, version: row.version, createdAt: instant(row.createdAt) };
}

export function toChangeNoteView(callId: string, row: CallChangeNoteRow, primary: string): CallChangeNoteView {
  return {
    callId,
    revision: row.revision,
    kinds: row.kinds,
    text: primaryFirst(row.text, primary),
    createdAt: instant(row.createdAt),
    sentAt: row.sentAt ? instant(row.sentAt) : null,
  };
}
