import { readFileSync } from "node:fs";
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, rgb } from "pdf-lib";
import QRCode from "qrcode";
import sharp from "sharp";

/**
 * Placards and share images of a slogan, drawn from the font shipped beside this file (DejaVu Sans
 * Bold, fonts/LICENSE.txt): nothing depends on the machine's fonts, and the same input gives the same
 * bytes (no dates, no random ids, no producer or author: the PDF's Info holds the title, the language
 * and "Relais"). The text is set as large as the page allows: wrapped at spaces, words cut only when one
 * alone is wider than the page at the smallest size.
 */

const fontBytes = readFileSync(new URL("./fonts/DejaVuSans-Bold.ttf", import.meta.url));
const font = fontkit.create(fontBytes);
const unitsPerEm = font.unitsPerEm;
/** Baseline-to-baseline distance, in ems. */
const lineHeight = 1.15;
const ascent = font.ascent / unitsPerEm;
const descent = -font.descent / unitsPerEm;

/** Paper sizes in PDF points (1/72 in), portrait. */
export const placardSizes = { a4: [595.28, 841.89], a3: [841.89, 1190.55] } as const;
export type PlacardSize = keyof typeof placardSizes;
export const placardOrientations = ["portrait", "landscape"] as const;
export type PlacardOrientation = (typeof placardOrientations)[number];
export const shareImageSize = { width: 1200, height: 630 } as const;

export interface PlacardInput {
  /** The slogan in one language (one line, at most 120 characters). */
  readonly text: string;
  /** Its BCP 47 language (the PDF's /Lang). */
  readonly language: string;
  readonly collectiveName: string;
  /** The call's URL: printed and as a QR code, when the slogan belongs to a public call. */
  readonly link?: string | undefined;
}

/** The width of a line at `size`, as the PDF draws it (advance widths, no kerning). */
export function lineWidth(text: string, size: number): number {
  let units = 0;
  for (const glyph of font.layout(text).glyphs) units += glyph.advanceWidth;
  return (units * size) / unitsPerEm;
}

/** The lines of `text` wrapped at spaces to `width`; undefined when a word is wider and `cut` is false. */
function wrap(text: string, size: number, width: number, cut: boolean): string[] | undefined {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ").filter((w) => w !== "")) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (lineWidth(candidate, size) <= width) {
      line = candidate;
      continue;
    }
    if (line !== "") lines.push(line);
    line = word;
    if (lineWidth(word, size) > width) {
      if (!cut) return undefined;
      // A word wider than the page: cut it, with a hyphen, where it must be.
      let piece = "";
      for (const char of Array.from(word)) {
        if (piece !== "" && lineWidth(`${piece}${char}-`, size) > width) {
          lines.push(`${piece}-`);
          piece = "";
        }
        piece += char;
      }
      line = piece;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** The height of `n` lines at `size`: the first line's ascent, the gaps, the last line's descent. */
const blockHeight = (n: number, size: number) => size * (ascent + descent + (n - 1) * lineHeight);

export interface FittedText {
  readonly size: number;
  readonly lines: readonly string[];
}

/**
 * The largest size (at most `max`, in steps of 0.5) at which `text` fits the box, and its lines. Words
 * are cut (with a hyphen) only when keeping them whole would make the type less than 3/4 as large.
 */
export function fitText(text: string, box: { width: number; height: number }, limits: { min: number; max: number }): FittedText {
  const at = (size: number, cut: boolean) => {
    const lines = wrap(text, size, box.width, cut);
    return lines && blockHeight(lines.length, size) <= box.height ? lines : undefined;
  };
  const largest = (cut: boolean): FittedText | undefined => {
    let low = limits.min * 2;
    let high = limits.max * 2;
    if (!at(low / 2, cut)) return undefined;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (at(mid / 2, cut)) low = mid;
      else high = mid - 1;
    }
    return { size: low / 2, lines: at(low / 2, cut) as string[] };
  };
  const whole = largest(false);
  const cut = largest(true);
  if (whole && (!cut || whole.size >= cut.size * 0.75)) return whole;
  return cut ?? { size: limits.min, lines: wrap(text, limits.min, box.width, true) ?? [text] };
}

/** What goes where on a page of `width` × `height` (origin bottom left, y up). */
interface Layout {
  readonly slogan: FittedText & { readonly x: number[]; readonly baselines: number[] };
  readonly name: { readonly text: string; readonly size: number; readonly x: number; readonly y: number };
  readonly link?: { readonly text: string; readonly size: number; readonly x: number; readonly y: number };
  readonly qr?: { readonly x: number; readonly y: number; readonly size: number };
  readonly rule: { readonly y: number; readonly x0: number; readonly x1: number };
}

/** Shortens a line with "…" until it fits `width` at `size`. */
function ellipsis(text: string, size: number, width: number): string {
  if (lineWidth(text, size) <= width) return text;
  const chars = Array.from(text);
  while (chars.length > 1 && lineWidth(`${chars.join("")}…`, size) > width) chars.pop();
  return `${chars.join("")}…`;
}

function layout(input: PlacardInput, width: number, height: number, opts: { qr: boolean }): Layout {
  const short = Math.min(width, height);
  const margin = short * 0.07;
  const qrSize = opts.qr && input.link ? short * 0.17 : 0;
  const nameSize = short * 0.035;
  const footer = Math.max(qrSize, nameSize * 1.3 + (input.link ? short * 0.022 * 1.6 : 0));
  const ruleY = margin + footer + short * 0.03;
  const box = { width: width - 2 * margin, height: height - margin - ruleY - short * 0.04 };
  const fitted = fitText(input.text, box, { min: short * 0.03, max: short * 0.2 });
  const block = blockHeight(fitted.lines.length, fitted.size);
  const top = ruleY + short * 0.04 + (box.height + block) / 2;
  const textRight = width - margin - (qrSize > 0 ? qrSize + short * 0.03 : 0);
  const nameWidth = textRight - margin;
  const nameText = ellipsis(input.collectiveName, nameSize, nameWidth);
  // The link is printed whole (a reader types it): smaller when it must be, cut only below 6 pt.
  const bareLink = input.link?.replace(/^https?:\/\//, "");
  const linkSize = bareLink ? Math.max(6, Math.min(short * 0.022, (nameWidth / lineWidth(bareLink, 1)) * 0.99)) : 0;
  const linkText = bareLink ? ellipsis(bareLink, linkSize, nameWidth) : undefined;
  const nameY = margin + (linkText ? linkSize * 1.6 : 0) + nameSize * descent;
  return {
    slogan: {
      ...fitted,
      x: fitted.lines.map((line) => (width - lineWidth(line, fitted.size)) / 2),
      baselines: fitted.lines.map((_, i) => top - fitted.size * ascent - i * fitted.size * lineHeight),
    },
    name: { text: nameText, size: nameSize, x: margin, y: nameY },
    ...(linkText ? { link: { text: linkText, size: linkSize, x: margin, y: margin + linkSize * descent } } : {}),
    ...(qrSize > 0 ? { qr: { x: width - margin - qrSize, y: margin, size: qrSize } } : {}),
    rule: { y: ruleY, x0: margin, x1: width - margin },
  };
}

/** The dark modules of the link's QR code as runs per row: [row, first column, length]. */
function qrRuns(link: string): { size: number; runs: [number, number, number][] } {
  const code = QRCode.create(link, { errorCorrectionLevel: "M" });
  const n = code.modules.size;
  const runs: [number, number, number][] = [];
  for (let row = 0; row < n; row++) {
    let start = -1;
    for (let col = 0; col <= n; col++) {
      const dark = col < n && code.modules.get(row, col) === 1;
      if (dark && start < 0) start = col;
      if (!dark && start >= 0) {
        runs.push([row, start, col - start]);
        start = -1;
      }
    }
  }
  return { size: n, runs };
}

/** A print-ready placard (PDF) of one slogan in one language. */
export async function renderPlacardPdf(input: PlacardInput, size: PlacardSize, orientation: PlacardOrientation): Promise<Uint8Array> {
  const [w, h] = placardSizes[size];
  const [width, height] = orientation === "portrait" ? [w, h] : [h, w];
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  doc.setTitle(input.text);
  doc.setLanguage(input.language);
  doc.setCreator("Relais");
  doc.setProducer("Relais");
  const pdfFont = await doc.embedFont(fontBytes, { subset: true });
  const page = doc.addPage([width, height]);
  const l = layout(input, width, height, { qr: true });
  const black = rgb(0.07, 0.07, 0.07);
  l.slogan.lines.forEach((line, i) => {
    page.drawText(line, { x: l.slogan.x[i] as number, y: l.slogan.baselines[i] as number, size: l.slogan.size, font: pdfFont, color: black });
  });
  page.drawLine({ start: { x: l.rule.x0, y: l.rule.y }, end: { x: l.rule.x1, y: l.rule.y }, thickness: Math.min(width, height) * 0.004, color: black });
  page.drawText(l.name.text, { x: l.name.x, y: l.name.y, size: l.name.size, font: pdfFont, color: black });
  if (l.link) page.drawText(l.link.text, { x: l.link.x, y: l.link.y, size: l.link.size, font: pdfFont, color: rgb(0.3, 0.3, 0.3) });
  if (l.qr && input.link) {
    const { size: n, runs } = qrRuns(input.link);
    const cell = l.qr.size / n;
    for (const [row, col, length] of runs) {
      page.drawRectangle({ x: l.qr.x + col * cell, y: l.qr.y + l.qr.size - (row + 1) * cell, width: length * cell, height: cell, color: black });
    }
  }
  return doc.save({ useObjectStreams: false });
}

const fmt = (n: number) => (Math.round(n * 100) / 100).toString();

/** SVG path elements drawing `text` with its baseline at (x, y) (y down), from the font's outlines. */
function svgText(text: string, x: number, y: number, size: number, fill: string): string {
  const scale = size / unitsPerEm;
  let pen = x;
  const parts: string[] = [];
  for (const glyph of font.layout(text).glyphs) {
    const d = glyph.path.toSVG();
    if (d !== "") parts.push(`<path fill="${fill}" transform="translate(${fmt(pen)} ${fmt(y)}) scale(${scale.toFixed(6)} ${(-scale).toFixed(6)})" d="${d}"/>`);
    pen += glyph.advanceWidth * scale;
  }
  return parts.join("");
}

/** The 1200×630 PNG shown with the slogan's post (Open Graph's size): the slogan, the collective, the link. */
export async function renderShareImage(input: PlacardInput): Promise<Buffer> {
  const { width, height } = shareImageSize;
  const l = layout(input, width, height, { qr: false });
  const flip = (y: number) => height - y;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#1a1a1a"/>`,
    `<rect x="0" y="0" width="${fmt(width * 0.012)}" height="${height}" fill="#e63946"/>`,
    ...l.slogan.lines.map((line, i) => svgText(line, l.slogan.x[i] as number, flip(l.slogan.baselines[i] as number), l.slogan.size, "#ffffff")),
    `<rect x="${fmt(l.rule.x0)}" y="${fmt(flip(l.rule.y) - 1.5)}" width="${fmt(l.rule.x1 - l.rule.x0)}" height="3" fill="#ffffff"/>`,
    svgText(l.name.text, l.name.x, flip(l.name.y), l.name.size, "#ffffff"),
    l.link ? svgText(l.link.text, l.link.x, flip(l.link.y), l.link.size, "#bbbbbb") : "",
    "</svg>",
  ].join("");
  return sharp(Buffer.from(svg)).png({ compressionLevel: 9 }).toBuffer();
}
