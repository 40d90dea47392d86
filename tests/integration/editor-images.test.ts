// Image uploads through the event form: checked by their bytes, bounded before they are read whole,
// re-encoded without their metadata (read back with a JPEG walker and exiftool, not with sharp), served
// with nosniff and long cache headers, and published as the event's attachment with its description.
import { readdirSync } from "node:fs";
import { request } from "node:http";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exiftool, jpegMetadataSegments, withGpsExif } from "../support/exif.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { multipartBody, WebClient } from "../support/web-client.ts";

const password = "correct horse battery";
const maxUploadBytes = 200_000;

const form = {
  languages: "fr,de",
  "name.fr": "Rassemblement devant la CAF",
  "name.de": "Kundgebung vor der Familienkasse",
  startDate: "2030-03-08",
  startTime: "14:00",
  timezone: "Europe/Paris",
  placeName: "Place Bellecour",
  locality: "Lyon",
};

describe("images of events", () => {
  let relais: RelaisInstance;
  let web: WebClient;
  let photo: Buffer;
  const stored = () => readdirSync(relais.mediaDir).filter((f) => !f.startsWith("."));

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false, env: { RELAIS_MAX_UPLOAD_BYTES: String(maxUploadBytes) } });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await createEditor(relais.runtime, "lyon", "ana@example.org");
    web = new WebClient(relais.origin);
    await web.login("ana@example.org", password);
    const plain = await sharp({ create: { width: 3000, height: 1200, channels: 3, background: "#c33" } }).jpeg().toBuffer();
    photo = withGpsExif(plain, 45.7578, 4.832);
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("stores a phone photo without its GPS position, scaled down, and publishes it with its descriptions", async () => {
    // The fixture really carries a position, as an independent reader sees it.
    const before = await exiftool(photo);
    expect(before["EXIF:GPSLatitude"]).toBeCloseTo(45.7578, 3);
    expect(before["EXIF:Make"]).toBe("RelaisTestCam");

    await web.get("/manage/@lyon/events/new");
    // Without descriptions: refused next to the fields, the image kept for the next try.
    const missingAlt = await web.postMultipart("/manage/@lyon/events/new", { ...form, intent: "publish" }, { field: "imageFile", filename: "IMG_2041.jpg", contentType: "image/jpeg", bytes: photo });
    expect(missingAlt.status).toBe(422);
    expect(missingAlt.text).toMatch(/<p class="error" id="f-imageAlt-fr-error">Describe the image in this language\.<\/p>/);
    expect(missingAlt.text).toMatch(/<p class="error" id="f-imageAlt-de-error">/);
    const kept = /name="image" value="([0-9a-f]{32}\.jpg)"/.exec(missingAlt.text)?.[1] as string;
    expect(stored()).toEqual([kept]);

    const published = await web.postMultipart(
      "/manage/@lyon/events/new",
      { ...form, image: kept, "imageAlt.fr": "Affiche rouge", "imageAlt.de": "Rotes Plakat", intent: "publish" },
      null,
    );
    expect(published.status).toBe(303);
    const id = /\/manage\/events\/([0-9a-f-]{36})/.exec(published.location ?? "")?.[1] as string;
    const event = (await relais.runtime.events.loadForDelivery(id))?.event;
    expect(event?.image).toEqual({ url: relais.url(`/media/${kept}`).href, mediaType: "image/jpeg", alt: { fr: "Affiche rouge", de: "Rotes Plakat" } });

    const served = await fetch(relais.url(`/media/${kept}`));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/jpeg");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(served.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(jpegMetadataSegments(bytes)).toEqual([]);
    const after = await exiftool(bytes);
    expect(Object.keys(after).filter((k) => /GPS|Make|EXIF:/.test(k))).toEqual([]);
    expect(after["File:ImageWidth"]).toBe(2048);
    expect(after["File:ImageHeight"]).toBe(819);

    // Servers get it as the event's attachment, with its description; the German page shows it.
    const as2 = (await (await fetch(relais.url(`/events/${id}`), { headers: { accept: "application/activity+json" } })).json()) as Record<string, unknown>;
    expect(as2.attachment).toEqual([
      { type: "Image", url: relais.url(`/media/${kept}`).href, mediaType: "image/jpeg", name: "Affiche rouge", nameMap: { fr: "Affiche rouge", de: "Rotes Plakat" } },
    ]);
    const page = await (await fetch(relais.url(`/events/${id}?lang=de`), { headers: { accept: "text/html" } })).text();
    expect(page).toContain(`<img src="/media/${kept}" alt="Rotes Plakat">`);
    expect((await fetch(relais.url("/media/../../etc/passwd"))).status).toBe(404);
    expect((await fetch(relais.url("/media/0123456789abcdef0123456789abcdef.jpg"))).status).toBe(404);
  });

  it("refuses an SVG or an HTML page named .jpg, and keeps nothing of it", async () => {
    const before = stored();
    await web.get("/manage/@lyon/events/new");
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>');
    const html = Buffer.from("<!doctype html><html><script>alert(document.cookie)</script></html>");
    for (const bytes of [svg, html]) {
      const res = await web.postMultipart("/manage/@lyon/events/new", { ...form, intent: "preview" }, { field: "imageFile", filename: "affiche.jpg", contentType: "image/jpeg", bytes });
      expect(res.status).toBe(422);
      expect(res.text).toContain("This file is not a JPEG, PNG or WebP image");
      expect(res.text).toContain('value="Rassemblement devant la CAF"'); // what was typed stays
    }
    expect(stored()).toEqual(before);
  });

  it("cuts off an oversized upload before it is read whole, and stores nothing", async () => {
    const before = stored();
    await web.get("/manage/@lyon/events/new");
    const big = Buffer.alloc(maxUploadBytes * 3, 0xab);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    // Declared too large: refused before a byte of the body is read.
    const declared = await web.postMultipart("/manage/@lyon/events/new", { ...form, intent: "preview" }, { field: "imageFile", filename: "huge.jpg", contentType: "image/jpeg", bytes: big });
    expect(declared.status).toBe(413);
    expect(declared.text).toContain("The file is too large");

    // Sent in chunks without a length: the answer comes while the request is still being sent.
    const { body, contentType } = multipartBody({ _csrf: web.csrf ?? "", ...form, intent: "preview" }, { field: "imageFile", filename: "huge.jpg", contentType: "image/jpeg", bytes: big });
    const cookie = [...web.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("; ");
    // The request is never ended: only an answer given before the end of the body resolves this.
    const answered = await new Promise<{ status: number; sentBeforeAnswer: number }>((resolve, reject) => {
      let sent = 0;
      const req = request(relais.url("/manage/@lyon/events/new"), {
        method: "POST",
        headers: { "content-type": contentType, cookie, origin: relais.origin.origin, "sec-fetch-site": "same-origin", "transfer-encoding": "chunked" },
      });
      req.on("response", (res) => {
        resolve({ status: res.statusCode ?? 0, sentBeforeAnswer: sent });
        res.resume();
        req.destroy();
      });
      req.on("error", reject);
      const chunk = 16 * 1024;
      const pump = () => {
        // Everything but the last chunk, then wait: the server must answer without the end of the body.
        while (sent < body.length - chunk) {
          const ok = req.write(body.subarray(sent, sent + chunk));
          sent += chunk;
          if (!ok) return void req.once("drain", pump);
        }
      };
      pump();
    });
    expect(answered.status).toBe(413);
    expect(answered.sentBeforeAnswer).toBeLessThan(body.length);
    expect(stored()).toEqual(before);
  });

  it("reads no file before the form's token, and refuses a form whose token is wrong", async () => {
    const before = stored();
    await web.get("/manage/@lyon/events/new");
    const wrong = await web.postMultipart("/manage/@lyon/events/new", { _csrf: "x".repeat(43), ...form, intent: "preview" }, { field: "imageFile", filename: "a.jpg", contentType: "image/jpeg", bytes: photo });
    expect(wrong.status).toBe(403);
    const noToken = await web.postMultipart("/manage/@lyon/events/new", { _csrf: null, ...form, intent: "preview" }, { field: "imageFile", filename: "a.jpg", contentType: "image/jpeg", bytes: photo });
    expect(noToken.status).toBe(403);
    expect(stored()).toEqual(before);
  });
});
