// Every route of the co-signing and join-request routers is described in the OpenAPI document, with
// each of its methods (issue 9). The routers are built with stand-in services: only their route table
// is read, no handler runs.
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
});
