// Reads the QR code a PDF page draws, without trusting the code that drew it: pdfjs-dist (Mozilla's PDF
// reader) parses the page's content stream into its operators; the filled paths (with the transforms
// and fill colours in force) are redrawn as an SVG, rasterised by sharp (librsvg), and the pixels handed
// to jsQR, a QR decoder. Text is not drawn (a QR code is made of filled squares).
import jsQRModule from "jsqr";
import { getDocument, OPS } from "pdfjs-dist/legacy/build/pdf.mjs";
import sharp from "sharp";

// jsQR ships CommonJS with `exports.default`: Node hands over the exports object, Vite's interop the function.
const jsQR: typeof jsQRModule.default = typeof jsQRModule === "function" ? jsQRModule : jsQRModule.default;

type Matrix = [number, number, number, number, number, number];
const multiply = (m: Matrix, n: Matrix): Matrix => [
  n[0] * m[0] + n[1] * m[2],
  n[0] * m[1] + n[1] * m[3],
  n[2] * m[0] + n[3] * m[2],
  n[2] * m[1] + n[3] * m[3],
  n[4] * m[0] + n[5] * m[2] + m[4],
  n[4] * m[1] + n[5] * m[3] + m[5],
];
// pdfjs-dist's path opcodes inside constructPath (DrawOPS).
const moveTo = 0;
const lineTo = 1;
const closePath = 4;

/**
 * The page's filled polygons as an SVG of the page (white background, y pointing down), its longer side
 * `longSide` pixels: about what a phone's camera sees of a placard. (jsQR misses codes drawn much larger:
 * an A3 page at 3 px a point, 3,572 px high, reads as no code at all.)
 */
export async function filledPathsSvg(pdf: Uint8Array, longSide = 1600): Promise<{ svg: string; width: number; height: number }> {
  const doc = await getDocument({ data: pdf.slice(), useSystemFonts: false }).promise;
  const page = await doc.getPage(1);
  const [, , w, h] = page.view as [number, number, number, number];
  const scale = longSide / Math.max(w, h);
  const list = await page.getOperatorList();
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  let fill = "#000000";
  const stack: { ctm: Matrix; fill: string }[] = [];
  const shapes: string[] = [];
  list.fnArray.forEach((fn, i) => {
    const args = list.argsArray[i] as unknown[];
    if (fn === OPS.save) stack.push({ ctm, fill });
    else if (fn === OPS.restore) ({ ctm, fill } = stack.pop() ?? { ctm, fill });
    else if (fn === OPS.transform) ctm = multiply(ctm, args as Matrix);
    else if (fn === OPS.setFillRGBColor) fill = String(args[0]);
    else if (fn === OPS.constructPath && (args[0] === OPS.fill || args[0] === OPS.eoFill || args[0] === OPS.fillStroke)) {
      for (const data of (args[1] as ArrayLike<number>[]).filter(Boolean)) {
        let d = "";
        for (let k = 0; k < data.length; ) {
          const op = data[k++] as number;
          if (op === moveTo || op === lineTo) {
            const x = data[k++] as number;
            const y = data[k++] as number;
            const px = ctm[0] * x + ctm[2] * y + ctm[4];
            const py = ctm[1] * x + ctm[3] * y + ctm[5];
            d += `${op === moveTo ? "M" : "L"}${(px * scale).toFixed(2)} ${((h - py) * scale).toFixed(2)} `;
          } else if (op === closePath) d += "Z ";
          else throw new Error(`a curve (path opcode ${op}) on the page: this reader draws straight edges only`);
        }
        shapes.push(`<path d="${d.trim()}" fill="${fill}"/>`);
      }
    }
  });
  await doc.cleanup();
  const width = Math.round(w * scale);
  const height = Math.round(h * scale);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#ffffff"/>${shapes.join("")}</svg>`;
  return { svg, width, height };
}

/** What the QR code on the PDF's first page says, or null when the page has none that can be read. */
export async function readQrCode(pdf: Uint8Array): Promise<string | null> {
  const { svg } = await filledPathsSvg(pdf);
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const found = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height);
  return found?.data ?? null;
}
