import { describe, expect, it } from "vitest";
import { sniffImageFormat } from "./image-format.ts";

const bytes = (...parts: (number[] | string)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));

describe("sniffImageFormat", () => {
  it("knows JPEG, PNG and WebP by their first bytes", () => {
    expect(sniffImageFormat(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], "JFIF"))).toBe("jpeg");
    expect(sniffImageFormat(bytes([0x89], "PNG", [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], "IHDR"))).toBe("png");
    expect(sniffImageFormat(bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 "))).toBe("webp");
  });

  it("refuses SVG, HTML, GIF, other RIFF files and truncated signatures", () => {
    expect(sniffImageFormat(bytes('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffImageFormat(bytes("<!doctype html><script>alert(1)</script>"))).toBeUndefined();
    expect(sniffImageFormat(bytes("GIF89a"))).toBeUndefined();
    expect(sniffImageFormat(bytes("RIFF", [0, 0, 0, 0], "WAVEfmt "))).toBeUndefined();
    expect(sniffImageFormat(bytes([0xff, 0xd8]))).toBeUndefined();
    expect(sniffImageFormat(new Uint8Array())).toBeUndefined();
  });
});
