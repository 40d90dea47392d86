import { authErrors, errorContent, slugParam } from "./openapi-parts.ts";

// The partner routes of the OpenAPI document (openapi.ts merges them).
const date = { type: "string", format: "date-time" };
const partnerParam = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string" },
  description: "The partner's id, its actor URL or its handle (name@host)",
};
const errors = authErrors({ notFound: "Unknown collective or partner", forbidden: "Not an owner or editor of this collective" });
const partnerResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Partner" } } } });

export const partnerSchema = {
  type: "object",
  description: "A remote actor the collective follows: a Relais collective, a Mobilizon group, a Gancio instance's relay actor, any account",
  properties: {
    id: { type: "string", format: "uuid" },
    actor: { type: "string", format: "uri", description: "Its ActivityPub id" },
    handle: { type: ["string", "null"], example: "droits-lyon@relais.example" },
    name: { type: ["string", "null"] },
    type: { type: "string", description: "Group, Application, Person…" },
    state: { type: "string", enum: ["pending", "accepted", "rejected"], description: "pending until its server answers our Follow" },
    relay: { type: "boolean", description: "Its new events are passed on (Announce) to the collective's followers" },
    lastActivityAt: { ...date, type: ["string", "null"], description: "When it last sent something we kept" },
    since: date,
  },
};

export const partnerPaths = {
  "/api/v1/collectives/{slug}/partners": {
    get: {
      summary: "The collective's partners (owners and editors)",
      parameters: [slugParam],
      responses: {
        "200": { description: "Partners", content: { "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/Partner" } } } } } } },
        ...errors,
      },
    },
    post: {
      summary: "Follow a partner by handle or URL; its events then appear in the collective's network agenda",
      parameters: [slugParam],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              additionalProperties: false,
              required: ["actor"],
              properties: {
                actor: { type: "string", example: "@collectif@mobilizon.example", description: "A handle (@group@host) or the URL of an actor" },
                relay: { type: "boolean", description: "Pass its new events on to our followers" },
              },
            },
          },
        },
      },
      responses: {
        "201": partnerResponse("Followed: the Follow is on its way (state pending until the partner answers)"),
        "200": partnerResponse("Already a partner: unchanged"),
        ...errors,
        "422": { description: "The body is invalid, or no actor could be found for the handle or URL", content: errorContent },
      },
    },
  },
  "/api/v1/collectives/{slug}/partners/{id}": {
    get: { summary: "One partner", parameters: [slugParam, partnerParam], responses: { "200": partnerResponse("The partner"), ...errors } },
    patch: {
      summary: "Switch passing the partner's new events on to our followers",
      parameters: [slugParam, partnerParam],
      requestBody: {
        required: true,
        content: { "application/json": { schema: { type: "object", additionalProperties: false, required: ["relay"], properties: { relay: { type: "boolean" } } } } },
      },
      responses: { "200": partnerResponse("The partner"), ...errors, "422": { description: "relay missing or not a boolean", content: errorContent } },
    },
    delete: {
      summary: "Stop following the partner (Undo); its events leave the network agenda, our relays of them are undone",
      parameters: [slugParam, partnerParam],
      responses: { "204": { description: "Unfollowed" }, ...errors },
    },
  },
};
