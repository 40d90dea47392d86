import { licenceNames, type PressKitFileView, type PressKitLinkView, type PressKitView } from "../modules/presskit/presskit.types.ts";
import type { Urls } from "../shared/urls.ts";

const withOffset = (instant: Temporal.Instant, timezone: string) => instant.toZonedDateTimeISO(timezone).toString({ timeZoneName: "never", smallestUnit: "second" });

export function presentPressKitFile(kitId: string, f: PressKitFileView, urls: Urls) {
  return {
    id: f.id,
    kind: f.kind,
    url: urls.pressKitFile(kitId, f.name).href,
    mediaType: f.mediaType,
    bytes: f.bytes,
    width: f.width ?? null,
    height: f.height ?? null,
    caption: f.caption,
    credit: f.credit,
    licence: f.licence,
    licenceName: licenceNames[f.licence],
  };
}

/** The JSON API's press kit: the model's names; `url` is the public page (404 until published). */
export function presentPressKit(kit: PressKitView, urls: Urls) {
  return {
    id: kit.id,
    url: kit.apId.href,
    collective: kit.collective.slug,
    status: kit.publishedAt ? "published" : kit.embargoAt ? "embargoed" : "draft",
    title: kit.title,
    lead: kit.lead,
    body: kit.bodySource,
    bodyHtml: kit.body,
    contact: { label: kit.contact.label ?? null, email: kit.contact.email ?? null, phone: kit.contact.phone ?? null },
    embargo: kit.embargoAt ? withOffset(kit.embargoAt, kit.timezone) : null,
    timezone: kit.timezone,
    call: kit.callId ?? null,
    event: kit.eventId ?? null,
    files: kit.files.map((f) => presentPressKitFile(kit.id, f, urls)),
    zips: Object.fromEntries(Object.keys(kit.title).map((l) => [l, urls.pressKitZip(kit.id, l).href])),
    createdAt: kit.createdAt.toString(),
    updatedAt: kit.updatedAt.toString(),
    publishedAt: kit.publishedAt?.toString() ?? null,
  };
}

export function presentPressKitLink(link: PressKitLinkView) {
  return {
    id: link.id,
    label: link.label,
    createdAt: link.createdAt.toString(),
    expiresAt: link.expiresAt.toString(),
    revokedAt: link.revokedAt?.toString() ?? null,
  };
}
