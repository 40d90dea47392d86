import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createI18n, fallbackLanguage, loadLocaleResources, missingTranslationKeys, t } from "./i18n.ts";

const scratch = mkdtempSync(join(tmpdir(), "relais-locales-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeLocales(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(scratch, "l-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), typeof content === "string" ? content : JSON.stringify(content));
  }
  return dir;
}

function flatKeys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => flatKeys(v, prefix ? `${prefix}.${k}` : k));
}

describe("createI18n", () => {
  it("loads every namespace file of every language, with no code change for a new one", () => {
    const dir = writeLocales({
      "en/event.json": { hello: "Hello {{name}}" },
      "en/web.json": { title: "Calendar" },
      "fr/event.json": { hello: "Bonjour {{name}}" },
      "fr/web.json": { title: "Agenda" },
    });
    const i18n = createI18n({ localesDir: dir });
    expect(i18n.t("web:title", { lng: "fr" })).toBe("Agenda");
    expect(i18n.t("event:hello", { lng: "fr", name: "Lyon" })).toBe("Bonjour Lyon");
  });

  it("falls back from a regional variant to its language, then to English", () => {
    const dir = writeLocales({
      "en/event.json": { a: "A en", b: "B en" },
      "fr/event.json": { a: "A fr" },
    });
    const i18n = createI18n({ localesDir: dir });
    expect(i18n.t("event:a", { lng: "fr-BE" })).toBe("A fr");
    expect(i18n.t("event:b", { lng: "fr" })).toBe("B en");
    expect(i18n.t("event:a", { lng: "sw" })).toBe("A en");
  });

  it("does not HTML-escape interpolated values (translations are plain text)", () => {
    const i18n = createI18n({ resources: { en: { event: { x: "{{v}}" } } } });
    expect(i18n.t("event:x", { lng: "en", v: "Bar & <Co>" })).toBe("Bar & <Co>");
  });

  it("names the file that is not valid JSON", () => {
    const dir = writeLocales({ "en/event.json": "{ not json" });
    expect(() => loadLocaleResources(dir)).toThrow(/en\/event\.json is not valid JSON/);
  });

  it("refuses a folder that is not a language code", () => {
    const dir = writeLocales({ "English/event.json": {} });
    expect(() => loadLocaleResources(dir)).toThrow(/locales\/English/);
  });
});

describe("the project's locale files", () => {
  const resources = loadLocaleResources();
  const english = resources[fallbackLanguage] ?? {};

  it("exist for fr, de, nl and en", () => {
    expect(Object.keys(resources)).toEqual(expect.arrayContaining(["fr", "de", "nl", "en"]));
  });

  for (const [lang, namespaces] of Object.entries(resources)) {
    it(`${lang} has every English key and no stray key`, () => {
      for (const [ns, content] of Object.entries(english)) {
        const mine = new Set(flatKeys(namespaces[ns] ?? {}));
        const missing = flatKeys(content).filter((k) => !mine.has(k));
        expect(missing, `${lang}/${ns}.json is missing keys`).toEqual([]);
      }
      for (const [ns, content] of Object.entries(namespaces)) {
        const inEnglish = new Set(flatKeys(english[ns] ?? {}));
        // Allowed extras: exonyms (cities.*) and i18next context variants (key_context).
        const stray = flatKeys(content).filter(
          (k) => !inEnglish.has(k) && !k.startsWith("cities.") && !inEnglish.has(k.replace(/_[a-z]+$/, "")),
        );
        expect(stray, `${lang}/${ns}.json has keys English lacks`).toEqual([]);
      }
    });
  }

  it("are reachable through t()", () => {
    expect(t("fr", "event:where.online")).toBe("en ligne");
    expect(t("de", "event:where.online")).toBe("online");
    expect(t("fr", "event:when.zone", { city: "Paris" })).toBe("heure de Paris");
  });
});

describe("missing keys", () => {
  it("are remembered with their namespace, except city names (each locale lists only its exonyms)", () => {
    const i18n = createI18n({ resources: { en: { probe: { here: "Here" } } } });
    expect(i18n.t("probe:here", { lng: "fr" })).toBe("Here");
    expect(i18n.t("probe:cities.Europe/Paris", { lng: "fr", defaultValue: "Paris" })).toBe("Paris");
    expect(missingTranslationKeys()).not.toContain("probe:here");
    expect(missingTranslationKeys()).not.toContain("probe:cities.Europe/Paris");
    i18n.t("probe:nowhere.to.be.found", { lng: "de" });
    expect(missingTranslationKeys()).toContain("probe:nowhere.to.be.found");
  });
});
