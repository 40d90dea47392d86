import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";

describe("editor login, sessions and CSRF", () => {
  let relais: RelaisInstance;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await createEditor(relais.runtime, "lyon", "ana@example.org");
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("sends visitors without a session to the login page, and back afterwards", async () => {
    const web = new WebClient(relais.origin);
    const first = await web.get("/manage");
    expect(first.status).toBe(303);
    expect(first.location).toBe("/manage/login?next=%2Fmanage");
    const form = await web.get(first.location as string);
    expect(form.status).toBe(200);
    expect(form.headers.get("cache-control")).toBe("no-store");
    expect(form.text).toContain('name="next" value="/manage"');
    const login = await web.post("/manage/login", { email: "Ana@Example.org ", password, next: "/manage" });
    expect(login.status).toBe(303);
    expect(login.location).toBe("/manage");
    const home = await web.get("/manage");
    expect(home.status).toBe(200);
    expect(home.text).toContain("Droits sociaux Lyon");
    expect(home.text).toContain("ana@example.org");
  });

  it("keeps the session on the server behind an HttpOnly, SameSite=Lax cookie, with a new id at each login", async () => {
    const web = new WebClient(relais.origin);
    await web.get("/manage/login");
    const login = await web.post("/manage/login", { email: "ana@example.org", password });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith("relais-session="));
    expect(cookie).toMatch(/; Path=\/; SameSite=Lax; HttpOnly; Max-Age=\d+/);
    expect(cookie).not.toContain("Secure"); // plain-http origin (development); see the https test below
    expect(web.cookies.get("relais-session")).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // A session id planted in the browser before login (fixation) is never the one that logs in.
    const planted = "planted-by-someone-else-0123456789abcdefghijkl";
    const victim = new WebClient(relais.origin);
    victim.cookies.set("relais-session", planted);
    await victim.get("/manage/login");
    expect(victim.cookies.has("relais-session")).toBe(false); // unknown ids are cleared
    victim.cookies.set("relais-session", planted);
    await victim.post("/manage/login", { email: "ana@example.org", password });
    expect(victim.cookies.get("relais-session")).not.toBe(planted);
    expect((await victim.get("/manage")).status).toBe(200);
    const attacker = new WebClient(relais.origin);
    attacker.cookies.set("relais-session", planted);
    expect((await attacker.get("/manage")).status).toBe(303);
  });

  it("refuses a wrong password without saying which part was wrong", async () => {
    const web = new WebClient(relais.origin);
    await web.get("/manage/login");
    const wrong = await web.post("/manage/login", { email: "ana@example.org", password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain("The email or the password is not right.");
    expect(wrong.text).toContain('value="ana@example.org"'); // what was typed stays
    const unknown = await web.post("/manage/login", { email: "nobody@example.org", password });
    expect(unknown.status).toBe(401);
    expect(unknown.text).toContain("The email or the password is not right.");
    expect(web.cookies.has("relais-session")).toBe(false);
  });

  it("refuses forms without the token, with another session's token, or from another site", async () => {
    const web = new WebClient(relais.origin);
    await web.get("/manage/login");
    expect((await web.post("/manage/login", { email: "ana@example.org", password, _csrf: null })).status).toBe(403);
    expect((await web.post("/manage/login", { email: "ana@example.org", password, _csrf: "x".repeat(43) })).status).toBe(403);
    const crossSite = await web.post("/manage/login", { email: "ana@example.org", password }, { "sec-fetch-site": "cross-site" });
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).toContain("This form was refused");
    expect((await web.post("/manage/login", { email: "ana@example.org", password }, { origin: "https://evil.example" })).status).toBe(403);
    expect(web.cookies.has("relais-session")).toBe(false);

    // Logged in: the token is the session's; the pre-login one no longer passes.
    const preLogin = web.csrf as string;
    await web.post("/manage/login", { email: "ana@example.org", password });
    expect((await web.post("/manage/logout", { _csrf: preLogin })).status).toBe(403);
    expect((await web.get("/manage")).status).toBe(200);
    // A form from another site that knows nothing fails too, and the session survives it.
    const forged = await fetch(relais.url("/manage/logout-everywhere"), {
      method: "POST",
      redirect: "manual",
      headers: { cookie: `relais-session=${web.cookies.get("relais-session")}`, "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: "x=1",
    });
    expect(forged.status).toBe(403);
    expect((await web.get("/manage")).status).toBe(200);
  });

  it("logs out, and out everywhere", async () => {
    const phone = new WebClient(relais.origin);
    const laptop = new WebClient(relais.origin);
    await phone.login("ana@example.org", password);
    await laptop.login("ana@example.org", password);
    await phone.get("/manage");
    const out = await phone.post("/manage/logout", {});
    expect(out.location).toBe("/manage/login?done=loggedOut");
    expect(phone.cookies.has("relais-session")).toBe(false);
    expect((await laptop.get("/manage")).status).toBe(200);

    await phone.login("ana@example.org", password);
    await phone.get("/manage/account");
    const everywhere = await phone.post("/manage/logout-everywhere", {});
    expect(everywhere.location).toBe("/manage/login?done=loggedOutEverywhere");
    expect((await laptop.get("/manage")).status).toBe(303);
    expect((await phone.get("/manage")).status).toBe(303);
  });

  it("ends the other sessions when the password changes, and keeps this one", async () => {
    await createEditor(relais.runtime, "lyon", "bo@example.org");
    const phone = new WebClient(relais.origin);
    const laptop = new WebClient(relais.origin);
    await phone.login("bo@example.org", password);
    await laptop.login("bo@example.org", password);
    await phone.get("/manage/account");
    const wrong = await phone.post("/manage/account/password", { current: "nope", password: "a new long password" });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain("This is not your current password.");
    const short = await phone.post("/manage/account/password", { current: password, password: "short" });
    expect(short.status).toBe(422);
    expect(short.text).toContain("at least 12 characters");
    const changed = await phone.post("/manage/account/password", { current: password, password: "a new long password" });
    expect(changed.location).toBe("/manage/account?done=passwordChanged");
    expect((await phone.get("/manage")).status).toBe(200);
    expect((await laptop.get("/manage")).status).toBe(303);
    expect((await new WebClient(relais.origin).login("bo@example.org", password)).status).toBe(401);
    expect((await new WebClient(relais.origin).login("bo@example.org", "a new long password")).status).toBe(303);
  }, 120_000); // a dozen scrypt hashes at OWASP's cost

  it("speaks the editor's language and remembers a choice made with ?lang=", async () => {
    const web = new WebClient(relais.origin);
    const fr = await web.get("/manage/login", { "accept-language": "fr-BE,fr;q=0.9" });
    expect(fr.text).toContain('<html lang="fr">');
    expect(fr.text).toContain("Se connecter");
    await web.get("/manage/login?lang=nl");
    const remembered = await web.get("/manage/login", { "accept-language": "fr" });
    expect(remembered.text).toContain('<html lang="nl">');
    expect(remembered.text).toContain("Inloggen");
  });
});

describe("editor sessions on an https origin, in Redis", () => {
  let relais: RelaisInstance;
  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false, redis: true, env: { RELAIS_ORIGIN: "https://relais.test" } });
    await relais.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    await createEditor(relais.runtime, "gent", "bram@example.org");
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("uses __Host- cookies with Secure, and keeps sessions in Redis", async () => {
    // The server listens on plain http; the public origin (behind a proxy) is https.
    const web = new WebClient(new URL(`http://127.0.0.1:${(relais.server.address() as { port: number }).port}`));
    const form = await web.get("/manage/login");
    expect(form.headers.getSetCookie().join("\n")).toMatch(/^__Host-relais-csrf=[^;]+; Path=\/; SameSite=Strict; HttpOnly; Secure$/m);
    const login = await web.post("/manage/login", { email: "bram@example.org", password }, { origin: "https://relais.test" });
    expect(login.status).toBe(303);
    expect(login.headers.getSetCookie().join("\n")).toMatch(/^__Host-relais-session=[^;]+; Path=\/; SameSite=Lax; HttpOnly; Secure; Max-Age=\d+$/m);
    expect((await web.get("/manage")).status).toBe(200);
    // Stored in Redis: ending every session there logs the browser out.
    const principal = await relais.runtime.users.principalOf((await relais.runtime.accounts.checkPassword("bram@example.org", password))?.id ?? "");
    expect(await relais.runtime.sessions.endAll(principal?.userId ?? "")).toBe(1);
    expect((await web.get("/manage")).status).toBe(303);
  });
});
