import { inflateSync } from "node:zlib";
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, PDFStream } from "pdf-lib";
import { stripJpegMetadata } from "./jpeg-metadata.ts";

export type PdfCleanResult = { readonly ok: true; readonly bytes: Uint8Array; readonly pages: number } | { readonly ok: false; readonly reason: "unreadable" | "encrypted" };

/** Keys that carry metadata (Info is the trailer's) or make a reader act on its own (scripts, launches). */
const catalogKeys = ["Metadata", "PieceInfo", "OpenAction", "AA", "URI", "SpiderInfo"];
const pageKeys = ["Metadata", "PieceInfo", "AA"];
const nameTreeKeys = ["JavaScript", "EmbeddedFiles"];

/**
 * A PDF written again by pdf-lib without what names people or acts by itself: the document information
 * dictionary (Author, Creator, Producer, Title, dates…), every XMP `/Metadata` stream (the catalog's,
 * the pages', the images'), page-piece data, open actions, document scripts and embedded files. Objects
 * nothing refers to any more are dropped too, so the old metadata is not left in the bytes, and nothing
 * after the last `%%EOF` survives (the file is serialised anew). JPEG images inside (DCTDecode streams,
 * deflated or not) lose their Exif, XMP, IPTC and comment segments, their image data untouched; one
 * that cannot be walked refuses the file. Encrypted PDFs are
 * refused: they cannot be read to be cleaned.
 */
export async function cleanPdf(input: Uint8Array): Promise<PdfCleanResult> {
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(input, { updateMetadata: false, ignoreEncryption: true, throwOnInvalidObject: true });
  } catch {
    return { ok: false, reason: "unreadable" };
  }
  if (doc.isEncrypted) return { ok: false, reason: "encrypted" };
  try {
    const { context, catalog } = doc;
    context.trailerInfo.Info = undefined;
    context.trailerInfo.ID = undefined;
    for (const key of catalogKeys) catalog.delete(PDFName.of(key));
    const names = catalog.lookupMaybe(PDFName.of("Names"), PDFDict);
    for (const key of nameTreeKeys) names?.delete(PDFName.of(key));
    for (const page of doc.getPages()) for (const key of pageKeys) page.node.delete(PDFName.of(key));
    // XMP can hang on any object (an image XObject, a font): every dictionary and stream loses it.
    for (const [ref, object] of context.enumerateIndirectObjects()) {
      const dict = object instanceof PDFStream ? object.dict : object instanceof PDFDict ? object : undefined;
      dict?.delete(PDFName.of("Metadata"));
      const jpeg = object instanceof PDFRawStream ? jpegOf(object) : undefined;
      if (object instanceof PDFRawStream && jpeg) {
        const stripped = stripJpegMetadata(jpeg.bytes);
        if (stripped === undefined) return { ok: false, reason: "unreadable" };
        if (stripped === jpeg.bytes && !jpeg.deflated) continue;
        // A deflated JPEG is stored as a plain one: the metadata is gone, and JPEG data barely deflates.
        if (jpeg.deflated) object.dict.set(PDFName.of("Filter"), PDFName.of("DCTDecode"));
        object.dict.delete(PDFName.of("DecodeParms"));
        context.assign(ref, PDFRawStream.of(object.dict, stripped));
      }
    }
    dropUnreachable(doc);
    const bytes = await doc.save({ useObjectStreams: false, updateFieldAppearances: false });
    return { ok: true, bytes, pages: doc.getPageCount() };
  } catch {
    return { ok: false, reason: "unreadable" };
  }
}

/**
 * The JPEG file a stream holds (an image, a thumbnail): its filter is DCTDecode alone, or FlateDecode
 * then DCTDecode (inflated here). Undefined for any other stream; a deflated JPEG that does not inflate
 * is given as is, and refused by the JPEG walker.
 */
function jpegOf(stream: PDFRawStream): { bytes: Uint8Array; deflated: boolean } | undefined {
  const filter = stream.dict.get(PDFName.of("Filter"));
  const names = filter instanceof PDFArray ? Array.from({ length: filter.size() }, (_, i) => filter.get(i)) : [filter];
  if (names.length === 1 && names[0] === PDFName.of("DCTDecode")) return { bytes: stream.contents, deflated: false };
  if (names.length === 2 && names[0] === PDFName.of("FlateDecode") && names[1] === PDFName.of("DCTDecode")) {
    try {
      return { bytes: new Uint8Array(inflateSync(stream.contents)), deflated: true };
    } catch {
      return { bytes: new Uint8Array(0), deflated: true };
    }
  }
  return undefined;
}

/** Deletes every indirect object that the catalog does not reach (the old Info and XMP streams among them). */
function dropUnreachable(doc: PDFDocument): void {
  const { context } = doc;
  const reached = new Set<string>();
  const pending: unknown[] = [context.trailerInfo.Root];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item instanceof PDFRef) {
      const key = item.toString();
      if (reached.has(key)) continue;
      reached.add(key);
      pending.push(context.lookup(item));
    } else if (item instanceof PDFDict) {
      for (const [, value] of item.entries()) pending.push(value);
    } else if (item instanceof PDFStream) {
      pending.push(item.dict);
    } else if (item instanceof PDFArray) {
      for (let i = 0; i < item.size(); i++) pending.push(item.get(i));
    }
  }
  for (const [ref] of context.enumerateIndirectObjects()) {
    if (!reached.has(ref.toString())) context.delete(ref);
  }
}
