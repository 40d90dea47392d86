// Photos inside an uploaded PDF (issue 10, ADR 0024): a press release exported with a phone's photo
// carries the photo's GPS position and camera inside the PDF, in the JPEG itself. The stored PDF's
// JPEGs — found by their bytes, without a PDF library — come out without Exif, XMP or comments (read by
// exiftool), with their image data byte for byte as before, and the page still shows the image (pdf.js).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { PDFArray, PDFDocument, PDFName, PDFRawStream } from "pdf-lib";
import { getDocument, OPS } from "pdfjs-dist/legacy/build/pdf.mjs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaService } from "../../src/modules/media/media.service.ts";
import { PressFileStore } from "../../src/modules/presskit/presskit-files.ts";
import { exiftool, jpegMetadataSegments } from "../support/exif.ts";
import { authorName, gpsJpeg } from "../support/press-files.ts";

/** Each JPEG file in a PDF's bytes: from a start-of-image marker to the end of its stream. */
function jpegsIn(pdf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = pdf.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
  while (at >= 0) {
    const end = pdf.indexOf("endstream", at, "latin1");
    out.push(pdf.subarray(at, end < 0 ? pdf.length : end));
    at = pdf.indexOf(Buffer.from([0xff, 0xd8, 0xff]), end < 0 ? pdf.length : end);
  }
  return out;
}
/** The image data of a JPEG: from its start-of-scan marker on. */
const scanOf = (jpeg: Buffer) => jpeg.subarray(jpeg.indexOf(Buffer.from([0xff, 0xda])));

/** A JPEG with GPS Exif, an XMP packet and a comment naming its author. */
async function phonePhoto(): Promise<Buffer> {
  const jpeg = await gpsJpeg(640, 480);
  const segment = (marker: number, payload: Buffer) => Buffer.concat([Buffer.from([0xff, marker, ((payload.length + 2) >> 8) & 0xff, (payload.length + 2) & 0xff]), payload]);
  const xmp = segment(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>${authorName}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`, "latin1"));
  const comment = segment(0xfe, Buffer.from(`Photo: ${authorName}`, "latin1"));
  return Buffer.concat([jpeg.subarray(0, 2), xmp, comment, jpeg.subarray(2)]);
}

describe("JPEGs inside uploaded PDFs", () => {
  let dir: string;
  let store: PressFileStore;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "relais-press-"));
    store = new PressFileStore(new MediaService(dir));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lose their GPS position, camera, XMP and comments, and keep their image data", async () => {
    const photo = await phonePhoto();
    const doc = await PDFDocument.create();
    const page = doc.addPage([595, 842]);
    page.drawImage(await doc.embedJpg(new Uint8Array(photo)), { x: 50, y: 300, width: 480, height: 360 });
    const input = Buffer.from(await doc.save({ useObjectStreams: false }));
    const [inside] = jpegsIn(input);
    if (!inside) throw new Error("the test PDF has no JPEG");
    const before = await exiftool(inside);
    expect(before["EXIF:GPSLatitude"]).toBeCloseTo(45.7578, 2);
    expect(before["EXIF:Make"]).toBe("RelaisTestCam");
    expect(before["XMP:Creator"]).toBe(authorName);
    expect(before["File:Comment"]).toContain(authorName);

    const result = await store.store(input, "document");
    if (!result.ok) throw new Error(result.reason);
    const bytes = readFileSync(join(dir, result.file.name));
    const jpegs = jpegsIn(bytes);
    expect(jpegs).toHaveLength(1);
    const [cleaned] = jpegs as [Buffer];
    const tags = await exiftool(cleaned);
    expect(Object.keys(tags).filter((k) => /^(EXIF|XMP|IPTC|Composite:GPS|File:Comment)/.test(k))).toEqual([]);
    expect(jpegMetadataSegments(cleaned)).toEqual([]);
    expect(bytes.includes(Buffer.from("RelaisTestCam"))).toBe(false);
    expect(bytes.includes(Buffer.from(authorName))).toBe(false);
    expect(scanOf(cleaned).equals(scanOf(inside))).toBe(true);
    expect((await sharp(cleaned).metadata()).width).toBe(640);

    const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false }).promise;
    const ops = await (await pdf.getPage(1)).getOperatorList();
    expect(ops.fnArray).toContain(OPS.paintImageXObject);

    // The same photo deflated inside the PDF (FlateDecode then DCTDecode): stored as a plain JPEG, clean.
    const deflated = await PDFDocument.load(new Uint8Array(input));
    for (const [ref, object] of deflated.context.enumerateIndirectObjects()) {
      if (!(object instanceof PDFRawStream) || object.dict.get(PDFName.of("Filter")) !== PDFName.of("DCTDecode")) continue;
      object.dict.set(PDFName.of("Filter"), PDFArray.withContext(deflated.context));
      (object.dict.get(PDFName.of("Filter")) as PDFArray).push(PDFName.of("FlateDecode"));
      (object.dict.get(PDFName.of("Filter")) as PDFArray).push(PDFName.of("DCTDecode"));
      deflated.context.assign(ref, PDFRawStream.of(object.dict, new Uint8Array(deflateSync(object.contents))));
    }
    const hidden = Buffer.from(await deflated.save({ useObjectStreams: false }));
    expect(jpegsIn(hidden)).toEqual([]);
    const second = await store.store(hidden, "document");
    if (!second.ok) throw new Error(second.reason);
    const [plain] = jpegsIn(readFileSync(join(dir, second.file.name)));
    if (!plain) throw new Error("the deflated JPEG was not stored as a JPEG");
    expect(Object.keys(await exiftool(plain)).filter((k) => /^(EXIF|XMP|IPTC|Composite:GPS|File:Comment)/.test(k))).toEqual([]);
    expect(scanOf(plain).equals(scanOf(inside))).toBe(true);
    const again = await getDocument({ data: new Uint8Array(readFileSync(join(dir, second.file.name))), useSystemFonts: false }).promise;
    expect((await (await again.getPage(1)).getOperatorList()).fnArray).toContain(OPS.paintImageXObject);
  });
});
