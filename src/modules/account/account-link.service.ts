import { createHash, randomBytes } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { z } from "zod";
import { conflict, forbidden, invalid, notFound } from "../../shared/errors.ts";
import type { LanguageMap } from "../../shared/language.ts";
import { parseOrThrow } from "../../shared/validation.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import { can, canResetPasswordOf } from "../collective/collective.policy.ts";
import { hashPassword } from "../user/password.ts";
import { type MemberRole, memberRoles, MembershipSchema, UserSchema } from "../user/user.entity.ts";
import type { Principal, UserService } from "../user/user.service.ts";
import type { AccountService } from "./account.service.ts";
import { passwordProblems } from "./account.service.ts";
import { AccountTokenSchema } from "./account-token.entity.ts";

const emailSchema = z.string().trim().toLowerCase().pipe(z.email({ error: "must be an email address such as ana@example.org" }));
const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
const validToken = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);

export const linkLifetimes = { invitationMs: 7 * 24 * 3600_000, resetMs: 24 * 3600_000 } as const;

export interface InvitationView {
  readonly email: string;
  readonly role: MemberRole;
  readonly collective: { readonly slug: string; readonly name: LanguageMap; readonly primaryLanguage: string };
  readonly accountExists: boolean;
  readonly expiresAt: Date;
}

/** A new link's token (for the URL) and when it stops working. */
export interface NewLink {
  readonly token: string;
  readonly email: string;
  readonly expiresAt: Date;
}

/** Invitations into a collective and password-reset links: created, described, used once. */
export class AccountLinkService {
  readonly #em: EntityManager;
  readonly #accounts: AccountService;
  readonly #users: UserService;
  constructor(em: EntityManager, accounts: AccountService, users: UserService) {
    this.#em = em;
    this.#accounts = accounts;
    this.#users = users;
  }

  async invite(principal: Principal, slug: string, email: string, role: string): Promise<NewLink> {
    const address = parseOrThrow(emailSchema, email, "email");
    if (!(memberRoles as readonly string[]).includes(role)) throw invalid(`the role must be one of ${memberRoles.join(", ")}`, [{ field: "role", message: "unknown role" }]);
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + linkLifetimes.invitationMs);
    await this.#em.fork().transactional(async (em) => {
      const collective = await em.findOne(CollectiveSchema, { slug });
      if (!collective) throw notFound(`the collective "${slug}"`);
      if (!can(principal, "manage-members", collective.id)) throw forbidden(`only owners of "${slug}" invite members`);
      const user = await em.findOne(UserSchema, { email: address });
      if (user && (await em.count(MembershipSchema, { user: user.id, collective: collective.id }))) {
        throw conflict(`${address} is already a member of "${slug}"`);
      }
      em.create(AccountTokenSchema, { kind: "invitation", tokenHash: hashToken(token), email: address, collective: collective.id, role: role as MemberRole, createdBy: principal.userId, expiresAt });
      await em.flush();
      await writeAudit(em, { collectiveId: collective.id, actor: principal, action: "member.invite", subject: address, detail: role });
    });
    return { token, email: address, expiresAt };
  }

  /** Open invitations of a collective (owners only). */
  async pendingInvitations(principal: Principal, collectiveId: string): Promise<{ email: string; role: MemberRole; expiresAt: Date }[]> {
    if (!can(principal, "manage-members", collectiveId)) return [];
    const rows = await this.#em.fork().find(
      AccountTokenSchema,
      { kind: "invitation", collective: collectiveId, usedAt: null, expiresAt: { $gt: new Date() } },
      { orderBy: { createdAt: "desc" } },
    );
    return rows.map((r) => ({ email: r.email, role: r.role ?? "editor", expiresAt: r.expiresAt }));
  }

  async describeInvitation(token: string): Promise<InvitationView | null> {
    if (!validToken(token)) return null;
    const em = this.#em.fork();
    const row = await em.findOne(
      AccountTokenSchema,
      { tokenHash: hashToken(token), kind: "invitation", usedAt: null, expiresAt: { $gt: new Date() } },
      { populate: ["collective"] },
    );
    if (!row?.collective || !row.role) return null;
    const accountExists = (await em.count(UserSchema, { email: row.email })) > 0;
    const c = row.collective;
    return { email: row.email, role: row.role, collective: { slug: c.slug, name: c.name, primaryLanguage: c.primaryLanguage }, accountExists, expiresAt: row.expiresAt };
  }

  /**
   * Uses an invitation: with a password it creates the account (there must be none for the email);
   * with `userId` the logged-in account (with the invitation's email) joins. Returns the user's id.
   */
  async acceptInvitation(token: string, as: { password: string } | { userId: string }): Promise<string> {
    if ("password" in as) {
      const problems = passwordProblems(as.password);
      if (problems.length > 0) throw invalid(`the password ${problems[0]?.message}`, problems);
    }
    const passwordHash = "password" in as ? await hashPassword(as.password) : undefined;
    const gone = () => notFound("this invitation (it was used already or has expired: ask for a new one)");
    if (!validToken(token)) throw gone();
    return this.#em.fork().transactional(async (em) => {
      const row = await em.findOne(AccountTokenSchema, { tokenHash: hashToken(token), kind: "invitation", usedAt: null, expiresAt: { $gt: new Date() } }, { populate: ["collective"] });
      if (!row?.collective || !row.role) throw gone();
      const existing = await em.findOne(UserSchema, { email: row.email });
      let userId: string;
      if ("userId" in as) {
        if (!existing || existing.id !== as.userId) throw forbidden(`this invitation is for ${row.email}: log in with that account`);
        userId = existing.id;
      } else {
        if (existing) throw conflict(`an account with ${row.email} exists already: log in to accept the invitation`);
        userId = em.create(UserSchema, { email: row.email, passwordHash: passwordHash as string }).id;
      }
      // Used exactly once, whatever the number of concurrent requests.
      const used = await em.nativeUpdate(AccountTokenSchema, { id: row.id, usedAt: null }, { usedAt: new Date() });
      if (used !== 1) throw gone();
      await em.flush();
      await em.upsert(
        MembershipSchema,
        { user: userId, collective: row.collective.id, role: row.role, createdAt: new Date() },
        { onConflictFields: ["user", "collective"], onConflictAction: "ignore" },
      );
      await writeAudit(em, { collectiveId: row.collective.id, actor: { userId, email: row.email }, action: "member.join", subject: row.email, detail: row.role });
      return userId;
    });
  }

  /**
   * A password-reset link for an account: by the operator (CLI), by an owner allowed to (see
   * canResetPasswordOf), or by "self" (the forgotten-password form, which only e-mails it: null when
   * there is no such account, and the caller says nothing about it).
   */
  async createReset(by: Principal | "cli" | "self", email: string): Promise<NewLink | null> {
    const address = parseOrThrow(emailSchema, email, "email");
    const em = this.#em.fork();
    const user = await em.findOne(UserSchema, { email: address });
    if (!user) {
      if (by === "self") return null;
      throw notFound(`an account with the email ${address}`);
    }
    if (typeof by === "object") {
      const target = await this.#users.principalOf(user);
      if (!target || !canResetPasswordOf(by, { userId: user.id, admin: user.isAdmin, roles: target.roles })) {
        throw forbidden("you may create reset links only for accounts that belong to collectives you own alone");
      }
    }
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + linkLifetimes.resetMs);
    await em.transactional(async (tx) => {
      tx.create(AccountTokenSchema, { kind: "reset", tokenHash: hashToken(token), email: address, createdBy: typeof by === "object" ? by.userId : null, expiresAt });
      await tx.flush();
      // Owners see who made a link for one of their members: one of them, or the operator.
      if (by !== "self") {
        for (const m of await tx.find(MembershipSchema, { user: user.id })) {
          await writeAudit(tx, { collectiveId: m.collective.id, actor: by, action: "member.reset-link", subject: address });
        }
      }
    });
    return { token, email: address, expiresAt };
  }

  async describeReset(token: string): Promise<{ email: string } | null> {
    if (!validToken(token)) return null;
    const row = await this.#em.fork().findOne(AccountTokenSchema, { tokenHash: hashToken(token), kind: "reset", usedAt: null, expiresAt: { $gt: new Date() } });
    return row ? { email: row.email } : null;
  }

  /** Sets a new password with a reset link (once); every session of the account ends. Returns the user's id. */
  async resetPassword(token: string, password: string): Promise<string> {
    const problems = passwordProblems(password);
    if (problems.length > 0) throw invalid(`the password ${problems[0]?.message}`, problems);
    const gone = () => notFound("this reset link (it was used already or has expired: ask for a new one)");
    if (!validToken(token)) throw gone();
    const em = this.#em.fork();
    const row = await em.findOne(AccountTokenSchema, { tokenHash: hashToken(token), kind: "reset", usedAt: null, expiresAt: { $gt: new Date() } });
    const user = row && (await em.findOne(UserSchema, { email: row.email }));
    if (!row || !user) throw gone();
    if ((await em.nativeUpdate(AccountTokenSchema, { id: row.id, usedAt: null }, { usedAt: new Date() })) !== 1) throw gone();
    await this.#accounts.setPassword(user.id, password);
    return user.id;
  }
}
