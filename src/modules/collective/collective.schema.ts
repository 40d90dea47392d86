import { z } from "zod";
import { isLanguageTag, type LanguageMap } from "../../shared/language.ts";
import { storableMultiline } from "../../shared/plain-text.ts";

/** Lower-case letters, digits, `_` and inner `-`: valid in a fediverse handle everywhere (Mastodon included). */
export const slugPattern = /^[a-z0-9_](?:[a-z0-9_-]{0,62}[a-z0-9_])?$/;

export const languageMapSchema = (maxLength: number) =>
  z
    .record(z.string(), z.string())
    .superRefine((map, ctx) => {
      for (const [lang, text] of Object.entries(map)) {
        if (!isLanguageTag(lang))
          ctx.addIssue({ code: "custom", path: [lang], message: `"${lang}" is not a language code; use e.g. fr, de, nl, en` });
        if (storableMultiline(text).trim() === "") ctx.addIssue({ code: "custom", path: [lang], message: "must not be empty" });
        if (text.length > maxLength) ctx.addIssue({ code: "custom", path: [lang], message: `must be at most ${maxLength} characters` });
      }
    })
    // Text PostgreSQL cannot store (NUL, lone surrogates) is cleaned, whatever path it came by.
    .transform((map): LanguageMap => Object.fromEntries(Object.entries(map).map(([k, v]) => [k, storableMultiline(v).trim()])));

export const createCollectiveSchema = z
  .object({
    slug: z
      .string()
      .regex(slugPattern, "must be 1–64 lower-case letters, digits, '_' or '-' (not at either end), e.g. droits-sociaux-lyon"),
    name: languageMapSchema(200).refine((m) => Object.keys(m).length > 0, "give the name in at least one language"),
    summary: languageMapSchema(2000).optional(),
    primaryLanguage: z.string().refine(isLanguageTag, "must be a language code such as fr, de, nl or en"),
    manuallyApprovesFollowers: z.boolean().default(false),
    iconUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (!(v.primaryLanguage in v.name)) {
      ctx.addIssue({
        code: "custom",
        path: ["name"],
        message: `no name in the primary language "${v.primaryLanguage}": give one (e.g. --name-${v.primaryLanguage})`,
      });
    }
  });

export type CreateCollectiveInput = z.input<typeof createCollectiveSchema>;

/** The settings an owner changes: every field given (the form sends them all); `iconUrl` null removes the avatar. */
export const collectiveSettingsSchema = z
  .object({
    name: languageMapSchema(200).refine((m) => Object.keys(m).length > 0, "give the name in at least one language"),
    summary: languageMapSchema(2000),
    primaryLanguage: z.string().refine(isLanguageTag, "must be a language code such as fr, de, nl or en"),
    manuallyApprovesFollowers: z.boolean(),
    iconUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).nullable(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (!(v.primaryLanguage in v.name)) {
      ctx.addIssue({ code: "custom", path: ["name", v.primaryLanguage], message: `give the name in the primary language "${v.primaryLanguage}"` });
    }
  });

export type CollectiveSettingsInput = z.input<typeof collectiveSettingsSchema>;
