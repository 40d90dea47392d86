import { createHash, randomBytes } from "node:crypto";
import { type SessionStage, type SessionStore, sessionLimits, type WebSession } from "./session.types.ts";

export const hashSessionId = (id: string) => createHash("sha256").update(id).digest("hex");

const newSecret = () => randomBytes(32).toString("base64url");

/**
 * Browser sessions: a new random id at every login and at every change of stage, an idle limit and an
 * absolute one. The raw id goes to the browser only; the store sees its hash.
 */
export class SessionService {
  readonly #store: SessionStore;
  readonly #now: () => Date;
  constructor(store: SessionStore, opts: { now?: () => Date } = {}) {
    this.#store = store;
    this.#now = opts.now ?? (() => new Date());
  }

  /** Starts a session; returns the id for the cookie. */
  async start(userId: string, stage: SessionStage): Promise<{ id: string; session: WebSession }> {
    const id = newSecret();
    const now = this.#now();
    const lifetime = stage === "full" ? sessionLimits.absoluteMs : sessionLimits.secondFactorMs;
    const session: WebSession = {
      idHash: hashSessionId(id),
      userId,
      stage,
      csrfToken: newSecret(),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + lifetime),
    };
    await this.#store.insert(session);
    return { id, session };
  }

  /** The live session behind a cookie's id, or null (unknown, idle too long, past its end). */
  async resolve(id: string): Promise<WebSession | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(id)) return null;
    const idHash = hashSessionId(id);
    const session = await this.#store.find(idHash);
    if (!session) return null;
    const now = this.#now();
    if (session.expiresAt <= now || now.getTime() - session.lastSeenAt.getTime() > sessionLimits.idleMs) {
      await this.#store.delete(idHash);
      return null;
    }
    if (now.getTime() - session.lastSeenAt.getTime() > sessionLimits.touchEveryMs) {
      await this.#store.touch(idHash, now);
      return { ...session, lastSeenAt: now };
    }
    return session;
  }

  /** Replaces a session by a new one of the given stage (after the second factor: a new id). */
  async rotate(id: string, userId: string, stage: SessionStage): Promise<{ id: string; session: WebSession }> {
    await this.#store.delete(hashSessionId(id));
    return this.start(userId, stage);
  }

  async end(id: string): Promise<void> {
    await this.#store.delete(hashSessionId(id));
  }

  /** Log out everywhere (or everywhere else, keeping `exceptId`). */
  async endAll(userId: string, exceptId?: string): Promise<number> {
    return this.#store.deleteForUser(userId, exceptId === undefined ? undefined : hashSessionId(exceptId));
  }
}
