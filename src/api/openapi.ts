import { eventCategories, eventStatuses } from "../modules/event/event.types.ts";
import { callPaths, callSchemas } from "./calls.openapi.ts";
import { pressKitPaths, pressKitSchemas } from "./presskits.openapi.ts";
import { sloganPaths, sloganSchemas } from "./slogans.openapi.ts";
import { actionKitPaths, actionKitSchemas } from "./actionkits.openapi.ts";
import { cosignPaths, cosignSchemas } from "./cosign.openapi.ts";
import { joinPaths, joinSchemas } from "./join.openapi.ts";
import { coorganisePaths, coorganiseSchemas } from "./coorganise.openapi.ts";
import { partnerPaths, partnerSchema } from "./partners.openapi.ts";
import { seriesPaths, seriesSchemas } from "./series.openapi.ts";
import { errorContent, patchInput, slugParam, uuidParam } from "./openapi-parts.ts";

const languageMap = (example: Record<string, string>) => ({
  type: "object",
  description: "Text per language code (BCP 47); the collective's primary language comes first.",
  additionalProperties: { type: "string" },
  example,
});

const place = {
  type: "object",
  additionalProperties: false,
  properties: {
    name: { type: "string", example: "Place Bellecour" },
    streetAddress: { type: "string" },
    postalCode: { type: "string", example: "69002" },
    locality: { type: "string", example: "Lyon" },
    region: { type: "string" },
    country: { type: "string", description: "ISO 3166-1 alpha-2", example: "FR" },
    latitude: { type: "number", minimum: -90, maximum: 90 },
    longitude: { type: "number", minimum: -180, maximum: 180 },
  },
};

const eventInput = {
  type: "object",
  additionalProperties: false,
  required: ["name", "startsAt"],
  properties: {
    name: languageMap({ fr: "Rassemblement devant la CAF", de: "Kundgebung vor der Familienkasse" }),
    summary: languageMap({ fr: "Contre le contrôle algorithmique des allocataires" }),
    description: { ...languageMap({ fr: "**Venez nombreux·ses**" }), description: "Markdown per language; sanitized HTML is derived." },
    startsAt: {
      type: "string",
      description: "An instant with offset, a wall-clock time in `timezone`, or a date for all-day events.",
      example: "2026-03-08T14:00:00+01:00",
    },
    endsAt: { type: ["string", "null"] },
    timezone: { type: "string", description: "IANA zone; default the collective's", example: "Europe/Paris" },
    allDay: { type: "boolean", default: false },
    location: { ...place, type: ["object", "null"] },
    onlineUrl: { type: ["string", "null"], format: "uri" },
    category: { type: ["string", "null"], enum: [...eventCategories, null] },
    tags: { type: "array", items: { type: "string" } },
    status: { type: "string", enum: [...eventStatuses], default: "scheduled" },
    statusReason: { ...languageMap({ fr: "Interdiction préfectorale" }), type: ["object", "null"] },
    image: {
      type: ["object", "null"],
      properties: { url: { type: "string", format: "uri" }, mediaType: { type: "string" }, alt: languageMap({ fr: "Banderole" }) },
      required: ["url"],
    },
    links: { type: "array", items: { type: "object", properties: { url: { type: "string", format: "uri" }, title: { type: "string" } }, required: ["url"] } },
    contact: { type: ["string", "null"], description: "An email address or a URL" },
    visibility: { type: "string", enum: ["public", "unlisted"], default: "public" },
    published: { type: "boolean", default: false, description: "false keeps a draft that is neither shown nor federated" },
    recurrence: { anyOf: [{ $ref: "#/components/schemas/Recurrence" }, { type: "null" }], description: "Repeats the event; startsAt/endsAt are the first occurrence" },
  },
};

const eventOutput = {
  allOf: [
    eventInput,
    {
      type: "object",
      properties: {
        id: { type: "string", format: "uuid" },
        url: { type: "string", format: "uri", description: "The public HTML page (also the ActivityPub id)" },
        apId: { type: "string", format: "uri" },
        collective: { type: "string" },
        descriptionHtml: languageMap({ fr: "<p><strong>Venez nombreux·ses</strong></p>" }),
        sequence: { type: "integer", description: "Grows with each change of time, place, status or text" },
        previousSeries: { type: ["string", "null"], format: "uuid", description: "The series this one continues (changed from a date on)" },
        nextSeries: { type: ["string", "null"], format: "uuid", description: "The series that continues this one from a date on" },
        updatedAt: { type: "string", format: "date-time" },
      },
    },
  ],
};

const error = {
  type: "object",
  properties: {
    error: { type: "string", description: "A stable code: invalid, not_found, forbidden, unauthorized, bad_query…" },
    message: { type: "string" },
    details: { type: "array", items: { type: "object", properties: { field: { type: "string" }, message: { type: "string" } } } },
  },
};

const errors = {
  "401": { description: "No token, or an unknown, expired or revoked one", content: errorContent },
  "429": {
    description: "Too many failed authentications from this address; a valid token is still accepted",
    headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } },
    content: errorContent,
  },
  "403": { description: "Not an editor (or, for members, not an owner) of this collective", content: errorContent },
  "404": { description: "Unknown collective, event or token (another collective's draft answers the same)", content: errorContent },
};
const invalidBody = {
  "422": { description: "One entry per invalid field, saying how to fix it", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
};
const eventResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Event" } } } });
const idParam = uuidParam();

const date = { type: "string", format: "date-time" };
const token = {
  type: "object",
  description: "An API token as listed: never the token itself, which is shown once when created (relais token create)",
  properties: {
    id: { type: "string", format: "uuid" },
    name: { type: ["string", "null"] },
    createdAt: date,
    lastUsedAt: { ...date, type: ["string", "null"] },
    expiresAt: { ...date, type: ["string", "null"], description: "After this instant the token is refused; null only for tokens made before tokens expired" },
  },
};
const member = {
  type: "object",
  properties: { userId: { type: "string", format: "uuid" }, email: { type: "string" }, role: { type: "string", enum: ["owner", "editor"] }, since: date },
};
const listOf = (ref: string, description: string) => ({
  description: `${description}: one page, and the cursor of the next`,
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["items", "next"],
        properties: {
          items: { type: "array", items: { $ref: ref } },
          next: {
            type: ["string", "null"],
            description: "Pass it as `cursor` to get the next page; null on the last page",
          },
        },
      },
    },
  },
});
/** Every list is read a page at a time, from a position (no offsets): see `limit` and `cursor`. */
const pageParams = [
  {
    name: "limit",
    in: "query",
    schema: { type: "integer", minimum: 1, maximum: 100, default: 20 },
    description: "Items per page",
  },
  {
    name: "cursor",
    in: "query",
    schema: { type: "string" },
    description:
      "The `next` of the previous page, unchanged (opaque). Pages start right after the previous page's last item, so items added or removed meanwhile are neither repeated nor skipped. Keep the other parameters as they were. An invalid cursor answers 400.",
  },
];
const badQuery = { "400": { description: "A bad query parameter (limit, cursor or a filter), named in the message", content: errorContent } };

/** Tokens and members: what the caller owns. */
const accountPaths = {
  "/api/v1/tokens": {
    get: {
      summary: "The caller's API tokens, newest first",
      parameters: pageParams,
      responses: { "200": listOf("#/components/schemas/Token", "Tokens"), ...badQuery, ...errors },
    },
  },
  "/api/v1/tokens/{id}": {
    delete: {
      summary: "Revoke one of the caller's tokens at once (another user's answers 404)",
      parameters: [{ ...idParam, description: "The token's id from the list" }],
      responses: { "204": { description: "Revoked" }, ...errors },
    },
  },
  "/api/v1/collectives/{slug}/members": {
    get: {
      summary: "Members of a collective and their roles (its members only), oldest membership first",
      parameters: [slugParam, ...pageParams],
      responses: { "200": listOf("#/components/schemas/Member", "Members"), ...badQuery, ...errors },
    },
  },
  "/api/v1/collectives/{slug}/members/{userId}": {
    delete: {
      summary: "Remove a member (owners; anyone may leave); the last owner stays",
      parameters: [slugParam, { name: "userId", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
      responses: { "204": { description: "Removed" }, "409": { description: "The last owner", content: errorContent }, ...errors },
    },
  },
};

const block = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    collective: { type: ["string", "null"], description: "The collective's slug; null for an instance-wide block" },
    kind: { type: "string", enum: ["domain", "actor"], description: "A server (the domain and its subdomains, every port) or one actor" },
    target: { type: "string", description: "The domain in ASCII (IDNs as punycode, lower case), or the actor's URL", example: "spam.example" },
    reason: { type: ["string", "null"] },
    createdBy: { type: "string", description: "The account's email, or cli for the operator" },
    createdAt: date,
  },
};
const blockInput = {
  type: "object",
  additionalProperties: false,
  required: ["target"],
  properties: {
    target: {
      type: "string",
      description:
        "A domain (spam.example; *.spam.example says the same; IDNs accepted), an actor's URL, or a handle (@user@host, looked up by WebFinger). Not this instance's own domain or actors.",
      example: "spam.example",
    },
    reason: { type: "string", maxLength: 500, description: "Why, for whoever reads the list later; never sent anywhere" },
  },
};
const blockResult = (description: string) => ({
  description,
  content: {
    "application/json": {
      schema: {
        type: "object",
        properties: {
          block: { $ref: "#/components/schemas/Block" },
          created: { type: "boolean", description: "false: it was blocked already, nothing more was done" },
          purged: {
            type: "object",
            description: "What the block took away at once",
            properties: {
              followers: { type: "integer", description: "Its follows of ours removed; each is sent a Reject" },
              partners: { type: "integer", description: "Our follows of it removed; each is sent an Undo" },
              partnerEvents: { type: "integer", description: "Its events removed from agendas and feeds" },
            },
          },
        },
      },
    },
  },
});
const blockSemantics =
  "A blocked server or actor: nothing more is fetched from it, its follows of ours end (with a Reject) and ours of it (with an Undo), its partner events go, and its deliveries are refused before anything is stored (403 instance-wide; accepted and dropped on a collective's inbox).";

/** Blocks: an owner's for a collective, the instance admin's instance-wide. */
const blockPaths = {
  "/api/v1/blocks": {
    get: {
      summary: "Instance-wide blocks (instance admin), by target; `configured` lists those of RELAIS_BLOCKED_DOMAINS",
      parameters: pageParams,
      responses: { "200": listOf("#/components/schemas/Block", "Blocks"), ...badQuery, ...errors },
    },
    post: {
      summary: "Block a server or an actor instance-wide (instance admin)",
      description: blockSemantics,
      requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/BlockInput" } } } },
      responses: { "201": blockResult("Blocked"), "200": blockResult("Already blocked"), ...errors, ...invalidBody },
    },
  },
  "/api/v1/blocks/{id}": {
    delete: {
      summary: "Lift an instance-wide block (what it purged is not restored)",
      parameters: [{ ...idParam, description: "The block's id from the list" }],
      responses: { "204": { description: "Lifted" }, ...errors },
    },
  },
  "/api/v1/collectives/{slug}/blocks": {
    get: {
      summary: "A collective's blocks (its owners), by target",
      parameters: [slugParam, ...pageParams],
      responses: { "200": listOf("#/components/schemas/Block", "Blocks"), ...badQuery, ...errors },
    },
    post: {
      summary: "Block a server or an actor for this collective (its owners)",
      description: `${blockSemantics} Only for this collective: deliveries addressed to other collectives of the instance still reach them.`,
      parameters: [slugParam],
      requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/BlockInput" } } } },
      responses: { "201": blockResult("Blocked"), "200": blockResult("Already blocked"), ...errors, ...invalidBody },
    },
  },
  "/api/v1/collectives/{slug}/blocks/{id}": {
    delete: {
      summary: "Lift a collective's block (what it purged is not restored)",
      parameters: [slugParam, { ...idParam, description: "The block's id from the list" }],
      responses: { "204": { description: "Lifted" }, ...errors },
    },
  },
};

/** The OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json. */
export function openApiDocument(origin: URL) {
  return {
    openapi: "3.1.0",
    info: { title: "Relais API", version: "1", description: "Events, calls to action, slogans, press kits and action kits of collectives. Authenticate with a token from `relais token create <email>`." },
    servers: [{ url: origin.origin }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        EventInput: eventInput,
        EventPatch: patchInput(eventInput, ["name", "summary", "description", "statusReason"]),
        Event: eventOutput,
        Error: error,
        Token: token,
        Member: member,
        Partner: partnerSchema,
        Block: block,
        BlockInput: blockInput,
        ...callSchemas,
        ...pressKitSchemas,
        ...sloganSchemas,
        ...actionKitSchemas,
        ...cosignSchemas,
        ...joinSchemas,
        ...coorganiseSchemas,
        ...seriesSchemas,
      },
    },
    paths: {
      ...accountPaths,
      ...partnerPaths,
      ...blockPaths,
      ...callPaths,
      ...pressKitPaths,
      ...sloganPaths,
      ...actionKitPaths,
      ...cosignPaths,
      ...joinPaths,
      ...coorganisePaths,
      ...seriesPaths,
      "/api/v1/collectives/{slug}/events": {
        get: {
          summary: "List a collective's events (upcoming by default), soonest first",
          description:
            "Without `drafts=true` the answer is the same for every caller and carries an `ETag` (and a `Last-Modified`): send it back in `If-None-Match` to get a 304 while nothing it shows has changed.",
          parameters: [
            slugParam,
            { name: "If-None-Match", in: "header", schema: { type: "string" }, description: "The ETag of an earlier answer" },
            { name: "from", in: "query", schema: { type: "string" }, description: "Date or instant; default now" },
            { name: "to", in: "query", schema: { type: "string" } },
            { name: "status", in: "query", schema: { type: "string" }, description: "Comma-separated: scheduled,cancelled,postponed" },
            { name: "drafts", in: "query", schema: { type: "boolean" }, description: "Include drafts and unlisted events (editors)" },
            ...pageParams,
          ],
          responses: {
            "200": listOf("#/components/schemas/Event", "Events that have not ended before `from`, by start time (ties in a stable order)"),
            "304": { description: "Not modified: the answer whose ETag was sent is still the answer" },
            ...badQuery,
            ...errors,
          },
        },
        post: {
          summary: "Create an event",
          parameters: [slugParam],
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/EventInput" } } } },
          responses: { "201": eventResponse("The new event"), ...errors, ...invalidBody },
        },
      },
      "/api/v1/events/{id}": {
        get: { summary: "One event (drafts for editors)", parameters: [idParam], responses: { "200": eventResponse("The event"), ...errors } },
        patch: {
          summary:
            "Change an event: only the fields sent; null clears an optional field. In name, summary, description and statusReason only the languages sent change: the others stay, and a language set to null is removed",
          parameters: [idParam],
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/EventPatch" } } } },
          responses: { "200": eventResponse("The changed event"), ...errors, ...invalidBody },
        },
        delete: { summary: "Delete an event (its URL then answers 410)", parameters: [idParam], responses: { "204": { description: "Deleted" }, ...errors } },
      },
      "/api/v1/events/{id}/cancel": {
        post: {
          summary: "Cancel an event, with an optional reason",
          parameters: [idParam],
          requestBody: { content: { "application/json": { schema: { type: "object", properties: { reason: languageMap({ fr: "Interdiction préfectorale" }) } } } } },
          responses: { "200": eventResponse("The cancelled event"), ...errors, ...invalidBody },
        },
      },
    },
  };
}
