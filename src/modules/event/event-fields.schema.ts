import { z } from "zod";
import { languageMapSchema } from "../../shared/language-map.schema.ts";
import { storableMultiline } from "../../shared/plain-text.ts";
import { type EventData, eventCategories } from "./event.types.ts";

// The fields of an event's request body, one schema each (event.schema.ts puts them together). Every
// schema says, in its message, what is expected.

export const eventLimits = {
  name: 200,
  summary: 300,
  description: 20_000,
  statusReason: 500,
  alt: 1_500,
  placeField: 200,
  postalCode: 20,
  url: 2_000,
  tags: 20,
  tag: 60,
  links: 10,
  linkTitle: 200,
  languages: 20,
  contact: 320,
} as const;

/** ISO 3166-1 alpha-2 codes (as in tzdata's iso3166.tab). */
const countryCodes = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO " +
    "FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE " +
    "JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO " +
    "MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW " +
    "PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM " +
    "TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
  ).split(" "),
);

export function isCountryCode(value: string): boolean {
  return countryCodes.has(value);
}

export const allCountryCodes: readonly string[] = [...countryCodes];

/** Control characters and runs of spaces become one space: names, summaries and addresses are one line. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.toWellFormed().replace(/[\u0000-\u001f\u007f\s]+/g, " ").trim();
}

const tooLong = (max: number) => (iss: { input?: unknown }) =>
  `must be at most ${max} characters (it has ${String(iss.input).length}); shorten it`;

export const lineOf = (max: number, example: string) =>
  z
    .string({ error: `must be text, e.g. "${example}"` })
    .transform(oneLine)
    .pipe(z.string().min(1, "must not be empty").max(max, { error: tooLong(max) }));


export const languageMap = (max: number, multiline = false) =>
  languageMapSchema({ max, languages: eventLimits.languages, clean: (text) => (multiline ? storableMultiline(text).trim() : oneLine(text)) });

export function checkHttpUrl(value: string): URL | string {
  if (value.length > eventLimits.url) return `must be at most ${eventLimits.url} characters`;
  if (!URL.canParse(value)) return `"${value}" is not a full URL; write it like https://example.org/page`;
  const url = new URL(value);
  if (url.protocol !== "https:" && url.protocol !== "http:") return `must start with https:// (not ${url.protocol})`;
  if (url.username !== "" || url.password !== "") return "must not contain a user name or password";
  return url;
}

export const httpUrl = z.string({ error: "must be a URL, e.g. https://example.org/page" }).transform((value, ctx) => {
  const url = checkHttpUrl(value.trim());
  if (typeof url === "string") {
    ctx.addIssue({ code: "custom", message: url });
    return z.NEVER;
  }
  return url.href;
});

export const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

export const placeShape = {
  name: optional(lineOf(eventLimits.placeField, "Place Bellecour")),
  streetAddress: optional(lineOf(eventLimits.placeField, "10 rue Jangot")),
  postalCode: optional(lineOf(eventLimits.postalCode, "69007")),
  locality: optional(lineOf(eventLimits.placeField, "Lyon")),
  region: optional(lineOf(eventLimits.placeField, "Auvergne-Rhône-Alpes")),
  country: optional(
    z
      .string({ error: 'must be a two-letter ISO country code, e.g. "FR"' })
      .transform((c) => c.trim().toUpperCase())
      .refine(isCountryCode, { error: (iss) => `"${String(iss.input)}" is not an ISO 3166 country code; use e.g. FR, BE, DE, CH, NL or CA` }),
  ),
  latitude: optional(
    z.number({ error: "must be a number of degrees, e.g. 45.7578" }).min(-90, "must be between -90 and 90").max(90, "must be between -90 and 90"),
  ),
  longitude: optional(
    z.number({ error: "must be a number of degrees, e.g. 4.832" }).min(-180, "must be between -180 and 180").max(180, "must be between -180 and 180"),
  ),
};

export const placeSchema = z
  .strictObject(
    placeShape,
    { error: 'must be an object such as {"name": "Place Bellecour", "locality": "Lyon", "country": "FR"}' },
  )
  .superRefine((p, ctx) => {
    if (!p.name && !p.streetAddress && !p.locality) {
      ctx.addIssue({ code: "custom", message: "give at least a name, a street address or a locality" });
    }
    if ((p.latitude == null) !== (p.longitude == null)) {
      ctx.addIssue({ code: "custom", path: [p.latitude == null ? "latitude" : "longitude"], message: "give latitude and longitude together, or neither" });
    }
  })
  .transform((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v != null)) as NonNullable<EventData["location"]>);

export const imageSchema = z.strictObject(
  {
    url: httpUrl,
    mediaType: optional(z.string({ error: 'must be an image type such as "image/jpeg"' }).regex(/^image\/[a-z0-9.+-]+$/, 'must be an image type such as "image/jpeg"')),
    alt: optional(languageMap(eventLimits.alt)),
  },
  { error: 'must be an object such as {"url": "https://…/poster.jpg", "alt": {"fr": "…"}}' },
);

export const linkSchema = z.strictObject(
  { url: httpUrl, title: optional(lineOf(eventLimits.linkTitle, "Programme")) },
  { error: 'must be an object such as {"url": "https://…", "title": "Programme"}' },
);

export const tagsSchema = z
  .array(z.string({ error: 'must be text, e.g. "climat"' }), { error: 'must be a list of words, e.g. ["climat", "lyon"]' })
  .max(eventLimits.tags, `at most ${eventLimits.tags} tags; keep the most useful`)
  .transform((raw, ctx) => {
    const seen = new Set<string>();
    const tags: string[] = [];
    raw.forEach((value, i) => {
      const tag = value.trim().replace(/^#+/, "");
      const issue = (message: string) => ctx.addIssue({ code: "custom", path: [i], message });
      if (tag === "") issue("is empty; remove it");
      else if (tag.length > eventLimits.tag) issue(`must be at most ${eventLimits.tag} characters`);
      else if (!/^[\p{L}\p{M}\p{N}_]+$/u.test(tag)) {
        const suggestion = tag.replace(/[^\p{L}\p{M}\p{N}_]+/gu, "_").replace(/^_+|_+$/g, "");
        issue(`"${value}" is not one word: hashtags hold letters, digits and _ only; write e.g. "${suggestion}"`);
      } else if (!seen.has(tag.toLowerCase())) {
        seen.add(tag.toLowerCase());
        tags.push(tag);
      }
    });
    return tags;
  });

const email = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

export const contactSchema = z.string({ error: "must be an email address or a URL" }).transform((value, ctx) => {
  const v = value.trim();
  if (v.length <= eventLimits.contact && email.test(v.replace(/^mailto:/i, ""))) return v.replace(/^mailto:/i, "");
  const url = checkHttpUrl(v);
  if (typeof url !== "string") return url.href;
  ctx.addIssue({ code: "custom", message: `"${v}" is neither an email address (name@example.org) nor a web address (https://…)` });
  return z.NEVER;
});

export const categorySchema = z
  .string({ error: "must be a category name" })
  .transform((c) => c.trim().toUpperCase().replace(/[\s-]+/g, "_"))
  .pipe(z.enum(eventCategories, { error: `must be one of ${eventCategories.join(", ")}` }));

export const timeString = z.string({ error: 'must be a date and time as text, e.g. "2026-03-08T14:00:00+01:00"' });
