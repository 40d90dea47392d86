import { generateCryptoKeyPair, signJsonLd } from "@fedify/fedify";
import { Article, Create, Note } from "@fedify/vocab";
import { describe, expect, it } from "vitest";
import { callWording } from "../../modules/call/call-wording.ts";
import type { CallChangeNoteView, CallView } from "../../modules/call/call.types.ts";
import { createTranslator } from "../../shared/i18n.ts";
import { Urls } from "../../shared/urls.ts";
import { callActivityDocument, callChangeNoteCreate, callDeleteDocument, callDocument } from "./call.mapper.ts";

const urls = new Urls(new URL("https://relais.example"));
const wording = callWording(createTranslator());
const id = "2b0a8c4e-6f1d-4a7e-9c3b-5d2e1f0a9b8c";

const call: CallView = {
  id,
  apId: urls.call(id),
  status: "open",
  version: 3,
  revision: 2,
  title: { fr: "Stop au <b>contrôle</b> algorithmique", de: "Schluss mit der Algorithmen-Kontrolle" },
  pitch: { fr: "Les CAF notent nos vies.", de: "Die Kassen benoten unser Leben." },
  body: { fr: "<p>Nous <strong>exigeons</strong></p><script>x</script>", de: "<p>Wir fordern</p>" },
  bodySource: { fr: "Nous **exigeons**", de: "Wir fordern" },
  demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }, { fr: "Transparence" }],
  deadline: Temporal.Instant.from("2027-03-01T22:59:00Z"),
  timezone: "Europe/Paris",
  relatedEvents: ["7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"],
  image: { url: "https://relais.example/media/0123456789abcdef0123456789abcdef.jpg", mediaType: "image/jpeg", alt: { fr: "Affiche" } },
  collective: { apId: urls.collective("lyon"), slug: "lyon", primaryLanguage: "fr", name: { fr: "Droits sociaux Lyon" } },
  events: [
    {
      id: "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
      apId: urls.event("7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"),
      name: { fr: "Journée d'action" },
      startsAt: Temporal.Instant.from("2027-03-08T13:00:00Z"),
      timezone: "Europe/Paris",
      allDay: false,
    },
  ],
  createdAt: Temporal.Instant.from("2027-02-01T10:00:00Z"),
  updatedAt: Temporal.Instant.from("2027-02-16T10:00:00Z"),
  launchedAt: Temporal.Instant.from("2027-02-10T08:00:00Z"),
};

describe("call mapper", () => {
  it("makes an FEP-b2b8 Article: plain name, summary with the dates in every language, HTML content with the demands", () => {
    const doc = callDocument(call, { urls, wording });
    expect(doc).toMatchObject({
      id: call.apId.href,
      type: "Article",
      attributedTo: "https://relais.example/@lyon",
      actor: "https://relais.example/@lyon",
      url: call.apId.href,
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      cc: ["https://relais.example/@lyon/followers"],
      name: "Stop au contrôle algorithmique",
      published: "2027-02-10T08:00:00Z",
      updated: "2027-02-16T10:00:00Z",
      callStatus: "Open",
      version: 3,
      currentVersion: `${call.apId.href}/versions/3`,
      deadline: "2027-03-01T23:59:00+01:00",
      relatedEvents: ["https://relais.example/events/7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"],
      authoritativeLanguages: ["fr"],
      attachment: [{ type: "Image", mediaType: "image/jpeg", url: call.image?.url, name: "Affiche" }],
    });
    expect(Object.keys(doc.nameMap as object)).toEqual(["fr", "de"]);
    expect(Object.keys(doc.contentMap as object)).toEqual(["fr", "de"]);
    const summary = doc.summary as string;
    expect(summary.length).toBeLessThanOrEqual(500);
    expect(summary).toContain("<p>Appel · Journée d&#39;action lundi 8 mars 2027 · signatures jusqu&#39;au 1 mars 2027 à 23:59</p>");
    expect(summary).toContain("<p>DE: Aktionstag Montag, 8. März 2027 · unterzeichnen bis 1. März 2027 um 23:59</p>");
    expect(doc.summaryMap).toEqual({ fr: "<p>Les CAF notent nos vies.</p>", de: "<p>Die Kassen benoten unser Leben.</p>" });
    const content = doc.content as string;
    expect(content).toContain("<p>Nous <strong>exigeons</strong></p>");
    expect(content).not.toContain("<script");
    expect(content).toContain("<ol><li>Fin du score de risque</li><li>Transparence</li></ol>");
    expect((doc.contentMap as Record<string, string>).de).toContain("<ol><li>Abschaffung des Risiko-Scores</li><li>Transparence</li></ol>");
    expect(doc.demands).toEqual([
      { type: "Demand", nameMap: { fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" } },
      { type: "Demand", nameMap: { fr: "Transparence" } },
    ]);
  });

  it("is read by Fedify as an Article in a Create, with its names and content", async () => {
    const create = await Create.fromJsonLd(callActivityDocument("Create", call, { urls, wording }));
    expect(create.id?.href).toBe(`${call.apId.href}#create`);
    const article = await create.getObject();
    expect(article).toBeInstanceOf(Article);
    expect(article?.name?.toString()).toBe("Stop au contrôle algorithmique");
    const update = callActivityDocument("Update", call, { urls, wording });
    expect(update.id).toBe(`${call.apId.href}#update-2`);
  });

  it("says a closed or withdrawn call's status first, in the summary and the content", () => {
    const doc = callDocument({ ...call, status: "withdrawn" }, { urls, wording });
    expect(doc.callStatus).toBe("Withdrawn");
    expect(doc.summary).toMatch(/^<p>Appel retiré · Journée d&#39;action/);
    expect(doc.content).toMatch(/^<p><strong>Appel retiré · Journée d&#39;action lundi 8 mars 2027<\/strong><\/p>/);
  });

  it("quotes the call in its change notes", async () => {
    const note: CallChangeNoteView = {
      callId: id,
      revision: 2,
      kinds: ["text", "deadline"],
      text: { de: "Neue Fassung\nUnterzeichnen bis …", fr: "Nouvelle version\nSignatures jusqu'au …" },
      createdAt: Temporal.Instant.from("2027-02-16T10:00:00Z"),
      sentAt: null,
    };
    const doc = callChangeNoteCreate(call, note, urls);
    expect(doc.id).toBe(`${call.apId.href}/changes/2#create`);
    const object = doc.object as Record<string, unknown>;
    expect(object).toMatchObject({ type: "Note", quote: call.apId.href, quoteUrl: call.apId.href, changeOf: call.apId.href, changeKind: ["TextChanged", "DeadlineChanged"] });
    expect(object.content).toBe(`<p>Nouvelle version<br>Signatures jusqu&#39;au …</p><p class="quote-inline">RE: <a href="${call.apId.href}">${call.apId.href}</a></p>`);
    expect(Object.keys(object.contentMap as object)).toEqual(["fr", "de"]);
    const parsed = await Create.fromJsonLd(doc);
    const parsedNote = await parsed.getObject();
    expect(parsedNote).toBeInstanceOf(Note);
    expect((parsedNote as Note).quoteUrl?.href).toBe(call.apId.href);
  });
});

describe("call documents as JSON-LD", () => {
  it("define every term they use: a Linked Data signature (safe mode, nothing dropped) can be made over each", async () => {
    const note: CallChangeNoteView = { callId: id, revision: 1, kinds: ["events"], text: { fr: "…" }, createdAt: call.updatedAt, sentAt: null };
    const documents = [
      callActivityDocument("Create", call, { urls, wording }),
      callActivityDocument("Update", { ...call, status: "closed", pitch: undefined, image: undefined, deadline: undefined }, { urls, wording }),
      callChangeNoteCreate(call, note, urls),
      callDeleteDocument(call, { id: call.apId, formerType: "Article", deletedAt: call.updatedAt }, urls),
    ];
    const { privateKey } = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    for (const document of documents) {
      const signed = await signJsonLd(document, privateKey, new URL("https://relais.example/@lyon#main-key"), {});
      expect(signed.signature).toBeDefined();
    }
  });
});
