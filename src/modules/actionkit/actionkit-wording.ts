import type { Translate } from "../../shared/i18n.ts";

/** How a kit's Article is worded around the editors' text, in each of its languages. */
export interface ActionKitWording {
  letter(title: string, language: string): string;
  institution(institution: string, language: string): string;
  legalBasis(legalBasis: string, language: string): string;
  steps(language: string): string;
  /** "Action kit adopted from <partner>", for an adopted kit. */
  origin(name: string, language: string): string;
  /** Where to fill the letters in, and that nothing typed leaves the device. */
  fill(language: string): string;
}

export function actionKitWording(t: Translate): ActionKitWording {
  return {
    letter: (title, language) => t(language, "actionkit:article.letter", { title }),
    institution: (institution, language) => t(language, "actionkit:article.institution", { institution }),
    legalBasis: (legalBasis, language) => t(language, "actionkit:article.legalBasis", { legalBasis }),
    steps: (language) => t(language, "actionkit:article.steps"),
    origin: (name, language) => t(language, "actionkit:article.origin", { name }),
    fill: (language) => t(language, "actionkit:article.fill"),
  };
}
