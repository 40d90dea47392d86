import { Router } from "express";
import { z } from "zod";
import type { BlockPurge, BlockScope, BlockService, BlockView } from "../modules/moderation/block.service.ts";
import type { UserService } from "../modules/user/user.service.ts";
import { parseOrThrow } from "../shared/validation.ts";
import type { RateLimit } from "../web/rate-limits.ts";
import { principalOf, requireToken } from "./auth.ts";
import { jsonBody } from "./json-body.ts";
import { parsePageQuery, presentPage } from "./pagination.ts";

export const presentBlock = (b: BlockView) => ({
  id: b.id,
  collective: b.collective,
  kind: b.kind,
  target: b.target,
  reason: b.reason,
  createdBy: b.createdBy,
  createdAt: b.createdAt?.toISOString() ?? null,
});

const presentPurge = (p: BlockPurge) => ({ followers: p.followers, partners: p.partners ?? 0, partnerEvents: p.partnerEvents ?? 0 });

/** What to block: a domain, an actor's URL or a handle; why, optionally. */
const blockInput = z
  .object({
    target: z.string({ error: "give a domain (spam.example), an actor's URL or a handle (@user@host)" }).max(2100, "is too long"),
    reason: z.string({ error: "must be text" }).optional(),
  })
  .strict();

/**
 * Blocks: a collective's owners manage its blocks (`/api/v1/collectives/{slug}/blocks`), the instance
 * admin the instance-wide ones (`/api/v1/blocks`). Token → validation → service → presenter.
 */
export function blocksApiRouter(deps: { blocks: BlockService; users: UserService; authFailures?: RateLimit }): Router {
  const router = Router();
  const auth = requireToken(deps.users, deps.authFailures);
  const json = jsonBody();

  const routes = (path: string, scopeOf: (params: Record<string, string | string[] | undefined>) => BlockScope) => {
    router.get(path, auth, async (req, res) => {
      const scope = scopeOf(req.params);
      const page = await deps.blocks.page(principalOf(res), scope, parsePageQuery(req.query));
      res.json({
        ...presentPage(page, presentBlock),
        ...(scope === "instance" ? { configured: deps.blocks.configuredDomains(principalOf(res)) } : {}),
      });
    });
    router.post(path, auth, json, async (req, res) => {
      const input = parseOrThrow(blockInput, req.body, "the block");
      const result = await deps.blocks.add(principalOf(res), scopeOf(req.params), input.target, { reason: input.reason });
      res.status(result.created ? 201 : 200).json({ block: presentBlock(result.block), created: result.created, purged: presentPurge(result.purged) });
    });
    router.delete(`${path}/:id`, auth, async (req, res) => {
      await deps.blocks.removeById(principalOf(res), scopeOf(req.params), String(req.params.id));
      res.status(204).end();
    });
  };
  routes("/api/v1/blocks", () => "instance");
  routes("/api/v1/collectives/:slug/blocks", (params) => ({ slug: String(params.slug) }));
  return router;
}
