// Slogans of one collective on the real PostgreSQL: a line per language (fr/de/nl/en, at most 120
// characters), tags, attached to the collective's own call or event, versions, and the outbox row and
// audit entry each change writes in its transaction; adoption of a partner's slogan, its origin kept.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PartnerSchema } from "../../src/modules/partner/partner.entity.ts";
import { RemoteActorSchema } from "../../src/modules/remote-actor/remote-actor.entity.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { AppError } from "../../src/shared/errors.ts";
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

describe("slogans", () => {
  let relais: RelaisInstance;
  let editor: Principal;
  let stranger: Principal;
  let callId: string;
  let gentCallId: string;

  const rows = async (sql: string) => (await relais.runtime.em.getConnection().execute(sql)) as Record<string, unknown>[];

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    const { collectives, calls } = relais.runtime;
    await collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    editor = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
    stranger = (await createEditor(relais.runtime, "gent", "bram@example.org", "owner")).principal;
    callId = (await calls.create(editor, "lyon", { title: { fr: "Stop au contrôle" }, body: { fr: "Nous exigeons." } })).id;
    gentCallId = (await calls.create(stranger, "gent", { title: { nl: "Stop de controle" }, body: { nl: "Wij eisen." } })).id;
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("creates a published slogan with its Create row and audit entry, one line per language", async () => {
    const { slogans } = relais.runtime;
    const slogan = await slogans.create(editor, "lyon", {
      text: { de: "  Keine   Sortierung\nder Armen ", fr: "Pas de tri des pauvres" },
      tags: ["#allocs", "lyon"],
      call: callId,
    });
    expect(slogan.text).toEqual({ fr: "Pas de tri des pauvres", de: "Keine Sortierung der Armen" });
    expect(Object.keys(slogan.text)).toEqual(["fr", "de"]);
    expect(slogan.tags).toEqual(["allocs", "lyon"]);
    expect(slogan.version).toBe(1);
    expect(slogan.published).toBe(true);
    expect(slogan.callId).toBe(callId);
    // The call is a draft: the slogan does not show it yet.
    expect(slogan.call).toBeUndefined();
    expect(slogan.apId.href).toBe(relais.url(`/slogans/${slogan.id}`).href);
    const outbox = await rows(`select activity_id, kind, payload from outbox where payload->>'sloganId' = '${slogan.id}'`);
    expect(outbox).toEqual([{ activity_id: `${slogan.apId.href}#create`, kind: "create-slogan", payload: { kind: "create-slogan", collectiveId: slogan.collective.id, sloganId: slogan.id } }]);
    const audit = await rows(`select action, actor, detail from audit_entry where subject = '${slogan.id}'`);
    expect(audit).toEqual([{ action: "slogan.create", actor: "ana@example.org", detail: "Pas de tri des pauvres" }]);
  });

  it("takes 120 characters and refuses 121, languages other than fr/de/nl/en, unknown fields and others' calls", async () => {
    const { slogans } = relais.runtime;
    const longest = "é".repeat(120);
    expect((await slogans.create(editor, "lyon", { text: { nl: longest }, published: false })).text.nl).toBe(longest);
    const tooLong = await rejection(slogans.create(editor, "lyon", { text: { fr: "a".repeat(121) } }));
    expect(tooLong.status).toBe(422);
    expect(tooLong.details).toEqual([{ field: "text.fr", message: "must be at most 120 characters (it has 121); shorten it" }]);
    const spanish = await rejection(slogans.create(editor, "lyon", { text: { es: "No pasarán" } }));
    expect(spanish.details?.[0]?.field).toBe("text.es");
    expect((await rejection(slogans.create(editor, "lyon", { text: { fr: "x" }, author: "Ana" }))).details?.[0]?.field).toBe("author");
    expect((await rejection(slogans.create(editor, "lyon", { tags: ["x"] }))).details?.[0]?.field).toBe("text");
    const otherCall = await rejection(slogans.create(editor, "lyon", { text: { fr: "x" }, call: gentCallId }));
    expect(otherCall.details?.[0]?.field).toBe("call");
    expect((await rejection(slogans.create(stranger, "lyon", { text: { fr: "x" } }))).status).toBe(403);
  });

  it("versions every change, refuses a stale If-Match, publishes a draft once and deletes with a Delete", async () => {
    const { slogans } = relais.runtime;
    const draft = await slogans.create(editor, "lyon", { text: { fr: "Nos vies ne sont pas des scores" }, published: false });
    expect(await rows(`select kind from outbox where payload->>'sloganId' = '${draft.id}'`)).toEqual([]);
    expect((await rejection(slogans.get(null, draft.id))).status).toBe(404);
    expect((await rejection(slogans.get(stranger, draft.id))).status).toBe(404);

    const edited = await slogans.update(editor, draft.id, { text: { fr: "Nos vies ne sont pas des scores", en: "Our lives are not scores" } });
    expect(edited.version).toBe(2);
    const same = await slogans.update(editor, draft.id, { text: { en: "Our lives are not scores", fr: "Nos vies ne sont pas des scores" } });
    expect(same.version).toBe(2);
    const published = await slogans.update(editor, draft.id, { published: true });
    expect(published.published).toBe(true);
    expect(published.version).toBe(2);
    const v3 = await slogans.update(editor, draft.id, { tags: ["scores"] }, { ifVersion: 2 });
    expect(v3.version).toBe(3);
    expect((await rejection(slogans.update(editor, draft.id, { tags: [] }, { ifVersion: 2 }))).status).toBe(409);
    expect((await rejection(slogans.update(editor, draft.id, { published: false }))).status).toBe(409);
    await slogans.delete(editor, draft.id);
    expect((await rejection(slogans.get(editor, draft.id))).status).toBe(404);
    expect((await slogans.load(draft.id))?.deletedAt).toBeDefined();
    const outbox = await rows(`select activity_id, kind from outbox where payload->>'sloganId' = '${draft.id}' order by id`);
    expect(outbox).toEqual([
      { activity_id: `${draft.apId.href}#create`, kind: "create-slogan" },
      { activity_id: `${draft.apId.href}#update-3`, kind: "update-slogan" },
      { activity_id: `${draft.apId.href}#delete`, kind: "delete-slogan" },
    ]);
    const audit = await rows(`select action from audit_entry where subject = '${draft.id}' order by id`);
    expect(audit.map((a) => a.action)).toEqual(["slogan.create", "slogan.change", "slogan.change", "slogan.change", "slogan.delete"]);
  });

  it("lists a collective's slogans newest first, drafts only for its editors, and a call's public slogans", async () => {
    const { slogans, calls } = relais.runtime;
    const publicList = await slogans.list("lyon", null, { includeDrafts: true });
    expect(publicList.every((s) => s.published)).toBe(true);
    expect(publicList.map((s) => s.text.fr)).toContain("Pas de tri des pauvres");
    const editorList = await slogans.list("lyon", editor, { includeDrafts: true });
    expect(editorList.length).toBe(publicList.length + 1);
    const page = await slogans.page("lyon", editor, { includeDrafts: true }, { limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.next).not.toBeNull();
    const second = await slogans.page("lyon", editor, { includeDrafts: true }, { limit: 1, cursor: page.next ?? "" });
    expect(second.items[0]?.id).not.toBe(page.items[0]?.id);
    await calls.open(editor, callId);
    const ofCall = await slogans.ofCall(callId);
    expect(ofCall.map((s) => s.text.fr)).toEqual(["Pas de tri des pauvres"]);
    expect(ofCall[0]?.call?.apId.href).toBe(relais.url(`/calls/${callId}`).href);
  });

  it("adopts a partner's slogan once, keeping its origin, and refuses a stranger's", async () => {
    const { slogans, urls } = relais.runtime;
    const original = await slogans.create(stranger, "gent", { text: { nl: "Geen sortering van de armen", fr: "Pas de tri des pauvres !" }, tags: ["gent"] });
    const incoming = await slogans.asIncoming(original.apId);
    if (!incoming) throw new Error("a published slogan of this instance is adoptable");
    expect((await rejection(slogans.adopt(editor, "lyon", incoming))).status).toBe(403);

    const em = relais.runtime.em.fork();
    const actor = em.create(RemoteActorSchema, {
      apId: urls.collective("gent").href,
      domain: urls.origin.hostname,
      type: "Group",
      inboxUrl: urls.collectiveInbox("gent").href,
      fetchedAt: new Date(),
    });
    await em.flush();
    const lyon = (await rows("select id from collective where slug = 'lyon'"))[0]?.id as string;
    em.create(PartnerSchema, { collective: lyon, actor: actor.id, state: "accepted", followActivityId: `${urls.collective("lyon").href}#follow-gent` });
    await em.flush();

    const adopted = await slogans.adopt(editor, "lyon", incoming);
    expect(adopted.collective.slug).toBe("lyon");
    expect(adopted.text).toEqual({ fr: "Pas de tri des pauvres !", nl: "Geen sortering van de armen" });
    expect(adopted.tags).toEqual(["gent"]);
    expect(adopted.origin).toEqual({ apId: original.apId.href, actorApId: urls.collective("gent").href, actorName: "Sociale rechten Gent", url: original.apId.href });
    expect((await rejection(slogans.adopt(editor, "lyon", incoming))).status).toBe(409);
    const audit = await rows(`select action from audit_entry where subject = '${adopted.id}'`);
    expect(audit).toEqual([{ action: "slogan.adopt" }]);
  });
});
