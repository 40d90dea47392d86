/** The JSON API of recurring events (docs/adr: recurring events), for the OpenAPI document. */

const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
const errors = {
  "401": { description: "No token, or an unknown, expired or revoked one", content: errorContent },
  "403": { description: "Not an editor of this collective", content: errorContent },
  "404": { description: "Unknown event, or no occurrence on that date (the message names the next dates)", content: errorContent },
  "422": { description: "Invalid body, or the event does not repeat; `details` names each field", content: errorContent },
};
const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
const dateParam = { name: "date", in: "path", required: true, schema: { type: "string", format: "date" }, description: "The local date the rule gives the occurrence" };
const languageMap = { type: "object", additionalProperties: { type: "string" }, example: { fr: "Fermé pour les fêtes" } };
const occurrenceOk = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Occurrence" } } } });
const eventOk = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Event" } } } });

const weekday = { type: "string", enum: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] };

export const seriesSchemas = {
  Recurrence: {
    description:
      'How an event repeats, in its time zone. Also accepted as an RRULE string: "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630", "FREQ=MONTHLY;BYDAY=2TU;COUNT=6". startsAt must be one of its dates.',
    oneOf: [
      {
        type: "object",
        additionalProperties: false,
        required: ["frequency"],
        properties: {
          frequency: { type: "string", enum: ["weekly", "monthly"] },
          interval: { type: "integer", minimum: 1, maximum: 12, default: 1, description: "Every N weeks or months" },
          weekdays: { type: "array", items: weekday, description: "Weekly: the days (default: the start's)" },
          monthDay: { type: "integer", minimum: -1, maximum: 31, description: "Monthly: the day of the month (-1: the last)" },
          weekdayOfMonth: { type: "object", properties: { ordinal: { type: "integer", enum: [1, 2, 3, 4, -1] }, weekday }, description: "Monthly: e.g. the 2nd Tuesday" },
          until: { type: "string", format: "date", description: "The last day (local, included)" },
          count: { type: "integer", minimum: 1, maximum: 500 },
        },
      },
      { type: "string", example: "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630" },
    ],
  },
  Occurrence: {
    type: "object",
    properties: {
      date: { type: "string", format: "date", description: "Names the occurrence (its RECURRENCE-ID's local date)" },
      url: { type: "string", format: "uri", description: "Its page and ActivityPub id" },
      startsAt: { type: "string" },
      endsAt: { type: ["string", "null"] },
      originalStartsAt: { type: "string", description: "Where the rule puts it" },
      cancelled: { type: "boolean" },
      moved: { type: "boolean" },
      location: { type: ["object", "null"], description: "Set when held elsewhere than the series" },
      onlineUrl: { type: ["string", "null"] },
      reason: { ...languageMap, type: ["object", "null"] },
    },
  },
};

export const seriesPaths = {
  "/api/v1/events/{id}/occurrences": {
    get: {
      summary: "The occurrences of a recurring event (upcoming by default), exceptions applied",
      parameters: [
        idParam,
        { name: "from", in: "query", schema: { type: "string" } },
        { name: "to", in: "query", schema: { type: "string" } },
        { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } },
      ],
      responses: { "200": { description: "{items: Occurrence[]}", content: { "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/Occurrence" } } } } } } }, ...errors },
    },
  },
  "/api/v1/events/{id}/occurrences/{date}": {
    patch: {
      summary: "Move one occurrence or hold it elsewhere; null gives a field back to the series",
      parameters: [idParam, dateParam],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              additionalProperties: false,
              properties: { startsAt: { type: ["string", "null"] }, endsAt: { type: ["string", "null"] }, location: { type: ["object", "null"] }, onlineUrl: { type: ["string", "null"] }, cancelled: { type: "boolean" }, reason: languageMap },
            },
          },
        },
      },
      responses: { "200": occurrenceOk("The occurrence"), ...errors },
    },
    delete: { summary: "Give the occurrence back to the series (its exception removed)", parameters: [idParam, dateParam], responses: { "200": occurrenceOk("The occurrence"), ...errors } },
  },
  "/api/v1/events/{id}/occurrences/{date}/cancel": {
    post: {
      summary: "Cancel one occurrence, with an optional reason",
      parameters: [idParam, dateParam],
      requestBody: { content: { "application/json": { schema: { type: "object", properties: { reason: languageMap } } } } },
      responses: { "200": occurrenceOk("The cancelled occurrence"), ...errors },
    },
  },
  "/api/v1/events/{id}/series/split": {
    post: {
      summary: "Change the series from a date on: it ends the day before, a new event continues it with the changes",
      parameters: [idParam],
      requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["from"], properties: { from: { type: "string", format: "date" } }, additionalProperties: { description: "Any field of EventInput" } } } } },
      responses: { "201": eventOk("The new event (previousSeries names the old one)"), ...errors },
    },
  },
  "/api/v1/events/{id}/series/end": {
    post: {
      summary: "End the series: no occurrence after this date",
      parameters: [idParam],
      requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["after"], properties: { after: { type: "string", format: "date" } } } } } },
      responses: { "200": eventOk("The event with its new until"), ...errors },
    },
  },
};
