import type { Activity, Create, Delete, Update } from "@fedify/vocab";
import type { JsonObject } from "./mappers/event.mapper.ts";

/**
 * Fedify's vocabulary cannot hold FEP-8a8e's terms (timezone, eventStatus, postal address, online
 * location), so an Event serialised by Fedify loses them. For activities that must reach partners
 * whole, we build the complete JSON-LD ourselves and hand Fedify an activity whose compact form IS
 * that document. This holds as long as Fedify does not clone the activity before serialising it,
 * which the caller ensures: no activity transformers (we always set ids and actor URIs ourselves) and
 * RSA keys only (an Ed25519 key would make Fedify add an integrity proof through a clone). Fedify
 * still signs the HTTP request (draft-cavage) and adds its Linked Data signature to this document.
 * The end-to-end tests assert that the delivered JSON carries the extension terms.
 */
type ActivityClass = typeof Create | typeof Update | typeof Delete;

export async function prebuiltActivity(cls: ActivityClass, document: JsonObject): Promise<Activity> {
  const parsed = await cls.fromJsonLd(document);
  const doc = structuredClone(document);
  const Prebuilt = class extends (cls as typeof Create) {
    override async toJsonLd(options: Parameters<Create["toJsonLd"]>[0] = {}): Promise<unknown> {
      if (options.format === "compact" || options.format === undefined) return structuredClone(doc);
      return super.toJsonLd(options);
    }
  };
  // Keep every value Fedify parsed (id, actor, recipients), so its routing sees the same activity.
  return Object.setPrototypeOf(parsed, Prebuilt.prototype) as Activity;
}
