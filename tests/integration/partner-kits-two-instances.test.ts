// Partners' action kits reach the follower instance (issue 11), over real HTTP between two instances with
// real signatures: a followed partner's published kit is kept (its title, country, institution, author's
// name and origin page) and listed on its public pages (the collective's and the country's kits, linking to
// the origin), its Update changes it and its Delete removes it; a draft never federates, and a
// kit of a collective nobody here follows never arrives.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cafAccessRequest } from "../support/action-kits.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Kept = { ap_id: string; url: string; title: Record<string, string>; country: string | null; institution: Record<string, string> | null; author_ap_id: string; author_name: string | null };

async function kept(instance: RelaisInstance): Promise<Map<string, Kept>> {
  const rows = await instance.runtime.em.fork().getConnection().execute<Kept[]>("select * from partner_action_kit");
  return new Map(rows.map((r) => [r.ap_id, r]));
}

const kit = (title: string) => ({
  ...cafAccessRequest,
  title: { fr: title, en: `${title} (en)` },
  country: "NL",
  institution: { fr: "Mairie", en: "Municipality" },
});

describe("partners' action kits between two instances", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance(), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    await b.runtime.collectives.create({ slug: "brugge", name: { nl: "Brugge" }, primaryLanguage: "nl" });
    await followPartner(a, "lyon", handleOf(b, "gent"));
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("keeps a partner's published kit, follows its Update and Delete, and never a draft nor a non-partner's", async () => {
    const draft = await b.runtime.actionkits.create("cli", "gent", kit("Concept"));
    const stranger = await b.runtime.actionkits.create("cli", "brugge", { ...kit("Brugge"), published: true });
    const published = await b.runtime.actionkits.create("cli", "gent", { ...kit("Inzage"), published: true });
    const got = await until("the partner's kit to reach a", async () => (await kept(a)).get(published.apId.href), 60_000);
    expect(got).toMatchObject({
      url: published.apId.href,
      title: { fr: "Inzage", en: "Inzage (en)" },
      country: "NL",
      institution: { fr: "Mairie", en: "Municipality" },
      author_ap_id: b.url("/@gent").href,
      author_name: "Sociale rechten Gent",
    });

    // Shown on the follower's public pages: the collective's kits and the country's, linking to its origin.
    const collectivePage = await (await fetch(a.url("/@lyon/kits?lang=en"))).text();
    expect(collectivePage).toContain("From partners");
    expect(collectivePage).toContain(`href="${published.apId.href}"`);
    expect(collectivePage).toContain("by Sociale rechten Gent (partner)");
    const countryPage = await (await fetch(a.url("/countries/nl/kits?lang=fr"))).text();
    expect(countryPage).toContain("Chez nos partenaires");
    expect(countryPage).toContain(`href="${published.apId.href}"`);
    expect(countryPage).toContain("Inzage");
    expect(countryPage).not.toContain("Concept");
    expect(countryPage).not.toContain(stranger.apId.href);

    await b.runtime.actionkits.update("cli", published.id, { title: { fr: "Inzage bij de gemeente", en: "Access" } });
    await until("the Update to reach a", async () => ((await kept(a)).get(published.apId.href)?.title.fr === "Inzage bij de gemeente" ? true : undefined), 60_000);

    const all = await kept(a);
    expect(all.has(draft.apId.href)).toBe(false);
    expect(all.has(stranger.apId.href)).toBe(false);

    await b.runtime.actionkits.delete("cli", published.id);
    await until("the Delete to reach a", async () => ((await kept(a)).has(published.apId.href) ? undefined : true), 60_000);
    expect((await kept(a)).size).toBe(0);
    const after = await (await fetch(a.url("/@lyon/kits?lang=en"))).text();
    expect(after).not.toContain(published.apId.href);
    expect(after).not.toContain("From partners");
  }, 180_000);
});
