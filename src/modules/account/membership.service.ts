import type { EntityManager } from "@mikro-orm/postgresql";
import { conflict, forbidden, invalid, notFound } from "../../shared/errors.ts";
import { type AuditActor, writeAudit } from "../audit/audit.writer.ts";
import { type Collective, CollectiveSchema } from "../collective/collective.entity.ts";
import { can } from "../collective/collective.policy.ts";
import { type MemberRole, memberRoles, MembershipSchema } from "../user/user.entity.ts";
import type { Principal } from "../user/user.service.ts";
import { decodeCursor, keyChecks, type Page, type PageRequest, toPage } from "../../shared/list-page.ts";
import { isUuid } from "../../shared/uuid.ts";

export interface MemberView {
  readonly userId: string;
  readonly email: string;
  readonly role: MemberRole;
  readonly since: Date;
}

const memberKeyShape = [keyChecks.instant, keyChecks.uuid];


/** Who belongs to a collective, and owners' decisions about it. A collective always keeps an owner. */
export class MembershipService {
  readonly #em: EntityManager;
  constructor(em: EntityManager) {
    this.#em = em;
  }

  async list(principal: Principal | "cli", slug: string): Promise<{ collective: Collective; members: MemberView[] }> {
    const em = this.#em.fork();
    const collective = await this.#collective(em, slug);
    if (principal !== "cli" && !can(principal, "read-private", collective.id)) throw forbidden(`you are not a member of "${slug}"`);
    const rows = await em.find(MembershipSchema, { collective: collective.id }, { populate: ["user"], orderBy: { createdAt: "asc" } });
    return { collective, members: rows.map((m) => ({ userId: m.user.id, email: m.user.email, role: m.role, since: m.createdAt })) };
  }

  /**
   * One page of a collective's members, oldest membership first (ties by id), for its members: one
   * statement while the page has rows (the collective comes with them); an empty page asks once more
   * whether the collective exists. A bad cursor is a 400.
   */
  async page(principal: Principal, slug: string, request: PageRequest): Promise<Page<MemberView>> {
    const after = request.cursor === undefined ? undefined : (decodeCursor(request.cursor, "members", memberKeyShape) as [number, string]);
    const em = this.#em.fork();
    const where = after
      ? {
          collective: { slug },
          $or: [{ createdAt: { $gt: new Date(after[0]) } }, { createdAt: new Date(after[0]), id: { $gt: after[1] } }],
        }
      : { collective: { slug } };
    const rows = await em.find(MembershipSchema, where, {
      populate: ["user", "collective"],
      orderBy: { createdAt: "asc", id: "asc" },
      limit: request.limit + 1,
    });
    const collectiveId = rows[0]?.collective.id ?? (await this.#collective(em, slug)).id;
    if (!can(principal, "read-private", collectiveId)) throw forbidden(`you are not a member of "${slug}"`);
    return toPage(rows, request.limit, "members", (m) => [m.createdAt.getTime(), m.id], (m) => ({
      userId: m.user.id,
      email: m.user.email,
      role: m.role,
      since: m.createdAt,
    }));
  }

  async setRole(by: Principal, slug: string, userId: string, role: string): Promise<void> {
    if (!(memberRoles as readonly string[]).includes(role)) throw invalid(`the role must be one of ${memberRoles.join(", ")}`);
    await this.#em.fork().transactional(async (em) => {
      const collective = await this.#collective(em, slug);
      if (!can(by, "manage-members", collective.id)) throw forbidden(`only owners of "${slug}" change roles`);
      const m = isUuid(userId) ? await em.findOne(MembershipSchema, { collective: collective.id, user: userId }, { populate: ["user"] }) : null;
      if (!m) throw notFound("this member");
      if (m.role === role) return;
      if (m.role === "owner") await this.#keepAnOwner(em, collective.id);
      m.role = role as MemberRole;
      await em.flush();
      await writeAudit(em, { collectiveId: collective.id, actor: by, action: "member.role", subject: m.user.email, detail: role });
    });
  }

  /** Removes a member (an owner removing anyone, or anyone leaving); the last owner cannot go. */
  async remove(by: Principal | "cli", slug: string, userId: string): Promise<void> {
    await this.#em.fork().transactional(async (em) => {
      const collective = await this.#collective(em, slug);
      const self = by !== "cli" && by.userId === userId;
      if (by !== "cli" && !self && !can(by, "manage-members", collective.id)) throw forbidden(`only owners of "${slug}" remove members`);
      const m = isUuid(userId) ? await em.findOne(MembershipSchema, { collective: collective.id, user: userId }, { populate: ["user"] }) : null;
      if (!m) throw notFound("this member");
      if (m.role === "owner") await this.#keepAnOwner(em, collective.id);
      const email = m.user.email;
      em.remove(m);
      await em.flush();
      const actor: AuditActor = by === "cli" ? "cli" : by;
      await writeAudit(em, { collectiveId: collective.id, actor, action: "member.remove", subject: email });
    });
  }

  async #keepAnOwner(em: EntityManager, collectiveId: string): Promise<void> {
    // Locks the owners' rows: two owners demoting each other at once cannot both succeed.
    const owners = await em.execute<{ n: number }[]>(
      "select count(*)::int as n from (select 1 from membership where collective_id = ? and role = 'owner' for update) o",
      [collectiveId],
    );
    if ((owners[0]?.n ?? 0) <= 1) throw conflict("a collective needs at least one owner: make someone else owner first");
  }

  async #collective(em: EntityManager, slug: string): Promise<Collective> {
    const c = await em.findOne(CollectiveSchema, { slug });
    if (!c) throw notFound(`the collective "${slug}"`);
    return c;
  }
}
