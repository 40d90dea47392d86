// The action kit routes of the OpenAPI document (openapi.ts merges them).
import { kitFieldKinds, kitLimits } from "../modules/actionkit/actionkit.types.ts";
import { authErrors, conflictError, invalidError, patchInput, slugParam, uuidParam } from "./openapi-parts.ts";

const date = { type: "string", format: "date-time" };
const map = (max: number, description: string, example: Record<string, string>) => ({
  type: "object",
  description: `${description}; per language (BCP 47 code → text, at most ${max} characters), the collective's primary language first`,
  additionalProperties: { type: "string", maxLength: max },
  example,
});

const field = {
  type: "object",
  additionalProperties: false,
  required: ["name", "label"],
  properties: {
    name: { type: "string", pattern: "^[a-z][a-z0-9_]{0,39}$", description: "Written {{name}} in the letters", example: "file_number" },
    label: map(kitLimits.label, "What the form shows", { fr: "Numéro d'allocataire" }),
    kind: { type: "string", enum: [...kitFieldKinds], default: "text" },
    required: { type: "boolean", default: false },
    hint: map(kitLimits.hint, "A help line under the input", { fr: "Sur vos courriers de la CAF" }),
  },
};

const letter = {
  type: "object",
  additionalProperties: false,
  required: ["key", "title", "body"],
  properties: {
    key: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,39}$", description: "The PDF's file name", example: "access-request" },
    title: map(kitLimits.letterTitle, "The letter's title", { fr: "Demande d'accès (article 15 du RGPD)" }),
    body: map(kitLimits.letterBody, "The letter as plain text with {{field}} blanks; a blank that names no field is refused", { fr: "{{name}}\n{{address}}\n…" }),
  },
};

export const actionKitInput = {
  type: "object",
  additionalProperties: false,
  required: ["title", "explanation", "country", "institution", "legalBasis", "letters"],
  description: "Every language of the title needs every text (explanation, institution, legal basis, steps, labels, letters)",
  properties: {
    title: map(kitLimits.title, "The kit's title", { fr: "Demander à la CAF vos données et votre score de risque" }),
    explanation: map(kitLimits.explanation, "What it is for (plain text, paragraphs separated by a blank line)", { fr: "La CAF attribue…" }),
    country: { type: "string", pattern: "^[A-Za-z]{2}$", description: "ISO 3166-1 alpha-2 (stored upper case)", example: "FR" },
    institution: map(kitLimits.institution, "Where the letters go", { fr: "Caisse d'allocations familiales (CAF)" }),
    legalBasis: map(kitLimits.legalBasis, "The law the letters rest on", { fr: "RGPD, articles 15 et 22" }),
    steps: { type: "array", maxItems: kitLimits.steps, items: map(kitLimits.step, "One step", { fr: "Envoyez-la en recommandé." }) },
    fields: { type: "array", maxItems: kitLimits.fields, items: field },
    letters: { type: "array", minItems: 1, maxItems: kitLimits.letters, items: letter },
    published: { type: "boolean", default: false, description: "true publishes the kit (version 1, sent to followers as an Article); a published kit cannot go back to draft" },
  },
};

const actionKitOutput = {
  allOf: [
    actionKitInput,
    {
      type: "object",
      properties: {
        id: { type: "string", format: "uuid" },
        url: { type: "string", format: "uri", description: "The public page (also the ActivityPub id of its Article); 404 while a draft" },
        apId: { type: "string", format: "uri" },
        collective: { type: "string" },
        version: { type: "integer", description: "0 while a draft, 1 once published, +1 with every saved change after" },
        origin: {
          type: ["object", "null"],
          description: "Where an adopted kit comes from",
          properties: { apId: { type: "string", format: "uri" }, actorApId: { type: "string", format: "uri" }, actorName: { type: ["string", "null"] }, url: { type: ["string", "null"], format: "uri" } },
        },
        pages: { type: "object", description: "Per language, the page where the letters are filled in (in the browser: nothing typed reaches the server)", additionalProperties: { type: "string", format: "uri" } },
        count: {
          type: "object",
          description: "One kit only: the opt-in count of letters downloaded across the network: this kit, the kits here adopted from it, and what other servers last reported for their copies (otherServers: that part)",
          properties: { total: { type: "integer" }, byLanguage: { type: "object", additionalProperties: { type: "integer" } }, otherServers: { type: "integer" } },
        },
        createdAt: date,
        updatedAt: date,
        publishedAt: { type: ["string", "null"], format: "date-time" },
      },
    },
  ],
};

export const actionKitSchemas = {
  ActionKitInput: actionKitInput,
  ActionKitPatch: patchInput(actionKitInput, ["title", "explanation", "institution", "legalBasis"]),
  ActionKit: actionKitOutput,
};

const errors = authErrors({ notFound: "Unknown collective or kit (another collective's draft answers the same)", forbidden: "Not an editor of this collective (or, to adopt, the kit's author is not its partner)" });
const conflict = conflictError("The kit changed since the If-Match version, a published kit cannot go back to draft, or it was adopted already");
const invalid = invalidError("One entry per invalid field, saying how to fix it (e.g. letters.0.body.fr: a blank that names no field)");
const kitResponse = (description: string) => ({
  description,
  headers: { ETag: { description: 'The version, e.g. "v3": send it back as If-Match', schema: { type: "string" } } },
  content: { "application/json": { schema: { $ref: "#/components/schemas/ActionKit" } } },
});
const pageResponse = {
  description: "One page of kits, and the cursor of the next",
  content: { "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/ActionKit" } }, next: { type: ["string", "null"] } } } } },
};
const pageParams = [
  { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } },
  { name: "cursor", in: "query", schema: { type: "string" }, description: "The `next` of the previous page, unchanged" },
];
const idParam = uuidParam();

export const actionKitPaths = {
  "/api/v1/collectives/{slug}/kits": {
    get: {
      summary: "A collective's action kits, newest first (published ones; its editors also get drafts with drafts=true)",
      parameters: [slugParam, { name: "drafts", in: "query", schema: { type: "boolean" } }, ...pageParams],
      responses: { "200": pageResponse, ...errors },
    },
    post: {
      summary: "Create an action kit (a draft unless published is true)",
      parameters: [slugParam],
      requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/ActionKitInput" } } } },
      responses: { "201": kitResponse("The new kit"), ...errors, ...invalid },
    },
  },
  "/api/v1/collectives/{slug}/kits/adopt": {
    post: {
      summary: "Adopt a partner's kit by the URL of its Article, on this instance or another server (read with signed GETs; 422 with the reason when it cannot be read, 403 when its author is not a partner): a copy of this collective, a draft by default to translate it, that names and links the original",
      parameters: [slugParam],
      requestBody: {
        required: true,
        content: { "application/json": { schema: { type: "object", additionalProperties: false, required: ["url"], properties: { url: { type: "string", format: "uri" }, published: { type: "boolean", default: false } } } } },
      },
      responses: { "201": kitResponse("The adopted kit"), ...errors, ...conflict, ...invalid },
    },
  },
  "/api/v1/kits": {
    get: {
      summary: "The published action kits of a country, newest publication first",
      parameters: [{ name: "country", in: "query", required: true, schema: { type: "string", pattern: "^[A-Za-z]{2}$" } }, ...pageParams],
      responses: { "200": pageResponse, ...errors, ...invalid },
    },
  },
  "/api/v1/kits/{id}": {
    get: { summary: "One kit with its opt-in count (a draft: its editors only)", parameters: [idParam], responses: { "200": kitResponse("The kit"), ...errors } },
    patch: {
      summary:
        "Change a kit: only the fields sent (lists replace the stored ones whole). In title, explanation, institution and legalBasis only the languages sent change: the others stay, and a language set to null is removed (each keeps at least one). published: true publishes a draft. Each change of a published kit is a new version (and an Update to followers).",
      parameters: [idParam, { name: "If-Match", in: "header", schema: { type: "string" }, description: 'The ETag read ("v3")' }],
      requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/ActionKitPatch" } } } },
      responses: { "200": kitResponse("The changed kit"), ...errors, ...conflict, ...invalid },
    },
    delete: { summary: "Delete a kit (once published, its URL answers 410 and followers get a Delete)", parameters: [idParam], responses: { "204": { description: "Deleted" }, ...errors } },
  },
  "/api/v1/kits/{id}/versions": {
    get: { summary: "The immutable versions of a kit, oldest first", parameters: [idParam], responses: { "200": { description: "{ items: versions }" }, ...errors } },
  },
  "/api/v1/kits/{id}/versions/{version}": {
    get: {
      summary: "One version of a kit",
      parameters: [idParam, { name: "version", in: "path", required: true, schema: { type: "integer", minimum: 1 } }],
      responses: { "200": { description: "The version's text" }, ...errors },
    },
  },
};
