import type { EntityManager } from "@mikro-orm/postgresql";
import type { SessionStore, WebSession } from "./session.types.ts";
import { WebSessionSchema, type WebSessionRow } from "./web-session.entity.ts";

const toSession = (r: WebSessionRow): WebSession => ({
  idHash: r.idHash,
  userId: r.user.id,
  stage: r.stage,
  csrfToken: r.csrfToken,
  createdAt: r.createdAt,
  lastSeenAt: r.lastSeenAt,
  expiresAt: r.expiresAt,
});

/** Sessions in the `web_session` table; expired rows go when their user logs in again. */
export class PostgresSessionStore implements SessionStore {
  readonly #em: EntityManager;
  constructor(em: EntityManager) {
    this.#em = em;
  }

  async insert(s: WebSession): Promise<void> {
    const em = this.#em.fork();
    await em.nativeDelete(WebSessionSchema, { user: s.userId, expiresAt: { $lt: new Date() } });
    const { userId, ...rest } = s;
    em.create(WebSessionSchema, { ...rest, user: userId });
    await em.flush();
  }

  async find(idHash: string): Promise<WebSession | null> {
    const row = await this.#em.fork().findOne(WebSessionSchema, { idHash, expiresAt: { $gt: new Date() } });
    return row ? toSession(row) : null;
  }

  async touch(idHash: string, lastSeenAt: Date): Promise<void> {
    await this.#em.fork().nativeUpdate(WebSessionSchema, { idHash }, { lastSeenAt });
  }

  async delete(idHash: string): Promise<void> {
    await this.#em.fork().nativeDelete(WebSessionSchema, { idHash });
  }

  async deleteForUser(userId: string, exceptIdHash?: string): Promise<number> {
    const where = exceptIdHash ? { user: userId, idHash: { $ne: exceptIdHash } } : { user: userId };
    return this.#em.fork().nativeDelete(WebSessionSchema, where);
  }
}
