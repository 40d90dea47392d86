import type { EntityManager } from "@mikro-orm/postgresql";
import { type LanguageMap, primaryFirst } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import type { Collective } from "../collective/collective.entity.ts";
import type { PressKitFileRow, PressKitRow } from "./presskit.entity.ts";
import { findFiles } from "./presskit.repository.ts";
import type { PressKitFileView, PressKitLinkView, PressKitText, PressKitView } from "./presskit.types.ts";

/** Rows of a press kit, its files and links as the views the service returns, and back to columns. */

export const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());
const optInstant = (d: Date | null | undefined) => (d ? instant(d) : undefined);

/** A kit with its files, as its editors, the pages and the federation layer see it. */
export async function pressKitView(em: EntityManager, urls: Urls, row: PressKitRow, collective: Collective): Promise<PressKitView> {
  const files = (await findFiles(em, row.id)).map((f) => toFileView(f, collective.primaryLanguage));
  return {
    ...rowToText(row, collective.primaryLanguage),
    id: row.id,
    apId: urls.pressKit(row.id),
    collective: { id: collective.id, apId: urls.collective(collective.slug), slug: collective.slug, primaryLanguage: collective.primaryLanguage, name: collective.name },
    files,
    createdAt: instant(row.createdAt),
    updatedAt: instant(row.updatedAt),
    publishedAt: optInstant(row.publishedAt),
    deletedAt: optInstant(row.deletedAt),
  };
}

export function rowToText(row: PressKitRow, primary: string): PressKitText {
  const first = (map: LanguageMap) => primaryFirst(map, primary);
  return {
    title: first(row.title),
    lead: first(row.lead),
    body: first(row.body),
    bodySource: first(row.bodySource),
    contact: row.contact.label ? { ...row.contact, label: first(row.contact.label) } : row.contact,
    embargoAt: optInstant(row.embargoAt),
    timezone: row.timezone,
    callId: row.callId ?? undefined,
    eventId: row.eventId ?? undefined,
  };
}

export function textToColumns(text: PressKitText) {
  return {
    title: text.title,
    lead: text.lead,
    body: text.body,
    bodySource: text.bodySource,
    contact: { ...text.contact },
    embargoAt: text.embargoAt ? new Date(text.embargoAt.epochMilliseconds) : null,
    timezone: text.timezone,
    callId: text.callId ?? null,
    eventId: text.eventId ?? null,
  };
}

export function toFileView(f: PressKitFileRow, primary: string): PressKitFileView {
  return {
    id: f.id,
    kind: f.kind,
    name: f.name,
    mediaType: f.mediaType as PressKitFileView["mediaType"],
    bytes: f.bytes,
    width: f.width ?? undefined,
    height: f.height ?? undefined,
    caption: primaryFirst(f.caption, primary),
    credit: f.credit,
    licence: f.licence,
    position: f.position,
  };
}

export function toLinkView(l: { id: string; label?: string | null; createdAt: Date; expiresAt: Date; revokedAt?: Date | null }): PressKitLinkView {
  return { id: l.id, label: l.label ?? null, createdAt: instant(l.createdAt), expiresAt: instant(l.expiresAt), revokedAt: l.revokedAt ? instant(l.revokedAt) : null };
}

/** Whether a kit's page, files, ZIP and document are public. */
export const isPublic = (kit: Pick<PressKitView, "publishedAt" | "deletedAt">): boolean => kit.publishedAt !== undefined && kit.deletedAt === undefined;
