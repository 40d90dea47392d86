// A collective's outbox over real HTTP (issue 10): besides its public events it lists its published
// slogans (Create of a Note) and published press kits (Create of an Article), newest first, and never a
// draft slogan, a deleted one, a draft kit or a kit under embargo — until the embargo's time (an
// injected clock), when the worker's publication puts the kit in it. The count and the pages agree.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

type Json = Record<string, unknown>;

describe("a collective's outbox", () => {
  let now = Date.parse("2030-03-07T12:00:00Z");
  const clock = () => new Date(now);
  let relais: RelaisInstance;
  let editor: Principal;
  const as2 = async (path: string) => {
    const res = await fetch(relais.url(path), { headers: { accept: "application/activity+json" } });
    expect(res.status).toBe(200);
    return (await res.json()) as Json;
  };
  /** Every item of the outbox, page after page, as [type of the activity, type of its object, object id]. */
  const outboxItems = async () => {
    const collection = await as2("/@lyon/outbox");
    const items: [string, string, string][] = [];
    let next = collection.first as string | undefined;
    while (next) {
      const page = await as2(new URL(next).pathname + new URL(next).search);
      for (const a of page.orderedItems as Json[]) {
        const object = a.object as Json;
        items.push([a.type as string, object.type as string, object.id as string]);
      }
      next = page.next as string | undefined;
    }
    return { total: collection.totalItems as number, items };
  };

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false, clock });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
  }, 60_000);
  afterAll(async () => {
    await relais?.close();
  });

  it("lists published slogans and kits with the events, never drafts or kits under embargo until their time", async () => {
    const { slogans, presskits, events } = relais.runtime;
    const event = await events.create(editor, "lyon", {
      name: { fr: "Rassemblement" },
      startsAt: "2030-03-08T10:00",
      timezone: "Europe/Paris",
      location: { name: "Place Bellecour", locality: "Lyon" },
      published: true,
    });
    const slogan = await slogans.create(editor, "lyon", { text: { fr: "Pas de tri des pauvres" }, tags: ["caf"] });
    const draftSlogan = await slogans.create(editor, "lyon", { text: { fr: "Brouillon de slogan" }, published: false });
    const deletedSlogan = await slogans.create(editor, "lyon", { text: { fr: "Slogan effacé" } });
    await slogans.delete(editor, deletedSlogan.id);
    const kitText = { lead: { fr: "Appel." }, body: { fr: "Texte" }, contact: { email: "presse@lyon.example" } };
    const draftKit = await presskits.create(editor, "lyon", { ...kitText, title: { fr: "Dossier brouillon" } });
    const embargoed = await presskits.create(editor, "lyon", { ...kitText, title: { fr: "Dossier sous embargo" }, embargo: "2030-03-08T08:00", timezone: "Europe/Paris" });
    const early = await presskits.create(editor, "lyon", { ...kitText, title: { fr: "Dossier publié" } });
    await presskits.publishNow(editor, early.id);

    const before = await outboxItems();
    expect(before.items).toEqual([
      ["Create", "Article", early.apId.href],
      ["Create", "Note", slogan.apId.href],
      ["Create", "Event", event.event.apId.href],
    ]);
    expect(before.total).toBe(3);
    const text = JSON.stringify(await as2("/@lyon/outbox?cursor=0"));
    for (const hidden of [draftSlogan.apId.href, deletedSlogan.apId.href, draftKit.apId.href, embargoed.apId.href, "Dossier sous embargo", "Brouillon de slogan"]) {
      expect(text).not.toContain(hidden);
    }
    // The Note and the Article as their followers got them: languages, the share image, the kit's name.
    const page = await as2("/@lyon/outbox?cursor=0");
    const [kitCreate, sloganCreate] = page.orderedItems as Json[];
    expect(sloganCreate).toMatchObject({ id: `${slogan.apId.href}#create`, object: { contentMap: { fr: expect.stringContaining("Pas de tri des pauvres") }, attributedTo: relais.url("/@lyon").href } });
    expect(kitCreate).toMatchObject({ id: `${early.apId.href}#create`, object: { nameMap: { fr: "Dossier publié" } } });

    // One minute before the embargo: still nothing; at its time the worker publishes it, and it is listed first.
    now = Date.parse("2030-03-08T06:59:00Z");
    expect(await presskits.publishDue()).toBe(0);
    expect((await outboxItems()).items.map(([, , id]) => id)).not.toContain(embargoed.apId.href);
    now = Date.parse("2030-03-08T07:00:00Z");
    expect(await presskits.publishDue()).toBe(1);
    const after = await outboxItems();
    expect(after.items[0]).toEqual(["Create", "Article", embargoed.apId.href]);
    expect(after.total).toBe(4);
    expect(after.items.map(([, , id]) => id)).not.toContain(draftKit.apId.href);
  });

  it("pages through many posts of every kind, each once", async () => {
    const { slogans } = relais.runtime;
    for (let i = 0; i < 22; i++) await slogans.create(editor, "lyon", { text: { fr: `Slogan numéro ${i}` } });
    const { total, items } = await outboxItems();
    expect(total).toBe(26);
    expect(items).toHaveLength(26);
    expect(new Set(items.map(([, , id]) => id)).size).toBe(26);
    expect(items.filter(([, type]) => type === "Note")).toHaveLength(23);
  });
});
