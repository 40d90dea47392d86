import { authErrors, conflictError, errorContent, slugParam, uuidParam } from "./openapi-parts.ts";

/** The JSON API of events organised together (FEDERATION.md "Co-organised events"), for the OpenAPI document. */

const errors = authErrors({ notFound: "Unknown collective, event or co-organised event" });
const conflict = conflictError("Not possible in this state (the message says why: a draft, answered already, expired…)");
const idParam = uuidParam();
const ok = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Coorganised" } } } });

const invitation = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    eventId: { type: "string", format: "uuid" },
    partner: { type: "string", format: "uri" },
    partnerName: { type: ["string", "null"] },
    purpose: { type: "string", enum: ["invite", "reconfirm"] },
    state: { type: "string", enum: ["invited", "accepted", "declined", "expired", "superseded"] },
    digest: { type: "string", description: "The digest of the event's essentials the answer must pin" },
    expiresAt: { type: "string", format: "date-time" },
    createdAt: { type: "string", format: "date-time" },
    answeredAt: { type: ["string", "null"], format: "date-time" },
  },
};
const coorganizer = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    eventId: { type: "string", format: "uuid" },
    partner: { type: "string", format: "uri" },
    partnerName: { type: ["string", "null"] },
    stampId: { type: "string", format: "uri" },
    digest: { type: "string" },
    state: { type: "string", enum: ["current", "pending", "superseded", "revoked"], description: "pending: asked to reconfirm a new time or place, still listed" },
    verifiedAt: { type: "string", format: "date-time" },
    revokedAt: { type: ["string", "null"], format: "date-time" },
  },
};
const coorganised = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    collective: { type: "string" },
    event: { type: "string", format: "uri" },
    host: { type: "string", format: "uri" },
    hostName: { type: ["string", "null"] },
    url: { type: ["string", "null"] },
    name: { type: "object", additionalProperties: { type: "string" } },
    startsAt: { type: "string", format: "date-time" },
    endsAt: { type: ["string", "null"], format: "date-time" },
    timezone: { type: "string" },
    location: { type: ["object", "null"] },
    onlineUrl: { type: ["string", "null"] },
    status: { type: "string" },
    deleted: { type: "boolean" },
    coorganising: { type: "boolean", description: "Listed by the host with a live stamp: in the collective's lists and feeds" },
    requests: { type: "array", items: { type: "object" } },
  },
};

export const coorganiseSchemas = { CoorganizerInvitation: invitation, Coorganizer: coorganizer, Coorganised: coorganised };

export const coorganisePaths = {
  "/api/v1/events/{id}/coorganizers/invitations": {
    post: {
      summary: "Invite a Relais collective (on any instance) to co-organise a published event",
      parameters: [idParam],
      requestBody: {
        required: true,
        content: { "application/json": { schema: { type: "object", required: ["partner"], properties: { partner: { type: "string" }, expiresAt: { type: "string", format: "date-time" } } } } },
      },
      responses: { "201": { description: "The invitation (sent)", content: { "application/json": { schema: { $ref: "#/components/schemas/CoorganizerInvitation" } } } }, ...errors, ...conflict, "422": { description: "Invalid field", content: errorContent } },
    },
  },
  "/api/v1/events/{id}/coorganizers": {
    get: {
      summary: "The invitations sent for an event and its co-organisers, every state (the event's editors)",
      parameters: [idParam],
      responses: {
        "200": {
          description: "Invitations and co-organisers",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  invitations: { type: "array", items: { $ref: "#/components/schemas/CoorganizerInvitation" } },
                  coorganizers: { type: "array", items: { $ref: "#/components/schemas/Coorganizer" } },
                },
              },
            },
          },
        },
        ...errors,
      },
    },
  },
  "/api/v1/collectives/{slug}/coorganised": {
    get: {
      summary: "The events of other servers the collective was invited to co-organise",
      parameters: [slugParam],
      responses: { "200": { description: "{items: Coorganised[]}", content: { "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/Coorganised" } } } } } } }, ...errors },
    },
  },
  "/api/v1/collectives/{slug}/coorganised/{id}": { get: { summary: "One co-organised event, with its requests and stamps", parameters: [slugParam, idParam], responses: { "200": ok("The event"), ...errors } } },
  "/api/v1/collectives/{slug}/coorganised/{id}/accept": { post: { summary: "Accept the open request: a stamp with the collective's proof, sent to the host", parameters: [slugParam, idParam], responses: { "200": ok("Accepted"), ...errors, ...conflict } } },
  "/api/v1/collectives/{slug}/coorganised/{id}/decline": { post: { summary: "Decline the open request (only the host is told)", parameters: [slugParam, idParam], responses: { "200": ok("Declined"), ...errors, ...conflict } } },
  "/api/v1/collectives/{slug}/coorganised/{id}/withdraw": { post: { summary: "Stop co-organising: every live stamp is revoked, the host unlists the collective", parameters: [slugParam, idParam], responses: { "200": ok("Withdrawn"), ...errors, ...conflict } } },
};
