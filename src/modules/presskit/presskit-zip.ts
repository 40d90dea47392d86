import type { Readable } from "node:stream";
import yazl from "yazl";
import type { Translate } from "../../shared/i18n.ts";
import { dateTimeFormat } from "../../shared/intl-cache.ts";
import { type LanguageMap, pickLanguage } from "../../shared/language.ts";
import { htmlToPlainText } from "../ical/plain-text.ts";
import { licenceNames, licenceUrls, type PressKitFileView, type PressKitView } from "./presskit.types.ts";

const extensionOf = (f: PressKitFileView) => (f.mediaType === "application/pdf" ? "pdf" : f.mediaType === "image/png" ? "png" : "jpg");

/** The name of a file inside the ZIP: its position and kind ("01-photo.jpg"); nothing of the uploader's file name. */
export function zipEntryName(f: PressKitFileView, index: number): string {
  return `${String(index + 1).padStart(2, "0")}-${f.kind}.${extensionOf(f)}`;
}

/** "8 mars 2027 à 08:00" in the kit's zone, with the zone's name. */
export function embargoText(at: Temporal.Instant, timezone: string, lang: string): string {
  const when = dateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: timezone }).format(
    new Date(at.epochMilliseconds),
  );
  return `${when} (${timezone})`;
}

/**
 * The README of a kit's ZIP in one language: the release as plain text, the press contact, and every
 * file with its caption, credit line and licence. Under embargo, the embargo comes first.
 */
export function pressKitReadme(kit: PressKitView, lang: string, translate: Translate, opts: { underEmbargo: boolean }): string {
  const primary = kit.collective.primaryLanguage;
  const pick = (map: LanguageMap | undefined) => (map ? (pickLanguage(map, [lang], primary)?.text ?? "") : "");
  const t = (key: string, vars?: Record<string, unknown>) => translate(lang, `presskit:${key}`, vars);
  const lines: string[] = [pick(kit.title), pick(kit.collective.name), ""];
  if (opts.underEmbargo && kit.embargoAt) lines.push(t("embargoUntil", { when: embargoText(kit.embargoAt, kit.timezone, lang) }), "");
  lines.push(pick(kit.lead), "", htmlToPlainText(pick(kit.body)), "");
  const contact = [pick(kit.contact.label), kit.contact.email, kit.contact.phone].filter(Boolean).join(" · ");
  lines.push(`${t("contact")}: ${contact}`, "");
  if (kit.files.length > 0) {
    lines.push(`${t("files")}:`);
    kit.files.forEach((f, i) => {
      const licence = `${licenceNames[f.licence]}${licenceUrls[f.licence] ? ` (${licenceUrls[f.licence]})` : ` — ${t("licence.all-rights-reserved")}`}`;
      lines.push(`- ${zipEntryName(f, i)}: ${pick(f.caption)}`, `  ${t("credit")}: ${f.credit}`, `  ${t("licenceLabel")}: ${licence}`);
    });
    lines.push("");
  }
  lines.push(kit.apId.href, "");
  return lines.join("\r\n");
}

/**
 * The whole kit in one language as a ZIP, streamed (yazl reads each file from disk when it reaches
 * it): README.txt first, then the files under their position and kind. Dates inside are the kit's
 * publication (or creation), so the same kit gives the same archive.
 */
export function pressKitZip(kit: PressKitView, lang: string, opts: { translate: Translate; pathOf: (name: string) => string | undefined; underEmbargo: boolean }): Readable {
  const zip = new yazl.ZipFile();
  const mtime = new Date((kit.publishedAt ?? kit.createdAt).epochMilliseconds);
  zip.addBuffer(Buffer.from(pressKitReadme(kit, lang, opts.translate, { underEmbargo: opts.underEmbargo }), "utf8"), "README.txt", { mtime, mode: 0o100644 });
  kit.files.forEach((f, i) => {
    const path = opts.pathOf(f.name);
    if (path) zip.addFile(path, zipEntryName(f, i), { mtime, mode: 0o100644, compress: f.mediaType === "application/pdf" });
  });
  zip.end();
  return zip.outputStream as Readable;
}
