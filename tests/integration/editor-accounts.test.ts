import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";
import { runCli } from "../support/relais-process.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";
const linkOf = (text: string) => /<input type="text" readonly value="(https?:[^"]+)"/.exec(text)?.[1] as string;

describe("invitations, roles, reset links, the audit log", () => {
  let relais: RelaisInstance;
  let owner: WebClient;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    const { collectives } = relais.runtime;
    await collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    await createEditor(relais.runtime, "lyon", "owner@example.org", "owner");
    await createEditor(relais.runtime, "gent", "gent@example.org", "owner");
    owner = new WebClient(relais.origin);
    await owner.login("owner@example.org", password);
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("invites by a link shown to the owner, which works once and makes an account", async () => {
    await owner.get("/manage/@lyon/members");
    const invited = await owner.post("/manage/@lyon/members/invite", { email: "Chloe@Example.org", role: "editor" });
    expect(invited.status).toBe(201);
    expect(invited.text).toContain("this instance sends no e-mail");
    const link = new URL(linkOf(invited.text));
    expect(link.origin).toBe(relais.origin.origin);
    expect(invited.text).toContain("chloe@example.org");

    const chloe = new WebClient(relais.origin);
    const page = await chloe.get(link.pathname);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Droits sociaux Lyon");
    const mismatch = await chloe.post(link.pathname, { password: "a long enough password", confirm: "something else entirely" });
    expect(mismatch.status).toBe(422);
    const joined = await chloe.post(link.pathname, { password: "a long enough password", confirm: "a long enough password" });
    expect(joined.status).toBe(303);
    expect(joined.location).toBe("/manage/@lyon?done=created");
    const dashboard = await chloe.get("/manage/@lyon");
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toContain("New event");
    // Once only.
    expect((await new WebClient(relais.origin).get(link.pathname)).status).toBe(404);
    const replay = new WebClient(relais.origin);
    await replay.get("/manage/login");
    expect((await replay.post(link.pathname, { password: "another long password", confirm: "another long password" })).status).toBe(404);
  }, 90_000);

  it("keeps owners' pages to owners, and one collective's members away from another's", async () => {
    const editor = new WebClient(relais.origin);
    await createEditor(relais.runtime, "lyon", "ed@example.org", "editor");
    await editor.login("ed@example.org", password);
    const members = await editor.get("/manage/@lyon/members");
    expect(members.status).toBe(200);
    expect(members.text).not.toContain("Invite someone");
    expect((await editor.post("/manage/@lyon/members/invite", { email: "x@example.org", role: "owner" })).status).toBe(403);
    expect((await editor.get("/manage/@lyon/audit")).status).toBe(403);
    // An owner of Lyon is a stranger to Gent: nothing to see, nothing to change.
    expect((await owner.get("/manage/@gent")).status).toBe(403);
    expect((await owner.get("/manage/@gent/members")).status).toBe(403);
    expect((await owner.post("/manage/@gent/members/invite", { email: "spy@example.org", role: "owner" })).status).toBe(403);
    const gentUser = (await relais.runtime.accounts.checkPassword("gent@example.org", password))?.id as string;
    expect((await owner.post(`/manage/@gent/members/${gentUser}/remove`, {})).status).toBe(403);
    expect((await owner.post("/manage/@gent/followers", { actor: "https://x.example/u", decision: "approve" })).status).toBe(403);
    const gent = await relais.runtime.collectives.getBySlug("gent");
    const gentPrincipal = await relais.runtime.users.principalOf(gentUser);
    expect((await relais.runtime.memberships.list(gentPrincipal as NonNullable<typeof gentPrincipal>, "gent")).members.map((m) => m.email)).toEqual(["gent@example.org"]);
    expect(gent.slug).toBe("gent");
  }, 90_000);

  it("changes roles, keeps a last owner, and gives owners reset links for their members only", async () => {
    await createEditor(relais.runtime, "lyon", "dana@example.org", "editor");
    const dana = (await relais.runtime.accounts.checkPassword("dana@example.org", password))?.id as string;
    const ownerId = (await relais.runtime.accounts.checkPassword("owner@example.org", password))?.id as string;
    await owner.get("/manage/@lyon/members");
    expect((await owner.post(`/manage/@lyon/members/${ownerId}/role`, { role: "editor" })).status).toBe(409); // the last owner
    expect((await owner.post(`/manage/@lyon/members/${dana}/role`, { role: "owner" })).location).toBe("/manage/@lyon/members?done=roleChanged");
    expect((await owner.post(`/manage/@lyon/members/${dana}/role`, { role: "editor" })).status).toBe(303);

    const danaPhone = new WebClient(relais.origin);
    await danaPhone.login("dana@example.org", password);
    const reset = await owner.post(`/manage/@lyon/members/${dana}/reset-link`, {});
    expect(reset.status).toBe(201);
    const link = new URL(linkOf(reset.text));
    const stranger = new WebClient(relais.origin);
    await stranger.get(link.pathname);
    expect((await stranger.post(link.pathname, { password: "dana's new password", confirm: "dana's new password" })).location).toBe("/manage/login?done=passwordChanged");
    expect((await danaPhone.get("/manage")).status).toBe(303); // every session of the account ended
    expect((await new WebClient(relais.origin).login("dana@example.org", "dana's new password")).status).toBe(303);
    expect((await new WebClient(relais.origin).get(link.pathname)).status).toBe(404);

    // Gent's owner belongs to a collective Lyon's owner does not own: no reset link for it.
    await relais.runtime.users.addMember("lyon", "gent@example.org", "editor");
    const gentUser = (await relais.runtime.accounts.checkPassword("gent@example.org", password))?.id as string;
    expect((await owner.post(`/manage/@lyon/members/${gentUser}/reset-link`, {})).status).toBe(403);

    const removed = await owner.post(`/manage/@lyon/members/${gentUser}/remove`, {});
    expect(removed.location).toBe("/manage/@lyon/members?done=memberRemoved");
    const audit = await owner.get("/manage/@lyon/audit");
    expect(audit.status).toBe(200);
    for (const line of ["invited", "joined", "changed a role", "created a reset link", "removed a member"]) expect(audit.text).toContain(line);
    expect(audit.text).toContain("owner@example.org");
  }, 120_000);

  it("lets the instance admin create a collective, and nobody else", async () => {
    expect((await owner.get("/manage/collectives/new")).status).toBe(403);
    await relais.runtime.users.create("admin@example.org", password, { admin: true });
    const admin = new WebClient(relais.origin);
    await admin.login("admin@example.org", password);
    const form = await admin.get("/manage/collectives/new?lang=de");
    expect(form.text).toContain("Kollektiv erstellen");
    const bad = await admin.post("/manage/collectives/new", { slug: "Not A Slug", language: "de", name: "Soziale Rechte" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("Verwende Kleinbuchstaben");
    expect(bad.text).toContain('value="Soziale Rechte"');
    const made = await admin.post("/manage/collectives/new", { slug: "berlin", language: "de", name: "Soziale Rechte Berlin" });
    expect(made.location).toBe("/manage/@berlin?done=created");
    expect((await admin.get("/manage/@berlin")).text).toContain("Soziale Rechte Berlin");
  }, 90_000);

  it("lets the operator make a reset link and turn off a lost second factor from the CLI, both in the owners' audit log", async () => {
    const r = relais.runtime;
    const env = { DATABASE_URL: r.config.databaseUrl as string, REDIS_URL: "", RELAIS_ORIGIN: relais.origin.origin };
    await createEditor(r, "lyon", "lost@example.org");
    const id = (await r.accounts.checkPassword("lost@example.org", password))?.id as string;
    const { secret } = r.secondFactor.proposal("lost@example.org");
    expect(await r.secondFactor.enable(id, secret, await generate({ secret }))).toHaveLength(10);
    const phone = await r.sessions.start(id, "full");

    const unknown = await runCli(["user", "reset-second-factor", "nobody@example.org"], env);
    expect(unknown.code).toBe(3); // not found
    expect(unknown.stderr).toMatch(/nobody@example\.org/);

    // A reset link sets a new password (every session ends) but does not get past the second factor.
    const made = await runCli(["user", "reset-link", "lost@example.org"], env);
    expect(made.code).toBe(0);
    const link = new URL(made.stdout.trim());
    expect(link.href).toMatch(new RegExp(`^${relais.origin.origin}/manage/reset/[A-Za-z0-9_-]{43}$`));
    const web = new WebClient(relais.origin, { localAddress: "127.0.0.6" });
    await web.get(link.pathname);
    expect((await web.post(link.pathname, { password: "a brand new passphrase", confirm: "a brand new passphrase" })).location).toBe("/manage/login?done=passwordChanged");
    expect(await r.sessions.resolve(phone.id)).toBeNull();
    expect((await web.login("lost@example.org", "a brand new passphrase")).location).toBe("/manage/login/code?next=%2Fmanage");

    // The phone and the recovery codes are lost: the operator turns the factor off; the half-open login ends.
    const reset = await runCli(["user", "reset-second-factor", "lost@example.org"], env);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/^two-step login turned off for lost@example\.org \(1 session ended\)/);
    expect(await r.secondFactor.status(id)).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    expect((await web.get("/manage/login/code")).status).toBe(303);
    const again = new WebClient(relais.origin, { localAddress: "127.0.0.6" });
    expect((await again.login("lost@example.org", "a brand new passphrase")).location).toBe("/manage");
    expect((await runCli(["user", "reset-second-factor", "lost@example.org"], env)).stdout).toContain("lost@example.org has no two-step login: nothing changed");

    const audit = await owner.get("/manage/@lyon/audit");
    const rows = [...audit.text.matchAll(/<tr><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => m.slice(1, 4));
    expect(rows).toEqual(
      expect.arrayContaining([
        ["the instance&#39;s operator (command line)", "turned off two-step login", "lost@example.org"],
        ["the instance&#39;s operator (command line)", "created a reset link", "lost@example.org"],
      ]),
    );
  }, 180_000);
});

describe("login throttling and the second factor", () => {
  let relais: RelaisInstance;
  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false, host: "127.0.0.1" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    await createEditor(relais.runtime, "lyon", "ana@example.org");
    await createEditor(relais.runtime, "lyon", "totp@example.org");
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("throttles wrong passwords from one address while the right one still works from another", async () => {
    const attacker = new WebClient(relais.origin, { localAddress: "127.0.0.2" });
    await attacker.get("/manage/login");
    for (let i = 0; i < 5; i++) {
      expect((await attacker.post("/manage/login", { email: "ana@example.org", password: `guess number ${i}` })).status).toBe(401);
    }
    const blocked = await attacker.post("/manage/login", { email: "ana@example.org", password });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(blocked.text).toContain("Too many failed attempts from your address");
    expect(attacker.cookies.has("relais-session")).toBe(false);

    const editor = new WebClient(relais.origin, { localAddress: "127.0.0.3" });
    expect((await editor.login("ana@example.org", password)).status).toBe(303);
    expect((await editor.get("/manage")).status).toBe(200);
  }, 120_000);

  it("asks for a TOTP code after the password, and refuses a code used before", async () => {
    const web = new WebClient(relais.origin, { localAddress: "127.0.0.4" });
    await web.login("totp@example.org", password);
    const setup = await web.get("/manage/account/totp");
    const secret = /name="secret" value="([A-Z2-7]+)"/.exec(setup.text)?.[1] as string;
    expect(setup.text).toContain("otpauth://totp/");
    expect((await web.post("/manage/account/totp", { secret, code: "000000" })).status).toBe(422);
    const enabled = await web.post("/manage/account/totp", { secret, code: await generate({ secret }) });
    expect(enabled.status).toBe(200);
    const recovery = [...enabled.text.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((m) => m[1] as string);
    expect(recovery).toHaveLength(10);

    // A new login: the password alone gives only the second-factor step.
    const phone = new WebClient(relais.origin, { localAddress: "127.0.0.4" });
    const first = await phone.login("totp@example.org", password);
    expect(first.location).toBe("/manage/login/code?next=%2Fmanage");
    expect((await phone.get("/manage")).status).toBe(303);
    await phone.get("/manage/login/code");
    // The code that turned the factor on was used: it does not log in (replay).
    const code = await generate({ secret });
    expect((await phone.post("/manage/login/code", { code })).status).toBe(401);
    // A recovery code works, once.
    const recovered = await phone.post("/manage/login/code", { code: (recovery[0] as string).toUpperCase() });
    expect(recovered.location).toBe("/manage");
    expect((await phone.get("/manage")).status).toBe(200);
    const again = new WebClient(relais.origin, { localAddress: "127.0.0.5" });
    await again.login("totp@example.org", password);
    await again.get("/manage/login/code");
    expect((await again.post("/manage/login/code", { code: recovery[0] as string })).status).toBe(401);
    const account = await web.get("/manage/account");
    expect(account.text).toContain("9 recovery codes left");
  }, 120_000);

  it("accepts a fresh TOTP code once, and never a second time", async () => {
    const user = await relais.runtime.accounts.checkPassword("totp@example.org", password);
    const id = user?.id as string;
    // The same step cannot pass twice, even at once from two requests.
    const secret = ((await relais.runtime.em.fork().getConnection().execute("select totp_secret from app_user where id = ?", [id])) as { totp_secret: string }[])[0]?.totp_secret as string;
    const nextStep = Math.floor(Date.now() / 30_000) + 1;
    const code = await generate({ secret, epoch: nextStep * 30 });
    const results = await Promise.all([relais.runtime.secondFactor.verify(id, code), relais.runtime.secondFactor.verify(id, code)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await relais.runtime.secondFactor.verify(id, code)).toBe(false);
  });
});
