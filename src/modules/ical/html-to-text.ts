// Plain text from the sanitized HTML of event descriptions, for iCal DESCRIPTION: tags stripped, entities
// decoded, blocks kept as paragraphs, list items as "- " lines, links as "text (url)". The input has been
// through sanitize-html, so attribute values carry no raw `>`; this is not a parser for arbitrary HTML.

const namedEntities: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  laquo: "«",
  raquo: "»",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  euro: "€",
  copy: "©",
  shy: "",
};

const entity = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));/g;

function decodeEntity(match: string, dec?: string, hex?: string, name?: string): string {
  if (name !== undefined) return namedEntities[name] ?? match;
  const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? "", 16);
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
  return String.fromCodePoint(code);
}

export function decodeEntities(text: string): string {
  return text.includes("&") ? text.replace(entity, decodeEntity) : text;
}

/** Tags after which (and before which) a paragraph break goes. */
const paragraphTags = new Set([
  "p",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "blockquote",
  "pre",
  "table",
  "hr",
  "figure",
  "dl",
  "section",
  "article",
  "header",
  "footer",
  "aside",
]);
/** Tags that start and end on their own line. */
const lineTags = new Set(["div", "li", "tr", "dt", "dd", "figcaption", "address"]);
/** Elements whose content is not text. */
const skippedTags = new Set(["script", "style", "template", "head", "title"]);

const token = /<!--[\s\S]*?(?:-->|$)|<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b((?:[^>"']|"[^"]*"|'[^']*')*)>|[^<]+|</g;
const hrefAttribute = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;
const startAttribute = /\bstart\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;
const altAttribute = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

function attribute(pattern: RegExp, attributes: string): string | undefined {
  const m = pattern.exec(attributes);
  if (m === null) return undefined;
  return decodeEntities(m[1] ?? m[2] ?? m[3] ?? "");
}

function trimTrailingBlanks(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Converts sanitized HTML to plain text with `\n` line breaks and blank lines between paragraphs. */
export function htmlToPlainText(html: string): string {
  if (!html.includes("<") && !html.includes("&")) return html.replace(/\s+/g, " ").trim();
  let out = "";
  /** 0: nothing pending, 1: a line break, 2: a paragraph break, before the next text. */
  let pendingBreak = 0;
  let pre = 0;
  let skipping = 0;
  const lists: { ordered: boolean; next: number }[] = [];
  const links: { href: string | undefined; text: string }[] = [];

  const requestBreak = (level: number): void => {
    if (level > pendingBreak) pendingBreak = level;
  };
  /** Appends text, first flushing a pending break; leading spaces go when they would start a line. */
  const write = (text: string, keepLeadingSpace = false): void => {
    if (pre === 0 && !keepLeadingSpace && (pendingBreak > 0 || out === "" || out.endsWith(" ") || out.endsWith("\n"))) {
      text = text.replace(/^ +/, "");
    }
    if (text === "") return;
    if (pendingBreak > 0) {
      if (out !== "") out = trimTrailingBlanks(out) + (pendingBreak === 2 ? "\n\n" : "\n");
      pendingBreak = 0;
    }
    out += text;
    for (const link of links) link.text += text;
  };

  for (const m of html.matchAll(token)) {
    const whole = m[0];
    const name = m[2]?.toLowerCase();
    if (name === undefined) {
      if (whole.startsWith("<!--")) continue;
      if (skipping > 0) continue;
      const text = decodeEntities(whole);
      write(pre > 0 ? text.replace(/\r\n?/g, "\n") : text.replace(/[ \t\r\n\f]+/g, " "));
      continue;
    }
    const closing = m[1] === "/";
    if (skippedTags.has(name)) {
      skipping = Math.max(0, skipping + (closing ? -1 : 1));
      continue;
    }
    if (skipping > 0) continue;
    if (name === "br") {
      if (out !== "" || pendingBreak > 0) {
        out = trimTrailingBlanks(out) + "\n";
        pendingBreak = 0;
      }
      continue;
    }
    if (name === "pre") pre = Math.max(0, pre + (closing ? -1 : 1));
    if (name === "ul" || name === "ol") {
      if (closing) lists.pop();
      else {
        const start = Number.parseInt(attribute(startAttribute, m[3] ?? "") ?? "1", 10);
        lists.push({ ordered: name === "ol", next: Number.isSafeInteger(start) ? start : 1 });
      }
    }
    if (name === "ul" || name === "ol") requestBreak(lists.length > (closing ? 0 : 1) ? 1 : 2);
    else if (paragraphTags.has(name)) requestBreak(2);
    else if (lineTags.has(name)) requestBreak(1);
    else if ((name === "td" || name === "th") && !closing) write(" ");

    if (name === "li" && !closing) {
      const list = lists[lists.length - 1];
      const marker = list?.ordered ? `${list.next++}. ` : "- ";
      write("  ".repeat(Math.max(0, lists.length - 1)) + marker, true);
    } else if (name === "a") {
      if (closing) {
        const link = links.pop();
        const text = link?.text.trim() ?? "";
        const href = link?.href;
        if (href !== undefined && href !== "" && !href.startsWith("#") && href !== text && "mailto:" + text !== href) {
          write(text === "" ? href : ` (${href})`, true);
        }
      } else {
        links.push({ href: attribute(hrefAttribute, m[3] ?? ""), text: "" });
      }
    } else if (name === "img" && !closing) {
      const alt = attribute(altAttribute, m[3] ?? "");
      if (alt !== undefined && alt.trim() !== "") write(alt.trim());
    }
  }
  return out
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
