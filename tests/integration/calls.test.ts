// Calls to action of one collective, on the real PostgreSQL and on the embedded default: drafts edited
// in place, immutable versions from consultation on, the life of a call (consultation, open, closed,
// withdrawn, deleted), and the outbox rows and change notes each change writes in its transaction.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallVersionSchema } from "../../src/modules/call/call.entity.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { AppError } from "../../src/shared/errors.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

const text = {
  title: { fr: "Stop au contrôle algorithmique des allocataires", de: "Schluss mit der Algorithmen-Kontrolle" },
  pitch: { fr: "Les CAF notent nos vies.", de: "Die Kassen benoten unser Leben." },
  body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
  demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
};

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
])("calls to action ($name)", ({ embedded }) => {
  let relais: RelaisInstance;
  let editor: Principal;
  let stranger: Principal;
  let dayOfAction: string;

  const outbox = async () =>
    (await relais.runtime.em.getConnection().execute("select activity_id, kind, payload from outbox where kind like '%-call' order by id")) as {
      activity_id: string;
      kind: string;
      payload: Record<string, unknown>;
    }[];

  beforeAll(async () => {
    // No worker: the outbox rows stay where the services wrote them.
    relais = await startRelaisInstance({ embedded, worker: false });
    const { collectives, events } = relais.runtime;
    await collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    editor = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
    stranger = (await createEditor(relais.runtime, "gent", "bram@example.org", "owner")).principal;
    const event = await events.create(editor, "lyon", {
      name: { fr: "Journée d'action" },
      startsAt: "2030-03-08T14:00",
      location: { name: "Place Bellecour", locality: "Lyon" },
      published: true,
    });
    dayOfAction = event.event.id;
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("edits a draft in place, versions every change from consultation on, and keeps versions as they were", async () => {
    const { calls } = relais.runtime;
    const draft = await calls.create(editor, "lyon", { ...text, deadline: "2030-03-01", relatedEvents: [dayOfAction] });
    expect(draft.status).toBe("draft");
    expect(draft.version).toBe(0);
    expect(draft.events.map((e) => e.id)).toEqual([dayOfAction]);
    expect(draft.deadline?.toString()).toBe("2030-03-01T22:59:00Z");

    const edited = await calls.update(editor, draft.id, { pitch: { fr: "Les CAF notent nos vies, et nous ?" } });
    expect(edited.version).toBe(0);
    expect(await calls.versions(draft.id)).toEqual([]);

    const consulted = await calls.consult(editor, draft.id);
    expect(consulted.status).toBe("consultation");
    expect(consulted.version).toBe(1);
    const v2 = await calls.update(editor, draft.id, { body: { fr: "Nous **exigeons** la fin immédiate du score.", de: text.body.de } });
    expect(v2.version).toBe(2);
    // Saving the same text again is no new version.
    expect((await calls.update(editor, draft.id, { body: { fr: "Nous **exigeons** la fin immédiate du score.", de: text.body.de } })).version).toBe(2);

    const versions = await calls.versions(draft.id);
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[0]?.body.fr).toBe("<p>Nous <strong>exigeons</strong> la fin du score.</p>");
    expect(versions[0]?.pitch?.fr).toBe("Les CAF notent nos vies, et nous ?");
    expect(versions[1]?.body.fr).toBe("<p>Nous <strong>exigeons</strong> la fin immédiate du score.</p>");
    // Nothing of a call in consultation goes to followers.
    expect(await outbox()).toEqual([]);
  });

  it("launches, versions and notes changes, closes and deletes, each with its outbox row", async () => {
    const { calls } = relais.runtime;
    const call = await calls.create(editor, "lyon", { ...text, deadline: "2030-03-01T18:00", relatedEvents: [dayOfAction] });
    const apId = relais.url(`/calls/${call.id}`).href;
    const opened = await calls.open(editor, call.id);
    expect(opened.status).toBe("open");
    expect(opened.version).toBe(1);
    expect(opened.launchedAt).toBeDefined();
    expect((await outbox()).filter((r) => r.payload.callId === call.id).map((r) => r.activity_id)).toEqual([`${apId}#create`]);

    const moved = await calls.update(editor, call.id, { deadline: "2030-03-02T18:00", demands: [...text.demands, { fr: "Transparence des algorithmes" }] });
    expect(moved.version).toBe(2);
    expect(moved.revision).toBe(1);
    const note = await calls.changeNote(call.id, 1);
    expect(note?.kinds).toEqual(["text", "deadline"]);
    expect(Object.keys(note?.text ?? {})).toEqual(["fr", "de"]);
    expect(note?.text.fr).toBe("Nouvelle version (2) de l'appel « Stop au contrôle algorithmique des allocataires »\nSignatures jusqu'au 2 mars 2030 à 18:00");

    const closed = await calls.close(editor, call.id);
    expect(closed.status).toBe("closed");
    expect((await calls.changeNote(call.id, 2))?.kinds).toEqual(["closed"]);
    const refused = await rejection(calls.update(editor, call.id, { title: { fr: "Autre titre", de: "Anderer Titel" } }));
    expect(refused.status).toBe(409);
    expect(refused.message).toMatch(/closed call cannot change/);

    const withdrawn = await calls.withdraw(editor, call.id);
    expect(withdrawn.status).toBe("withdrawn");
    expect((await calls.changeNote(call.id, 3))?.text.de).toBe("Zurückgezogen: der Aufruf „Schluss mit der Algorithmen-Kontrolle“");

    await calls.delete(editor, call.id);
    const rows = (await outbox()).filter((r) => r.payload.callId === call.id);
    expect(rows.map((r) => [r.kind, r.activity_id])).toEqual([
      ["create-call", `${apId}#create`],
      ["update-call", `${apId}#update-1`],
      ["update-call", `${apId}#update-2`],
      ["update-call", `${apId}#update-3`],
      ["delete-call", `${apId}#delete`],
    ]);
    expect((await relais.runtime.calls.load(call.id))?.deletedAt).toBeDefined();
    expect((await rejection(calls.get(editor, call.id))).status).toBe(404);
  });

  it("closes open calls at their deadline", async () => {
    const { calls } = relais.runtime;
    const call = await calls.create(editor, "lyon", { ...text, deadline: "2030-03-01T18:00" });
    await calls.open(editor, call.id);
    expect(await calls.closeDue(new Date("2030-03-01T16:59:00Z"))).toBe(0);
    expect(await calls.closeDue(new Date("2030-03-01T17:00:00Z"))).toBe(1);
    expect((await calls.get(null, call.id)).status).toBe("closed");
    expect((await calls.changeNote(call.id, 1))?.kinds).toEqual(["closed"]);
    expect(await calls.closeDue(new Date("2030-03-02T00:00:00Z"))).toBe(0);
  });

  it("keeps drafts to their collective's editors and refuses what is not allowed, saying why", async () => {
    const { calls } = relais.runtime;
    const draft = await calls.create(editor, "lyon", text);
    expect((await rejection(calls.get(stranger, draft.id))).status).toBe(404);
    expect((await rejection(calls.get(null, draft.id))).status).toBe(404);
    expect((await rejection(calls.update(stranger, draft.id, { pitch: null }))).status).toBe(404);
    expect((await rejection(calls.create(stranger, "lyon", text))).status).toBe(403);
    expect((await calls.list("lyon", null)).map((c) => c.id)).not.toContain(draft.id);
    expect((await calls.list("lyon", editor, { includePrivate: true })).map((c) => c.id)).toContain(draft.id);

    const opened = await calls.open(editor, draft.id);
    expect((await calls.get(null, draft.id)).id).toBe(opened.id);
    expect((await rejection(calls.update(stranger, draft.id, { pitch: null }))).status).toBe(403);
    expect((await rejection(calls.consult(editor, draft.id))).message).toMatch(/an? open call cannot become consultation/);
    const stale = await rejection(calls.update(editor, draft.id, { pitch: null }, { ifVersion: 0 }));
    expect(stale.status).toBe(409);
    const bad = await rejection(calls.update(editor, draft.id, { relatedEvents: ["00000000-0000-4000-8000-000000000000"], deadline: "yesterday" }));
    expect(bad.status).toBe(422);
    expect(bad.details?.map((d) => d.field)).toEqual(["deadline"]);
    const unknownEvent = await rejection(calls.update(editor, draft.id, { relatedEvents: ["00000000-0000-4000-8000-000000000000"] }));
    expect(unknownEvent.details?.map((d) => d.field)).toEqual(["relatedEvents.0"]);
    expect((await rejection(calls.create(editor, "lyon", { ...text, deadline: "2001-01-01" }).then((c) => calls.open(editor, c.id)))).message).toMatch(
      /deadline has passed/,
    );
  });

  it("never changes a stored version", async () => {
    const { calls } = relais.runtime;
    const call = await calls.create(editor, "lyon", text);
    await calls.open(editor, call.id);
    await calls.update(editor, call.id, { title: { fr: "Nouveau titre", de: "Neuer Titel" } });
    const rows = await relais.runtime.em.fork().find(CallVersionSchema, { call: call.id }, { orderBy: { version: "asc" } });
    expect(rows.map((r) => r.title.fr)).toEqual(["Stop au contrôle algorithmique des allocataires", "Nouveau titre"]);
  });
});
