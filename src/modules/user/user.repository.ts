import type { EntityManager } from "@mikro-orm/postgresql";
import { type ApiToken, ApiTokenSchema, type MemberRole } from "./user.entity.ts";

/** A user's tokens, newest first (ties by id, descending); with `before`, only those after that key in this order. */
export async function findTokens(em: EntityManager, userId: string, opts: { before?: readonly [number, string] | undefined; limit?: number } = {}): Promise<ApiToken[]> {
  const where = opts.before
    ? {
        user: userId,
        $or: [{ createdAt: { $lt: new Date(opts.before[0]) } }, { createdAt: new Date(opts.before[0]), id: { $lt: opts.before[1] } }],
      }
    : { user: userId };
  return em.find(ApiTokenSchema, where, { orderBy: { createdAt: "desc", id: "desc" }, ...(opts.limit ? { limit: opts.limit } : {}) });
}

/** What a valid token stands for. */
export interface TokenHolder {
  readonly tokenId: string;
  readonly lastUsedAt: Date | null;
  readonly expiresAt: Date | null;
  readonly userId: string;
  readonly email: string;
  readonly admin: boolean;
  readonly roles: readonly (readonly [string, MemberRole])[];
}

/**
 * The unexpired token with this hash, its user and the user's roles, in one statement (every API
 * request runs it), or null.
 */
export async function findTokenHolder(em: EntityManager, tokenHash: string, now: Date): Promise<TokenHolder | null> {
  const rows = await em.execute<Record<string, unknown>[]>(
    `select t.id as token_id, t.last_used_at, t.expires_at, u.id as user_id, u.email, u.is_admin,
       coalesce((select json_agg(json_build_array(m.collective_id, m.role)) from membership m where m.user_id = u.id), '[]'::json) as roles
     from api_token t join app_user u on u.id = t.user_id
     where t.token_hash = ? and (t.expires_at is null or t.expires_at > ?)`,
    [tokenHash, now],
  );
  const r = rows[0];
  if (!r) return null;
  const roles = typeof r.roles === "string" ? JSON.parse(r.roles) : r.roles;
  return {
    tokenId: String(r.token_id),
    lastUsedAt: r.last_used_at === null || r.last_used_at === undefined ? null : new Date(r.last_used_at as string | Date),
    expiresAt: r.expires_at === null || r.expires_at === undefined ? null : new Date(r.expires_at as string | Date),
    userId: String(r.user_id),
    email: String(r.email),
    admin: r.is_admin === true,
    roles: roles as [string, MemberRole][],
  };
}

/** Records a token's use; a no-op (no write) when it was recorded less than `every` ms ago. */
export async function touchToken(em: EntityManager, tokenId: string, now: Date, every: number): Promise<void> {
  await em.nativeUpdate(
    ApiTokenSchema,
    { id: tokenId, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: new Date(now.getTime() - every) } }] },
    { lastUsedAt: now },
  );
}
