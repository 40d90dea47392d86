import { describe, expect, it } from "vitest";
import { htmlToPlainText } from "./plain-text.ts";

describe("htmlToPlainText", () => {
  it("keeps paragraphs as blank lines and <br> as line breaks, collapsing HTML whitespace", () => {
    const html = "<h2>Programme</h2>\n<p>Rendez-vous   à 14h,\nplace de la République.<br />\nVenez nombreux !</p>\n<p>Fin.</p>";
    expect(htmlToPlainText(html)).toBe("Programme\n\nRendez-vous à 14h, place de la République.\nVenez nombreux !\n\nFin.");
  });

  it("writes lists as lines, nested lists indented, ordered lists from their start", () => {
    const html = '<ul>\n<li>Banderoles</li>\n<li>Tambours<ul><li>grands</li><li>petits</li></ul></li>\n</ul>\n<ol start="3">\n<li>trois</li>\n<li>quatre</li>\n</ol>';
    expect(htmlToPlainText(html)).toBe("- Banderoles\n- Tambours\n  - grands\n  - petits\n\n 3. trois\n 4. quatre");
  });

  it("keeps link targets unless the text already is the target", () => {
    const html =
      '<p>Voir <a href="https://example.org/carte" rel="nofollow">la carte</a>, ' +
      '<a href="https://example.org/x">https://example.org/x</a> ou <a href="mailto:a@example.org">a@example.org</a>.</p>';
    expect(htmlToPlainText(html)).toBe("Voir la carte (https://example.org/carte), https://example.org/x ou a@example.org.");
  });

  it("keeps preformatted text as it is", () => {
    expect(htmlToPlainText("<p>Code :</p><pre><code>ligne 1\n  ligne 2</code></pre><p>fin</p>")).toBe(
      "Code :\n\nligne 1\n  ligne 2\n\nfin",
    );
  });

  it("decodes entities, numeric and named", () => {
    expect(htmlToPlainText("<p>&lt;3 &amp; &#x1F389; &#233;t&eacute; &quot;ok&quot; &#39;x&#39; a&nbsp;b</p>")).toBe(
      "<3 & 🎉 été \"ok\" 'x' a\u00a0b",
    );
  });

  it("drops comments and the content of script and style elements", () => {
    expect(htmlToPlainText("<p>a<!-- hidden --></p><script>alert(1)</script><style>p{}</style><p>b</p>")).toBe("a\n\nb");
  });

  it("returns plain text unchanged but for whitespace, and never wraps long lines", () => {
    expect(htmlToPlainText("  déjà vu ;,  ")).toBe("déjà vu ;,");
    const long = "mot ".repeat(100).trim();
    expect(htmlToPlainText(`<p>${long}</p>`)).toBe(long);
  });
});
