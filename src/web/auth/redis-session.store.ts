import type { Redis } from "ioredis";
import type { SessionStore, WebSession } from "../../modules/account/session.types.ts";

interface Stored {
  userId: string;
  stage: WebSession["stage"];
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/**
 * Sessions in Redis (when REDIS_URL is set): one key per session that expires with it, and a set per
 * user listing its sessions, for "log out everywhere".
 */
export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  constructor(redis: Redis, opts: { keyPrefix?: string } = {}) {
    this.#redis = redis;
    this.#prefix = opts.keyPrefix ?? "relais:session:";
  }

  #key(idHash: string): string {
    return `${this.#prefix}s:${idHash}`;
  }
  #userKey(userId: string): string {
    return `${this.#prefix}u:${userId}`;
  }

  async insert(s: WebSession): Promise<void> {
    const value: Stored = {
      userId: s.userId,
      stage: s.stage,
      csrfToken: s.csrfToken,
      createdAt: s.createdAt.getTime(),
      lastSeenAt: s.lastSeenAt.getTime(),
      expiresAt: s.expiresAt.getTime(),
    };
    await this.#redis
      .multi()
      .set(this.#key(s.idHash), JSON.stringify(value), "PXAT", s.expiresAt.getTime())
      .sadd(this.#userKey(s.userId), s.idHash)
      .pexpireat(this.#userKey(s.userId), s.expiresAt.getTime(), "GT")
      .exec();
  }

  async find(idHash: string): Promise<WebSession | null> {
    const raw = await this.#redis.get(this.#key(idHash));
    if (raw === null) return null;
    const v = JSON.parse(raw) as Stored;
    if (v.expiresAt <= Date.now()) return null;
    return {
      idHash,
      userId: v.userId,
      stage: v.stage,
      csrfToken: v.csrfToken,
      createdAt: new Date(v.createdAt),
      lastSeenAt: new Date(v.lastSeenAt),
      expiresAt: new Date(v.expiresAt),
    };
  }

  async touch(idHash: string, lastSeenAt: Date): Promise<void> {
    const current = await this.find(idHash);
    if (!current) return;
    await this.#redis.set(
      this.#key(idHash),
      JSON.stringify({ ...current, createdAt: current.createdAt.getTime(), lastSeenAt: lastSeenAt.getTime(), expiresAt: current.expiresAt.getTime() }),
      "PXAT",
      current.expiresAt.getTime(),
      "XX",
    );
  }

  async delete(idHash: string): Promise<void> {
    const current = await this.find(idHash);
    await this.#redis.del(this.#key(idHash));
    if (current) await this.#redis.srem(this.#userKey(current.userId), idHash);
  }

  async deleteForUser(userId: string, exceptIdHash?: string): Promise<number> {
    const hashes = (await this.#redis.smembers(this.#userKey(userId))).filter((h) => h !== exceptIdHash);
    if (hashes.length === 0) return 0;
    const removed = await this.#redis.del(...hashes.map((h) => this.#key(h)));
    await this.#redis.srem(this.#userKey(userId), ...hashes);
    return removed;
  }
}
