/**
 * Segments of a JPEG that carry metadata and nothing the decoder needs: Exif and XMP (APP1), APP3–APP13
 * (IPTC, Photoshop's resources with their authors and captions among them), APP15 and comments. Kept:
 * APP0 (JFIF), APP2 (the ICC colour profile) and APP14 (Adobe: how CMYK and YCbCr are stored).
 */
const isMetadata = (marker: number) => marker === 0xe1 || (marker >= 0xe3 && marker <= 0xed) || marker === 0xef || marker === 0xfe;

/**
 * The same JPEG without its metadata segments, the image data untouched (no re-encoding: a JPEG inside
 * a PDF keeps its quality). Undefined when the bytes are not a JPEG whose header can be walked to its
 * image data; the input itself when it has no metadata.
 */
export function stripJpegMetadata(jpeg: Uint8Array): Uint8Array | undefined {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return undefined;
  const kept: Uint8Array[] = [jpeg.subarray(0, 2)];
  let removed = false;
  let at = 2;
  for (;;) {
    if (at + 4 > jpeg.length || jpeg[at] !== 0xff) return undefined;
    const marker = jpeg[at + 1] as number;
    if (marker === 0xff) {
      at += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0xda) break; // start of scan: the image data and what follows are kept as they are
    const length = ((jpeg[at + 2] as number) << 8) | (jpeg[at + 3] as number);
    if (length < 2 || at + 2 + length > jpeg.length) return undefined;
    if (isMetadata(marker)) removed = true;
    else kept.push(jpeg.subarray(at, at + 2 + length));
    at += 2 + length;
  }
  if (!removed) return jpeg;
  kept.push(jpeg.subarray(at));
  const out = new Uint8Array(kept.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of kept) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
