import type { Activity, Create, Delete, Update } from "@fedify/vocab";
import type { JsonObject } from "./mappers/event.mapper.ts";

const activityStreams = "https://www.w3.org/ns/activitystreams";
/** Defines `proof` (FEP-8b32 object integrity proofs); Fedify's own activities carry it too. */
export const dataIntegrityContext = "https://w3id.org/security/data-integrity/v1";

type ActivityClass = typeof Create | typeof Update | typeof Delete;

/**
 * Fedify's vocabulary cannot hold FEP-8a8e's terms (timezone, eventStatus, postal address, online
 * location), so an Event serialised by Fedify loses them. For activities that must reach partners
 * whole, we build the complete JSON-LD ourselves and hand Fedify an activity whose compact form IS
 * that document, plus the integrity proofs Fedify attaches to it.
 *
 * Fedify signs such an activity like any other: the HTTP request (RSA), a Linked Data signature (RSA)
 * and an FEP-8b32 proof (Ed25519). It makes the proof on a clone (`clone()` builds the clone with
 * `new this.constructor`, so the clone is one of these too) and serialises the activity it was given
 * or that clone, never a plain `Create` rebuilt from parsed values; activity transformers would, so
 * there are none (federation.ts). The document's `@context` always includes the data-integrity context,
 * with or without a proof, so that the proof, made over the document without it, verifies on the
 * document that carries it. Contract: fedify-workarounds.test.ts.
 */
export async function prebuiltActivity(cls: ActivityClass, document: JsonObject): Promise<Activity> {
  const doc = withDataIntegrityContext(structuredClone(document));
  const parsed = await cls.fromJsonLd(doc);
  const Prebuilt = class extends (cls as typeof Create) {
    override async toJsonLd(options: Parameters<Create["toJsonLd"]>[0] = {}): Promise<unknown> {
      if (options.format !== "compact" && options.format !== undefined) return super.toJsonLd(options);
      const out = structuredClone(doc);
      const proofs: unknown[] = [];
      for await (const proof of this.getProofs(options)) {
        const { "@context": _context, ...compact } = (await proof.toJsonLd({ ...options, format: "compact", context: dataIntegrityContext })) as JsonObject;
        proofs.push(compact);
      }
      if (proofs.length > 0) out.proof = proofs.length === 1 ? proofs[0] : proofs;
      return out;
    }
  };
  // Keep every value Fedify parsed (id, actor, recipients), so its routing sees the same activity.
  return Object.setPrototypeOf(parsed, Prebuilt.prototype) as Activity;
}

function withDataIntegrityContext(doc: JsonObject): JsonObject {
  const context = doc["@context"];
  const list = Array.isArray(context) ? [...context] : context === undefined ? [] : [context];
  if (list.includes(dataIntegrityContext)) return doc;
  const after = list.indexOf(activityStreams);
  list.splice(after + 1, 0, dataIntegrityContext);
  return { ...doc, "@context": list };
}
