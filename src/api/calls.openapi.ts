import { callLimits } from "../modules/call/call.schema.ts";
import { callStatuses } from "../modules/call/call.types.ts";
import { authErrors, conflictError, invalidError, patchInput, slugParam, uuidParam } from "./openapi-parts.ts";

const languageMap = (example: Record<string, string>, description = "Text per language code (BCP 47); the collective's primary language comes first.") => ({
  type: "object",
  description,
  additionalProperties: { type: "string" },
  example,
});

export const callInput = {
  type: "object",
  additionalProperties: false,
  required: ["title", "body"],
  properties: {
    title: { ...languageMap({ fr: "Stop au contrôle algorithmique des allocataires", de: "Schluss mit der Algorithmen-Kontrolle" }), maxProperties: callLimits.languages },
    pitch: { ...languageMap({ fr: "Les CAF notent nos vies." }, `A short plain-text presentation per language (at most ${callLimits.pitch} characters)`), type: ["object", "null"] },
    body: languageMap({ fr: "Nous **exigeons** la fin du score de risque." }, "The text of the call, Markdown per language; sanitized HTML is derived. Every language of the title needs its body, and the reverse."),
    demands: { type: "array", maxItems: callLimits.demands, items: languageMap({ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }), description: "Numbered demands, one line each" },
    deadline: {
      type: ["string", "null"],
      description: "Signing closes then (the call becomes closed): an instant with offset, a wall-clock time in `timezone`, or a date (the end of that day).",
      example: "2027-03-01T23:59:00+01:00",
    },
    timezone: { type: "string", description: "IANA zone of the deadline; default the collective's", example: "Europe/Paris" },
    relatedEvents: { type: "array", maxItems: callLimits.relatedEvents, items: { type: "string", format: "uuid" }, description: "Published events of this instance (the day of action)" },
    image: {
      type: ["object", "null"],
      properties: { url: { type: "string", format: "uri", description: "An image uploaded to this instance" }, mediaType: { type: "string" }, alt: languageMap({ fr: "Affiche" }) },
      required: ["url"],
    },
  },
};

const callOutput = {
  allOf: [
    callInput,
    {
      type: "object",
      properties: {
        id: { type: "string", format: "uuid" },
        url: { type: "string", format: "uri", description: "The public page (also the ActivityPub id); 404 until the call is open" },
        apId: { type: "string", format: "uri" },
        collective: { type: "string" },
        status: { type: "string", enum: [...callStatuses] },
        version: { type: "integer", description: "The current text version (0 for a draft); every saved change outside a draft makes a new one" },
        bodyHtml: languageMap({ fr: "<p>Nous <strong>exigeons</strong>…</p>" }),
        createdAt: { type: "string", format: "date-time" },
        updatedAt: { type: "string", format: "date-time" },
        launchedAt: { type: ["string", "null"], format: "date-time" },
        closedAt: { type: ["string", "null"], format: "date-time" },
        withdrawnAt: { type: ["string", "null"], format: "date-time" },
      },
    },
  ],
};

const callVersion = {
  type: "object",
  description: "One immutable version of a call's text",
  properties: { version: { type: "integer" }, createdAt: { type: "string", format: "date-time" }, ...callInput.properties, bodyHtml: languageMap({ fr: "<p>…</p>" }) },
};

export const callSchemas = { CallInput: callInput, CallPatch: patchInput(callInput, ["title", "pitch", "body"]), Call: callOutput, CallVersion: callVersion };

const errors = authErrors({ notFound: "Unknown collective or call (another collective's call that is not open answers the same)", forbidden: "Not an editor of this collective (for a public call)" });
const conflict = conflictError("The call changed since the If-Match version, or cannot change in its status (the message says which)");
const invalid = invalidError();
const callResponse = (description: string) => ({
  description,
  headers: { ETag: { description: 'The version, e.g. "v3": send it back as If-Match', schema: { type: "string" } } },
  content: { "application/json": { schema: { $ref: "#/components/schemas/Call" } } },
});
const idParam = uuidParam();
const ifMatch = { name: "If-Match", in: "header", schema: { type: "string" }, description: 'The ETag read ("v3"): refused with 409 when another change came in between' };

const action = (summary: string) => ({
  post: { summary, parameters: [idParam], responses: { "200": callResponse("The call"), ...errors, ...conflict, ...invalid } },
});

export const callPaths = {
  "/api/v1/collectives/{slug}/calls": {
    get: {
      summary: "A collective's calls, newest first (public ones; its editors also get drafts and consultations with drafts=true)",
      parameters: [
        slugParam,
        { name: "drafts", in: "query", schema: { type: "boolean" }, description: "Include calls not open yet (editors)" },
        { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } },
        { name: "cursor", in: "query", schema: { type: "string" }, description: "The `next` of the previous page, unchanged" },
      ],
      responses: {
        "200": {
          description: "One page of calls, and the cursor of the next",
          content: { "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/Call" } }, next: { type: ["string", "null"] } } } } },
        },
        ...errors,
      },
    },
    post: {
      summary: "Create a call (a draft)",
      parameters: [slugParam],
      requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/CallInput" } } } },
      responses: { "201": callResponse("The new draft"), ...errors, ...invalid },
    },
  },
  "/api/v1/calls/{id}": {
    get: { summary: "One call (not yet open: its editors only)", parameters: [idParam], responses: { "200": callResponse("The call"), ...errors } },
    patch: {
      summary:
        "Change a call: only the fields sent; null clears an optional field. In title, pitch and body only the languages sent change: the others stay, and a language set to null is removed (title and body keep at least one; a pitch left with none is cleared); demands are sent whole. Outside a draft, a new version.",
      parameters: [idParam, ifMatch],
      requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/CallPatch" } } } },
      responses: { "200": callResponse("The changed call"), ...errors, ...conflict, ...invalid },
    },
    delete: { summary: "Delete a call (once open, its URL then answers 410 and followers get a Delete)", parameters: [idParam], responses: { "204": { description: "Deleted" }, ...errors } },
  },
  "/api/v1/calls/{id}/consult": action("Draft → consultation: only invited partners may read it; version 1 is written"),
  "/api/v1/calls/{id}/open": action("Draft or consultation → open: public, sent to the collective's followers"),
  "/api/v1/calls/{id}/close": action("Open → closed: signing ends (the deadline does it too)"),
  "/api/v1/calls/{id}/withdraw": action("Consultation, open or closed → withdrawn"),
  "/api/v1/calls/{id}/versions": {
    get: {
      summary: "Every version of the call's text, oldest first",
      parameters: [idParam],
      responses: {
        "200": { description: "The versions", content: { "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/CallVersion" } } } } } } },
        ...errors,
      },
    },
  },
  "/api/v1/calls/{id}/versions/{version}": {
    get: {
      summary: "One version of the call's text",
      parameters: [idParam, { name: "version", in: "path", required: true, schema: { type: "integer", minimum: 1 } }],
      responses: { "200": { description: "The version", content: { "application/json": { schema: { $ref: "#/components/schemas/CallVersion" } } } }, ...errors },
    },
  },
};
