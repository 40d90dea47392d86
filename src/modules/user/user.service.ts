import { createHash, randomBytes } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { z } from "zod";
import { conflict, invalid, notFound } from "../../shared/errors.ts";
import { parseOrThrow } from "../../shared/validation.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import { hashPassword } from "./password.ts";
import { decodeCursor, keyChecks, type Page, type PageRequest, toPage } from "../../shared/list-page.ts";
import { findTokenHolder, findTokens, touchToken } from "./user.repository.ts";
import { type ApiToken, ApiTokenSchema, type MemberRole, memberRoles, MembershipSchema, type User, UserSchema } from "./user.entity.ts";
import { isUuid } from "../../shared/uuid.ts";
import { PrincipalCache } from "./principal-cache.ts";

const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "must be an email address such as ana@example.org" }));

export const minPasswordLength = 12;

/** What a request is allowed to act as, once its token is checked. */
export interface Principal {
  readonly userId: string;
  readonly email: string;
  /** Instance admin (creates collectives). */
  readonly admin?: boolean;
  /** collective id → role */
  readonly roles: ReadonlyMap<string, MemberRole>;
}

/** How often (ms) a token's `lastUsedAt` is written at most: it says "in use lately", not "at this second". */
export const tokenUseRecordedEvery = 60_000;

const toTokenInfo = (r: ApiToken): TokenInfo => ({
  id: r.id,
  name: r.name ?? null,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt ?? null,
  expiresAt: r.expiresAt ?? null,
});
const tokenKeyShape = [keyChecks.instant, keyChecks.uuid];

const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

/** Days an API token lives: by default, and at most. */
export const tokenLifetimeDays = { default: 90, max: 730 } as const;

const tokenOptionsSchema = z
  .object({
    // Printable text only: names are shown in terminals and pages.
    name: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(100, "must be at most 100 characters")
      .regex(/^[^\p{Cc}\p{Cf}]*$/u, "must be printable text, without control characters")
      .optional(),
    expiresInDays: z
      .number({ error: "must be a number of days" })
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(tokenLifetimeDays.max, `must be at most ${tokenLifetimeDays.max} days`)
      .default(tokenLifetimeDays.default),
  })
  .strict();

/** A new token: shown once, with what identifies it later. */
export interface IssuedToken {
  readonly token: string;
  readonly id: string;
  readonly expiresAt: Date;
}

/** A token as its owner and the operator see it (never the token itself). */
export interface TokenInfo {
  readonly id: string;
  readonly name: string | null;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly expiresAt: Date | null;
}

export class UserService {
  readonly #em: EntityManager;
  readonly #principals: PrincipalCache;
  /**
   * `principals`: where tokens looked up are kept for a moment; none by default (every request looks
   * its token up). Whoever passes one must call `forgetPrincipals` after every write to tokens, users and
   * memberships, as the runtime does from their commits.
   */
  constructor(em: EntityManager, opts: { principals?: PrincipalCache } = {}) {
    this.#em = em;
    this.#principals = opts.principals ?? new PrincipalCache({ maxAgeMs: 0 });
  }

  async create(email: string, password: string, opts: { admin?: boolean } = {}): Promise<User> {
    const address = parseOrThrow(emailSchema, email, "email");
    if (password.length < minPasswordLength) {
      throw invalid(`the password must have at least ${minPasswordLength} characters`, [
        { field: "password", message: `must have at least ${minPasswordLength} characters` },
      ]);
    }
    const passwordHash = await hashPassword(password);
    const em = this.#em.fork();
    if (await em.count(UserSchema, { email: address })) throw conflict(`a user with the email ${address} already exists`);
    const user = em.create(UserSchema, { email: address, passwordHash, isAdmin: opts.admin ?? false });
    await em.flush();
    return user;
  }

  async addMember(slug: string, email: string, role: string): Promise<void> {
    if (!(memberRoles as readonly string[]).includes(role)) {
      throw invalid(`the role must be one of ${memberRoles.join(", ")}, not "${role}"`);
    }
    const em = this.#em.fork();
    const collective = await em.findOne(CollectiveSchema, { slug });
    if (!collective) throw notFound(`the collective "${slug}"`);
    const user = await this.#userByEmail(em, email);
    await em.upsert(
      MembershipSchema,
      { user: user.id, collective: collective.id, role: role as MemberRole, createdAt: new Date() },
      { onConflictFields: ["user", "collective"], onConflictMergeFields: ["role"] },
    );
  }

  /** Creates an API token for a user (90 days unless told otherwise); only its hash is stored. */
  async createToken(email: string, options: { name?: string; expiresInDays?: number } = {}): Promise<IssuedToken> {
    const opts = parseOrThrow(tokenOptionsSchema, options, "the token");
    const em = this.#em.fork();
    const user = await this.#userByEmail(em, email);
    const token = `relais_${randomBytes(32).toString("base64url")}`;
    const expiresAt = new Date(Date.now() + opts.expiresInDays * 86_400_000);
    const row = em.create(ApiTokenSchema, { user: user.id, tokenHash: tokenHash(token), name: opts.name ?? null, expiresAt });
    await em.flush();
    return { token, id: row.id, expiresAt };
  }

  /** A user's tokens, newest first (expired ones included, until revoked). */
  async listTokens(user: { email: string } | { userId: string }): Promise<TokenInfo[]> {
    const em = this.#em.fork();
    const userId = "userId" in user ? user.userId : (await this.#userByEmail(em, user.email)).id;
    return (await findTokens(em, userId)).map(toTokenInfo);
  }

  /** One page of a user's tokens, newest first (ties by id): one statement. A bad cursor is a 400. */
  async tokenPage(userId: string, request: PageRequest): Promise<Page<TokenInfo>> {
    const after = request.cursor === undefined ? undefined : (decodeCursor(request.cursor, "tokens", tokenKeyShape) as [number, string]);
    const rows = await findTokens(this.#em.fork(), userId, { before: after, limit: request.limit + 1 });
    return toPage(rows, request.limit, "tokens", (r) => [r.createdAt.getTime(), r.id], toTokenInfo);
  }

  /**
   * Revokes (deletes) a token at once. With `owner`, only that user's own tokens: anyone else's answers
   * like an unknown id.
   */
  async revokeToken(id: string, owner?: { userId: string }): Promise<void> {
    const deleted = isUuid(id)
      ? await this.#em.fork().nativeDelete(ApiTokenSchema, { id, ...(owner ? { user: owner.userId } : {}) })
      : 0;
    if (deleted === 0) throw notFound(`the token ${id}`);
  }

  /**
   * The principal behind a bearer token, or null (unknown, revoked or expired): one statement, or none
   * when this process looked the token up less than a second ago (PrincipalCache: what forgets it and
   * when). Its `lastUsedAt` is written at most once a minute, so that reading through the API does not write.
   */
  async authenticate(token: string): Promise<Principal | null> {
    const hash = tokenHash(token);
    const kept = this.#principals.get(hash);
    if (kept) return kept;
    const epoch = this.#principals.epoch;
    const em = this.#em.fork();
    const now = new Date();
    const holder = await findTokenHolder(em, hash, now);
    if (!holder) return null;
    const principal: Principal = { userId: holder.userId, email: holder.email, admin: holder.admin, roles: new Map(holder.roles) };
    if (holder.lastUsedAt === null || now.getTime() - holder.lastUsedAt.getTime() >= tokenUseRecordedEvery) {
      // The write forgets every kept principal (runtime.ts); this one is kept from the next lookup on.
      await touchToken(em, holder.tokenId, now, tokenUseRecordedEvery);
    } else {
      this.#principals.put(hash, principal, holder.expiresAt, epoch);
    }
    return principal;
  }

  /** The principal a token stood for less than a second ago in this process, without waiting; or undefined. */
  keptPrincipal(token: string): Principal | undefined {
    return this.#principals.get(tokenHash(token));
  }

  /** Forgets every token looked up: after any committed write to tokens, users or memberships (runtime.ts). */
  forgetPrincipals(): void {
    this.#principals.forget();
  }

  /** What a user may act as: its roles in every collective (a web session or an API token stands for it). */
  async principalOf(user: string | User): Promise<Principal | null> {
    const em = this.#em.fork();
    const row = typeof user === "string" ? await em.findOne(UserSchema, { id: user }) : user;
    if (!row) return null;
    const memberships = await em.find(MembershipSchema, { user: row.id });
    return {
      userId: row.id,
      email: row.email,
      admin: row.isAdmin,
      roles: new Map(memberships.map((m) => [m.collective.id, m.role])),
    };
  }

  /** The id of the user with this email (the CLI names users by email). */
  async userIdByEmail(email: string): Promise<string> {
    return (await this.#userByEmail(this.#em.fork(), email)).id;
  }

  async #userByEmail(em: EntityManager, email: string): Promise<User> {
    const user = await em.findOne(UserSchema, { email: parseOrThrow(emailSchema, email, "email") });
    if (!user) throw notFound(`a user with the email ${email} (create it first with: relais user create ${email})`);
    return user;
  }
}
