// Plain text for iCal DESCRIPTION from the sanitized HTML of event descriptions, by html-to-text: blocks
// become paragraphs, <br> a line break, list items "- " lines, links "text (url)". No word wrapping:
// calendar apps wrap for themselves, and iCal folding is done by the renderer.
import { compile } from "html-to-text";

const headings = ["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({ selector, options: { uppercase: false } }));

const convert = compile({
  wordwrap: false,
  selectors: [
    { selector: "a", options: { hideLinkHrefIfSameAsText: true, linkBrackets: ["(", ")"] } },
    { selector: "ul", options: { itemPrefix: "- " } },
    ...headings,
  ],
});

/** Converts sanitized HTML to plain text with `\n` line breaks and blank lines between paragraphs. */
export function htmlToPlainText(html: string): string {
  return convert(html).trim();
}
