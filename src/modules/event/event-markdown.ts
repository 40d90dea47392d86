import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

/** Every link in users' content: no SEO credit, no window.opener, no Referer, marked as user content. */
export const userLinkRel = "nofollow noopener noreferrer ugc";

// Organisers type paragraphs with single line breaks; `breaks` keeps them as they see them.
const markdown = new Marked({ gfm: true, breaks: true, async: false });

// What a description may contain. Nothing here makes the reader's browser contact a third party:
// no images, media, iframes, styles or forms. The event page shows the name as <h1>, so headings
// start at <h2>.
const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "del",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "hr",
  ],
  allowedAttributes: { a: ["href", "rel"], ol: ["start"] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  nonTextTags: ["script", "style", "textarea", "option", "noscript", "iframe", "object", "embed", "template"],
  transformTags: {
    h1: "h2",
    h5: "h4",
    h6: "h4",
    // Whatever rel/target the author wrote is replaced; the scheme filter runs after this and drops
    // javascript:, data: and the like.
    a: (tagName, attribs) => {
      const kept: sanitizeHtml.Attributes = {};
      if (attribs.href !== undefined) kept.href = attribs.href;
      kept.rel = userLinkRel;
      return { tagName, attribs: kept };
    },
  },
};

/** Cleans HTML from any source (our Markdown output, a remote server's `content`) to the allowed subset. */
export function sanitizeEventHtml(html: string): string {
  return sanitizeHtml(html, sanitizeOptions).trim();
}

/** An organiser's Markdown description as sanitized HTML, ready to store and publish as `content`. */
export function renderEventMarkdown(source: string): string {
  return sanitizeEventHtml(markdown.parse(source) as string);
}

/** Text without markup (for one-line fields read from remote HTML): tags dropped, entities decoded, spaces collapsed. */
export function htmlToPlainText(html: string): string {
  const text = sanitizeHtml(html.replace(/<br\s*\/?>|<\/p>/gi, " "), { allowedTags: [], allowedAttributes: {} });
  return decodeEntities(text).replace(/\s+/g, " ").trim();
}

const namedEntities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] !== "#") return namedEntities[body.toLowerCase()] ?? whole;
    const code = body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
