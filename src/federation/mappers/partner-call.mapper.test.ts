import { describe, expect, it } from "vitest";
import { openCallsDocument, openCallsItems, openCallsStream, partnerCallFromArticle } from "./partner-call.mapper.ts";

const actor = new URL("https://a.example/@cdc");
const article = (n: number, extra: Record<string, unknown> = {}) => ({
  "@context": ["https://www.w3.org/ns/activitystreams"],
  id: `https://a.example/calls/0190a0c0-0000-7000-8000-${String(n).padStart(12, "0")}`,
  type: "Article",
  attributedTo: actor.href,
  callStatus: "Open",
  nameMap: { fr: `Appel ${n}` },
  authoritativeLanguages: ["fr"],
  published: "2030-01-01T10:00:00Z",
  deadline: "2030-03-01T23:59:00+01:00",
  ...extra,
});

describe("a partner's open calls", () => {
  it("lists at most 50 calls, whole without their context, and reads back at most 50 calls", () => {
    const doc = openCallsDocument(new URL(`${actor.href}/open-calls`), actor, Array.from({ length: 60 }, (_, i) => article(i)));
    expect(doc).toMatchObject({ id: "https://a.example/@cdc/open-calls", type: "OrderedCollection", attributedTo: actor.href, totalItems: 50 });
    expect((doc.orderedItems as Record<string, unknown>[])[0]).not.toHaveProperty("@context");
    const many = { orderedItems: [{ type: "Note" }, ...Array.from({ length: 70 }, (_, i) => article(i))] };
    expect(openCallsItems(many)).toHaveLength(49);
  });

  it("keeps a call of the actor, and says why it keeps none of another's, a draft's or an unnamed one", () => {
    const read = partnerCallFromArticle(article(1, { updated: "2030-01-02T10:00:00Z" }), actor);
    expect(read).toMatchObject({ ok: true, call: { authorApId: actor.href, language: "fr", status: "open", title: { fr: "Appel 1" }, url: article(1).id } });
    expect(read.ok && read.call.remoteUpdatedAt.toString()).toBe("2030-01-02T10:00:00Z");
    expect(partnerCallFromArticle(article(1, { attributedTo: "https://a.example/@autre" }), actor)).toEqual({ ok: false, reason: "only the call's collective may" });
    expect(partnerCallFromArticle(article(1, { id: "https://e.example/calls/0190a0c0-0000-7000-8000-000000000001" }), actor)).toEqual({ ok: false, reason: "only the call's collective may" });
    expect(partnerCallFromArticle(article(1, { id: "https://a.example/events/1" }), actor)).toEqual({ ok: false, reason: "not a call's id" });
    expect(partnerCallFromArticle(article(1, { callStatus: "Consultation" }), actor)).toEqual({ ok: false, reason: "not public (Consultation)" });
    expect(partnerCallFromArticle(article(1, { nameMap: undefined }), actor)).toEqual({ ok: false, reason: "no title or publication date" });
  });

  it("finds the open-calls collection only where the actor lists it, on its own origin", () => {
    const own = `${actor.href}/open-calls`;
    expect(openCallsStream({ id: actor.href, streams: [own] }, actor)?.href).toBe(own);
    expect(openCallsStream({ id: actor.href, streams: own }, actor)?.href).toBe(own);
    expect(openCallsStream({ id: actor.href, streams: [{ id: own, type: "OrderedCollection" }] }, actor)?.href).toBe(own);
    // Mastodon, Gancio and the like list none: nothing is guessed.
    expect(openCallsStream({ id: actor.href }, actor)).toBeUndefined();
    expect(openCallsStream({ id: actor.href, streams: ["https://elsewhere.example/@cdc/open-calls"] }, actor)).toBeUndefined();
    expect(openCallsStream({ id: actor.href, streams: [`${actor.href}/featured`, "not a url"] }, actor)).toBeUndefined();
  });
});
