import { z } from "zod";
import { canonicalLanguage, type LanguageMap } from "./language.ts";

/** The message of a text over its limit. */
export const tooLong = (max: number, length: number): string => `must be at most ${max} characters (it has ${length}); shorten it`;

/**
 * A multilingual text in a request body, `{"fr": "…", "de": "…"}`: language codes made canonical, each
 * text cleaned by `clean` (one line, or storable multiline text; whatever path it came by), none empty
 * or longer than `max`, at most `languages` of them, no language twice. Each problem names its key.
 */
export const languageMapSchema = (opts: { max: number; languages: number; clean: (text: string) => string }) =>
  z
    .record(z.string(), z.unknown(), { error: 'must be an object from language code to text, e.g. {"fr": "…", "de": "…"}' })
    .transform((raw, ctx) => {
      const out: Record<string, string> = {};
      const entries = Object.entries(raw);
      if (entries.length > opts.languages) ctx.addIssue({ code: "custom", message: `at most ${opts.languages} languages; remove some` });
      for (const [key, value] of entries) {
        const lang = canonicalLanguage(key);
        const issue = (message: string) => ctx.addIssue({ code: "custom", path: [key], message });
        if (lang === undefined) issue(`"${key}" is not a language code; use one such as fr, de, nl or en`);
        else if (typeof value !== "string") issue("must be text");
        else if (lang in out) issue(`the language ${lang} is given twice; keep one`);
        else {
          const text = opts.clean(value);
          if (text === "") issue("must not be empty: write the text or remove this language");
          else if (text.length > opts.max) issue(tooLong(opts.max, text.length));
          else out[lang] = text;
        }
      }
      return out as LanguageMap;
    });
