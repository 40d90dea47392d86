import type { Federation } from "@fedify/fedify";
import { instanceIdentifier } from "../shared/urls.ts";
import type { FederationDeps } from "./federation.ts";
import { withWellKnownNodeInfoLinks } from "./fedify-workarounds.ts";

/** FEP-2677: the NodeInfo link that names the instance's application actor. */
export const applicationActorRel = "https://www.w3.org/ns/activitystreams#Application";
const nodeInfo21Rel = "http://nodeinfo.diaspora.software/ns/schema/2.1";
/** Where the NodeInfo 2.1 document is served. */
export const nodeInfoPath = "/nodeinfo/2.1";

/**
 * `/.well-known/nodeinfo`: the NodeInfo 2.1 document, then (FEP-2677) the instance actor, which servers
 * such as Gancio follow to receive every public event of the instance. The NodeInfo link comes first:
 * Gancio 1.21 takes the first link as the NodeInfo document, whatever its rel
 * (server/federation/helpers.js `getNodeInfo`).
 */
export function nodeInfoLinks(deps: Pick<FederationDeps, "urls">): { links: { rel: string; href: string }[] } {
  return {
    links: [
      { rel: nodeInfo21Rel, href: new URL(nodeInfoPath, deps.urls.origin).href },
      { rel: applicationActorRel, href: deps.urls.collective(instanceIdentifier).href },
    ],
  };
}

/** The NodeInfo document, and the well-known links in place of Fedify's (which list NodeInfo only). */
export function registerNodeInfo(federation: Federation<void>, deps: FederationDeps): void {
  federation.setNodeInfoDispatcher(nodeInfoPath, async () => {
    const list = await deps.collectives.list();
    return {
      software: { name: "relais", version: deps.softwareVersion },
      protocols: ["activitypub"],
      openRegistrations: false,
      usage: { users: { total: list.length }, localPosts: 0, localComments: 0 },
      metadata: { nodeName: "Relais" },
    };
  });
  withWellKnownNodeInfoLinks(federation, () => nodeInfoLinks(deps).links);
}
