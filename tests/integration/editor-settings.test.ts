// A collective's settings page: owners only; names and summaries per language, the main language,
// follower approval and an avatar through the same image path as events; followers' servers get an
// Update of the Group.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";

describe("collective settings", () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;
  let owner: WebClient;

  beforeAll(async () => {
    relais = await startRelaisInstance();
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "carla" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await createEditor(relais.runtime, "lyon", "olga@example.org", "owner");
    await createEditor(relais.runtime, "lyon", "ana@example.org", "editor");
    await peer.follow(relais.url("/@lyon"));
    await peer.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 20_000 });
    owner = new WebClient(relais.origin);
    await owner.login("olga@example.org", password);
  });
  afterAll(async () => {
    await peer?.close();
    await relais?.close();
  });

  const base = { languages: "fr,de,nl,en", primaryLanguage: "fr", "name.fr": "Droits sociaux Lyon", "name.de": "Soziale Rechte Lyon", "summary.de": "Gegen algorithmische Kontrolle", "name.nl": "", "summary.nl": "", "name.en": "", "summary.en": "", "summary.fr": "" };

  it("is for owners: an editor gets 403 and changes nothing", async () => {
    const ana = new WebClient(relais.origin);
    await ana.login("ana@example.org", password);
    expect((await ana.get("/manage/@lyon/settings")).status).toBe(403);
    await ana.get("/manage/@lyon");
    expect((await ana.postMultipart("/manage/@lyon/settings", { ...base, "name.fr": "Piraté" }, null)).status).toBe(403);
    expect((await relais.runtime.collectives.findBySlug("lyon"))?.name).toEqual({ fr: "Droits sociaux Lyon" });
  });

  it("keeps what was typed and says what to fix when the main language has no name", async () => {
    const page = await owner.get("/manage/@lyon/settings");
    expect(page.status).toBe(200);
    const bad = await owner.postMultipart("/manage/@lyon/settings", { ...base, "name.fr": "" }, null);
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/<p class="error" id="f-name-fr-error">Give the name in the main language\.<\/p>/);
    expect(bad.text).toContain('value="Soziale Rechte Lyon"');
  });

  it("saves names, summaries, approval and an avatar, and followers' servers get an Update of the Group", async () => {
    await owner.get("/manage/@lyon/settings");
    const avatar = await sharp({ create: { width: 800, height: 800, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 0.5 } } }).png().toBuffer();
    const saved = await owner.postMultipart("/manage/@lyon/settings", { ...base, manual: "1" }, { field: "avatarFile", filename: "logo.png", contentType: "image/png", bytes: avatar });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe("/manage/@lyon/settings?done=settingsSaved");
    const c = await relais.runtime.collectives.findBySlug("lyon");
    expect(c?.name).toEqual({ fr: "Droits sociaux Lyon", de: "Soziale Rechte Lyon" });
    expect(c?.summary).toEqual({ de: "Gegen algorithmische Kontrolle" });
    expect(c?.manuallyApprovesFollowers).toBe(true);
    const icon = c?.iconUrl as string;
    expect(icon).toMatch(new RegExp(`^${relais.origin.origin}/media/[0-9a-f]{32}\\.png$`)); // transparency kept as PNG

    const update = await peer.waitFor((d) => d.signatureValid && d.activity?.type === "Update", { timeoutMs: 20_000 });
    const group = update.activity?.object as Record<string, unknown>;
    expect(group.type).toBe("Group");
    expect(group.id).toBe(relais.url("/@lyon").href);
    expect(group.nameMap).toEqual({ fr: "Droits sociaux Lyon", de: "Soziale Rechte Lyon" });
    expect(group.manuallyApprovesFollowers).toBe(true);
    expect(group.icon).toEqual({ type: "Image", url: icon, mediaType: "image/png" });

    const pageDe = await (await fetch(relais.url("/@lyon?lang=de"), { headers: { accept: "text/html" } })).text();
    expect(pageDe).toContain(`<img class="avatar" src="${new URL(icon).pathname}"`);
    expect(pageDe).toContain("Soziale Rechte Lyon");
    const audit = await owner.get("/manage/@lyon/audit");
    expect(audit.text).toContain("changed the settings");

    // Removing the avatar.
    await owner.get("/manage/@lyon/settings");
    await owner.postMultipart("/manage/@lyon/settings", { ...base, manual: "1", avatar: new URL(icon).pathname.slice(7), removeAvatar: "1" }, null);
    expect((await relais.runtime.collectives.findBySlug("lyon"))?.iconUrl).toBeNull();
  });
});
