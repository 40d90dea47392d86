// The action kits' page of the editor over real HTTP: a login asked for, the list (drafts too, with the
// opt-in count and the public pages per language of published kits) for the collective's editors only,
// linked from the dashboard, in fr/de/nl/en without a missing key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { cafAccessRequest } from "../support/action-kits.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";

describe("the action kits in the editor", () => {
  let relais: RelaisInstance;
  let ana: WebClient;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await relais.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    await createEditor(relais.runtime, "lyon", "ana@example.org");
    await createEditor(relais.runtime, "gent", "bram@example.org", "owner");
    ana = new WebClient(relais.origin);
    await ana.login("ana@example.org", password);
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("lists a collective's kits, drafts too, to its editors only", async () => {
    const anonymous = await new WebClient(relais.origin).get("/manage/@lyon/kits");
    expect(anonymous.location).toMatch(/^\/manage\/login/);
    expect((await ana.get("/manage/@lyon")).text).toContain('href="/manage/@lyon/kits"');
    expect((await ana.get("/manage/@lyon/kits?lang=en")).text).toContain("No action kit yet.");

    const { actionkits } = relais.runtime;
    await actionkits.create("cli", "lyon", { ...cafAccessRequest, title: { fr: "Brouillon de kit", en: "Draft kit" } });
    const published = await actionkits.create("cli", "lyon", { ...cafAccessRequest, published: true });
    await actionkits.count(published.id, "fr");
    const missingBefore = missingTranslationKeys().length;
    for (const lang of ["de", "nl", "en"]) expect((await ana.get(`/manage/@lyon/kits?lang=${lang}`)).status).toBe(200);
    const list = await ana.get("/manage/@lyon/kits?lang=fr");
    expect(list.status).toBe(200);
    expect(list.text).toContain("Brouillon de kit");
    expect(list.text).toContain("<strong>Brouillon</strong>");
    expect(list.text).toContain("<strong>Publié</strong> · FR · version 1 · 1 lettres comptées");
    expect(list.text).toContain(`href="/kits/${published.id}/en"`);
    expect(missingTranslationKeys().length).toBe(missingBefore);

    const bram = new WebClient(relais.origin);
    await bram.login("bram@example.org", password);
    expect((await bram.get("/manage/@lyon/kits")).status).toBe(403);
  });
});
