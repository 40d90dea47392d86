import type { Translate } from "../../shared/i18n.ts";
import { pickLanguage } from "../../shared/language.ts";
import type { SloganView } from "./slogan.types.ts";

/** How a slogan's post is worded around the slogan itself, in a reader's language. */
export interface SloganWording {
  /** "Slogan adopted from <partner>", for an adopted slogan. */
  origin(name: string, language: string): string;
  /** The share image's alt text: what it shows. */
  shareAlt(slogan: SloganView, language: string): string;
  forCall(title: string, language: string): string;
  forEvent(name: string, language: string): string;
}

export function sloganWording(t: Translate): SloganWording {
  return {
    origin: (name, language) => t(language, "slogan:note.origin", { name }),
    shareAlt: (slogan, language) => {
      const primary = slogan.collective.primaryLanguage;
      const text = pickLanguage(slogan.text, [language], primary)?.text ?? "";
      const collective = pickLanguage(slogan.collective.name, [language], primary)?.text ?? slogan.collective.slug;
      return t(language, "slogan:note.shareAlt", { text, collective });
    },
    forCall: (title, language) => t(language, "slogan:note.forCall", { title }),
    forEvent: (name, language) => t(language, "slogan:note.forEvent", { name }),
  };
}
