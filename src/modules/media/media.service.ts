import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { type ImageFormat, sniffImageFormat } from "./image-format.ts";

/** An image as stored: a random file name under the media folder, served at /media/<name>. */
export interface StoredImage {
  readonly name: string;
  readonly mediaType: "image/jpeg" | "image/png";
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
}

/** Why an upload was not stored: each is the uploader's to fix, said in their language by the page. */
export type ImageRefusal = "not-an-image" | "unreadable" | "too-many-pixels";

export type StoreImageResult = { readonly ok: true; readonly image: StoredImage } | { readonly ok: false; readonly reason: ImageRefusal };

const namePattern = /^[0-9a-f]{32}\.(jpg|png)$/;

/** The media type of a stored name, or undefined when the name is not one we give. */
export function storedMediaType(name: string): StoredImage["mediaType"] | undefined {
  const m = namePattern.exec(name);
  return m ? (m[1] === "png" ? "image/png" : "image/jpeg") : undefined;
}

/** Writes a file aside, then renames it into place: a reader never sees half a file. */
export async function writeAside(dir: string, name: string, data: Uint8Array): Promise<void> {
  await mkdir(dir, { recursive: true });
  const partial = join(dir, `.${name}.part`);
  try {
    await writeFile(partial, data, { flag: "wx" });
    await rename(partial, join(dir, name));
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** Whether the file of a stored name is there (`path` undefined: a name we do not give). */
export async function storedFileExists(path: string | undefined): Promise<boolean> {
  if (!path) return false;
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Removes the file of a stored name, if there is one (`path` undefined: nothing). */
export async function removeStoredFile(path: string | undefined): Promise<void> {
  if (path) await rm(path, { force: true });
}

export interface MediaOptions {
  /** Longest side of a stored image, in pixels: larger ones are scaled down. */
  readonly maxDimension?: number;
  /** Larger inputs are refused before they are decoded (a small file can declare a huge image). */
  readonly maxInputPixels?: number;
}

/**
 * Uploaded images. Only JPEG, PNG and WebP are accepted, by their bytes; each is decoded and encoded
 * again with sharp (libvips), which writes none of the input's metadata (EXIF with GPS position and
 * camera serial, XMP, IPTC, comments), after turning it upright by its EXIF orientation and scaling it
 * down. What comes out is a JPEG, or a PNG when the image has transparency. Files get random names:
 * nothing of the uploader's file name or of the time is kept.
 */
export class MediaService {
  readonly #dir: string;
  readonly #maxDimension: number;
  readonly #maxInputPixels: number;

  constructor(dir: string, opts: MediaOptions = {}) {
    this.#dir = dir;
    this.#maxDimension = opts.maxDimension ?? 2048;
    this.#maxInputPixels = opts.maxInputPixels ?? 50_000_000;
  }

  get directory(): string {
    return this.#dir;
  }

  async storeImage(input: Buffer): Promise<StoreImageResult> {
    const format = sniffImageFormat(input);
    if (!format) return { ok: false, reason: "not-an-image" };
    const encoded = await this.#reencode(input, format);
    if (!encoded.ok) return encoded;
    const { data, info, alpha } = encoded;
    const name = `${randomBytes(16).toString("hex")}.${alpha ? "png" : "jpg"}`;
    await writeAside(this.#dir, name, data);
    return { ok: true, image: { name, mediaType: alpha ? "image/png" : "image/jpeg", width: info.width, height: info.height, bytes: data.length } };
  }

  /** Whether a stored image of this name exists. */
  exists(name: string): Promise<boolean> {
    return storedFileExists(this.pathOf(name));
  }

  /** Removes a stored image (a partner event's, once it is gone); unknown names are ignored. */
  remove(name: string): Promise<void> {
    return removeStoredFile(this.pathOf(name));
  }

  /** The file of a stored name; undefined for anything that is not a name we give (no path tricks). */
  pathOf(name: string): string | undefined {
    return storedMediaType(name) ? join(this.#dir, name) : undefined;
  }

  async #reencode(input: Buffer, format: ImageFormat) {
    const options = { limitInputPixels: this.#maxInputPixels, failOn: "error" as const, animated: false };
    try {
      const meta = await sharp(input, options).metadata();
      // The decoder must agree with the signature: a JPEG header on something else is refused.
      if (meta.format !== format) return { ok: false as const, reason: "not-an-image" as const };
      if ((meta.width ?? 0) * (meta.height ?? 0) > this.#maxInputPixels) return { ok: false as const, reason: "too-many-pixels" as const };
      const alpha = meta.hasAlpha === true;
      const pipeline = sharp(input, options)
        .autoOrient()
        .resize({ width: this.#maxDimension, height: this.#maxDimension, fit: "inside", withoutEnlargement: true });
      const out = alpha ? pipeline.png({ compressionLevel: 9 }) : pipeline.jpeg({ quality: 82, mozjpeg: true });
      const { data, info } = await out.toBuffer({ resolveWithObject: true });
      return { ok: true as const, data, info, alpha };
    } catch (error) {
      if (/pixel limit/i.test(String((error as Error).message))) return { ok: false as const, reason: "too-many-pixels" as const };
      return { ok: false as const, reason: "unreadable" as const };
    }
  }
}
