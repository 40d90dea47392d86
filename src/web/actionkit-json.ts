// The JSON forms of action kits other servers read (FEDERATION.md, "Action kits"): not ActivityPub
// documents (the kit's Article is built in src/federation), but the structured text a partner adopts.
import type { ActionKitView } from "../modules/actionkit/actionkit.types.ts";

/**
 * A published kit's text as JSON at `<kit>/text.json` (not JSON-LD: the editors' structured text, which
 * the Article shows as prose): `id` and `attributedTo` as in the Article, then the fields an editor
 * writes, with the names of the JSON API. A partner on another server reads it to adopt the kit.
 */
export function actionKitTextDocument(kit: ActionKitView): Record<string, unknown> {
  return {
    id: kit.apId.href,
    attributedTo: kit.collective.apId.href,
    version: kit.version,
    published: (kit.publishedAt ?? kit.createdAt).toString(),
    updated: kit.updatedAt.toString(),
    title: kit.title,
    explanation: kit.explanation,
    country: kit.country,
    institution: kit.institution,
    legalBasis: kit.legalBasis,
    steps: kit.steps,
    fields: kit.fields,
    letters: kit.letters,
    ...(kit.origin ? { origin: { id: kit.origin.apId, attributedTo: kit.origin.actorApId, ...(kit.origin.url ? { url: kit.origin.url } : {}) } } : {}),
  };
}

/** A collective's published kits as JSON at `<collective>/kits.json`: each kit's id, title, country and version. */
export function actionKitListDocument(collective: URL, kits: readonly ActionKitView[]): Record<string, unknown> {
  return {
    attributedTo: collective.href,
    items: kits.map((k) => ({ id: k.apId.href, title: k.title, country: k.country, version: k.version, updated: k.updatedAt.toString() })),
  };
}

