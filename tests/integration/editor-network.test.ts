// The partners and blocks pages of the editor (issue 7's pages, issue 9's brief) over real HTTP,
// between two Relais instances: an editor follows a collective of the other server by handle, sees the
// state move to accepted, switches the relay, unfollows after a confirmation; an owner blocks a server
// and lifts the block; the instance admin alone manages instance-wide blocks. Logins, CSRF and roles.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";
const htmlText = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

describe("the partners and blocks pages", { timeout: 120_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editor: WebClient;
  let owner: WebClient;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startRelaisInstance({ host: "127.0.0.2", env: { RELAIS_BLOCKED_DOMAINS: "configured.example" } }),
      startRelaisInstance({ host: "127.0.0.3" }),
    ]);
    await a.runtime.collectives.create({ slug: "gent", name: { nl: "Gent solidair" }, primaryLanguage: "nl" });
    await a.runtime.collectives.create({ slug: "liege", name: { fr: "Liège solidaire" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "aachen", name: { de: "Aachen solidarisch" }, primaryLanguage: "de" });
    await createEditor(a.runtime, "gent", "ana@example.org", "editor");
    await createEditor(a.runtime, "gent", "bram@example.org", "owner");
    await createEditor(a.runtime, "liege", "chloe@example.org", "owner");
    await a.runtime.users.create("root@example.org", password, { admin: true });
    editor = new WebClient(a.origin);
    await editor.login("ana@example.org", password);
    owner = new WebClient(a.origin);
    await owner.login("bram@example.org", password);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("lets an editor follow a partner by handle, see it accepted, switch the relay and unfollow after confirming", async () => {
    const page = await editor.get("/manage/@gent/partners?lang=en");
    expect(page.status).toBe(200);
    expect(page.text).toContain("No partner yet.");
    // The dashboard links the page for editors; the blocks page only for owners.
    const dashboard = await editor.get("/manage/@gent");
    expect(dashboard.text).toContain('href="/manage/@gent/partners"');
    expect(dashboard.text).not.toContain('href="/manage/@gent/blocks"');

    const followed = await editor.post("/manage/@gent/partners", { actor: `@aachen@${b.origin.host}`, relay: "1" });
    expect(followed.status).toBe(303);
    expect(followed.location).toBe("/manage/@gent/partners?done=followed");
    const [partner] = await a.runtime.partners.list("cli", "gent");
    expect(partner).toMatchObject({ actorApId: b.url("/@aachen").href, relay: true });
    await until("the partner to accept", async () => ((await a.runtime.partners.list("cli", "gent"))[0]?.state === "accepted" ? true : undefined), 60_000);
    const listed = await editor.get("/manage/@gent/partners");
    expect(listed.text).toContain(`@aachen@${b.origin.host}`);
    expect(listed.text).toContain('class="state state-accepted">Accepted');
    expect(listed.text).toContain("Their new events are passed on to your followers.");
    // Following again says so.
    expect((await editor.post("/manage/@gent/partners", { actor: b.url("/@aachen").href })).location).toBe("/manage/@gent/partners?done=alreadyFollowed");

    const id = partner?.id as string;
    expect((await editor.post(`/manage/@gent/partners/${id}/relay`, { relay: "0" })).location).toBe("/manage/@gent/partners?done=relayOff");
    expect((await a.runtime.partners.get("cli", "gent", id)).relay).toBe(false);
    expect((await editor.post(`/manage/@gent/partners/${id}/relay`, { relay: "maybe" })).status).toBe(422);

    const ask = await editor.get(`/manage/@gent/partners/${id}/unfollow`);
    expect(htmlText(ask.text)).toContain("Unfollow Aachen solidarisch?");
    expect((await editor.post(`/manage/@gent/partners/${id}/unfollow`, {})).location).toBe(`/manage/@gent/partners/${id}/unfollow`);
    expect(await a.runtime.partners.list("cli", "gent")).toHaveLength(1);
    expect((await editor.post(`/manage/@gent/partners/${id}/unfollow`, { confirm: "yes" })).location).toBe("/manage/@gent/partners?done=unfollowed");
    expect(await a.runtime.partners.list("cli", "gent")).toHaveLength(0);
  });

  it("says what is wrong with a handle, keeping what was typed, and keeps other collectives out", async () => {
    const empty = await editor.post("/manage/@gent/partners", { actor: " " });
    expect(empty.status).toBe(422);
    expect(htmlText(empty.text)).toContain("Give the partner's handle");
    const nobody = await editor.post("/manage/@gent/partners", { actor: `@nobody@${b.origin.host}` });
    expect(nobody.status).toBe(422);
    expect(htmlText(nobody.text)).toContain("This partner could not be found.");
    expect(htmlText(nobody.text)).toContain(`value="@nobody@${b.origin.host}"`);
    expect(await a.runtime.partners.list("cli", "gent")).toHaveLength(0);

    const chloe = new WebClient(a.origin);
    await chloe.login("chloe@example.org", password);
    expect((await chloe.get("/manage/@gent/partners")).status).toBe(403);
    expect((await chloe.post("/manage/@gent/partners", { actor: `@aachen@${b.origin.host}` })).status).toBe(403);
    expect((await editor.post("/manage/@gent/partners", { actor: `@aachen@${b.origin.host}`, _csrf: null })).status).toBe(403);
    expect(await a.runtime.partners.list("cli", "gent")).toHaveLength(0);
    const anonymous = await new WebClient(a.origin).get("/manage/@gent/partners");
    expect(anonymous.location).toMatch(/^\/manage\/login/);
  });

  it("lets an owner block a server and lift the block; editors and other owners cannot", async () => {
    expect((await editor.get("/manage/@gent/blocks")).status).toBe(403);
    expect((await editor.post("/manage/@gent/blocks", { target: "spam.example" })).status).toBe(403);
    const page = await owner.get("/manage/@gent/blocks?lang=en");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Nothing is blocked.");
    expect(page.text).not.toContain("configured.example");

    const bad = await owner.post("/manage/@gent/blocks", { target: "not a domain!", reason: "spam" });
    expect(bad.status).toBe(422);
    expect(htmlText(bad.text)).toContain("This cannot be blocked as written.");
    expect(htmlText(bad.text)).toContain('value="not a domain!"');

    const blocked = await owner.post("/manage/@gent/blocks", { target: "Spam.Example", reason: "flood" });
    expect(blocked.location).toBe("/manage/@gent/blocks?done=blocked&purged=0.0.0");
    const shown = await owner.get(blocked.location as string);
    expect(shown.text).toContain("spam.example");
    expect(shown.text).toContain("flood");
    expect(shown.text).toContain("Removed with it: 0 followers, 0 partner follows, 0 partner events.");
    const [block] = await a.runtime.blocks.list("cli", { slug: "gent" });
    expect(block).toMatchObject({ target: "spam.example", reason: "flood" });
    const chloe = new WebClient(a.origin);
    await chloe.login("chloe@example.org", password);
    expect((await chloe.post(`/manage/@gent/blocks/${block?.id}/remove`, { confirm: "yes" })).status).toBe(403);
    expect((await owner.post(`/manage/@gent/blocks/${block?.id}/remove`, { confirm: "yes" })).location).toBe("/manage/@gent/blocks?done=unblocked");
    expect(await a.runtime.blocks.list("cli", { slug: "gent" })).toHaveLength(0);
  });

  it("refuses to follow an actor the collective blocks", async () => {
    await owner.post("/manage/@gent/blocks", { target: b.url("/@aachen").href });
    const refused = await editor.post("/manage/@gent/partners", { actor: b.url("/@aachen").href });
    expect(refused.status).toBe(422);
    expect(htmlText(refused.text)).toContain("This partner is blocked");
    expect(await a.runtime.partners.list("cli", "gent")).toHaveLength(0);
  });

  it("keeps instance-wide blocks to the instance admin, showing the configured ones", async () => {
    expect((await owner.get("/manage/blocks")).status).toBe(403);
    expect((await owner.post("/manage/blocks", { target: "evil.example" })).status).toBe(403);
    expect(await a.runtime.blocks.list("cli", "instance")).toHaveLength(1); // the configured one
    const root = new WebClient(a.origin);
    await root.login("root@example.org", password);
    expect((await root.get("/manage")).text).toContain('href="/manage/blocks"');
    const page = await root.get("/manage/blocks?lang=en");
    expect(page.status).toBe(200);
    expect(page.text).toContain("configured.example");
    const blocked = await root.post("/manage/blocks", { target: "evil.example" });
    expect(blocked.location).toBe("/manage/blocks?done=blocked&purged=0.0.0");
    const rows = (await a.runtime.blocks.list("cli", "instance")).filter((x) => x.source === "database");
    expect(rows.map((x) => x.target)).toEqual(["evil.example"]);
    expect((await root.post(`/manage/blocks/${rows[0]?.id}/remove`, { confirm: "yes" })).location).toBe("/manage/blocks?done=unblocked");
    // The admin is no member of gent: no right inside it.
    expect((await root.get("/manage/@gent/blocks")).status).toBe(403);
  });
});
