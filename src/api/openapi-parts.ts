// Pieces the OpenAPI documents of every API area share: error answers, parameters, JSON bodies.

export const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };

/** 401, 403 and 404 as every token-authenticated route answers them; `forbidden` and `notFound` say what this area refuses. */
export const authErrors = (o: { notFound: string; forbidden?: string }) => ({
  "401": { description: "No token, or an unknown, expired or revoked one", content: errorContent },
  "403": { description: o.forbidden ?? "Not an editor of this collective", content: errorContent },
  "404": { description: o.notFound, content: errorContent },
});

/** 409, saying which states refuse. */
export const conflictError = (description: string) => ({ "409": { description, content: errorContent } });

/** 422 with one entry per invalid field. */
export const invalidError = (description = "One entry per invalid field, saying how to fix it") => ({ "422": { description, content: errorContent } });

export const slugParam = { name: "slug", in: "path", required: true, schema: { type: "string" } };

/** A uuid in the path (`id` unless named otherwise). */
export const uuidParam = (name = "id", description?: string) => ({
  name,
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
  ...(description === undefined ? {} : { description }),
});

/** An answer whose body is the schema `ref`. */
export const jsonResponse = (ref: string, description: string) => ({ description, content: { "application/json": { schema: { $ref: ref } } } });

/** An answer whose body is `{items: [ref…]}`. */
export const itemsResponse = (ref: string, description: string) => ({
  description,
  content: { "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: ref } } } } } },
});

type InputSchema = { properties: Record<string, object> } & Record<string, unknown>;
type LanguageMapSchema = { description?: string; additionalProperties: object };

/**
 * The PATCH body of an input schema (src/shared/language-patch.ts): no field is required (only those
 * sent change), and in each of the language maps `languageMaps` a language may be null, which removes it.
 * The input schema itself, used by POST, keeps strings only.
 */
export function patchInput(input: InputSchema, languageMaps: readonly string[]) {
  const properties: Record<string, object> = { ...input.properties };
  for (const field of languageMaps) {
    const map = properties[field] as LanguageMapSchema | undefined;
    if (map?.additionalProperties === undefined) throw new Error(`patchInput: ${field} is not a language map of this schema`);
    properties[field] = {
      ...map,
      description: `${(map.description ?? "Text per language code").replace(/\.$/, "")}. Only the languages sent change, the others stay; a language set to null is removed.`,
      additionalProperties: { ...map.additionalProperties, type: ["string", "null"] },
    };
  }
  const rest = Object.fromEntries(Object.entries(input).filter(([key]) => key !== "required"));
  return { ...rest, properties };
}
