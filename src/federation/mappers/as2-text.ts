import { sanitizeEventHtml } from "../../modules/event/event-markdown.ts";
import { escapeHtml } from "../../shared/html.ts";
import type { LanguageMap } from "../../shared/language.ts";

/**
 * Text for AS2 documents, by the type of the field it goes into. Every text we publish passes here,
 * whatever was stored, so a name typed as `<img src=x onerror=…>` reaches no reader as markup:
 * - plain-text fields (`name`, a place's name and address, an attachment's `name`): AS2 says they
 *   hold no markup, yet Mastodon puts an Event's `name` into HTML; so they carry no tag at all;
 * - HTML fields built from plain text (`summary`): escaped;
 * - HTML fields (`content`): sanitized to the subset descriptions may use.
 */

// In HTML a `<` opens markup when a letter, `/`, `!` or `?` follows; the browser reads it up to the next
// `>` or to the end. Removing one such run can join two halves into a new one, hence the loop.
const markup = /<[a-z/!?][^>]*(?:>|$)/gi;

/** A plain-text field without any markup: tags, comments and declarations removed, spaces collapsed. */
export function plainText(text: string): string {
  let out = text;
  for (let before = ""; before !== out; ) {
    before = out;
    out = out.replace(markup, " ");
  }
  return out.replace(/\s+/g, " ").trim();
}

function mapValues(map: LanguageMap | null | undefined, f: (text: string) => string): LanguageMap | undefined {
  if (!map) return undefined;
  const entries = Object.entries(map)
    .map(([lang, text]) => [lang, f(text)] as const)
    .filter(([, text]) => text !== "");
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** A language map of plain-text values; languages left empty once the markup is gone are dropped. */
export function plainTextMap(map: LanguageMap | null | undefined): LanguageMap | undefined {
  return mapValues(map, plainText);
}

/** Plain text made into an HTML field's value: every markup character escaped. */
export function textAsHtmlMap(map: LanguageMap | null | undefined): LanguageMap | undefined {
  return mapValues(map, escapeHtml);
}

/** HTML fields (descriptions): sanitized again on the way out, whatever path stored them. */
export function sanitizedHtmlMap(map: LanguageMap | null | undefined): LanguageMap | undefined {
  return mapValues(map, sanitizeEventHtml);
}

/** An optional plain-text value: undefined when nothing is left. */
export function optionalPlainText(text: string | null | undefined): string | undefined {
  if (text === null || text === undefined) return undefined;
  return plainText(text) || undefined;
}
