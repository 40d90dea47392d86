// A press kit under embargo, over real HTTP, real storage and real federation: before its time it is
// 404 on every public path (page, AS2 document, files, ZIP) and in no listing, outbox or delivery; a
// secret link shows it (never indexed, no referrer), its files cleaned of GPS and authors; a revoked
// link stops working; uploads that are not what they claim, or too large, are refused and not stored.
// At the embargo time (an injected clock) several workers race and the kit is published once, then
// federated to a Mastodon-shaped follower as an Article with its images attached. The ZIP lists every
// file with its licence.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { loadConfig } from "../../src/config/config.ts";
import { createEditor } from "../support/editor.ts";
import { exiftool } from "../support/exif.ts";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { authoredPdf, authorName, gpsJpeg, htmlAsPdf, jpegZipPolyglot, pdfHtmlPolyglot, readPdf, svgFile } from "../support/press-files.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

type Json = Record<string, unknown>;
const run = promisify(execFile);
const marker = "zq-press-editor";
const maxUpload = 1_500_000;

describe("press kits under embargo", () => {
  let now = Date.parse("2030-03-07T12:00:00Z");
  const clock = () => new Date(now);
  let relais: RelaisInstance;
  let otherWorkers: Runtime[] = [];
  let mastodon: MastodonPeer;
  let token: string;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(relais.url(path), { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers ?? {}) } });
  const upload = (kitId: string, bytes: Buffer, query: string) =>
    fetch(relais.url(`/api/v1/presskits/${kitId}/files?${query}`), { method: "POST", body: new Uint8Array(bytes), headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" } });
  const as2 = (url: string) => fetch(url, { headers: { accept: "application/activity+json" } });
  const storedFiles = () => readdirSync(join(relais.mediaDir, "presskits")).filter((n) => !n.startsWith("."));

  beforeAll(async () => {
    relais = await startRelaisInstance({ clock, env: { RELAIS_MAX_UPLOAD_BYTES: String(maxUpload) } });
    mastodon = await startMastodonPeer({ host: "127.0.0.2", username: "journaliste" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon", de: "Soziale Rechte Lyon" }, primaryLanguage: "fr" });
    token = (await createEditor(relais.runtime, "lyon", `${marker}@example.org`)).token;
    await mastodon.follow(relais.url("/@lyon"));
    await mastodon.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 20_000 });
  }, 60_000);
  afterAll(async () => {
    for (const w of otherWorkers) await w.close();
    await mastodon?.close();
    await relais?.close();
  });

  let kit: Json;
  let kitUrl: string;
  const files: Json[] = [];

  it("creates a bilingual kit under embargo and takes its files cleaned, refusing what is not allowed", async () => {
    const created = await api("/api/v1/collectives/lyon/presskits", {
      method: "POST",
      body: JSON.stringify({
        title: { fr: "Journée d'action du 8 mars", de: "Aktionstag am 8. März" },
        lead: { fr: "Le collectif appelle à manifester.", de: "Das Kollektiv ruft zur Demonstration auf." },
        body: { fr: "Le **8 mars**, rendez-vous place Bellecour.", de: "Am **8. März** auf der Place Bellecour." },
        contact: { label: { fr: "Service presse", de: "Pressestelle" }, email: "presse@droits-lyon.example", phone: "+33 4 72 00 00 00" },
        embargo: "2030-03-08T08:00",
        timezone: "Europe/Paris",
      }),
    });
    expect(created.status).toBe(201);
    kit = (await created.json()) as Json;
    kitUrl = kit.url as string;
    expect(kit).toMatchObject({ status: "embargoed", embargo: "2030-03-08T08:00:00+01:00", contact: { email: "presse@droits-lyon.example" } });

    const photo = await upload(kit.id as string, await gpsJpeg(), "kind=photo&credit=Photo%3A%20Collectif&licence=cc-by&caption.fr=Manifestation&caption.de=Demonstration");
    expect(photo.status).toBe(201);
    files.push((await photo.json()) as Json);
    const logo = await sharp({ create: { width: 200, height: 200, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer();
    const logoRes = await upload(kit.id as string, logo, "kind=logo&credit=Collectif&licence=cc0&caption.fr=Logo");
    expect(logoRes.status).toBe(201);
    files.push((await logoRes.json()) as Json);
    const pdf = await upload(kit.id as string, await authoredPdf(), "kind=document&credit=Collectif&licence=all-rights-reserved&caption.fr=Communiqu%C3%A9&caption.de=Mitteilung");
    expect(pdf.status).toBe(201);
    files.push((await pdf.json()) as Json);
    expect(files.map((f) => f.mediaType)).toEqual(["image/jpeg", "image/png", "application/pdf"]);

    const before = storedFiles().length;
    expect(before).toBe(3);
    const meta = "credit=X&licence=cc0&caption.fr=x";
    for (const [bytes, kind] of [[svgFile, "logo"], [htmlAsPdf, "document"], [await pdfHtmlPolyglot(), "document"], [await jpegZipPolyglot(), "photo"]] as const) {
      const res = await upload(kit.id as string, bytes, `kind=${kind}&${meta}`);
      expect(res.status).toBe(422);
      expect(((await res.json()) as Json).message).toMatch(/refused/);
    }
    expect((await upload(kit.id as string, await gpsJpeg(), "kind=photo&licence=cc0&caption.fr=x")).status).toBe(422); // no credit line
    expect(storedFiles().length).toBe(before);
  });

  it("cuts off an oversized upload before it is stored", async () => {
    const before = storedFiles().length;
    const total = maxUpload * 4;
    const chunk = Buffer.alloc(64 * 1024, 0xff);
    chunk.set([0xff, 0xd8, 0xff, 0xe0], 0);
    const outcome = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      let sent = 0;
      const req = request(relais.url(`/api/v1/presskits/${kit.id}/files?kind=photo&credit=X&licence=cc0&caption.fr=x`), {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "image/jpeg", "transfer-encoding": "chunked" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, sent });
        req.destroy();
      });
      req.on("error", (error) => (sent > maxUpload ? resolve({ status: -1, sent }) : reject(error)));
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    if (outcome.status !== -1) expect(outcome.status).toBe(413);
    expect(outcome.sent).toBeLessThan(total);
    expect(storedFiles().length).toBe(before);
    // A declared length over the cap is refused before anything is read.
    const declared = await upload(kit.id as string, Buffer.alloc(maxUpload + 1), "kind=photo&credit=X&licence=cc0&caption.fr=x");
    expect(declared.status).toBe(413);
  });

  it("is 404 on every public path and in no listing, outbox or delivery before its embargo", async () => {
    const fileUrls = files.map((f) => f.url as string);
    for (const url of [kitUrl, ...fileUrls, `${kitUrl}/presskit-fr.zip`, `${kitUrl}/presskit-de.zip`]) {
      expect((await fetch(url)).status, url).toBe(404);
    }
    expect((await as2(kitUrl)).status).toBe(404);
    const outbox = await (await as2(relais.url("/@lyon/outbox?page=true").href)).text();
    expect(outbox).not.toContain("/presskits/");
    expect(await (await fetch(relais.url("/@lyon"))).text()).not.toContain("/presskits/");
    expect(mastodon.received.filter((d) => d.body.includes("/presskits/"))).toEqual([]);
    // Not found even by the worker before its time.
    expect(await relais.runtime.presskits.publishDue()).toBe(0);
  });

  let linkUrl: string;
  it("shows the kit and its cleaned files through a secret link, never indexed, without referrer", async () => {
    const made = await api(`/api/v1/presskits/${kit.id}/links`, { method: "POST", body: JSON.stringify({ label: "Rédaction X", expiresInDays: 3 }) });
    expect(made.status).toBe(201);
    linkUrl = ((await made.json()) as Json).url as string;
    expect(linkUrl).toMatch(/\/press-preview\/[A-Za-z0-9_-]{43}$/);
    const page = await fetch(linkUrl, { headers: { "accept-language": "fr" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("x-robots-tag")).toContain("noindex");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("cache-control")).toContain("no-store");
    const html = await page.text();
    expect(html).toContain('<meta name="robots" content="noindex, nofollow, noarchive">');
    expect(html).toContain("Journée d&#39;action du 8 mars");
    expect(html).toContain("8 mars 2030 à 08:00 (Europe/Paris)");
    expect(html).toContain("presse@droits-lyon.example");
    expect(html).not.toContain(marker);

    const [photo, , doc] = files as [Json, Json, Json];
    const photoName = new URL(photo.url as string).pathname.split("/").pop();
    const photoRes = await fetch(`${linkUrl}/files/${photoName}`);
    expect(photoRes.status).toBe(200);
    expect(photoRes.headers.get("x-content-type-options")).toBe("nosniff");
    expect(photoRes.headers.get("content-security-policy")).toContain("sandbox");
    expect(photoRes.headers.get("content-type")).toBe("image/jpeg");
    const tags = await exiftool(Buffer.from(await photoRes.arrayBuffer()));
    expect(Object.keys(tags).filter((k) => /GPS|^EXIF|^XMP/.test(k))).toEqual([]);

    const docRes = await fetch(`${linkUrl}/files/${new URL(doc.url as string).pathname.split("/").pop()}`);
    expect(docRes.status).toBe(200);
    expect(docRes.headers.get("content-disposition")).toMatch(/^attachment; filename="03-document.pdf"/);
    const pdfBytes = Buffer.from(await docRes.arrayBuffer());
    expect((await readPdf(pdfBytes)).info.Author).toBeUndefined();
    expect(JSON.stringify(await exiftool(pdfBytes))).not.toContain(authorName);

    // Another kit's file name through this link, or a made-up token: not found.
    expect((await fetch(`${linkUrl}/files/${"0".repeat(32)}.jpg`)).status).toBe(404);
    expect((await fetch(relais.url(`/press-preview/${"A".repeat(43)}`))).status).toBe(404);
  });

  it("gives a ZIP per language whose README lists every file with its credit and licence", async () => {
    const res = await fetch(`${linkUrl}/presskit-de.zip`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    const path = join(relais.mediaDir, "test-kit-de.zip");
    await import("node:fs/promises").then((fs) => res.arrayBuffer().then((b) => fs.writeFile(path, Buffer.from(b))));
    // Read by Python's zipfile, not by the code that wrote it.
    const { stdout } = await run("/usr/bin/python3", [
      "-c",
      "import sys,zipfile,json; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps({'names': z.namelist(), 'readme': z.read('README.txt').decode('utf-8'), 'bad': z.testzip()}))",
      path,
    ]);
    const zip = JSON.parse(stdout) as { names: string[]; readme: string; bad: string | null };
    expect(zip.bad).toBeNull();
    expect(zip.names).toEqual(["README.txt", "01-photo.jpg", "02-logo.png", "03-document.pdf"]);
    expect(zip.readme).toContain("Aktionstag am 8. März");
    expect(zip.readme).toContain("SPERRFRIST");
    expect(zip.readme).toMatch(/01-photo\.jpg: Demonstration\r\n {2}Bildnachweis: Photo: Collectif\r\n {2}Lizenz: CC BY 4\.0/);
    expect(zip.readme).toMatch(/02-logo\.png: Logo\r\n {2}Bildnachweis: Collectif\r\n {2}Lizenz: CC0 1\.0/);
    expect(zip.readme).toMatch(/03-document\.pdf: Mitteilung\r\n {2}Bildnachweis: Collectif\r\n {2}Lizenz: © — alle Rechte vorbehalten/);
  });

  it("stops showing anything through a revoked link", async () => {
    const made = (await (await api(`/api/v1/presskits/${kit.id}/links`, { method: "POST", body: JSON.stringify({}) })).json()) as Json;
    expect((await fetch(made.url as string)).status).toBe(200);
    expect((await api(`/api/v1/presskits/${kit.id}/links/${made.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(made.url as string)).status).toBe(404);
    expect((await fetch(`${made.url}/presskit-fr.zip`)).status).toBe(404);
    // And an expired one too (the clock moves on 4 days for a 3-day link, then back).
    const saved = now;
    now += 4 * 86_400_000;
    expect((await fetch(linkUrl)).status).toBe(404);
    now = saved;
    expect((await fetch(linkUrl)).status).toBe(200);
  });

  it("is published once at its embargo by racing workers, and federated as an Article with its images", async () => {
    // More kits due at the same time make the race real; each must be published exactly once.
    const others: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      const res = await api("/api/v1/collectives/lyon/presskits", {
        method: "POST",
        body: JSON.stringify({ title: { fr: `Kit ${n}` }, lead: { fr: "Chapeau" }, body: { fr: "Texte" }, contact: { email: "presse@droits-lyon.example" }, embargo: "2030-03-08T08:00", timezone: "Europe/Paris" }),
      });
      others.push(((await res.json()) as Json).id as string);
    }
    const config = loadConfig({ RELAIS_ORIGIN: relais.origin.href, DATABASE_URL: relais.runtime.config.databaseUrl as string, RELAIS_MEDIA_DIR: relais.mediaDir, RELAIS_DATA_DIR: "/tmp/relais-unused" }, [{ port: 0, dataDir: "./data", maxInboxBodyBytes: 1048576 }]);
    otherWorkers = await Promise.all([createRuntime(config, "cli", { migrations: "skip", clock }), createRuntime(config, "cli", { migrations: "skip", clock })]);
    const mark = mastodon.received.length;
    now = Date.parse("2030-03-08T07:00:00Z"); // 08:00 in Paris
    const results = await Promise.all([...otherWorkers.map((w) => w.presskits.publishDue()), relais.runtime.presskits.publishDue()]);
    const sum = results.reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(5);
    const publications = (await relais.runtime.em
      .fork()
      .getConnection()
      .execute("select subject, count(*)::int as n from audit_entry where action = 'presskit.publish' group by subject")) as { subject: string; n: number }[];
    expect(publications.map((p) => p.n)).toEqual([1, 1, 1, 1, 1]);
    expect(new Set(publications.map((p) => p.subject))).toEqual(new Set([kit.id, ...others]));
    const creates = (await relais.runtime.em.fork().getConnection().execute("select count(*)::int as n from outbox where activity_id = ?", [`${kitUrl}#create`])) as { n: number }[];
    expect(creates[0]?.n).toBe(1);
    // The instance's own worker loop comes by too: nothing more.
    expect(await relais.runtime.presskits.publishDue()).toBe(0);

    const create = await mastodon.waitFor((d) => mastodon.received.indexOf(d) >= mark && d.signatureValid && d.activity?.type === "Create" && (d.activity?.object as Json)?.id === kitUrl, { timeoutMs: 20_000 });
    expect(create.signer).toBe(relais.url("/@lyon").href);
    const article = create.activity?.object as Json;
    expect(article).toMatchObject({ type: "Article", name: "Journée d'action du 8 mars", nameMap: { fr: "Journée d'action du 8 mars", de: "Aktionstag am 8. März" } });
    const attachments = article.attachment as Json[];
    expect(attachments.map((a) => [a.type, a.mediaType])).toEqual([["Image", "image/jpeg"], ["Image", "image/png"]]);
    expect(attachments[0]?.name).toContain("Manifestation");
    // Mastodon fetches the images now that they are public, cleaned.
    const image = await fetch(attachments[0]?.url as string);
    expect(image.status).toBe(200);
    expect(image.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(Object.keys(await exiftool(Buffer.from(await image.arrayBuffer()))).filter((k) => /GPS/.test(k))).toEqual([]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(mastodon.received.filter((d) => d.activity?.type === "Create" && (d.activity?.object as Json)?.id === kitUrl)).toHaveLength(1);
    expect(mastodon.received.filter((d) => d.body.includes(marker))).toEqual([]);

    expect((await fetch(kitUrl)).status).toBe(200);
    const doc = await as2(kitUrl);
    expect(doc.status).toBe(200);
    expect(await doc.json()).toMatchObject({ id: kitUrl, type: "Article" });
    // A change once published reaches the served Article at once (the read cache forgets it) and followers as an Update.
    const marked = mastodon.received.length;
    expect((await api(`/api/v1/presskits/${kit.id}`, { method: "PATCH", body: JSON.stringify({ title: { fr: "Journée d'action du 8 mars — rectificatif", de: "Aktionstag am 8. März" } }) })).status).toBe(200);
    expect(((await (await as2(kitUrl)).json()) as Json).name).toBe("Journée d'action du 8 mars — rectificatif");
    await mastodon.waitFor((d) => mastodon.received.indexOf(d) >= marked && d.activity?.type === "Update" && d.activity?.id === `${kitUrl}#update-1`, { timeoutMs: 20_000 });
    expect((await fetch(`${kitUrl}/presskit-fr.zip`)).status).toBe(200);
    expect((await fetch(files[2]?.url as string)).status).toBe(200);
  }, 60_000);

  it("describes its API in the OpenAPI document", async () => {
    const doc = (await (await fetch(relais.url("/api/v1/openapi.json"))).json()) as { paths: Json; components: { schemas: Json } };
    for (const path of ["/api/v1/collectives/{slug}/presskits", "/api/v1/presskits/{id}", "/api/v1/presskits/{id}/publish", "/api/v1/presskits/{id}/files", "/api/v1/presskits/{id}/files/{fileId}", "/api/v1/presskits/{id}/links", "/api/v1/presskits/{id}/links/{linkId}"]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["PressKit", "PressKitInput", "PressKitFile", "PressKitLink"]));
  });
});
