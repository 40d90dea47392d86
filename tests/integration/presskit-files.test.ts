// Files of press kits are checked by their bytes and cleaned before they are stored: a photo with GPS
// EXIF and a PDF naming its author come out without either (read back by exiftool and pdf.js, not by
// the code under test); SVG, an HTML page renamed .pdf and polyglots are refused, nothing stored.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaService } from "../../src/modules/media/media.service.ts";
import { PressFileStore } from "../../src/modules/presskit/presskit-files.ts";
import { exiftool, jpegMetadataSegments } from "../support/exif.ts";
import { authoredPdf, authorName, gpsJpeg, htmlAsPdf, jpegZipPolyglot, pdfHtmlPolyglot, readPdf, svgFile } from "../support/press-files.ts";

describe("press kit files", () => {
  let dir: string;
  let store: PressFileStore;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "relais-press-"));
    store = new PressFileStore(new MediaService(dir));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const stored = () => readdirSync(dir).filter((n) => !n.startsWith("."));

  it("re-encodes a photo without its GPS position or any other metadata", async () => {
    const input = await gpsJpeg();
    const before = await exiftool(input);
    expect(before["EXIF:GPSLatitude"]).toBeCloseTo(45.7578, 2);
    const result = await store.store(input, "photo");
    if (!result.ok) throw new Error(result.reason);
    expect(result.file.name).toMatch(/^[0-9a-f]{32}\.jpg$/);
    const bytes = readFileSync(join(dir, result.file.name));
    const tags = await exiftool(bytes);
    expect(Object.keys(tags).filter((k) => /^(EXIF|XMP|IPTC|GPS|Composite:GPS)/.test(k))).toEqual([]);
    expect(JSON.stringify(tags)).not.toContain("RelaisTestCam");
    expect(jpegMetadataSegments(bytes)).toEqual([]);
    expect(tags["File:ImageWidth"]).toBe(800);
  });

  it("writes a PDF again without author, creator, producer or XMP", async () => {
    const input = await authoredPdf();
    const before = await exiftool(input);
    expect(before["PDF:Author"]).toBe(authorName);
    expect(before["XMP:Creator"]).toBe(authorName);
    const result = await store.store(input, "document");
    if (!result.ok) throw new Error(result.reason);
    expect(result.file).toMatchObject({ mediaType: "application/pdf" });
    const bytes = readFileSync(join(dir, result.file.name));
    const tags = await exiftool(bytes);
    expect(Object.keys(tags).filter((k) => /^(PDF:(Author|Creator|Producer|Title)|XMP)/.test(k))).toEqual([]);
    expect(bytes.includes(Buffer.from(authorName))).toBe(false);
    const read = await readPdf(bytes);
    expect(read.info.Author).toBeUndefined();
    expect(read.info.Creator).toBeUndefined();
    expect(read.info.Producer).toBeUndefined();
    expect(read.xmp).toBeNull();
    expect(read.text).toContain("Communiqué de presse");
  });

  it("refuses SVG, an HTML page named .pdf and polyglots, storing nothing", async () => {
    const before = stored().length;
    expect(await store.store(svgFile, "logo")).toEqual({ ok: false, reason: "not-allowed" });
    expect(await store.store(htmlAsPdf, "document")).toEqual({ ok: false, reason: "not-allowed" });
    expect(await store.store(await pdfHtmlPolyglot(), "document")).toEqual({ ok: false, reason: "polyglot" });
    expect(await store.store(await jpegZipPolyglot(), "photo")).toEqual({ ok: false, reason: "polyglot" });
    const withScript = await gpsJpeg(32, 32);
    const comment = Buffer.from("<script>alert(1)</script>");
    const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, comment.length + 2]), comment]);
    expect(await store.store(Buffer.concat([withScript.subarray(0, 2), com, withScript.subarray(2)]), "photo")).toEqual({ ok: false, reason: "polyglot" });
    expect(await store.store(await authoredPdf(), "photo")).toEqual({ ok: false, reason: "wrong-kind" });
    expect(stored().length).toBe(before);
  });
});
