import { createHash, randomBytes } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { z } from "zod";
import { conflict, invalid, notFound } from "../../shared/errors.ts";
import { parseOrThrow } from "../../shared/validation.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import { hashPassword } from "./password.ts";
import { ApiTokenSchema, type MemberRole, memberRoles, MembershipSchema, type User, UserSchema } from "./user.entity.ts";

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

const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

export class UserService {
  readonly #em: EntityManager;
  constructor(em: EntityManager) {
    this.#em = em;
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
    const user = await em.findOne(UserSchema, { email: parseOrThrow(emailSchema, email, "email") });
    if (!user) throw notFound(`a user with the email ${email} (create it first with: relais user create ${email})`);
    await em.upsert(
      MembershipSchema,
      { user: user.id, collective: collective.id, role: role as MemberRole, createdAt: new Date() },
      { onConflictFields: ["user", "collective"], onConflictMergeFields: ["role"] },
    );
  }

  /** Creates an API token for a user and returns it; only its hash is stored. */
  async createToken(email: string): Promise<string> {
    const em = this.#em.fork();
    const user = await em.findOne(UserSchema, { email: parseOrThrow(emailSchema, email, "email") });
    if (!user) throw notFound(`a user with the email ${email}`);
    const token = `relais_${randomBytes(32).toString("base64url")}`;
    em.create(ApiTokenSchema, { user: user.id, tokenHash: tokenHash(token) });
    await em.flush();
    return token;
  }

  /** The principal behind a bearer token, or null. */
  async authenticate(token: string): Promise<Principal | null> {
    const em = this.#em.fork();
    const row = await em.findOne(ApiTokenSchema, { tokenHash: tokenHash(token) }, { populate: ["user"] });
    if (!row) return null;
    await em.nativeUpdate(ApiTokenSchema, { id: row.id }, { lastUsedAt: new Date() });
    return this.principalOf(row.user);
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
}
