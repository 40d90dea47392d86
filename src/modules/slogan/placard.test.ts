// Placards and share images, read back with independent parsers: pdfjs-dist (Mozilla's PDF reader) for
// the text, its size and where it sits on the page; sharp for the PNG's size. The longest slogan allowed
// (120 characters) in each language fits every paper size and orientation in large type.
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { type PlacardOrientation, type PlacardSize, placardSizes, renderPlacardPdf, renderShareImage } from "./placard.ts";

/** The longest slogans allowed, exactly 120 characters each, with each language's long words and letters. */
const longest: Record<string, string> = {
  fr: "Ni tri, ni score, ni contrôle algorithmique : nos droits sociaux ne se calculent pas, ils se défendent ensemble, ça oui.",
  de: "Schluss mit der Überwachung: Sozialleistungsempfängerinnen und -empfänger sind keine Risikofälle! Würde für alle, jetzt!",
  nl: "Geen algoritmische controle van uitkeringsgerechtigden: onze sociale rechten zijn geen risicoscores. Eén strijd, één wil",
  en: "No sorting, no scoring, no algorithmic control of claimants: our social rights are not calculated: we defend them, now!!",
};
const oneWord = "Sozialversicherungsfachangestelltengewerkschaftsversammlungsbeschlussumsetzungsüberwachungsbehördenmitarbeiterinnenfeste";

const link = "https://relais.example/calls/0d6c3b0e-7f57-4c8e-9d6e-2b0f6b7e1a11";

interface TextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
}

async function readPdf(bytes: Uint8Array) {
  const doc = await getDocument({ data: bytes.slice(), useSystemFonts: false }).promise;
  const page = await doc.getPage(1);
  const [, , width, height] = page.view as [number, number, number, number];
  const items = (await page.getTextContent()).items
    .filter((i) => "str" in i)
    .map((i) => i as unknown as TextItem)
    .filter((i) => i.str.trim() !== "");
  const meta = await doc.getMetadata();
  await doc.cleanup();
  return { pages: doc.numPages, width, height, items, info: meta.info as Record<string, unknown>, xmp: meta.metadata };
}

describe("placards", () => {
  it.each(Object.keys(longest))("fit the longest %s slogan on A4 and A3, portrait and landscape, in large type", async (language) => {
    const text = longest[language] as string;
    expect(text.length).toBe(120);
    for (const size of ["a4", "a3"] as PlacardSize[]) {
      for (const orientation of ["portrait", "landscape"] as PlacardOrientation[]) {
        const pdf = await renderPlacardPdf({ text, language, collectiveName: "Sociale rechten Gent – Gand", link }, size, orientation);
        expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe("%PDF-");
        const read = await readPdf(pdf);
        const [w, h] = placardSizes[size];
        expect(read.pages).toBe(1);
        expect([read.width, read.height].map(Math.round)).toEqual((orientation === "portrait" ? [w, h] : [h, w]).map(Math.round));
        // Every piece of text lies on the page, within 1 cm of its edges.
        for (const item of read.items) {
          const [, , , , x, y] = item.transform as [number, number, number, number, number, number];
          expect(x).toBeGreaterThanOrEqual(28);
          expect(x + item.width).toBeLessThanOrEqual(read.width - 28);
          expect(y).toBeGreaterThanOrEqual(28);
          expect(y + item.height).toBeLessThanOrEqual(read.height - 28);
        }
        // The slogan reads back whole, line by line, in type of more than 5 % of the short side (A4: over 29 pt, 10.5 mm).
        const short = Math.min(read.width, read.height);
        const big = read.items.filter((i) => i.height > short * 0.04);
        // Lines end at spaces, or in a word cut with a hyphen.
        expect(big.map((i) => i.str).join(" ").replace(/(\p{L})- /gu, "$1"), `${size} ${orientation}`).toBe(text);
        expect(Math.min(...big.map((i) => i.height))).toBeGreaterThan(short * 0.05);
        // The collective's name and the link are on it too, smaller.
        const small = read.items.filter((i) => i.height <= short * 0.04).map((i) => i.str);
        expect(small).toEqual(["Sociale rechten Gent – Gand", "relais.example/calls/0d6c3b0e-7f57-4c8e-9d6e-2b0f6b7e1a11"]);
      }
    }
  });

  it("cuts a single word wider than the page, and it still fits", async () => {
    expect(oneWord.length).toBe(120);
    const read = await readPdf(await renderPlacardPdf({ text: oneWord, language: "de", collectiveName: "Gent" }, "a4", "portrait"));
    const text = read.items.filter((i) => i.str !== "Gent");
    expect(text.map((i) => i.str.replace(/-$/, "")).join("")).toBe(oneWord);
    for (const item of text) expect((item.transform[4] as number) + item.width).toBeLessThanOrEqual(read.width);
  });

  it("are the same bytes for the same input, carry no date, author or XMP, and name no person", async () => {
    const input = { text: longest.fr as string, language: "fr", collectiveName: "Droits sociaux Lyon", link };
    const a = await renderPlacardPdf(input, "a3", "landscape");
    const b = await renderPlacardPdf(input, "a3", "landscape");
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    const other = await renderPlacardPdf({ ...input, collectiveName: "Droits sociaux Lille" }, "a3", "landscape");
    expect(Buffer.compare(Buffer.from(a), Buffer.from(other))).not.toBe(0);
    const read = await readPdf(a);
    expect(read.xmp).toBeNull();
    expect(read.info.Title).toBe(input.text);
    expect(read.info.Author).toBeUndefined();
    expect(read.info.CreationDate).toBeUndefined();
    expect(read.info.ModDate).toBeUndefined();
    expect(read.info.Producer).toBe("Relais");
    expect(read.info.Creator).toBe("Relais");
    expect(read.info.Language).toBe("fr");
    expect(Buffer.from(a).toString("latin1")).not.toMatch(/\/ID\s*\[/);
  });

  it("has a QR code only with a link: the page draws its modules", async () => {
    const input = { text: "Pas de tri des pauvres", language: "fr", collectiveName: "Droits sociaux Lyon" };
    const withLink = await renderPlacardPdf({ ...input, link }, "a4", "portrait");
    const without = await renderPlacardPdf(input, "a4", "portrait");
    expect(withLink.length - without.length).toBeGreaterThan(2000);
    const items = (await readPdf(without)).items.map((i) => i.str);
    expect(items.slice(0, -1).join(" ")).toBe(input.text);
    expect(items.at(-1)).toBe(input.collectiveName);
  });
});

describe("share images", () => {
  it.each(Object.keys(longest))("are 1200×630 PNGs for the longest %s slogan, the same bytes each time", async (language) => {
    const input = { text: longest[language] as string, language, collectiveName: "Droits sociaux Lyon", link };
    const png = await renderShareImage(input);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", 1200, 630]);
    expect(meta.exif).toBeUndefined();
    expect(Buffer.compare(png, await renderShareImage(input))).toBe(0);
  });
});
