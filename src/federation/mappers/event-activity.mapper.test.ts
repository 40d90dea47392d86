import { Delete, Tombstone } from "@fedify/vocab";
import { describe, expect, it } from "vitest";
import { deleteDocument, tombstoneResponseDocument } from "./event-activity.mapper.ts";

const deletedAt = Temporal.Instant.from("2026-03-01T10:00:00Z");
const sender = { actor: new URL("https://relais.example/@lyon"), followers: new URL("https://relais.example/@lyon/followers"), idPrefix: "" as const };

describe("Delete and Tombstone documents", () => {
  it("keep formerType readable as a word and expand it to the ActivityStreams IRI", async () => {
    const id = new URL("https://relais.example/events/0b7e");
    const doc = deleteDocument({ id, formerType: "Event", deletedAt }, sender);
    expect(doc.object).toMatchObject({ type: "Tombstone", formerType: "Event" });
    const expanded = (await (await Delete.fromJsonLd(doc)).toJsonLd({ format: "expand" })) as Record<string, unknown>[];
    expect(JSON.stringify(expanded)).toContain('"@id":"https://www.w3.org/ns/activitystreams#Event"');
    const tombstone = await (await Delete.fromJsonLd(doc)).getObject();
    expect(tombstone).toBeInstanceOf(Tombstone);
  });

  it("serve a change note's Tombstone with the same context", async () => {
    const id = new URL("https://relais.example/events/0b7e/changes/2");
    const served = tombstoneResponseDocument(id, "Note", deletedAt);
    expect(served).toMatchObject({ id: id.href, type: "Tombstone", formerType: "Note", deleted: "2026-03-01T10:00:00Z" });
    const parsed = await Tombstone.fromJsonLd(served);
    expect(JSON.stringify(await parsed.toJsonLd({ format: "expand" }))).toContain("https://www.w3.org/ns/activitystreams#Note");
  });
});
