import { validatePublicUrl } from "@fedify/vocab-runtime";
import { getLogger } from "@logtape/logtape";
import type { RemoteServerService } from "../modules/remote-server/remote-server.service.ts";

const logger = getLogger(["relais", "federation", "nodeinfo"]);

const hour = 60 * 60 * 1000;
const nodeInfoSchema = "http://nodeinfo.diaspora.software/ns/schema/";

export type NodeInfoSoftware = { ok: true; software: string; version: string | null } | { ok: false; reason: string };

export interface NodeInfoFetchOptions {
  /** For both requests together. */
  readonly timeoutMs: number;
  readonly allowPrivateAddresses: boolean;
}

async function getJson(url: URL, options: NodeInfoFetchOptions, signal: AbortSignal): Promise<unknown> {
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`${url.href} is not an http(s) URL`);
  if (!options.allowPrivateAddresses) await validatePublicUrl(url.href);
  const response = await fetch(url, { headers: { accept: "application/json" }, redirect: "follow", signal });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${url.href} answered ${response.status}`);
  }
  return response.json();
}

/**
 * The software a server runs, from its NodeInfo (`/.well-known/nodeinfo`, then the newest 2.x document
 * it links), within one deadline. Failures are values.
 */
export async function fetchNodeInfoSoftware(origin: URL, options: NodeInfoFetchOptions): Promise<NodeInfoSoftware> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const wellKnown = (await getJson(new URL("/.well-known/nodeinfo", origin), options, signal)) as { links?: unknown };
    const links = Array.isArray(wellKnown?.links) ? (wellKnown.links as { rel?: unknown; href?: unknown }[]) : [];
    const documents = links
      .filter((l) => typeof l.rel === "string" && l.rel.startsWith(nodeInfoSchema) && typeof l.href === "string")
      .sort((a, b) => String(b.rel).localeCompare(String(a.rel)));
    const href = documents[0]?.href;
    if (typeof href !== "string" || !URL.canParse(href)) return { ok: false, reason: "no NodeInfo document linked" };
    const document = (await getJson(new URL(href), options, signal)) as { software?: { name?: unknown; version?: unknown } };
    const name = document?.software?.name;
    if (typeof name !== "string" || name === "") return { ok: false, reason: "NodeInfo names no software" };
    const version = document.software?.version;
    return { ok: true, software: name.toLowerCase(), version: typeof version === "string" ? version : null };
  } catch (error) {
    return { ok: false, reason: signal.aborted ? `no answer within ${options.timeoutMs} ms` : String((error as Error).message ?? error) };
  }
}

/**
 * What software the servers of our followers run, cached per origin (a day; an hour when NodeInfo could
 * not be read) and fetched again when stale, at most `concurrency` at once.
 */
export class ServerSoftwareResolver {
  readonly #servers: RemoteServerService;
  readonly #fetchOptions: NodeInfoFetchOptions;
  readonly #maxAgeMs: number;
  readonly #failedMaxAgeMs: number;
  readonly #concurrency: number;
  readonly #refuses: (origin: URL) => Promise<boolean>;

  constructor(deps: {
    servers: RemoteServerService;
    allowPrivateAddresses: boolean;
    /** Servers never asked (blocked): what was known of them stays the answer. */
    refuses?: (origin: URL) => Promise<boolean>;
    timeoutMs?: number;
    maxAgeMs?: number;
    failedMaxAgeMs?: number;
    concurrency?: number;
  }) {
    this.#servers = deps.servers;
    this.#fetchOptions = { timeoutMs: deps.timeoutMs ?? 5000, allowPrivateAddresses: deps.allowPrivateAddresses };
    this.#maxAgeMs = deps.maxAgeMs ?? 24 * hour;
    this.#failedMaxAgeMs = deps.failedMaxAgeMs ?? hour;
    this.#concurrency = deps.concurrency ?? 8;
    this.#refuses = deps.refuses ?? (async () => false);
  }

  /** The software of each origin (`https://host[:port]`); null when unknown. */
  async softwareOf(origins: readonly string[]): Promise<Map<string, string | null>> {
    const unique = [...new Set(origins)];
    const known = await this.#servers.known(unique);
    const now = Date.now();
    const result = new Map<string, string | null>();
    const stale: string[] = [];
    for (const origin of unique) {
      const entry = known.get(origin);
      const maxAge = entry?.software ? this.#maxAgeMs : this.#failedMaxAgeMs;
      if (entry && now - entry.checkedAt.getTime() < maxAge) result.set(origin, entry.software);
      else stale.push(origin);
    }
    const work = [...stale];
    const next = async (): Promise<void> => {
      for (let origin = work.shift(); origin !== undefined; origin = work.shift()) {
        if (await this.#refuses(new URL(origin))) {
          result.set(origin, known.get(origin)?.software ?? null);
          continue;
        }
        const found = await fetchNodeInfoSoftware(new URL(origin), this.#fetchOptions);
        if (!found.ok) logger.debug("NodeInfo of {origin} not read: {reason}", { origin, reason: found.reason });
        // A server that did not answer this time keeps what it said before, until the next check.
        const software = found.ok ? found.software : (known.get(origin)?.software ?? null);
        await this.#servers.record(origin, { software, version: found.ok ? found.version : (known.get(origin)?.version ?? null) });
        result.set(origin, software);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, stale.length) }, next));
    return result;
  }
}
