import { hostIsUnder } from "./block-target.ts";

/** One block as the rules need it: `collectiveId` null is instance-wide. */
export interface BlockRule {
  readonly collectiveId: string | null;
  /** The collective's slug (inboxes are addressed by it). */
  readonly slug?: string | null;
  readonly kind: "domain" | "actor";
  /** The domain (ASCII, lower case) or the actor's URL. */
  readonly target: string;
}

/**
 * Every block of the instance, to answer "is this blocked here?" without a query. Instance-wide
 * blocks apply to everything; a collective's blocks only to what concerns that collective.
 */
export class BlockRules {
  readonly #instanceDomains: readonly string[];
  readonly #instanceActors: ReadonlySet<string>;
  readonly #collectiveDomains = new Map<string, string[]>();
  readonly #collectiveActors = new Map<string, Set<string>>();
  readonly #slugs = new Map<string, string>();

  constructor(rules: readonly BlockRule[]) {
    const instanceDomains: string[] = [];
    const instanceActors = new Set<string>();
    for (const rule of rules) {
      if (rule.collectiveId !== null && rule.slug) this.#slugs.set(rule.slug, rule.collectiveId);
      if (rule.collectiveId === null) {
        if (rule.kind === "domain") instanceDomains.push(rule.target);
        else instanceActors.add(rule.target);
      } else if (rule.kind === "domain") {
        this.#collectiveDomains.set(rule.collectiveId, [...(this.#collectiveDomains.get(rule.collectiveId) ?? []), rule.target]);
      } else {
        this.#collectiveActors.set(rule.collectiveId, (this.#collectiveActors.get(rule.collectiveId) ?? new Set()).add(rule.target));
      }
    }
    this.#instanceDomains = instanceDomains;
    this.#instanceActors = instanceActors;
  }

  static readonly none = new BlockRules([]);

  /** The id of the collective with this slug when it has blocks of its own (otherwise none apply). */
  collectiveWithBlocks(slug: string): string | undefined {
    return this.#slugs.get(slug);
  }

  /** Whether a whole server is blocked for the instance (`collectiveId` omitted) or for a collective too. */
  blocksHost(hostname: string, collectiveId?: string | null): boolean {
    if (this.#instanceDomains.some((d) => hostIsUnder(hostname, d))) return true;
    if (collectiveId) return (this.#collectiveDomains.get(collectiveId) ?? []).some((d) => hostIsUnder(hostname, d));
    return false;
  }

  /** Whether an actor is blocked, by its server's domain or by itself, instance-wide or for a collective. */
  blocksActor(actor: URL, collectiveId?: string | null): boolean {
    if (this.blocksHost(actor.hostname, collectiveId)) return true;
    const id = withoutFragment(actor);
    if (this.#instanceActors.has(id)) return true;
    return collectiveId ? (this.#collectiveActors.get(collectiveId)?.has(id) ?? false) : false;
  }

  /**
   * Whether a signature key belongs to a blocked actor or server, instance-wide: keys live at their
   * actor's URL (`…/users/a#main-key`) or under it (`…/users/a/key`); the activity's actor is checked
   * as well once the body is read.
   */
  blocksKey(keyId: URL, collectiveId?: string | null): boolean {
    if (this.blocksActor(keyId, collectiveId)) return true;
    const key = withoutFragment(keyId);
    const actors = [...this.#instanceActors, ...(collectiveId ? (this.#collectiveActors.get(collectiveId) ?? []) : [])];
    return actors.some((a) => key.startsWith(`${a}/`));
  }

  /**
   * Whether this instance may request `url` at all: not from a server blocked instance-wide, nor an
   * actor blocked instance-wide (its document or keys). A collective's blocks do not stop the
   * instance from fetching for others.
   */
  allowsFetch(url: URL): boolean {
    return !this.blocksKey(url);
  }
}

function withoutFragment(url: URL): string {
  if (url.hash === "") return url.href;
  const copy = new URL(url.href);
  copy.hash = "";
  return copy.href;
}
