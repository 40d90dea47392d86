// The QR code on a slogan's placards, read back from the PDF served over HTTP by independent tools
// (pdfjs-dist parses the page, sharp rasterises its filled shapes, jsQR decodes): it points to the call
// the slogan belongs to, at every paper size and orientation; a slogan without a public call has none.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { readQrCode } from "../support/pdf-qr.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

describe("the QR code on placards", () => {
  let relais: RelaisInstance;
  let editor: Principal;
  const placard = async (id: string, file: string) => {
    const res = await fetch(relais.url(`/slogans/${id}/placards/${file}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    return new Uint8Array(await res.arrayBuffer());
  };

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
  }, 60_000);
  afterAll(async () => {
    await relais?.close();
  });

  it("points to the call's URL on every format", async () => {
    const { calls, slogans } = relais.runtime;
    const call = await calls.create(editor, "lyon", { title: { fr: "Stop au contrôle", de: "Schluss mit der Kontrolle" }, body: { fr: "Nous exigeons.", de: "Wir fordern." } });
    await calls.open(editor, call.id);
    const slogan = await slogans.create(editor, "lyon", { text: { fr: "Pas de tri des pauvres", de: "Keine Sortierung der Armen" }, call: call.id });
    const expected = relais.url(`/calls/${call.id}`).href;
    for (const file of ["fr-a4-portrait.pdf", "fr-a4-landscape.pdf", "de-a3-portrait.pdf", "de-a3-landscape.pdf"]) {
      expect(await readQrCode(await placard(slogan.id, file)), file).toBe(expected);
    }
  }, 120_000);

  it("has none without a call, nor while the call is a draft", async () => {
    const { calls, slogans } = relais.runtime;
    const alone = await slogans.create(editor, "lyon", { text: { fr: "Sans appel" } });
    expect(await readQrCode(await placard(alone.id, "fr-a4-portrait.pdf"))).toBeNull();
    const draft = await calls.create(editor, "lyon", { title: { fr: "Brouillon" }, body: { fr: "Texte." } });
    const early = await slogans.create(editor, "lyon", { text: { fr: "Trop tôt" }, call: draft.id });
    expect(await readQrCode(await placard(early.id, "fr-a4-portrait.pdf"))).toBeNull();
  }, 60_000);
});
