import { joinRequestStates } from "../modules/cosign/join-request.entity.ts";
import { authErrors, conflictError, invalidError, itemsResponse, jsonResponse, slugParam, uuidParam } from "./openapi-parts.ts";

const instant = { type: "string", format: "date-time" };

const joinRequest = {
  type: "object",
  description: "A collective's request to sign an open call, as the call's editors see it (never public)",
  properties: {
    id: { type: "string", format: "uuid" },
    callId: { type: "string", format: "uuid" },
    requester: { type: "string", format: "uri", description: "The requesting collective's actor" },
    requesterName: { type: ["string", "null"] },
    stampId: { type: "string", format: "uri", description: "Its stamp (CosignAuthorization) on the requester's server" },
    version: { type: "integer", description: "The version the stamp pins" },
    languages: { type: "array", items: { type: "string" }, description: "The languages whose text it covers" },
    state: { type: "string", enum: [...joinRequestStates] },
    createdAt: instant,
    decidedAt: { type: ["string", "null"], format: "date-time" },
  },
};

const sentJoin = {
  type: "object",
  description: "A request this collective sent to sign another server's call (its stamp, hosted here)",
  properties: {
    stampId: { type: "string", format: "uuid" },
    stamp: { type: "string", format: "uri", description: "The stamp's URL: served only to the initiator until listed, 410 once refused or revoked" },
    collective: { type: "string" },
    call: { type: "string", format: "uri" },
    initiator: { type: "string", format: "uri" },
    version: { type: "integer" },
    languages: { type: "array", items: { type: "string" } },
    state: { type: "string", enum: ["pending", "listed", "refused", "revoked"] },
    signedAt: instant,
  },
};

const policy = {
  type: "object",
  required: ["policy"],
  properties: { policy: { type: "string", enum: ["manual", "automatic"], description: "manual (default): an editor approves each request; automatic: listed at once" } },
};

export const joinSchemas = { JoinRequest: joinRequest, SentJoinRequest: sentJoin, JoinPolicy: policy };

const errors = authErrors({ notFound: "Unknown collective, call or request" });
const conflict = conflictError("Not possible in this state (the message says why: decided already, call not open, asked already…)");
const invalid = invalidError();
const idParam = uuidParam("id", "The call");
const requestParam = uuidParam("request", "The join request");

/** Join requests (FEDERATION.md "Join requests"): the call's side and the requesting collective's side. */
export const joinPaths = {
  "/api/v1/calls/{id}/join-policy": {
    get: { summary: "How requests to sign this call are approved (its editors; private)", parameters: [idParam], responses: { "200": jsonResponse("#/components/schemas/JoinPolicy", "The policy"), ...errors } },
    put: {
      summary: "Choose how requests to sign this call are approved",
      parameters: [idParam],
      requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/JoinPolicy" } } } },
      responses: { "200": jsonResponse("#/components/schemas/JoinPolicy", "The policy saved"), ...errors, ...invalid },
    },
  },
  "/api/v1/calls/{id}/join-requests": {
    get: { summary: "The requests to sign this call, oldest first, in every state (its editors)", parameters: [idParam], responses: { "200": itemsResponse("#/components/schemas/JoinRequest", "The requests"), ...errors } },
  },
  "/api/v1/calls/{id}/join-requests/{request}/approve": {
    post: {
      summary: "Approve a pending request: the signature is listed and the requester told (Add)",
      parameters: [idParam, requestParam],
      responses: { "200": jsonResponse("#/components/schemas/JoinRequest", "The request, approved"), ...errors, ...conflict },
    },
  },
  "/api/v1/calls/{id}/join-requests/{request}/refuse": {
    post: {
      summary: "Refuse a pending request: nothing is listed or public, the requester is told (Reject) and withdraws its stamp",
      parameters: [idParam, requestParam],
      responses: { "200": jsonResponse("#/components/schemas/JoinRequest", "The request, refused"), ...errors, ...conflict },
    },
  },
  "/api/v1/collectives/{slug}/join-requests": {
    get: { summary: "The requests this collective sent to sign other servers' calls, newest first", parameters: [slugParam], responses: { "200": itemsResponse("#/components/schemas/SentJoinRequest", "The requests"), ...errors } },
    post: {
      summary: "Ask to sign another Relais server's open call: its current version is read and checked, a stamp over the chosen languages (default: all) is issued and sent",
      parameters: [slugParam],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["call"],
              properties: {
                call: { type: "string", format: "uri", description: "The call's URL", example: "https://a.example/calls/0193…" },
                languages: { type: "array", items: { type: "string" }, description: "Must include the call's authoritative language" },
              },
            },
          },
        },
      },
      responses: { "201": jsonResponse("#/components/schemas/SentJoinRequest", "The request, sent"), ...errors, ...conflict, ...invalid },
    },
  },
};
