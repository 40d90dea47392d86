// EXIF for the upload tests, written and read without the code under test (sharp): a hand-built Exif
// APP1 segment with a GPS position, a JPEG segment walker, and Debian's exiftool as an independent reader.
import { execFile } from "node:child_process";

const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u32 = (n: number) => Buffer.from([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const entry = (tag: number, type: number, count: number, value: Buffer) => Buffer.concat([u16(tag), u16(type), u32(count), value]);
const ASCII = 2;
const LONG = 4;
const RATIONAL = 5;
const inline = (s: string) => Buffer.concat([Buffer.from(s, "latin1"), Buffer.alloc(4 - s.length)]);

/** Degrees as EXIF's three rationals (degrees, minutes, hundredths of seconds). */
function dms(value: number): Buffer {
  const deg = Math.floor(value);
  const min = Math.floor((value - deg) * 60);
  const sec = Math.round(((value - deg) * 60 - min) * 60 * 100);
  return Buffer.concat([u32(deg), u32(1), u32(min), u32(1), u32(sec), u32(100)]);
}

/**
 * An Exif APP1 segment (big-endian TIFF) with IFD0 (Make, GPSInfo pointer) and a GPS IFD holding
 * latitude and longitude: what a phone writes into every photo.
 */
export function gpsExifSegment(lat: number, lon: number, make = "RelaisTestCam"): Buffer {
  const makeBytes = Buffer.from(`${make}\0`, "latin1");
  const ifd0At = 8;
  const ifd0Size = 2 + 2 * 12 + 4;
  const makeAt = ifd0At + ifd0Size;
  const gpsAt = makeAt + makeBytes.length;
  const gpsSize = 2 + 4 * 12 + 4;
  const latAt = gpsAt + gpsSize;
  const lonAt = latAt + 24;
  const tiff = Buffer.concat([
    Buffer.from("MM", "latin1"),
    u16(42),
    u32(ifd0At),
    u16(2),
    entry(0x010f, ASCII, makeBytes.length, u32(makeAt)),
    entry(0x8825, LONG, 1, u32(gpsAt)),
    u32(0),
    makeBytes,
    u16(4),
    entry(0x0001, ASCII, 2, inline(lat >= 0 ? "N" : "S")),
    entry(0x0002, RATIONAL, 3, u32(latAt)),
    entry(0x0003, ASCII, 2, inline(lon >= 0 ? "E" : "W")),
    entry(0x0004, RATIONAL, 3, u32(lonAt)),
    u32(0),
    dms(Math.abs(lat)),
    dms(Math.abs(lon)),
  ]);
  const payload = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
  return Buffer.concat([Buffer.from([0xff, 0xe1]), u16(payload.length + 2), payload]);
}

/** A JPEG with that segment right after its start marker. */
export function withGpsExif(jpeg: Buffer, lat: number, lon: number): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG");
  return Buffer.concat([jpeg.subarray(0, 2), gpsExifSegment(lat, lon), jpeg.subarray(2)]);
}

/** The segments of a JPEG before its image data: marker and payload (APPn, COM, DQT, SOF…). */
export function jpegSegments(jpeg: Buffer): { marker: number; payload: Buffer }[] {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG");
  const out: { marker: number; payload: Buffer }[] = [];
  let at = 2;
  while (at + 4 <= jpeg.length) {
    if (jpeg[at] !== 0xff) throw new Error(`no marker at ${at}`);
    const marker = jpeg[at + 1] as number;
    if (marker === 0xd9) break;
    const length = jpeg.readUInt16BE(at + 2);
    out.push({ marker, payload: jpeg.subarray(at + 4, at + 2 + length) });
    if (marker === 0xda) break; // start of scan: image data follows
    at += 2 + length;
  }
  return out;
}

/** Whether a JPEG carries metadata: Exif or XMP (APP1), IPTC (APP13) or a comment. */
export function jpegMetadataSegments(jpeg: Buffer): string[] {
  return jpegSegments(jpeg).flatMap(({ marker, payload }) => {
    if (marker === 0xe1) return [payload.subarray(0, 4).toString("latin1") === "Exif" ? "Exif" : "XMP"];
    if (marker === 0xed) return ["IPTC"];
    if (marker === 0xfe) return ["COM"];
    return [];
  });
}

/** Every tag Debian's exiftool (libimage-exiftool-perl) reads in a file, by group:name. */
export function exiftool(bytes: Buffer): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = execFile("/usr/bin/exiftool", ["-json", "-G", "-n", "-"], (error, stdout, stderr) => {
      if (error) {
        const hint = (error as NodeJS.ErrnoException).code === "ENOENT" ? " (install it with: apt-get install -y libimage-exiftool-perl)" : "";
        reject(new Error(`exiftool failed${hint}: ${stderr || error.message}`));
        return;
      }
      resolve((JSON.parse(stdout) as Record<string, unknown>[])[0] ?? {});
    });
    child.stdin?.end(bytes);
  });
}
