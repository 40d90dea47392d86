// An action kit in a real browser (issue 11): a person fills in a French GDPR access request, the PDF
// is made in the page (read back with pdfjs-dist: every field in its place), and nothing leaves the
// device: after the page loaded, no request at all, offline included, unless the person ticked the
// counter box — then exactly one empty POST to the counter, with nothing typed in it. The page's CSP
// lets a script reach nothing else. Without JavaScript the letters are printed with blanks.
import { readFileSync } from "node:fs";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionKitView } from "../../src/modules/actionkit/actionkit.types.ts";
import { cafAccessRequest } from "../support/action-kits.ts";
import { type LaunchedBrowser, launchBrowser, pageProblems } from "../support/browser.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

/** The text of a PDF, one string per line (items sharing a baseline joined), top to bottom. */
async function pdfLines(bytes: Uint8Array): Promise<string[]> {
  const pdf = await getDocument({ data: bytes, useSystemFonts: false }).promise;
  const lines: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const items = (await (await pdf.getPage(n)).getTextContent()).items.flatMap((i) => ("str" in i ? [{ str: i.str, y: Math.round(i.transform[5] as number) }] : []));
    const byY = new Map<number, string>();
    for (const item of items) byY.set(item.y, `${byY.get(item.y) ?? ""}${item.str}`);
    lines.push(...[...byY.entries()].sort((a, b) => b[0] - a[0]).map(([, s]) => s.trim()));
  }
  return lines;
}

const typed = {
  name: "Ana Martin-Zq",
  address: "12 rue des Lilas\n69003 Lyon",
  file_number: "ZQ-4471902",
  date: "2026-12-02",
  details: "Mon dossier a été contrôlé en mars.",
};

describe("an action kit in a real browser", () => {
  let relais: RelaisInstance;
  let browser: LaunchedBrowser;
  let kit: ActionKitView;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    const { principal } = await createEditor(relais.runtime, "lyon", "ana@example.org");
    kit = await relais.runtime.actionkits.create(principal, "lyon", { ...cafAccessRequest, published: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await relais?.close();
  });

  /** Opens the kit's French page and waits until its script is ready; from then on every request is logged. */
  async function openKit(): Promise<{ page: Page; requests: Request[] }> {
    const page = await browser.context.newPage();
    const response = await page.goto(relais.url(`/kits/${kit.id}/fr`).href, { waitUntil: "load" });
    expect(response?.status()).toBe(200);
    await page.locator("#kit-form").waitFor({ state: "visible" });
    await page.waitForLoadState("networkidle");
    const requests: Request[] = [];
    page.on("request", (r) => {
      // The PDF is handed over as a blob: URL (bytes already in the page): not a network request.
      if (!r.url().startsWith("blob:")) requests.push(r);
    });
    return { page, requests };
  }

  async function fillAndDownload(page: Page, values: typeof typed = typed): Promise<Uint8Array> {
    await page.getByLabel("Nom et prénom").fill(values.name);
    await page.getByLabel("Adresse").fill(values.address);
    await page.getByLabel("Numéro d'allocataire").fill(values.file_number);
    await page.getByLabel("Date").fill(values.date);
    await page.getByLabel("Précisions").fill(values.details);
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#kit-pdf-access-request").click()]);
    expect(download.suggestedFilename()).toBe("access-request-fr.pdf");
    return new Uint8Array(readFileSync(await download.path()));
  }

  it("makes the filled PDF in the page, offline, with no request at all when the box is not ticked", async () => {
    const { page, requests } = await openKit();
    expect(await page.locator("#kit-count-me").isChecked()).toBe(false);
    await browser.context.setOffline(true);
    try {
      // A required field left empty: told, and nothing made.
      await page.locator("#kit-pdf-access-request").click();
      await expect.poll(() => page.locator("#kit-status").textContent()).toContain("obligatoires");
      expect(await page.locator("#kit-field-name").getAttribute("aria-invalid")).toBe("true");

      const lines = await pdfLines(await fillAndDownload(page));
      expect(lines.slice(0, 3)).toEqual(["Ana Martin-Zq", "12 rue des Lilas", "69003 Lyon"]);
      expect(lines).toContain("Le 2 décembre 2026");
      expect(lines).toContain("Objet : demande d'accès à mes données personnelles (article 15 du RGPD)");
      expect(lines).toContain("Numéro d'allocataire : ZQ-4471902");
      expect(lines).toContain("Mon dossier a été contrôlé en mars.");
      expect(lines.at(-1)).toBe("Ana Martin-Zq");
      expect(lines.indexOf("Numéro d'allocataire : ZQ-4471902")).toBeGreaterThan(lines.indexOf("Le 2 décembre 2026"));
      expect(lines.join("\n")).not.toContain("{{");
      // The same letter as text, to copy.
      await page.locator("#kit-copy-access-request").click();
      const text = await page.locator("#kit-output-access-request").inputValue();
      expect(text.startsWith("Ana Martin-Zq\n12 rue des Lilas\n69003 Lyon\n")).toBe(true);
      expect(text).toContain("Numéro d'allocataire : ZQ-4471902");
    } finally {
      await browser.context.setOffline(false);
    }
    expect(requests.map((r) => `${r.method()} ${r.url()}`)).toEqual([]);
    expect(await relais.runtime.actionkits.counts(kit)).toEqual({ total: 0, byLanguage: {}, otherServers: 0 });
    await page.close();
  });

  it("draws letters beyond Latin-1 (DejaVu Sans embedded from this origin): Łódź, €, œ, Ğ, Greek and Cyrillic", async () => {
    const { page, requests } = await openKit();
    await browser.context.setOffline(true);
    const wide = {
      ...typed,
      name: "Zoë Łukasiewicz-Šťastná",
      address: "ul. Piotrkowska 3\n90-001 Łódź",
      file_number: "ŁDZ-2026-€7",
      details: "Loyer : 450 € — cœur, Ğüneş, Ωμέγα, Жанна «ok»",
    };
    try {
      const bytes = await fillAndDownload(page, wide);
      const lines = await pdfLines(bytes);
      expect(lines.slice(0, 3)).toEqual(["Zoë Łukasiewicz-Šťastná", "ul. Piotrkowska 3", "90-001 Łódź"]);
      expect(lines).toContain("Numéro d'allocataire : ŁDZ-2026-€7");
      expect(lines).toContain("Loyer : 450 € — cœur, Ğüneş, Ωμέγα, Жанна «ok»");
      expect(lines.at(-1)).toBe("Zoë Łukasiewicz-Šťastná");
      expect(lines.join("\n")).not.toContain("?");
      // Only the glyphs used are embedded: the PDF is far smaller than the font (760 kB).
      expect(bytes.length).toBeLessThan(120_000);
    } finally {
      await browser.context.setOffline(false);
    }
    expect(requests.map((r) => `${r.method()} ${r.url()}`)).toEqual([]);
    await page.close();
  });

  it("with the box ticked, sends exactly one empty request to the counter, nothing typed in it, and the count goes up", async () => {
    const { page, requests } = await openKit();
    await page.locator("#kit-count-me").check();
    const lines = await pdfLines(await fillAndDownload(page));
    expect(lines).toContain("Numéro d'allocataire : ZQ-4471902");
    // A second download counts no more.
    const [again] = await Promise.all([page.waitForEvent("download"), page.locator("#kit-pdf-access-request").click()]);
    await again.path();
    await expect.poll(() => relais.runtime.actionkits.counts(kit)).toEqual({ total: 1, byLanguage: { fr: 1 }, otherServers: 0 });
    expect(requests).toHaveLength(1);
    const [count] = requests;
    if (!count) throw new Error("the count");
    expect(count.method()).toBe("POST");
    expect(count.url()).toBe(relais.url(`/kits/${kit.id}/fr/count`).href);
    expect(count.postData()).toBeNull();
    const sent = JSON.stringify({ url: count.url(), headers: await count.allHeaders() });
    for (const value of [typed.name, typed.file_number, "Lilas", "ZQ"]) expect(sent).not.toContain(value);
    expect((await count.response())?.status()).toBe(204);

    // The CSP lets a script reach nothing else, not even this origin's other URLs.
    const blocked = await page.evaluate(() =>
      fetch("/healthz").then(
        () => "reached",
        () => "blocked",
      ),
    );
    expect(blocked).toBe("blocked");
    expect(requests).toHaveLength(1);
    // The page says so plainly, and shows the count.
    await page.reload();
    await expect.poll(() => page.locator("#kit-count").textContent()).toContain("Lettres produites dans le réseau : 1");
    expect(await page.locator(".privacy").textContent()).toContain("rien de ce que vous tapez n'est envoyé à aucun serveur");
    expect(await pageProblems(page, "actionkit")).toEqual([]);
    await page.close();
  });

  it("without JavaScript, shows and prints the letter with blanks, and no form", async () => {
    const noScript = await launchBrowser({ javaScript: false });
    try {
      const page = await noScript.context.newPage();
      await page.goto(relais.url(`/kits/${kit.id}/fr`).href, { waitUntil: "load" });
      expect(await page.locator("#kit-form").isVisible()).toBe(false);
      const letter = await page.locator("pre.letter").textContent();
      expect(letter).toContain("__________ (Nom et prénom)");
      expect(letter).toContain("Numéro d'allocataire : __________ (Numéro d'allocataire)");
      expect(await page.locator(".kit-noscript").isVisible()).toBe(true);
      const printed = await pdfLines(new Uint8Array(await page.pdf({ format: "A4" })));
      expect(printed).toContain("Numéro d'allocataire : __________ (Numéro d'allocataire)");
      expect(printed.some((l) => l.startsWith("__________ (Adresse)"))).toBe(true);
      // Print leaves out the site's navigation and the counter.
      expect(printed.join("\n")).not.toContain("Lettres produites");
    } finally {
      await noScript.close();
    }
  });
});
