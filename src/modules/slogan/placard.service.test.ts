// Placards are rendered once per slogan version and what they show, kept on disk, and the files of older
// versions go when a newer version's first file is written.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parsePlacardFile, parseShareImageFile, PlacardService } from "./placard.service.ts";
import type { SloganView } from "./slogan.types.ts";

const dir = mkdtempSync(join(tmpdir(), "relais-placards-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const slogan = (version: number, fr: string): SloganView => ({
  id: "0d6c3b0e-7f57-4c8e-9d6e-2b0f6b7e1a11",
  apId: new URL("https://relais.example/slogans/0d6c3b0e-7f57-4c8e-9d6e-2b0f6b7e1a11"),
  text: { fr },
  tags: [],
  version,
  published: true,
  collective: { id: "c", apId: new URL("https://relais.example/@lyon"), slug: "lyon", primaryLanguage: "fr", name: { fr: "Droits sociaux Lyon" } },
  createdAt: Temporal.Instant.fromEpochMilliseconds(0),
  updatedAt: Temporal.Instant.fromEpochMilliseconds(0),
});

describe("placard files", () => {
  it("are rendered once per version, and older versions' files are removed", async () => {
    const service = new PlacardService(dir);
    const v1 = slogan(1, "Pas de tri des pauvres");
    const [a, b] = await Promise.all([service.placard(v1, "fr", "a4", "portrait"), service.placard(v1, "fr", "a4", "portrait")]);
    expect(a && b && Buffer.compare(a, b)).toBe(0);
    const folder = join(dir, v1.id);
    expect(readdirSync(folder)).toHaveLength(1);
    expect(await service.placard(v1, "de", "a4", "portrait")).toBeUndefined();
    await service.shareImage(v1, "fr");
    expect(readdirSync(folder)).toHaveLength(2);
    const v2 = await service.placard(slogan(2, "Pas de score pour nos vies"), "fr", "a3", "landscape");
    expect(v2 && a && Buffer.compare(v2, a)).not.toBe(0);
    expect(readdirSync(folder).map((f) => f.slice(0, 3))).toEqual(["v2-"]);
    await service.remove(v1.id);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("are named in URLs by language, size and orientation", () => {
    expect(parsePlacardFile("fr-a4-portrait.pdf")).toEqual({ language: "fr", size: "a4", orientation: "portrait" });
    expect(parsePlacardFile("es-a4-portrait.pdf")).toBeUndefined();
    expect(parsePlacardFile("fr-a5-portrait.pdf")).toBeUndefined();
    expect(parsePlacardFile("../fr-a4-portrait.pdf")).toBeUndefined();
    expect(parseShareImageFile("nl-v12.png")).toEqual({ language: "nl", version: 12 });
    expect(parseShareImageFile("nl-v0.png")).toBeUndefined();
  });
});
