import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, PDFStream } from "pdf-lib";

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
 * after the last `%%EOF` survives (the file is serialised anew). Encrypted PDFs are refused: they
 * cannot be read to be cleaned.
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
    for (const [, object] of context.enumerateIndirectObjects()) {
      const dict = object instanceof PDFStream ? object.dict : object instanceof PDFDict ? object : undefined;
      dict?.delete(PDFName.of("Metadata"));
    }
    dropUnreachable(doc);
    const bytes = await doc.save({ useObjectStreams: false, updateFieldAppearances: false });
    return { ok: true, bytes, pages: doc.getPageCount() };
  } catch {
    return { ok: false, reason: "unreadable" };
  }
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
