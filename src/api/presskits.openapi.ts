import { pressKitLimits } from "../modules/presskit/presskit.schema.ts";
import { fileKinds, licences } from "../modules/presskit/presskit.types.ts";
import { authErrors, errorContent, invalidError, patchInput, slugParam, uuidParam } from "./openapi-parts.ts";

const languageMap = (example: Record<string, string>, description = "Text per language code (BCP 47); the collective's primary language comes first.") => ({
  type: "object",
  description,
  additionalProperties: { type: "string" },
  example,
});

const contact = {
  type: "object",
  additionalProperties: false,
  description: "A role, never a person: an e-mail address of the collective and/or a phone line (at least one), with an optional label per language",
  properties: {
    label: languageMap({ fr: "Service presse", de: "Pressestelle" }),
    email: { type: "string", format: "email", example: "presse@droits-lyon.example" },
    phone: { type: "string", example: "+33 4 72 00 00 00" },
  },
};

export const pressKitInput = {
  type: "object",
  additionalProperties: false,
  required: ["title", "lead", "body", "contact"],
  properties: {
    title: { ...languageMap({ fr: "Journée d'action du 8 mars", de: "Aktionstag am 8. März" }), maxProperties: pressKitLimits.languages },
    lead: languageMap({ fr: "Le collectif appelle à manifester." }, `The opening paragraph per language (plain text, at most ${pressKitLimits.lead} characters)`),
    body: languageMap({ fr: "Le **8 mars**, rendez-vous place Bellecour." }, "The release, Markdown per language; sanitized HTML is derived. Every language has its title, lead and body."),
    contact,
    embargo: {
      type: ["string", "null"],
      description: "The kit is invisible until then (404 on every public path, not federated); at that time the worker publishes it once. An instant with offset, or a wall-clock time in `timezone`.",
      example: "2027-03-08T08:00:00+01:00",
    },
    timezone: { type: "string", description: "IANA zone of the embargo; default the collective's", example: "Europe/Paris" },
    call: { type: ["string", "null"], format: "uuid", description: "A call to action of the same collective" },
    event: { type: ["string", "null"], format: "uuid", description: "An event of the same collective" },
  },
};

const pressKitFile = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    kind: { type: "string", enum: [...fileKinds] },
    url: { type: "string", format: "uri", description: "Public once the kit is published (404 before)" },
    mediaType: { type: "string", enum: ["image/jpeg", "image/png", "application/pdf"] },
    bytes: { type: "integer" },
    width: { type: ["integer", "null"] },
    height: { type: ["integer", "null"] },
    caption: languageMap({ fr: "Manifestation du 8 mars" }),
    credit: { type: "string", example: "Photo: Collectif Droits Lyon" },
    licence: { type: "string", enum: [...licences] },
    licenceName: { type: "string", example: "CC BY 4.0" },
  },
};

const pressKit = {
  allOf: [
    pressKitInput,
    {
      type: "object",
      properties: {
        id: { type: "string", format: "uuid" },
        url: { type: "string", format: "uri", description: "The public page (also the ActivityPub id of its Article); 404 until published" },
        collective: { type: "string" },
        status: { type: "string", enum: ["draft", "embargoed", "published"] },
        bodyHtml: languageMap({ fr: "<p>Le <strong>8 mars</strong>…</p>" }),
        files: { type: "array", items: { $ref: "#/components/schemas/PressKitFile" } },
        zips: languageMap({ fr: "https://relais.example/presskits/…/presskit-fr.zip" }, "The whole kit per language, with a README of credits and licences"),
        createdAt: { type: "string", format: "date-time" },
        updatedAt: { type: "string", format: "date-time" },
        publishedAt: { type: ["string", "null"], format: "date-time" },
      },
    },
  ],
};

const pressKitLink = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    label: { type: ["string", "null"], description: "Who the link is for (editors only)" },
    createdAt: { type: "string", format: "date-time" },
    expiresAt: { type: "string", format: "date-time" },
    revokedAt: { type: ["string", "null"], format: "date-time" },
    url: { type: "string", format: "uri", description: "Only in the answer that creates the link: the token is kept as a hash" },
  },
};

const pressKitFileChange = patchInput(
  {
    type: "object",
    additionalProperties: false,
    properties: {
      caption: languageMap({ fr: "Manifestation du 8 mars" }),
      credit: { type: "string", maxLength: pressKitLimits.credit },
      licence: { type: "string", enum: [...licences] },
    },
  },
  ["caption"],
);

export const pressKitSchemas = {
  PressKitInput: pressKitInput,
  PressKitPatch: patchInput(pressKitInput, ["title", "lead", "body"]),
  PressKit: pressKit,
  PressKitFile: pressKitFile,
  PressKitFilePatch: pressKitFileChange,
  PressKitLink: pressKitLink,
};

const errors = authErrors({ notFound: "Unknown collective, kit, file or link (another collective's unpublished kit answers the same)", forbidden: "Not an editor of this collective (for a published kit)" });
const invalid = invalidError("One entry per invalid field, saying how to fix it (a refused file says why)");
const json = (ref: string) => ({ "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } });
const idParam = uuidParam();
const kitResponse = (description: string) => ({ description, content: json("PressKit") });

export const pressKitPaths = {
  "/api/v1/collectives/{slug}/presskits": {
    get: {
      summary: "A collective's press kits, newest first (published ones; its editors also get the others with drafts=true)",
      parameters: [slugParam, { name: "drafts", in: "query", schema: { type: "boolean" } }],
      responses: { "200": { description: "The kits", content: { "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/PressKit" } } } } } } }, ...errors },
    },
    post: { summary: "Create a press kit", parameters: [slugParam], requestBody: { required: true, content: json("PressKitInput") }, responses: { "201": kitResponse("The new kit"), ...errors, ...invalid } },
  },
  "/api/v1/presskits/{id}": {
    get: { summary: "One kit (unpublished: its editors only)", parameters: [idParam], responses: { "200": kitResponse("The kit"), ...errors } },
    patch: {
      summary:
        "Change a kit: only the fields sent; null clears an optional one. In title, lead and body only the languages sent change: the others stay, and a language set to null is removed (each keeps at least one). Once published, followers get an Update.",
      parameters: [idParam],
      requestBody: { required: true, content: json("PressKitPatch") },
      responses: { "200": kitResponse("The kit"), ...errors, ...invalid },
    },
    delete: { summary: "Delete a kit and its files (once published, its URL answers 410 and followers get a Delete)", parameters: [idParam], responses: { "204": { description: "Deleted" }, ...errors } },
  },
  "/api/v1/presskits/{id}/publish": {
    post: { summary: "Publish now, whatever the embargo", parameters: [idParam], responses: { "200": kitResponse("The published kit"), ...errors } },
  },
  "/api/v1/presskits/{id}/files": {
    post: {
      summary: "Add a file: the raw bytes as the body (JPEG, PNG, WebP or PDF, recognised by their content; SVG, HTML and polyglots refused). Images are re-encoded without EXIF/GPS/XMP, PDFs written anew without their metadata.",
      parameters: [
        idParam,
        { name: "kind", in: "query", required: true, schema: { type: "string", enum: [...fileKinds] } },
        { name: "credit", in: "query", required: true, schema: { type: "string", maxLength: pressKitLimits.credit } },
        { name: "licence", in: "query", required: true, schema: { type: "string", enum: [...licences] } },
        { name: "caption.fr", in: "query", schema: { type: "string" }, description: "A caption per language: caption.<code> (at least one)" },
      ],
      requestBody: { required: true, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
      responses: {
        "201": { description: "The stored file", content: json("PressKitFile") },
        "413": { description: "Larger than RELAIS_MAX_UPLOAD_BYTES: reading stops there and nothing is stored", content: errorContent },
        ...errors,
        ...invalid,
      },
    },
  },
  "/api/v1/presskits/{id}/files/{fileId}": {
    patch: {
      summary: "Change a file's caption, credit or licence (not its kind). In caption only the languages sent change: the others stay, and a language set to null is removed (one at least stays)",
      parameters: [idParam, { name: "fileId", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
      requestBody: { required: true, content: json("PressKitFilePatch") },
      responses: { "200": { description: "The file", content: json("PressKitFile") }, ...errors, ...invalid },
    },
    delete: { summary: "Remove a file", parameters: [idParam, { name: "fileId", in: "path", required: true, schema: { type: "string", format: "uuid" } }], responses: { "204": { description: "Removed" }, ...errors } },
  },
  "/api/v1/presskits/{id}/links": {
    get: { summary: "The kit's secret links", parameters: [idParam], responses: { "200": { description: "The links", content: { "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/PressKitLink" } } } } } } }, ...errors } },
    post: {
      summary: "A secret read-only link for journalists (shown once; never indexed; works before the embargo)",
      parameters: [idParam],
      requestBody: { content: { "application/json": { schema: { type: "object", properties: { label: { type: "string" }, expiresInDays: { type: "number", default: 7, maximum: pressKitLimits.linkDays } } } } } },
      responses: { "201": { description: "The link, with its URL", content: json("PressKitLink") }, ...errors, ...invalid },
    },
  },
  "/api/v1/presskits/{id}/links/{linkId}": {
    delete: { summary: "Revoke a link: it stops working at once", parameters: [idParam, { name: "linkId", in: "path", required: true, schema: { type: "string", format: "uuid" } }], responses: { "204": { description: "Revoked" }, ...errors } },
  },
};
