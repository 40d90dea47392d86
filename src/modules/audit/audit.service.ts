import type { EntityManager } from "@mikro-orm/postgresql";
import { forbidden, notFound } from "../../shared/errors.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import { can } from "../collective/collective.policy.ts";
import type { Principal } from "../user/user.service.ts";
import { type AuditAction, AuditEntrySchema } from "./audit.entity.ts";

export interface AuditView {
  readonly at: Date;
  readonly actor: string;
  readonly action: AuditAction;
  readonly subject: string;
  readonly detail: string | null;
}

/** The audit log of a collective, for its owners. */
export class AuditService {
  readonly #em: EntityManager;
  constructor(em: EntityManager) {
    this.#em = em;
  }

  async list(principal: Principal, slug: string, opts: { limit?: number; before?: number } = {}): Promise<AuditView[]> {
    const em = this.#em.fork();
    const collective = await em.findOne(CollectiveSchema, { slug });
    if (!collective) throw notFound(`the collective "${slug}"`);
    if (!can(principal, "view-audit", collective.id)) throw forbidden(`only owners of "${slug}" see its audit log`);
    const rows = await em.find(
      AuditEntrySchema,
      { collective: collective.id, ...(opts.before ? { id: { $lt: opts.before } } : {}) },
      { orderBy: { id: "desc" }, limit: Math.min(opts.limit ?? 100, 500) },
    );
    return rows.map((r) => ({ at: r.createdAt, actor: r.actor, action: r.action, subject: r.subject, detail: r.detail ?? null }));
  }
}
