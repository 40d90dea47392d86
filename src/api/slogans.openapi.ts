// The slogan routes of the OpenAPI document (openapi.ts merges them).
import { placardFormats } from "../modules/slogan/placard.service.ts";
import { sloganLanguages, sloganLimits } from "../modules/slogan/slogan.types.ts";
import { authErrors, conflictError, invalidError, patchInput, slugParam, uuidParam } from "./openapi-parts.ts";

const date = { type: "string", format: "date-time" };
const text = {
  type: "object",
  description: `One line per language (${sloganLanguages.join(", ")}), at most ${sloganLimits.text} characters each; the collective's primary language comes first`,
  propertyNames: { enum: [...sloganLanguages] },
  additionalProperties: { type: "string", maxLength: sloganLimits.text },
  example: { fr: "Pas de tri des pauvres", de: "Keine Sortierung der Armen" },
};

export const sloganInput = {
  type: "object",
  additionalProperties: false,
  required: ["text"],
  properties: {
    text,
    tags: { type: "array", maxItems: sloganLimits.tags, items: { type: "string" }, description: "Hashtags, one word each (letters, digits, _)", example: ["allocs"] },
    call: { type: ["string", "null"], format: "uuid", description: "A call to action of the same collective (its link and QR code go on the placards once it is open)" },
    event: { type: ["string", "null"], format: "uuid", description: "An event of the same collective" },
    published: { type: "boolean", default: true, description: "false: a draft, sent nowhere; true later publishes it (once)" },
  },
};

const urlsPerLanguage = (description: string, value: object) => ({ type: "object", description, additionalProperties: value });

const sloganOutput = {
  allOf: [
    sloganInput,
    {
      type: "object",
      properties: {
        id: { type: "string", format: "uuid" },
        url: { type: "string", format: "uri", description: "The public page (also the ActivityPub id of its Note); 404 while a draft" },
        apId: { type: "string", format: "uri" },
        collective: { type: "string" },
        version: { type: "integer", description: "1, then +1 with every saved change" },
        origin: {
          type: ["object", "null"],
          description: "Where an adopted slogan comes from",
          properties: { apId: { type: "string", format: "uri" }, actorApId: { type: "string", format: "uri" }, actorName: { type: ["string", "null"] }, url: { type: ["string", "null"], format: "uri" } },
        },
        placards: urlsPerLanguage(`Per language, the placards (PDF): ${placardFormats.join(", ")}`, { type: "object", additionalProperties: { type: "string", format: "uri" } }),
        shareImages: urlsPerLanguage("Per language, the 1200×630 PNG share image of this version", { type: "string", format: "uri" }),
        createdAt: date,
        updatedAt: date,
        publishedAt: { type: ["string", "null"], format: "date-time" },
      },
    },
  ],
};

export const sloganSchemas = { SloganInput: sloganInput, SloganPatch: patchInput(sloganInput, ["text"]), Slogan: sloganOutput };

const errors = authErrors({ notFound: "Unknown collective or slogan (another collective's draft answers the same)", forbidden: "Not an editor of this collective (or, to adopt, the slogan's author is not its partner)" });
const conflict = conflictError("The slogan changed since the If-Match version, a published slogan cannot go back to draft, or it was adopted already");
const invalid = invalidError();
const sloganResponse = (description: string) => ({
  description,
  headers: { ETag: { description: 'The version, e.g. "v3": send it back as If-Match', schema: { type: "string" } } },
  content: { "application/json": { schema: { $ref: "#/components/schemas/Slogan" } } },
});
const idParam = uuidParam();

export const sloganPaths = {
  "/api/v1/collectives/{slug}/slogans": {
    get: {
      summary: "A collective's slogans, newest first (published ones; its editors also get drafts with drafts=true)",
      parameters: [
        slugParam,
        { name: "drafts", in: "query", schema: { type: "boolean" } },
        { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } },
        { name: "cursor", in: "query", schema: { type: "string" }, description: "The `next` of the previous page, unchanged" },
      ],
      responses: {
        "200": {
          description: "One page of slogans, and the cursor of the next",
          content: { "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/Slogan" } }, next: { type: ["string", "null"] } } } } },
        },
        ...errors,
      },
    },
    post: {
      summary: "Create a slogan (published at once, sent to followers as a Note, unless published is false)",
      parameters: [slugParam],
      requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/SloganInput" } } } },
      responses: { "201": sloganResponse("The new slogan"), ...errors, ...invalid },
    },
  },
  "/api/v1/collectives/{slug}/slogans/adopt": {
    post: {
      summary: "Adopt a partner's slogan by the URL of its Note: a slogan of this collective with the same lines and tags that names and links the original",
      parameters: [slugParam],
      requestBody: {
        required: true,
        content: { "application/json": { schema: { type: "object", additionalProperties: false, required: ["url"], properties: { url: { type: "string", format: "uri" }, published: { type: "boolean", default: true } } } } },
      },
      responses: { "201": sloganResponse("The adopted slogan"), ...errors, ...conflict, ...invalid },
    },
  },
  "/api/v1/slogans/{id}": {
    get: { summary: "One slogan (a draft: its editors only)", parameters: [idParam], responses: { "200": sloganResponse("The slogan"), ...errors } },
    patch: {
      summary:
        "Change a slogan: only the fields sent; null detaches the call or event. In text only the languages sent change: the others stay, and a language set to null is removed (one at least stays). Each change is a new version (and an Update to followers).",
      parameters: [idParam, { name: "If-Match", in: "header", schema: { type: "string" }, description: 'The ETag read ("v3")' }],
      requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/SloganPatch" } } } },
      responses: { "200": sloganResponse("The changed slogan"), ...errors, ...conflict, ...invalid },
    },
    delete: { summary: "Delete a slogan (once published, its URL answers 410 and followers get a Delete)", parameters: [idParam], responses: { "204": { description: "Deleted" }, ...errors } },
  },
};
