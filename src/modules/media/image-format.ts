/** The image formats accepted for upload, recognised by their first bytes (never by name or declared type). */
export type ImageFormat = "jpeg" | "png" | "webp";

const startsWith = (bytes: Uint8Array, offset: number, signature: readonly number[]) =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

/**
 * JPEG (FF D8 FF), PNG (its 8-byte signature) or WebP (RIFF····WEBP); anything else — an SVG, an HTML
 * page, a GIF, a file named .jpg that is not one — is undefined.
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(bytes, 0, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, 8, [0x57, 0x45, 0x42, 0x50])) return "webp";
  return undefined;
}
