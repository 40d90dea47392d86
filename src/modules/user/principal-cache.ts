/**
 * Who a bearer token stands for, kept for a moment so that a burst of API reads does not look the token up
 * once per request (issue 15: the lookup was the cost of a cached API list). Keyed by the token's hash.
 *
 * - An entry is used for at most `maxAgeMs` (1 s) and never past the token's expiry.
 * - The runtime forgets every entry after each committed write to the tables it comes from (tokens,
 *   users, memberships: src/db/committed-writes.ts), so a revocation or a role change made through this
 *   process holds for the very next request; one made by another process (the CLI beside a running
 *   server, another web process) holds within `maxAgeMs`, the bound the memory read cache has (ADR 0022).
 * - Unknown, revoked and expired tokens are never kept: every failure is looked up (and rate limited).
 */
import type { Principal } from "./user.service.ts";

interface Kept {
  readonly principal: Principal;
  readonly until: number;
}

export class PrincipalCache {
  readonly #entries = new Map<string, Kept>();
  readonly #maxAgeMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** Bumped by `forget`: a lookup that started before it is not kept. */
  #epoch = 0;

  constructor(opts: { maxAgeMs?: number; maxEntries?: number; now?: () => number } = {}) {
    this.#maxAgeMs = opts.maxAgeMs ?? 1000;
    this.#maxEntries = opts.maxEntries ?? 10_000;
    this.#now = opts.now ?? Date.now;
  }

  get epoch(): number {
    return this.#epoch;
  }

  get(hash: string): Principal | undefined {
    const kept = this.#entries.get(hash);
    if (!kept) return undefined;
    if (this.#now() < kept.until) return kept.principal;
    this.#entries.delete(hash);
    return undefined;
  }

  /** Keeps what a lookup begun at `epoch` found, unless something was forgotten since. */
  put(hash: string, principal: Principal, expiresAt: Date | null, epoch: number): void {
    if (epoch !== this.#epoch || this.#maxAgeMs <= 0) return;
    const now = this.#now();
    const until = Math.min(now + this.#maxAgeMs, expiresAt ? expiresAt.getTime() : Number.POSITIVE_INFINITY);
    if (until <= now) return;
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(hash, { principal, until });
  }

  /** Nothing kept so far is used again. */
  forget(): void {
    this.#epoch += 1;
    this.#entries.clear();
  }
}
