import { describe, expect, it } from "vitest";
import { htmlToPlainText, renderEventMarkdown, sanitizeEventHtml } from "./event-markdown.ts";

describe("renderEventMarkdown", () => {
  it("renders the usual Markdown", () => {
    const html = renderEventMarkdown("Rendez-vous **place Bellecour**\nà 14 h.\n\n- banderoles\n- sifflets\n\n> venez nombreux");
    expect(html).toBe(
      "<p>Rendez-vous <strong>place Bellecour</strong><br />à 14 h.</p>\n<ul>\n<li>banderoles</li>\n<li>sifflets</li>\n</ul>\n<blockquote>\n<p>venez nombreux</p>\n</blockquote>",
    );
  });

  it("gives every link rel=nofollow noopener noreferrer ugc, replacing the author's own rel and target", () => {
    expect(renderEventMarkdown("[site](https://asso.example/page)")).toBe(
      '<p><a href="https://asso.example/page" rel="nofollow noopener noreferrer ugc">site</a></p>',
    );
    expect(renderEventMarkdown('<a href="https://x.example" rel="me" target="_blank">x</a>')).toBe(
      '<p><a href="https://x.example" rel="nofollow noopener noreferrer ugc">x</a></p>',
    );
    expect(renderEventMarkdown("https://auto.example/x")).toContain('rel="nofollow noopener noreferrer ugc"');
  });

  it("removes scripts, inline handlers and javascript: links", () => {
    const html = renderEventMarkdown(
      'a <script>alert(1)</script> <b onclick="alert(2)">b</b> [c](javascript:alert(3)) <a href="data:text/html,x">d</a>',
    );
    expect(html).not.toMatch(/script|onclick|alert|javascript|data:/);
    expect(html).toContain("<b>b</b>");
    expect(html).toContain('<a rel="nofollow noopener noreferrer ugc">c</a>');
  });

  it("drops everything that would make the browser contact a third party", () => {
    const html = renderEventMarkdown(
      '![pixel](https://tracker.example/p.png)\n\n<iframe src="https://evil.example"></iframe>\n\n<img src="https://t.example/i.gif">' +
        '<video src="https://v.example/v.mp4"></video><link rel="stylesheet" href="https://css.example/s.css">' +
        '<p style="background:url(https://bg.example/x.png)">styled</p><form action="https://f.example"><input></form>',
    );
    expect(html).not.toMatch(/https?:\/\/(tracker|evil|t|v|css|bg|f)\.example/);
    expect(html).not.toMatch(/<(img|iframe|video|link|form|input)|style=/);
    expect(html).toContain("<p>styled</p>");
  });

  it("starts headings at h2 (the page title is the h1)", () => {
    expect(renderEventMarkdown("# Programme\n\n###### détail")).toBe("<h2>Programme</h2>\n<h4>détail</h4>");
  });
});

describe("sanitizeEventHtml", () => {
  it("cleans remote content to the same subset", () => {
    const mobilizon =
      '<p><span class="h-card"><a href="https://framapiaf.org/users/tcit" class="u-url mention">@<span>tcit</span></a></span></p>';
    expect(sanitizeEventHtml(mobilizon)).toBe(
      '<p><a href="https://framapiaf.org/users/tcit" rel="nofollow noopener noreferrer ugc">@tcit</a></p>',
    );
  });
});

describe("htmlToPlainText", () => {
  it("keeps the text, decodes entities and collapses spaces", () => {
    expect(htmlToPlainText("<p>Café &amp; <b>débat</b></p><p>Lyon&nbsp;7e &#8212; &#x1F4CD;</p>")).toBe(
      "Café & débat Lyon 7e — 📍",
    );
    expect(htmlToPlainText("\n    📍 Colosseo\n    📅 Wednesday, 14 July (17:30)\n\n  ")).toBe(
      "📍 Colosseo 📅 Wednesday, 14 July (17:30)",
    );
  });
});
