import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { sniffImageFormat } from "../media/image-format.ts";
import { type MediaService, removeStoredFile, storedFileExists, writeAside } from "../media/media.service.ts";
import { cleanPdf } from "./pdf-clean.ts";
import type { FileKind, PressKitFileView } from "./presskit.types.ts";

/** Why a file was not stored; each is the uploader's to fix, said in their language by the pages. */
export type FileRefusal = "not-allowed" | "polyglot" | "unreadable" | "encrypted" | "too-many-pixels" | "wrong-kind";

export type StoredPressFile = Pick<PressKitFileView, "name" | "mediaType" | "bytes" | "width" | "height">;
export type StorePressFileResult = { readonly ok: true; readonly file: StoredPressFile } | { readonly ok: false; readonly reason: FileRefusal };

const pdfSignature = Buffer.from("%PDF-", "latin1");
const namePattern = /^[0-9a-f]{32}\.(jpg|png|pdf)$/;

/** The media type of a stored name, or undefined when the name is not one we give. */
export function pressFileMediaType(name: string): StoredPressFile["mediaType"] | undefined {
  const m = namePattern.exec(name);
  if (!m) return undefined;
  return m[1] === "pdf" ? "application/pdf" : m[1] === "png" ? "image/png" : "image/jpeg";
}

/** What a browser or another reader could take the bytes for, besides what they claim to be. */
const foreignMarkers = ["<html", "<!doctype", "<script", "<body", "<iframe", "<svg", "<object", "<embed", "<?php"].map((m) => Buffer.from(m, "latin1"));

/**
 * A second format inside the bytes: HTML or SVG markup anywhere (a browser that sniffs would run it),
 * or a ZIP archive appended (its end-of-central-directory record where a ZIP reader looks for it, at
 * the end). Undefined when there is none.
 */
export function secondFormat(bytes: Uint8Array): "html" | "zip" | undefined {
  const lower = Buffer.from(bytes).toString("latin1").toLowerCase();
  if (foreignMarkers.some((m) => lower.includes(m.toString("latin1")))) return "html";
  const buffer = Buffer.from(bytes);
  const tail = Math.max(0, buffer.length - (65_535 + 22));
  for (let at = buffer.length - 22; at >= tail; at--) {
    if (buffer[at] === 0x50 && buffer[at + 1] === 0x4b && buffer[at + 2] === 0x05 && buffer[at + 3] === 0x06) {
      if (at + 22 + buffer.readUInt16LE(at + 20) === buffer.length) return "zip";
    }
  }
  return undefined;
}

/** The allowed format of a file by its first bytes: an image (JPEG, PNG, WebP) or a PDF; SVG, HTML and the rest are not. */
export function sniffPressFile(bytes: Uint8Array): "image" | "pdf" | undefined {
  if (sniffImageFormat(bytes)) return "image";
  if (bytes.length >= pdfSignature.length && pdfSignature.equals(Buffer.from(bytes.subarray(0, pdfSignature.length)))) return "pdf";
  return undefined;
}

/**
 * The files of press kits, in their own folder (never served under /media: a kit under embargo keeps
 * its files unreachable). Accepted by their bytes only: JPEG, PNG and WebP images, re-encoded by the
 * media service (no EXIF, GPS, XMP or IPTC survives), and PDFs, written anew without their metadata
 * (pdf-clean.ts). A file that is also something else (HTML or SVG markup, an appended ZIP) is refused
 * whatever it starts with. Stored under 128 random bits; nothing of the uploader's file name is kept.
 */
export class PressFileStore {
  readonly #images: MediaService;

  /** `images`: a media service over this store's folder (its re-encoding, its names). */
  constructor(images: MediaService) {
    this.#images = images;
  }

  get directory(): string {
    return this.#images.directory;
  }

  async store(input: Buffer, kind: FileKind): Promise<StorePressFileResult> {
    const format = sniffPressFile(input);
    if (!format) return { ok: false, reason: "not-allowed" };
    if ((format === "pdf") !== (kind === "document")) return { ok: false, reason: "wrong-kind" };
    if (secondFormat(input)) return { ok: false, reason: "polyglot" };
    if (format === "image") {
      const stored = await this.#images.storeImage(input);
      if (!stored.ok) return { ok: false, reason: stored.reason === "not-an-image" ? "not-allowed" : stored.reason };
      const { name, mediaType, bytes, width, height } = stored.image;
      return { ok: true, file: { name, mediaType, bytes, width, height } };
    }
    const cleaned = await cleanPdf(input);
    if (!cleaned.ok) return cleaned;
    // What pdf-lib wrote must itself be clean: a stream that carried markup still carries it.
    if (secondFormat(cleaned.bytes)) return { ok: false, reason: "polyglot" };
    const name = `${randomBytes(16).toString("hex")}.pdf`;
    await writeAside(this.directory, name, cleaned.bytes);
    return { ok: true, file: { name, mediaType: "application/pdf", bytes: cleaned.bytes.length } };
  }

  /** The file of a stored name; undefined for anything that is not a name we give (no path tricks). */
  pathOf(name: string): string | undefined {
    return pressFileMediaType(name) ? join(this.directory, name) : undefined;
  }

  exists(name: string): Promise<boolean> {
    return storedFileExists(this.pathOf(name));
  }

  remove(name: string): Promise<void> {
    return removeStoredFile(this.pathOf(name));
  }
}
