// The action kit's page, in the person's browser (served from our origin, loaded with the page: once the
// page is loaded nothing more is fetched, so it works offline). It fills the letters with what is typed,
// makes the PDF (pdf-lib, with DejaVu Sans embedded as a subset: Latin, Greek and Cyrillic letters, "€",
// "Ł"…) and the text to copy. Nothing typed ever leaves the device: there is no form
// to submit, and the page's Content-Security-Policy allows one connection only, the opt-in counter,
// which is sent without any content and only when the person ticked the box.
import fontBase64 from "./dejavu-sans.js";
import fontkit from "./fontkit.js";
import { PDFDocument } from "./pdf-lib.js";

const fontBytes = Uint8Array.from(atob(fontBase64), (c) => c.charCodeAt(0));

const data = JSON.parse(document.getElementById("kit-data").textContent);
const form = document.getElementById("kit-form");
const countBox = document.getElementById("kit-count-me");
const status = document.getElementById("kit-status");
let counted = false;

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;

function inputOf(name) {
  return document.getElementById(`kit-field-${name}`);
}

/** What the person typed for a field, a date written in the kit's language. */
function typedValue(field) {
  const input = inputOf(field.name);
  const value = input ? input.value.replace(/\r\n?/g, "\n").trim() : "";
  if (field.kind === "date" && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split("-").map(Number);
    return new Intl.DateTimeFormat(data.lang, { dateStyle: "long", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
  }
  return value;
}

function fill(template) {
  const values = Object.fromEntries(data.fields.map((f) => [f.name, typedValue(f)]));
  return template.replace(placeholder, (_m, name) => values[name] ?? "").replace(/\n{3,}/g, "\n\n");
}

/** The required fields left empty, each marked and told; the first one gets the focus. */
function missingFields() {
  const missing = [];
  for (const field of data.fields) {
    const input = inputOf(field.name);
    const error = document.getElementById(`kit-error-${field.name}`);
    const empty = field.required && input && input.value.trim() === "";
    input?.setAttribute("aria-invalid", empty ? "true" : "false");
    input?.closest(".field")?.classList.toggle("has-error", Boolean(empty));
    if (error) error.hidden = !empty;
    if (empty) missing.push(input);
  }
  if (missing.length > 0) missing[0].focus();
  return missing.length;
}

function say(text) {
  status.textContent = text;
}

/** Characters the font cannot draw lose their accents, or become "?" (the text to copy keeps them). */
function drawable(font, text) {
  const known = new Set(font.getCharacterSet());
  const ok = (ch) => known.has(ch.codePointAt(0));
  return [...text]
    .map((ch) => {
      if (ch === "\n" || ok(ch)) return ch;
      const bare = ch.normalize("NFD").replace(/\p{M}/gu, "");
      return [...bare].every(ok) && bare !== "" ? bare : "?";
    })
    .join("");
}

/** Lines no wider than `width` at `size` points, words kept whole unless one alone is too wide. */
function wrap(font, size, width, text) {
  const lines = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/ +/)) {
      const candidate = line === "" ? word : `${line} ${word}`;
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line !== "") lines.push(line);
      line = word;
      while (font.widthOfTextAtSize(line, size) > width) {
        let cut = line.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut -= 1;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    lines.push(line);
  }
  return lines;
}

async function letterPdf(letter, text) {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(letter.title);
  pdf.setLanguage(data.lang);
  pdf.registerFontkit(fontkit);
  const font = await pdf.embedFont(fontBytes, { subset: true });
  const [pageWidth, pageHeight] = [595.28, 841.89];
  const margin = 70;
  const size = 11;
  const leading = 15;
  let page = pdf.addPage([pageWidth, pageHeight]);
  let y = pageHeight - margin;
  for (const line of wrap(font, size, pageWidth - 2 * margin, drawable(font, text))) {
    if (y < margin) {
      page = pdf.addPage([pageWidth, pageHeight]);
      y = pageHeight - margin;
    }
    if (line !== "") page.drawText(line, { x: margin, y, size, font });
    y -= leading;
  }
  return pdf.save();
}

/** One count per page load, empty, only when asked: the CSP of this page allows this one URL and nothing else. */
function countOnce() {
  if (counted || !countBox?.checked) return;
  counted = true;
  fetch(data.countUrl, { method: "POST", credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer", keepalive: true }).catch(() => {});
}

async function download(letter) {
  if (missingFields() > 0) return say(data.text.missing);
  const text = fill(letter.body);
  document.getElementById(`kit-output-${letter.key}`).value = text;
  const bytes = await letterPdf(letter, text);
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/pdf" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `${letter.key}-${data.lang}.pdf`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  say(data.text.downloaded);
  countOnce();
}

async function copy(letter) {
  if (missingFields() > 0) return say(data.text.missing);
  const output = document.getElementById(`kit-output-${letter.key}`);
  output.value = fill(letter.body);
  try {
    await navigator.clipboard.writeText(output.value);
  } catch {
    output.select();
    document.execCommand("copy");
  }
  say(data.text.copied);
}

for (const letter of data.letters) {
  document.getElementById(`kit-pdf-${letter.key}`)?.addEventListener("click", () => download(letter));
  document.getElementById(`kit-copy-${letter.key}`)?.addEventListener("click", () => copy(letter));
}
// Today's date as the default of date fields (the person may change it).
for (const field of data.fields) {
  const input = inputOf(field.name);
  if (field.kind === "date" && input && input.value === "") input.value = new Date().toLocaleDateString("sv");
}
form.hidden = false;
document.documentElement.classList.add("kit-ready");
