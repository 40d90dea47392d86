/**
 * A browser session of an editor, kept on the server (PostgreSQL, or Redis when REDIS_URL is set).
 * The browser holds only a random id; stores key sessions by the id's SHA-256, so that a copy of the
 * store gives no live session.
 */
export interface WebSession {
  readonly idHash: string;
  readonly userId: string;
  /** `second-factor`: the password was right, the TOTP code is still to come; nothing else is allowed. */
  readonly stage: SessionStage;
  /** The token every form of this session carries (synchronizer token against CSRF). */
  readonly csrfToken: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  /** Absolute end, whatever the activity. */
  readonly expiresAt: Date;
}

export type SessionStage = "full" | "second-factor";

/** Where sessions live. Implementations: PostgresSessionStore (here), RedisSessionStore (src/web/auth). */
export interface SessionStore {
  insert(session: WebSession): Promise<void>;
  /** The session, or null when unknown or past `expiresAt`. */
  find(idHash: string): Promise<WebSession | null>;
  touch(idHash: string, lastSeenAt: Date): Promise<void>;
  delete(idHash: string): Promise<void>;
  /** Ends every session of a user but `exceptIdHash`; returns how many ended. */
  deleteForUser(userId: string, exceptIdHash?: string): Promise<number>;
}

export const sessionLimits = {
  /** A session ends after this long without a request. */
  idleMs: 7 * 24 * 3600_000,
  /** …and after this long in any case: the editor logs in again. */
  absoluteMs: 30 * 24 * 3600_000,
  /** A second-factor stage left unanswered ends quickly. */
  secondFactorMs: 10 * 60_000,
  /** lastSeenAt is written at most this often (a write per page view would be wasted). */
  touchEveryMs: 60_000,
} as const;
