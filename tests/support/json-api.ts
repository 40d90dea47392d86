import type { Runtime } from "../../src/runtime.ts";
import { createEditor } from "./editor.ts";
import type { RelaisInstance } from "./relais-instance.ts";

export type ApiInit = RequestInit & { token?: string | null; json?: unknown };

/**
 * A fetch of an instance's JSON API: `json` is sent as the body, with a bearer token, the default
 * one unless `token` names another (null: none). Getters, because tests set both in `beforeAll`.
 */
export function jsonApi(instance: () => RelaisInstance, defaultToken: () => string | undefined) {
  return (path: string, init: ApiInit = {}) => {
    const headers = new Headers(init.headers);
    const t = init.token === undefined ? defaultToken() : init.token;
    if (t) headers.set("authorization", `Bearer ${t}`);
    if (init.json !== undefined) headers.set("content-type", "application/json");
    return fetch(instance().url(path), { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  };
}

/** Two collectives in two languages, each with an editor: "lyon" (Ana, editor) and "gent" (Bram, owner); their tokens. */
export async function lyonAndGent(runtime: Runtime): Promise<{ token: string; otherToken: string }> {
  await runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
  await runtime.collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
  const token = (await createEditor(runtime, "lyon", "ana@example.org")).token;
  const otherToken = (await createEditor(runtime, "gent", "bram@example.org", "owner")).token;
  return { token, otherToken };
}
