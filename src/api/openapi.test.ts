// Every route of the co-signing and join-request routers is described in the OpenAPI document, with
// each of its methods (issue 9). The routers are built with stand-in services: only their route table
// is read, no handler runs. Every schema of the document compiles as JSON Schema 2020-12 (OpenAPI 3.1's
// dialect), and the PATCH bodies take a language set to null where the POST bodies refuse it.
import { Ajv2020 } from "ajv/dist/2020.js";
import type { Router } from "express";
import { describe, expect, it } from "vitest";
import { cosignApiRouter } from "./cosign.router.ts";
import { joinApiRouter } from "./join.router.ts";
import { openApiDocument } from "./openapi.ts";

type Layer = { route?: { path: string; methods: Record<string, boolean> } };

/** "METHOD /path/{param}" for each route of a router. */
function routesOf(router: Router): string[] {
  return (router.stack as Layer[]).flatMap((layer) =>
    layer.route ? Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route?.path.replace(/:(\w+)/g, "{$1}")}`) : [],
  );
}

describe("the OpenAPI document", () => {
  const stand = {} as never;
  const doc = openApiDocument(new URL("https://relais.example")) as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));

  it("describes every co-signing and join-request route", () => {
    const routes = [
      ...routesOf(cosignApiRouter({ cosign: stand, users: stand, lookup: stand, urls: stand })),
      ...routesOf(joinApiRouter({ joins: stand, users: stand, read: stand })),
    ];
    expect(routes).toContain("POST /api/v1/collectives/{slug}/join-requests");
    expect(routes.length).toBeGreaterThanOrEqual(15);
    expect(routes.filter((r) => !documented.includes(r))).toEqual([]);
  });

  it("has schemas that compile as JSON Schema 2020-12, every $ref resolved", () => {
    const { compile, refs } = schemaCompiler();
    expect(refs.length).toBeGreaterThan(30);
    // OpenAPI 3.0's nullable means nothing in 3.1: a null is a type ("type": ["string", "null"]).
    expect(JSON.stringify(doc)).not.toContain('"nullable"');
    for (const ref of refs) expect(() => compile(ref), ref).not.toThrow();
  });

  // PATCH path, its body's schema, a change that removes one language of a map, and the POST whose schema refuses that null.
  const languageRemovals: [string, string, object, string | undefined][] = [
    ["/api/v1/events/{id}", "EventPatch", { name: { de: null }, summary: { fr: "Contre le score", nl: null } }, "/api/v1/collectives/{slug}/events"],
    ["/api/v1/calls/{id}", "CallPatch", { title: { de: null }, pitch: { fr: null }, body: { de: null } }, "/api/v1/collectives/{slug}/calls"],
    ["/api/v1/slogans/{id}", "SloganPatch", { text: { de: null } }, "/api/v1/collectives/{slug}/slogans"],
    ["/api/v1/kits/{id}", "ActionKitPatch", { title: { de: null }, legalBasis: { de: null } }, "/api/v1/collectives/{slug}/kits"],
    ["/api/v1/presskits/{id}", "PressKitPatch", { lead: { de: null } }, "/api/v1/collectives/{slug}/presskits"],
    ["/api/v1/presskits/{id}/files/{fileId}", "PressKitFilePatch", { caption: { de: null } }, undefined],
  ];

  it.each(languageRemovals)("PATCH %s (%s) takes a language set to null, where POST does not", (path, schema, change, postPath) => {
    const { compile } = schemaCompiler();
    type Operation = { requestBody?: { content: Record<string, { schema: { $ref: string } }> } } | undefined;
    const bodyRef = (p: string, method: string) => (doc.paths[p]?.[method] as Operation)?.requestBody?.content["application/json"]?.schema.$ref;
    expect(bodyRef(path, "patch")).toBe(`#/components/schemas/${schema}`);
    const patch = compile(`#/components/schemas/${schema}`);
    expect(patch(change), JSON.stringify(patch.errors)).toBe(true);
    expect(patch({ ...change, [Object.keys(change)[0] as string]: { de: 3 } })).toBe(false);
    if (postPath === undefined) return;
    const post = compile(bodyRef(postPath, "post") as string);
    expect(bodyRef(postPath, "post")).not.toBe(`#/components/schemas/${schema}`);
    expect(post(change)).toBe(false);
    expect(post.errors?.some((e) => e.message === "must be string" && /\/de$/.test(e.instancePath)), JSON.stringify(post.errors)).toBe(true);
  });

  /** Ajv over the document's schemas; refs are "#/components/schemas/<name>". */
  function schemaCompiler() {
    const schemas = (doc as unknown as { components: { schemas: Record<string, object> } }).components.schemas;
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: "https://relais.example/openapi.json", components: { schemas } });
    const compile = (ref: string) => ajv.compile({ $ref: `https://relais.example/openapi.json${ref}` });
    return { compile, refs: Object.keys(schemas).map((name) => `#/components/schemas/${name}`) };
  }
});
