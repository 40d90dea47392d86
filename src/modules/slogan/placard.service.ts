import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pickLanguage } from "../../shared/language.ts";
import { type PlacardInput, type PlacardOrientation, type PlacardSize, placardOrientations, placardSizes, renderPlacardPdf, renderShareImage } from "./placard.ts";
import { isSloganLanguage, type SloganLanguage, type SloganView } from "./slogan.types.ts";

export type PlacardFormat = `${PlacardSize}-${PlacardOrientation}`;
export const placardFormats: readonly PlacardFormat[] = (Object.keys(placardSizes) as PlacardSize[]).flatMap((s) => placardOrientations.map((o) => `${s}-${o}` as const));

/** A placard's file name in its URL: `fr-a4-portrait.pdf`. */
export function parsePlacardFile(file: string): { language: SloganLanguage; size: PlacardSize; orientation: PlacardOrientation } | undefined {
  const m = /^([a-z]{2})-(a4|a3)-(portrait|landscape)\.pdf$/.exec(file);
  if (!m || !isSloganLanguage(m[1] as string)) return undefined;
  return { language: m[1] as SloganLanguage, size: m[2] as PlacardSize, orientation: m[3] as PlacardOrientation };
}

/** A share image's file name in its URL: `fr-v3.png`. */
export function parseShareImageFile(file: string): { language: SloganLanguage; version: number } | undefined {
  const m = /^([a-z]{2})-v([1-9][0-9]{0,8})\.png$/.exec(file);
  if (!m || !isSloganLanguage(m[1] as string)) return undefined;
  return { language: m[1] as SloganLanguage, version: Number(m[2]) };
}

/** What a placard of a slogan in a language shows; undefined when the slogan has no text in it. */
export function placardInput(slogan: SloganView, language: SloganLanguage): PlacardInput | undefined {
  const text = slogan.text[language];
  if (text === undefined) return undefined;
  const collectiveName = pickLanguage(slogan.collective.name, [language], slogan.collective.primaryLanguage)?.text ?? slogan.collective.slug;
  return { text, language, collectiveName, link: slogan.call?.apId.href };
}

/**
 * Placards and share images, rendered once per slogan version and input and kept under `dir` (one
 * folder per slogan; a new version's first file removes the older versions' files). Rendering takes
 * about a second per file; concurrent requests for the same file share one rendering.
 */
export class PlacardService {
  readonly #dir: string;
  readonly #rendering = new Map<string, Promise<Buffer>>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  async placard(slogan: SloganView, language: SloganLanguage, size: PlacardSize, orientation: PlacardOrientation): Promise<Buffer | undefined> {
    const input = placardInput(slogan, language);
    if (!input) return undefined;
    return this.#cached(slogan, `${language}-${size}-${orientation}`, "pdf", input, async () => Buffer.from(await renderPlacardPdf(input, size, orientation)));
  }

  async shareImage(slogan: SloganView, language: SloganLanguage): Promise<Buffer | undefined> {
    const input = placardInput(slogan, language);
    if (!input) return undefined;
    return this.#cached(slogan, `${language}-share`, "png", input, () => renderShareImage(input));
  }

  /** Forgets every file of a slogan (deleted). */
  async remove(sloganId: string): Promise<void> {
    await rm(join(this.#dir, sloganId), { recursive: true, force: true });
  }

  async #cached(slogan: SloganView, name: string, ext: string, input: PlacardInput, render: () => Promise<Buffer>): Promise<Buffer> {
    // The version names the text; the hash covers what else the file shows (the collective's name, the call's link).
    const hash = createHash("sha256").update(JSON.stringify(input)).digest("hex").slice(0, 12);
    const folder = join(this.#dir, slogan.id);
    const file = `v${slogan.version}-${name}-${hash}.${ext}`;
    const path = join(folder, file);
    const existing = await readFile(path).catch(() => undefined);
    if (existing) return existing;
    const pending = this.#rendering.get(path);
    if (pending) return pending;
    const work = (async () => {
      const bytes = await render();
      await mkdir(folder, { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
      await this.#prune(folder, slogan.version);
      return bytes;
    })();
    this.#rendering.set(path, work);
    try {
      return await work;
    } finally {
      this.#rendering.delete(path);
    }
  }

  /** Removes the files of older versions. */
  async #prune(folder: string, version: number): Promise<void> {
    for (const f of await readdir(folder).catch(() => [] as string[])) {
      const v = /^v(\d+)-/.exec(f)?.[1];
      if (v !== undefined && Number(v) < version) await rm(join(folder, f), { force: true });
    }
  }
}
