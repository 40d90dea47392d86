import { describe, expect, it } from "vitest";
import { coversUnchanged, signableLanguages, signableText, type SignableVersion, stampDigestMismatch, textDigest, versionDigests } from "./call-digest.ts";

const v: SignableVersion = {
  call: "https://a.example/calls/1",
  initiator: "https://a.example/@cdc",
  version: 3,
  name: { fr: "Stop au contrôle", de: "Schluss mit der Kontrolle", nl: "Stop" },
  summary: { fr: "Les CAF notent nos vies." },
  content: { fr: "<p>Nous exigeons</p>", de: "<p>Wir fordern</p>", nl: "<p>Wij eisen</p>" },
  demands: [{ fr: "Fin du score", de: "Abschaffung des Scores" }],
  deadline: "2027-03-01T23:59:00+01:00",
  relatedEvents: ["https://a.example/events/b", "https://a.example/events/a"],
};

describe("call digests", () => {
  it("covers only languages with a title, a text and every demand", () => {
    expect(signableLanguages(v)).toEqual(["fr", "de"]);
  });

  it("is the JCS of the design's fields, events sorted, and its multibase sha2-256 multihash", () => {
    expect(signableText(v, "de")).toBe(
      '{"call":"https://a.example/calls/1","content":"<p>Wir fordern</p>","deadline":"2027-03-01T23:59:00+01:00","demands":["Abschaffung des Scores"],"initiator":"https://a.example/@cdc","language":"de","name":"Schluss mit der Kontrolle","relatedEvents":["https://a.example/events/a","https://a.example/events/b"],"summary":""}',
    );
    const d = textDigest(v, "fr");
    expect(d).toMatch(/^uEiA[A-Za-z0-9_-]{43}$/); // 0x12 0x20 ‖ 32 bytes, base64url without padding
    expect(textDigest({ ...v, relatedEvents: [...v.relatedEvents].reverse() }, "fr")).toBe(d);
  });

  it("keeps a signature when a translation is added and drops it when a covered language changes", () => {
    const signed = versionDigests(v).filter((d) => d.language === "fr");
    const translated = { ...v, demands: [{ ...v.demands[0], nl: "Einde" }] } as SignableVersion;
    expect(signableLanguages(translated)).toEqual(["fr", "de", "nl"]);
    expect(coversUnchanged(signed, versionDigests(translated))).toBe(true);
    const changed = { ...v, content: { ...v.content, fr: "<p>Nous exigeons tout</p>" } };
    expect(coversUnchanged(signed, versionDigests(changed))).toBe(false);
    // A change of the deadline is a change of every language.
    expect(coversUnchanged(signed, versionDigests({ ...v, deadline: null }))).toBe(false);
    expect(coversUnchanged([], versionDigests(v))).toBe(false);
  });
});

describe("stamp digests against a version", () => {
  it("accepts a stamp whose digests are the version's and cover the authoritative language", () => {
    expect(stampDigestMismatch(versionDigests(v), v, "fr")).toBeNull();
    expect(stampDigestMismatch(versionDigests(v).filter((d) => d.language === "fr"), v, "fr")).toBeNull();
  });

  it("says why any other stamp does not match", () => {
    expect(stampDigestMismatch([], v, "fr")).toBe("the stamp covers no language");
    const changed = versionDigests({ ...v, content: { ...v.content, de: "<p>Wir fordern alles</p>" } });
    expect(stampDigestMismatch(changed, v, "fr")).toBe("the stamp's digest for de is not the version's");
    expect(stampDigestMismatch([{ language: "nl", digest: textDigest(v, "nl") }], v, "fr")).toBe("the stamp's digest for nl is not the version's");
    expect(stampDigestMismatch(versionDigests(v).filter((d) => d.language === "de"), v, "fr")).toBe("the stamp does not cover the call's authoritative language (fr)");
  });
});
