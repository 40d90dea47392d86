// Rows read without MikroORM's hydration (src/db/plain-rows.ts) must say what the ORM's entities say,
// for every property of the entity: a property added later is checked too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainRowMapper } from "../../src/db/plain-rows.ts";
import { EventSchema } from "../../src/modules/event/event.entity.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

describe("plain rows", () => {
  let relais: RelaisInstance;
  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("equal the ORM's entities, property by property", async () => {
    const { runtime } = relais;
    await runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    const { principal } = await createEditor(runtime, "lyon", "ana@example.org");
    const full = await runtime.events.create(principal, "lyon", {
      name: { fr: "Rassemblement", de: "Kundgebung" },
      summary: { fr: "Résumé" },
      description: { fr: "**Texte**" },
      startsAt: "2030-03-08T14:00",
      endsAt: "2030-03-08T17:00",
      timezone: "Europe/Paris",
      location: { name: "CAF", locality: "Lyon", country: "FR", latitude: 45.76, longitude: 4.86 },
      onlineUrl: "https://meet.example/x",
      category: "MOVEMENTS_POLITICS",
      tags: ["caf"],
      links: [{ url: "https://example.org", title: "Info" }],
      contact: "ana@example.org",
      published: true,
    });
    const bare = await runtime.events.create(principal, "lyon", { name: { fr: "Brouillon" }, startsAt: "2030-04-01", allDay: true, onlineUrl: "https://meet.example/y" });
    const em = runtime.orm.em.fork();
    const toPlain = plainRowMapper<Record<string, unknown>>(em, EventSchema);
    const meta = em.getMetadata().get(EventSchema);
    for (const id of [full.event.id, bare.event.id]) {
      const [row] = await em.getConnection().execute<Record<string, unknown>[]>("select * from event where id = ?", [id]);
      const plain = toPlain(row as Record<string, unknown>);
      const entity = (await em.findOneOrFail(EventSchema, { id })) as unknown as Record<string, unknown>;
      for (const prop of meta.props) {
        const a = plain[prop.name];
        const b = entity[prop.name];
        if (prop.kind === "m:1") expect((a as { id: string }).id, prop.name).toBe((b as { id: string }).id);
        else if (b instanceof Date) expect((a as Date).getTime(), prop.name).toBe(b.getTime());
        else expect(a, prop.name).toEqual(b);
      }
    }
  });
});
