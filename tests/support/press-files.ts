// Files for the press kit tests, made without the code under test: a JPEG with GPS EXIF (sharp makes the
// pixels, exif.ts the Exif segment), a PDF naming its author (pdf-lib with an XMP packet), and the hostile
// ones (an SVG, an HTML page named .pdf, polyglots). Read back by exiftool and pdf.js, never by pdf-lib.
import { PDFDocument, PDFName, StandardFonts } from "pdf-lib";
import sharp from "sharp";
import { withGpsExif } from "./exif.ts";

export const authorName = "Ana Marker-Secret";

export async function gpsJpeg(width = 800, height = 600): Promise<Buffer> {
  const plain = await sharp({ create: { width, height, channels: 3, background: "#2a6" } }).jpeg().toBuffer();
  return withGpsExif(plain, 45.7578, 4.832);
}

/** A one-page PDF with Author, Creator, Producer, Title and an XMP packet naming the author. */
export async function authoredPdf(text = "Communiqué de presse"): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setAuthor(authorName);
  doc.setCreator(`Writer of ${authorName}`);
  doc.setProducer("LibreOffice 7.5 (Ana's laptop)");
  doc.setTitle("Communiqué");
  const page = doc.addPage([595, 842]);
  page.drawText(text, { x: 50, y: 780, size: 18, font: await doc.embedFont(StandardFonts.Helvetica) });
  const xmp = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>${authorName}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
  doc.catalog.set(PDFName.of("Metadata"), doc.context.register(doc.context.stream(xmp, { Type: "Metadata", Subtype: "XML" })));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

export const svgFile = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>');
export const htmlAsPdf = Buffer.from("<!doctype html><html><body><script>fetch('/manage')</script></body></html>");

/** Starts as a PDF, and is an HTML page to a browser that sniffs. */
export async function pdfHtmlPolyglot(): Promise<Buffer> {
  const pdf = await authoredPdf();
  return Buffer.concat([pdf, Buffer.from("\n<html><script>alert(document.cookie)</script></html>\n")]);
}

/** A real JPEG with a ZIP archive appended (readers of either format open it). */
export async function jpegZipPolyglot(): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#fff" } }).jpeg().toBuffer();
  const name = Buffer.from("x.html");
  const body = Buffer.from("<b>hi</b>");
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(name.length, 26);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(body.length, 22);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt32LE(body.length, 20);
  central.writeUInt32LE(body.length, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(jpeg.length, 42);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length + name.length, 12);
  eocd.writeUInt32LE(jpeg.length + local.length + name.length + body.length, 16);
  return Buffer.concat([jpeg, local, name, body, central, name, eocd]);
}

/** What pdf.js (an independent parser) reads of a PDF: its information dictionary, its XMP, its text. */
export async function readPdf(bytes: Uint8Array): Promise<{ info: Record<string, unknown>; xmp: string | null; text: string; pages: number }> {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: 0 });
  const doc = await task.promise;
  try {
    const meta = await doc.getMetadata();
    const content = await (await doc.getPage(1)).getTextContent();
    const text = content.items.map((i) => ("str" in i ? i.str : "")).join("");
    const raw = meta.metadata as unknown as { getRaw?(): string } | null;
    return { info: (meta.info ?? {}) as Record<string, unknown>, xmp: raw ? (raw.getRaw?.() ?? "present") : null, text, pages: doc.numPages };
  } finally {
    await task.destroy();
  }
}
