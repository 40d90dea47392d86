import { invitationStates, receivedStates, signatureStates } from "../modules/cosign/cosign.entity.ts";
import { authErrors, conflictError, errorContent, invalidError, jsonResponse, slugParam, uuidParam } from "./openapi-parts.ts";

const instant = { type: "string", format: "date-time" };
const nullableInstant = { type: ["string", "null"], format: "date-time" };

const invitation = {
  type: "object",
  description: "An invitation to sign one version of a call, as the initiator's editors see it (never public)",
  properties: {
    id: { type: "string", format: "uuid" },
    callId: { type: "string", format: "uuid" },
    partner: { type: "string", format: "uri", description: "The invited collective's actor" },
    partnerName: { type: ["string", "null"] },
    version: { type: "integer", description: "The version it is asked to sign" },
    purpose: { type: "string", enum: ["sign", "reconfirm"], description: "reconfirm: asked again after a new version changed a language it had signed" },
    state: { type: "string", enum: [...invitationStates] },
    expiresAt: instant,
    createdAt: instant,
    answeredAt: nullableInstant,
  },
};

const signature = {
  type: "object",
  description: "A signature the initiator verified: the signer's stamp, fetched from its server, its proof and digests checked",
  properties: {
    id: { type: "string", format: "uuid" },
    callId: { type: "string", format: "uuid" },
    signer: { type: "string", format: "uri" },
    signerName: { type: ["string", "null"] },
    stampId: { type: "string", format: "uri", description: "The stamp (CosignAuthorization) on the signer's server" },
    version: { type: "integer" },
    languages: { type: "array", items: { type: "string" }, description: "The languages whose text it covers" },
    state: { type: "string", enum: [...signatureStates], description: "current: shown and counted; pending: awaiting reconfirmation (not shown)" },
    verifiedAt: instant,
    unreachableSince: { ...nullableInstant, description: "Since when the signer's server has not answered the daily re-check of its stamp (still listed meanwhile); null once it answers" },
    revokedAt: nullableInstant,
  },
};

const received = {
  type: "object",
  description: "An invitation a collective received, with the exact text it would sign in each language",
  properties: {
    id: { type: "string", format: "uuid" },
    collective: { type: "string" },
    call: { type: "string", format: "uri" },
    initiator: { type: "string", format: "uri" },
    initiatorName: { type: ["string", "null"] },
    version: { type: "integer" },
    state: { type: "string", enum: [...receivedStates] },
    expiresAt: instant,
    createdAt: instant,
    answeredAt: nullableInstant,
    languages: { type: "array", items: { type: "string" }, description: "The languages it may sign (title, text and every demand exist)" },
    authoritativeLanguages: { type: "array", items: { type: "string" }, description: "A signature must cover one of these" },
    digests: { type: "object", additionalProperties: { type: "string" }, description: "Per language, the digest a signature in that language covers" },
    texts: {
      type: "object",
      description: "Per language, the text exactly as it would be signed",
      additionalProperties: {
        type: "object",
        properties: { title: { type: "string" }, pitch: { type: "string" }, bodyHtml: { type: "string" }, demands: { type: "array", items: { type: "string" } } },
      },
    },
    deadline: { type: ["string", "null"] },
    relatedEvents: { type: "array", items: { type: "string", format: "uri" } },
    stamp: { type: ["object", "null"], properties: { id: { type: "string" }, url: { type: "string", format: "uri" } }, description: "The stamp issued, once signed" },
    reconfirmation: { type: "boolean", description: "In the list: waiting, for a newer version of a call this collective signed (it is asked to reconfirm)" },
    previous: {
      type: ["object", "null"],
      description: "One invitation read alone: the older version of this call the collective signed, the languages it covered, those whose text changed since, and the text it signed",
      properties: {
        version: { type: "integer" },
        languages: { type: "array", items: { type: "string" } },
        changed: { type: "array", items: { type: "string" } },
        texts: { type: "object", additionalProperties: { type: "object" } },
      },
    },
  },
};

const stamp = {
  type: "object",
  description: "A signature this collective gave (a stamp hosted here, with its proof)",
  properties: {
    id: { type: "string", format: "uuid" },
    url: { type: "string", format: "uri" },
    call: { type: "string", format: "uri" },
    initiator: { type: "string", format: "uri" },
    version: { type: "integer" },
    languages: { type: "array", items: { type: "string" } },
    signedAt: instant,
    listedAt: nullableInstant,
    publicAt: nullableInstant,
    announcedAt: nullableInstant,
    revokedAt: nullableInstant,
  },
};

export const cosignSchemas = { Invitation: invitation, Signature: signature, ReceivedInvitation: received, Stamp: stamp };

const errors = authErrors({ notFound: "Unknown collective, call or invitation" });
const conflict = conflictError("Not possible in this state (the message says why: expired, answered already, call not in consultation…)");
const invalid = invalidError();
const idParam = uuidParam();
const goneError = { "410": { description: "The initiator withdrew the invitation: it can no longer be read or signed", content: errorContent } };

export const cosignPaths = {
  "/api/v1/calls/{id}/invitations": {
    post: {
      summary: "Invite a Relais collective (on any instance) to sign the call's current version (consultation or open)",
      parameters: [idParam],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["partner"],
              properties: {
                partner: { type: "string", description: "Handle (@group@host) or actor URL", example: "@ag-koeln@b.example" },
                expiresAt: { type: "string", format: "date-time", description: "Default: 14 days, or the call's deadline if sooner" },
              },
            },
          },
        },
      },
      responses: { "201": jsonResponse("#/components/schemas/Invitation", "The invitation (sent)"), ...errors, ...conflict, ...invalid },
    },
    get: {
      summary: "The invitations sent for a call and the signatures received, in every state (the call's editors)",
      parameters: [idParam],
      responses: {
        "200": {
          description: "Invitations and signatures",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  invitations: { type: "array", items: { $ref: "#/components/schemas/Invitation" } },
                  signatures: { type: "array", items: { $ref: "#/components/schemas/Signature" } },
                },
              },
            },
          },
        },
        ...errors,
      },
    },
  },
  "/api/v1/calls/{id}/invitations/{invitation}": {
    delete: {
      summary:
        "Withdraw an invitation not answered yet: the invited collective's server is told (an Undo of the request), the invitation leaves its editors' list and can no longer be signed, and the collective may no longer read the call before launch (withdrawing twice changes nothing)",
      parameters: [idParam, uuidParam("invitation", "The invitation's id")],
      responses: { "200": jsonResponse("#/components/schemas/Invitation", "The invitation, withdrawn"), ...errors, ...conflictError("The invitation was answered already (signed or declined)") },
    },
  },
  "/api/v1/collectives/{slug}/invitations": {
    get: {
      summary: "Invitations to sign other collectives' calls that this collective received, newest first (its editors)",
      parameters: [slugParam],
      responses: {
        "200": {
          description: "The invitations",
          content: { "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/ReceivedInvitation" } } } } } },
        },
        ...errors,
      },
    },
  },
  "/api/v1/collectives/{slug}/invitations/{id}": {
    get: {
      summary: "One received invitation, with the exact text per language",
      parameters: [slugParam, idParam],
      responses: { "200": jsonResponse("#/components/schemas/ReceivedInvitation", "The invitation"), ...errors, ...goneError },
    },
  },
  "/api/v1/collectives/{slug}/invitations/{id}/sign": {
    post: {
      summary: "Sign: a stamp with this collective's Ed25519 proof over the digests of the chosen languages (default: all), sent to the initiator",
      parameters: [slugParam, idParam],
      requestBody: { required: false, content: { "application/json": { schema: { type: "object", properties: { languages: { type: "array", items: { type: "string" } } } } } } },
      responses: { "200": jsonResponse("#/components/schemas/ReceivedInvitation", "The invitation, signed"), ...errors, ...conflict, ...invalid, ...goneError },
    },
  },
  "/api/v1/collectives/{slug}/signatures": {
    get: {
      summary: "The signatures this collective gave (its stamps), newest first",
      parameters: [slugParam],
      responses: {
        "200": { description: "The stamps", content: { "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/Stamp" } } } } } } },
        ...errors,
      },
    },
  },
  "/api/v1/collectives/{slug}/signatures/{id}": {
    delete: {
      summary: "Revoke a signature: its URL answers 410, the initiator, the co-signatories and the followers are told, the boost is undone",
      parameters: [slugParam, idParam],
      responses: { "200": jsonResponse("#/components/schemas/Stamp", "The stamp, revoked (revoking twice changes nothing)"), ...errors },
    },
  },
  "/api/v1/collectives/{slug}/invitations/{id}/decline": {
    post: {
      summary: "Decline (the initiator alone is told; never public)",
      parameters: [slugParam, idParam],
      responses: { "200": jsonResponse("#/components/schemas/ReceivedInvitation", "The invitation, declined"), ...errors, ...conflict },
    },
  },
};
