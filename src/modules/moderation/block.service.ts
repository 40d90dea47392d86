import type { EntityManager } from "@mikro-orm/postgresql";
import { z } from "zod";
import { AppError, forbidden, invalid, notFound } from "../../shared/errors.ts";
import { instanceIdentifier, type Urls } from "../../shared/urls.ts";
import { decodeCursor, keyChecks, type Page, type PageRequest, toPage } from "../../shared/list-page.ts";
import { parseOrThrow } from "../../shared/validation.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import { can, canOnInstance } from "../collective/collective.policy.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import type { Principal } from "../user/user.service.ts";
import { BlockRules } from "./block-rules.ts";
import { type BlockTarget, hostIsUnder, parseBlockInput, targetText } from "./block-target.ts";
import type { BlockKind } from "./block.entity.ts";
import {
  type BlockRow,
  blockRowsAfter,
  deleteBlock,
  deleteBlockById,
  deleteFollows,
  followsOfBlocked,
  insertBlock,
  isActorBlocked,
  listBlocks,
  loadBlockRules,
} from "./block.repository.ts";

const blockKeyShape = [(p: unknown) => typeof p === "string" && p.length <= 2048, keyChecks.uuid];

/** Who blocks: an account (an owner, or the instance admin through the API) or the operator at the CLI. */
export type BlockActor = Principal | "cli";

/** A collective's blocks (by its slug), or the instance's. */
export type BlockScope = { readonly slug: string } | "instance";

/** Turns `@user@host` into the actor's id (WebFinger, in src/federation). Failures are values. */
export type HandleResolver = (handle: { user: string; host: string; port?: number }) => Promise<{ ok: true; actor: URL } | { ok: false; reason: string }>;

export interface BlockView {
  readonly id: string | null;
  /** The collective's slug; null for the instance. */
  readonly collective: string | null;
  readonly kind: BlockKind;
  /** The domain (ASCII) or the actor's URL. */
  readonly target: string;
  readonly reason: string | null;
  readonly createdBy: string;
  readonly createdAt: Date | null;
  /** `configuration`: from RELAIS_BLOCKED_DOMAINS, removed there only. */
  readonly source: "database" | "configuration";
}

/** What a new block took away at once. */
export interface BlockPurge {
  /** Follows of ours (a collective's, or the instance actor's) by the blocked: removed, each with a Reject. */
  readonly followers: number;
  /** What registered purgers took (e.g. `partners`: our follows of the blocked, undone; `partnerEvents`). */
  readonly [what: string]: number;
}

export interface BlockResult {
  readonly block: BlockView;
  /** False when the same block existed already (nothing was purged again). */
  readonly created: boolean;
  readonly purged: BlockPurge;
}

/**
 * Something a block must also take away, in the block's transaction (partner follows and their
 * events live in their own module and register here): what it removed, counted, and what to do once
 * the transaction has committed (files, caches).
 */
export type BlockPurger = (
  em: EntityManager,
  target: BlockTarget,
  collectiveId: string | null,
) => Promise<{ counts: Record<string, number>; afterCommit?: () => Promise<void> }>;

const reasonSchema = z
  .string()
  .trim()
  .max(500, "must be at most 500 characters")
  .regex(/^[^\p{Cc}\p{Cf}]*$/u, "must be printable text, without control characters")
  .optional();

/**
 * Blocks of actors and servers, by a collective's owners or, instance-wide, by the operator. A block
 * is stored with its audit entry and takes effect in the same transaction: the blocked's follows of
 * ours are removed (a Reject is queued for each), and whatever registered purgers hold (partner
 * follows, undone; partner events). From then on `rules()` refuses their deliveries and the
 * federation layer their fetches.
 */
export class BlockService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #configuredDomains: readonly string[];
  readonly #resolveHandle: HandleResolver;
  readonly #onOutbox: () => void;
  readonly #ttlMs: number;
  readonly #purgers: BlockPurger[] = [];
  #cached: { rules: BlockRules; at: number } | undefined;
  #loading: Promise<BlockRules> | undefined;
  #generation = 0;

  constructor(
    em: EntityManager,
    urls: Urls,
    opts: {
      /** RELAIS_BLOCKED_DOMAINS: instance-wide blocks kept in the configuration. */
      configuredDomains?: readonly string[];
      resolveHandle?: HandleResolver;
      /** Called after a transaction that queued outbox rows has committed. */
      onOutbox?: () => void;
      /** How long `rules()` trusts what it read (another process's change shows after at most this). */
      cacheTtlMs?: number;
    } = {},
  ) {
    this.#em = em;
    this.#urls = urls;
    this.#configuredDomains = opts.configuredDomains ?? [];
    this.#resolveHandle = opts.resolveHandle ?? (async () => ({ ok: false, reason: "handles cannot be resolved here" }));
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.#ttlMs = opts.cacheTtlMs ?? 5000;
  }

  /** Adds something a new block takes away with it (see BlockPurger). */
  registerPurger(purger: BlockPurger): void {
    this.#purgers.push(purger);
  }

  /**
   * Every block, cached for a few seconds (each inbox POST asks): changes made in this process show at
   * once, those of another process (the CLI, another web process) within the cache's lifetime.
   */
  async rules(): Promise<BlockRules> {
    const cached = this.#cached;
    if (cached && Date.now() - cached.at < this.#ttlMs) return cached.rules;
    if (this.#loading) return this.#loading;
    const generation = this.#generation;
    const loading = (async () => {
      try {
        const rows = await loadBlockRules(this.#em.fork());
        const rules = new BlockRules([...rows, ...this.#configuredDomains.map((d) => ({ collectiveId: null, kind: "domain" as const, target: d }))]);
        if (generation === this.#generation) this.#cached = { rules, at: Date.now() };
        return rules;
      } finally {
        this.#loading = undefined;
      }
    })();
    this.#loading = loading;
    return loading;
  }

  /** Forgets the cached rules (after a change). */
  invalidate(): void {
    this.#generation += 1;
    this.#cached = undefined;
    this.#loading = undefined;
  }

  /**
   * Whether `actor` is blocked for a collective (or instance-wide with null), read from the database
   * now: for decisions that store something (a follow), which must not rely on a cache a few seconds old.
   */
  async isBlockedNow(em: EntityManager, actor: URL, collectiveId: string | null): Promise<boolean> {
    return isActorBlocked(em, actor, collectiveId, this.#configuredDomains);
  }

  async list(by: BlockActor, scope: BlockScope | "all"): Promise<BlockView[]> {
    const em = this.#em.fork();
    if (scope === "all") {
      if (!this.#mayBlockInstanceWide(by)) throw forbidden("only the instance's operator lists every block");
      return [...this.#configuredViews(), ...(await listBlocks(em, "all")).map(view)];
    }
    const collectiveId = await this.#authorise(em, by, scope);
    const rows = (await listBlocks(em, collectiveId)).map(view);
    return collectiveId === null ? [...this.#configuredViews(), ...rows] : rows;
  }

  /**
   * One page of a scope's blocks (the database's; those of RELAIS_BLOCKED_DOMAINS are `configuredDomains`),
   * by target. For the API; the CLI lists everything at once with `list`.
   */
  async page(by: BlockActor, scope: BlockScope, request: PageRequest): Promise<Page<BlockView>> {
    const after = request.cursor === undefined ? undefined : (decodeCursor(request.cursor, "blocks", blockKeyShape) as [string, string]);
    const em = this.#em.fork();
    const collectiveId = await this.#authorise(em, by, scope);
    const rows = await blockRowsAfter(em, collectiveId, after, request.limit);
    return toPage(rows, request.limit, "blocks", (b) => [b.target, b.id], view);
  }

  /** The instance-wide blocks the configuration holds (RELAIS_BLOCKED_DOMAINS), for the operator. */
  configuredDomains(by: BlockActor): readonly string[] {
    if (!this.#mayBlockInstanceWide(by)) throw forbidden("only the instance's operator sees the instance's blocks");
    return this.#configuredDomains;
  }

  /**
   * Blocks `input` (a domain, an actor's URL or a handle) for a collective or the instance, and purges
   * what it had here. Blocking again what is blocked changes nothing (`created` false).
   */
  async add(by: BlockActor, scope: BlockScope, input: string, opts: { reason?: string | undefined } = {}): Promise<BlockResult> {
    const reason = parseOrThrow(z.object({ reason: reasonSchema }), { reason: opts.reason }, "the block").reason || null;
    const em0 = this.#em.fork();
    const collectiveId = await this.#authorise(em0, by, scope);
    const target = await this.#target(input);
    const result = await this.#em.fork().transactional(async (em) => {
      const stored = await insertBlock(em, {
        collectiveId,
        kind: target.kind,
        target: targetText(target),
        reason,
        createdBy: by === "cli" ? "cli" : by.email,
      });
      if (!stored.created) return { stored, purged: { followers: 0 }, afterCommit: [] };
      const followers = await this.#rejectFollowers(em, target, collectiveId);
      const more: Record<string, number> = {};
      const afterCommit: (() => Promise<void>)[] = [];
      for (const purge of this.#purgers) {
        const done = await purge(em, target, collectiveId);
        Object.assign(more, done.counts);
        if (done.afterCommit) afterCommit.push(done.afterCommit);
      }
      await writeAudit(em, {
        collectiveId,
        actor: by,
        action: "block.add",
        subject: targetText(target),
        detail: reason ?? undefined,
      });
      return { stored, purged: { ...more, followers }, afterCommit };
    });
    this.invalidate();
    for (const after of result.afterCommit) await after();
    if (result.stored.created) this.#onOutbox();
    const slug = scope === "instance" ? null : scope.slug;
    return {
      created: result.stored.created,
      purged: result.purged,
      block: (await listBlocks(this.#em.fork(), collectiveId)).map(view).find((b) => b.id === result.stored.id) ?? {
        id: result.stored.id,
        collective: slug,
        kind: target.kind,
        target: targetText(target),
        reason,
        createdBy: by === "cli" ? "cli" : by.email,
        createdAt: new Date(),
        source: "database",
      },
    };
  }

  /** Lifts a block (what it purged stays purged: follows are not restored). */
  async remove(by: BlockActor, scope: BlockScope, input: string): Promise<void> {
    const em0 = this.#em.fork();
    const collectiveId = await this.#authorise(em0, by, scope);
    const parsed = parseBlockInput(input);
    if (!parsed.ok) throw invalid(parsed.message, [{ field: "target", message: parsed.message }]);
    if ("handle" in parsed) {
      throw invalid(`give the blocked actor's URL or domain as "relais block list" shows it, not the handle ${input.trim()}`, [
        { field: "target", message: "must be a domain or an actor's URL" },
      ]);
    }
    const text = targetText(parsed.target);
    if (collectiveId === null && parsed.target.kind === "domain" && this.#configuredDomains.includes(text)) {
      throw new AppError("conflict", 409, `${text} is blocked by the configuration (RELAIS_BLOCKED_DOMAINS): remove it there`);
    }
    await this.#em.fork().transactional(async (em) => {
      const removed = await deleteBlock(em, collectiveId, parsed.target.kind, text);
      const where = scope === "instance" ? "instance-wide" : `for "${scope.slug}"`;
      if (!removed) throw notFound(`a block of ${text} ${where}`);
      await writeAudit(em, { collectiveId, actor: by, action: "block.remove", subject: text });
    });
    this.invalidate();
  }

  /** Lifts a block known by its id (as the API lists it). */
  async removeById(by: BlockActor, scope: BlockScope, id: string): Promise<void> {
    const em0 = this.#em.fork();
    const collectiveId = await this.#authorise(em0, by, scope);
    const where = scope === "instance" ? "instance-wide" : `of "${scope.slug}"`;
    if (!keyChecks.uuid(id)) throw notFound(`a block ${id} ${where}`);
    await this.#em.fork().transactional(async (em) => {
      const removed = await deleteBlockById(em, collectiveId, id);
      if (!removed) throw notFound(`a block ${id} ${where}`);
      await writeAudit(em, { collectiveId, actor: by, action: "block.remove", subject: removed });
    });
    this.invalidate();
  }

  /** The collective's id (null for the instance) once `by` may manage its blocks. */
  async #authorise(em: EntityManager, by: BlockActor, scope: BlockScope): Promise<string | null> {
    if (scope === "instance") {
      if (!this.#mayBlockInstanceWide(by)) throw forbidden("only the instance's operator blocks instance-wide");
      return null;
    }
    const collective = await em.findOne(CollectiveSchema, { slug: scope.slug });
    if (!collective) throw notFound(`the collective "${scope.slug}"`);
    if (by !== "cli" && !can(by, "manage-blocks", collective.id)) throw forbidden(`only owners of "${scope.slug}" manage its blocks`);
    return collective.id;
  }

  #mayBlockInstanceWide(by: BlockActor): boolean {
    return by === "cli" || canOnInstance(by, "manage-instance-blocks");
  }

  /** Reads and checks what to block; a handle is resolved to its actor. */
  async #target(input: string): Promise<BlockTarget> {
    const parsed = parseBlockInput(input);
    if (!parsed.ok) throw invalid(parsed.message, [{ field: "target", message: parsed.message }]);
    let target: BlockTarget;
    if ("handle" in parsed) {
      const { user, host, port } = parsed.handle;
      const handle = `@${user}@${host}${port === undefined ? "" : `:${port}`}`;
      if ((await this.rules()).blocksHost(parsed.handle.host)) {
        throw invalid(`${parsed.handle.host} is blocked instance-wide: nothing is asked of it, so ${handle} cannot be looked up; give the actor's URL`, [
          { field: "target", message: "give the actor's URL" },
        ]);
      }
      const resolved = await this.#resolveHandle(parsed.handle);
      if (!resolved.ok) {
        throw invalid(`${handle} could not be looked up (${resolved.reason}); give the actor's URL instead`, [{ field: "target", message: "give the actor's URL" }]);
      }
      target = { kind: "actor", actor: resolved.actor };
    } else {
      target = parsed.target;
    }
    const own = this.#urls.origin;
    if (target.kind === "domain" && hostIsUnder(own.hostname, target.domain)) {
      throw invalid(`${target.domain} is this instance's own domain (${own.hostname}): it cannot be blocked`, [{ field: "target", message: "is this instance's domain" }]);
    }
    if (target.kind === "actor" && target.actor.origin === own.origin) {
      throw invalid(`${target.actor.href} is an actor of this instance: it cannot be blocked`, [{ field: "target", message: "is a local actor" }]);
    }
    return target;
  }

  /** Removes the blocked's follows of ours (in scope), queuing a Reject for each; returns how many. */
  async #rejectFollowers(em: EntityManager, target: BlockTarget, collectiveId: string | null): Promise<number> {
    const rows = await followsOfBlocked(em, target, collectiveId);
    for (const row of rows) {
      const slug = row.slug ?? instanceIdentifier;
      await writeOutbox(em, this.#urls.followAnswer(slug, "reject", row.followActivityId).href, {
        kind: "reject-follow",
        collectiveId: row.collectiveId,
        followerApId: row.actorApId,
        followActivityId: row.followActivityId,
      });
    }
    await deleteFollows(em, rows.map((r) => r.id));
    return rows.length;
  }

  #configuredViews(): BlockView[] {
    return this.#configuredDomains.map((d) => ({
      id: null,
      collective: null,
      kind: "domain",
      target: d,
      reason: null,
      createdBy: "configuration",
      createdAt: null,
      source: "configuration",
    }));
  }
}

function view(row: BlockRow): BlockView {
  return {
    id: row.id,
    collective: row.slug,
    kind: row.kind,
    target: row.target,
    reason: row.reason,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    source: "database",
  };
}
