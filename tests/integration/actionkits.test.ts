// Action kits on the real PostgreSQL and on the embedded default: the whole kit checked when saved (a
// blank that is no field is refused with a clear message), drafts edited in place, publication as
// version 1, each later change a new immutable version, the outbox row and audit entry of each change
// in its transaction; adoption and translation by a partner with its origin kept; the opt-in counter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PartnerSchema } from "../../src/modules/partner/partner.entity.ts";
import { RemoteActorSchema } from "../../src/modules/remote-actor/remote-actor.entity.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { AppError } from "../../src/shared/errors.ts";
import { cafAccessRequest } from "../support/action-kits.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe.each([
  { name: "PostgreSQL", embedded: false },
  { name: "the embedded default", embedded: true },
])("action kits ($name)", ({ embedded }) => {
  let relais: RelaisInstance;
  let editor: Principal;
  let partnerEditor: Principal;

  const rows = async (sql: string) => (await relais.runtime.em.getConnection().execute(sql)) as Record<string, unknown>[];

  beforeAll(async () => {
    relais = await startRelaisInstance({ embedded, worker: false });
    const { collectives } = relais.runtime;
    await collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await collectives.create({ slug: "koeln", name: { de: "Soziale Rechte Köln" }, primaryLanguage: "de" });
    editor = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
    partnerEditor = (await createEditor(relais.runtime, "koeln", "jo@example.org")).principal;
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("refuses a letter whose blank is no field, saying which and what exists, and stores nothing", async () => {
    const { actionkits } = relais.runtime;
    const letters = [{ ...cafAccessRequest.letters[0], body: { ...cafAccessRequest.letters[0]?.body, fr: "Je soussigné·e {{name}}, dossier {{numero_dossier}}" } }];
    const error = await rejection(actionkits.create(editor, "lyon", { ...cafAccessRequest, letters }));
    expect(error.status).toBe(422);
    expect(error.details).toEqual([
      {
        field: "letters.0.body.fr",
        message: 'refers to the field "{{numero_dossier}}", which does not exist: add a field named "numero_dossier" or correct the name (fields: name, address, file_number, date, details)',
      },
    ]);
    const missing = await rejection(actionkits.create(editor, "lyon", { ...cafAccessRequest, explanation: { fr: "Seulement en français" } }));
    expect(missing.details).toEqual([{ field: "explanation.en", message: "the kit is in en (its title) but the explanation is not: write it in en, or remove that title" }]);
    expect((await rejection(actionkits.create(editor, "lyon", { ...cafAccessRequest, recipient: "x" }))).details?.[0]?.field).toBe("recipient");
    expect((await rejection(actionkits.create(partnerEditor, "lyon", cafAccessRequest))).status).toBe(403);
    expect(await rows("select id from action_kit")).toEqual([]);
  });

  it("keeps a draft at version 0, publishes version 1 with its Create, and makes every later change a version with its Update", async () => {
    const { actionkits } = relais.runtime;
    const draft = await actionkits.create(editor, "lyon", cafAccessRequest);
    expect(draft).toMatchObject({ version: 0, published: false, country: "FR" });
    expect(Object.keys(draft.title)).toEqual(["fr", "en"]);
    expect(draft.fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ["name", "text", true],
      ["address", "multiline", true],
      ["file_number", "text", true],
      ["date", "date", false],
      ["details", "multiline", false],
    ]);
    // A stranger does not see a draft at all.
    expect((await rejection(actionkits.get(null, draft.id))).status).toBe(404);
    const edited = await actionkits.update(editor, draft.id, { legalBasis: { fr: "RGPD, art. 15 et 22", en: "GDPR, Art. 15 and 22" } });
    expect(edited.version).toBe(0);
    expect(await rows(`select * from action_kit_version where kit_id = '${draft.id}'`)).toEqual([]);

    const published = await actionkits.update(editor, draft.id, { published: true }, { ifVersion: 0 });
    expect(published).toMatchObject({ version: 1, published: true });
    const changed = await actionkits.update(editor, draft.id, { steps: [...cafAccessRequest.steps, { fr: "Sans réponse, saisissez la CNIL.", en: "Without an answer, complain to the CNIL." }] });
    expect(changed.version).toBe(2);
    expect((await rejection(actionkits.update(editor, draft.id, { title: { fr: "x", en: "y" } }, { ifVersion: 1 }))).status).toBe(409);
    expect((await rejection(actionkits.update(editor, draft.id, { published: false }))).status).toBe(409);
    // Saving the same text again makes no version.
    expect((await actionkits.update(editor, draft.id, { country: "FR" })).version).toBe(2);

    const versions = await actionkits.versions(draft.id);
    expect(versions.map((v) => [v.version, v.steps.length, v.legalBasis.fr])).toEqual([
      [1, 3, "RGPD, art. 15 et 22"],
      [2, 4, "RGPD, art. 15 et 22"],
    ]);
    const outbox = await rows(`select activity_id, kind from outbox where payload->>'kitId' = '${draft.id}' order by id`);
    expect(outbox).toEqual([
      { activity_id: `${draft.apId.href}#create`, kind: "create-actionkit" },
      { activity_id: `${draft.apId.href}#update-2`, kind: "update-actionkit" },
    ]);
    const audit = await rows(`select action, detail from audit_entry where subject = '${draft.id}' order by id`);
    expect(audit.map((a) => a.action)).toEqual(["actionkit.create", "actionkit.change", "actionkit.publish", "actionkit.change"]);
    expect(audit[0]?.detail).toBe(cafAccessRequest.title.fr);

    // Listed for its collective and its country (any case), a draft only for editors who ask.
    const other = await actionkits.create(editor, "lyon", { ...cafAccessRequest, country: "BE" });
    expect((await actionkits.list("lyon", null)).map((k) => k.id)).toEqual([draft.id]);
    expect((await actionkits.list("lyon", editor, { includeDrafts: true })).map((k) => k.id)).toEqual([other.id, draft.id]);
    expect((await actionkits.pageOfCountry("fr", { limit: 10 })).items.map((k) => k.id)).toEqual([draft.id]);
    expect((await actionkits.pageOfCountry("BE", { limit: 10 })).items).toEqual([]);
    expect((await rejection(actionkits.pageOfCountry("France", { limit: 10 }))).status).toBe(422);
  });

  it("lets a partner adopt and translate a kit, its origin kept, and counts opt-in downloads across both", async () => {
    const { actionkits, urls } = relais.runtime;
    const original = (await actionkits.list("lyon", null))[0];
    if (!original) throw new Error("the published kit of the previous test");
    const incoming = await actionkits.asIncoming(original.apId);
    if (!incoming) throw new Error("a published kit of this instance is adoptable");
    expect((await rejection(actionkits.adopt(partnerEditor, "koeln", incoming))).status).toBe(403);

    const em = relais.runtime.em.fork();
    const actor = em.create(RemoteActorSchema, { apId: urls.collective("lyon").href, domain: urls.origin.hostname, type: "Group", inboxUrl: urls.collectiveInbox("lyon").href, fetchedAt: new Date() });
    await em.flush();
    const koeln = (await rows("select id from collective where slug = 'koeln'"))[0]?.id as string;
    em.create(PartnerSchema, { collective: koeln, actor: actor.id, state: "accepted", followActivityId: `${urls.collective("koeln").href}#follow-lyon` });
    await em.flush();

    const adopted = await actionkits.adopt(partnerEditor, "koeln", incoming);
    expect(adopted).toMatchObject({ published: false, version: 0 });
    expect(adopted.origin).toEqual({ apId: original.apId.href, actorApId: urls.collective("lyon").href, actorName: "Droits sociaux Lyon", url: original.apId.href });
    expect((await rejection(actionkits.adopt(partnerEditor, "koeln", incoming))).status).toBe(409);
    // The translation: German everywhere, then published; the origin stays.
    const de = (map: Record<string, string>, text: string) => ({ ...map, de: text });
    const translated = await actionkits.update(partnerEditor, adopted.id, {
      title: de(original.title, "Daten und Risikobewertung bei der CAF anfragen"),
      explanation: de(original.explanation, "Die CAF bewertet alle Leistungsberechtigten mit einem Algorithmus."),
      institution: de(original.institution, "Familienkasse (CAF)"),
      legalBasis: de(original.legalBasis, "DSGVO, Art. 15 und 22"),
      steps: original.steps.map((s, i) => de(s, `Schritt ${i + 1}`)),
      fields: original.fields.map((f) => ({ ...f, label: de(f.label, `Feld ${f.name}`), ...(f.hint ? { hint: f.hint } : {}) })),
      letters: original.letters.map((l) => ({ ...l, title: de(l.title, "Auskunftsersuchen"), body: de(l.body, "{{name}}, Nummer {{file_number}}") })),
      published: true,
    });
    expect(translated).toMatchObject({ published: true, version: 1 });
    expect(Object.keys(translated.title)).toEqual(["de", "fr", "en"]);
    expect(translated.origin?.apId).toBe(original.apId.href);
    expect(await rows(`select action from audit_entry where subject = '${adopted.id}' order by id`)).toEqual([{ action: "actionkit.adopt" }, { action: "actionkit.publish" }]);

    expect(await actionkits.count(original.id, "fr")).toBe(true);
    expect(await actionkits.count(original.id, "fr")).toBe(true);
    expect(await actionkits.count(adopted.id, "de")).toBe(true);
    // Not a language of the kit, not a published kit: nothing counted.
    expect(await actionkits.count(original.id, "es")).toBe(false);
    const draft = (await actionkits.list("lyon", editor, { includeDrafts: true })).find((k) => !k.published);
    expect(await actionkits.count(draft?.id ?? "", "fr")).toBe(false);
    expect(await actionkits.counts(original)).toEqual({ total: 3, byLanguage: { fr: 2, de: 1 }, otherServers: 0 });
    expect(await actionkits.counts(adopted)).toEqual({ total: 1, byLanguage: { de: 1 }, otherServers: 0 });
    // The counter keeps a number per kit and language, nothing else.
    expect(await rows(`select column_name from information_schema.columns where table_name = 'action_kit_count' order by ordinal_position`)).toEqual([
      { column_name: "id" },
      { column_name: "kit_id" },
      { column_name: "language" },
      { column_name: "count" },
    ]);
  });

  it("deletes a published kit with a Delete, a draft without", async () => {
    const { actionkits } = relais.runtime;
    const kit = (await actionkits.list("lyon", null))[0];
    if (!kit) throw new Error("the published kit");
    await actionkits.delete(editor, kit.id);
    expect((await rejection(actionkits.get(null, kit.id))).status).toBe(404);
    expect((await actionkits.load(kit.id))?.deletedAt).toBeDefined();
    expect(await rows(`select kind from outbox where activity_id = '${kit.apId.href}#delete'`)).toEqual([{ kind: "delete-actionkit" }]);
  });
});
