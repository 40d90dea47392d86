import type { Router } from "express";
import type { ActionKitService } from "../../modules/actionkit/actionkit.service.ts";
import type { IncomingKit, PartnerKits } from "../../modules/actionkit/actionkit.types.ts";
import { AppError } from "../../shared/errors.ts";
import { adoptRoutes } from "./adopt.routes.ts";
import type { EditorContext } from "./editor.router.ts";
import { adoptActionKitPage } from "./pages/actionkit-adopt.pages.ts";
import { editorPaths } from "./paths.ts";

/** Reads a partner's kit by the URL of its Article, here or on another server (the federation layer's reader); failures are values. */
export type ActionKitLookup = (url: string) => Promise<{ ok: true; kit: IncomingKit } | { ok: false; reason: string }>;

/**
 * Adopting a partner's action kit from the editor (the network view): the published kits of the
 * partners the collective follows, read where they live (this instance, or the partner's server), or
 * any by the address of its page. Over ActionKitService.adopt, as the API and the CLI: only from a
 * partner, once per original; the copy is a draft to translate, that names and links its origin.
 */
export function actionKitAdoptRoutes(ctx: EditorContext): Router {
  const kits = (): ActionKitService => {
    if (!ctx.actionkits) throw new AppError("not_found", 404, "");
    return ctx.actionkits;
  };
  return adoptRoutes<IncomingKit>(ctx, {
    path: "/@:slug/kits/adopt",
    async page({ view, principal, collective: c, partners, extra }) {
      const lists: PartnerKits[] = ctx.partnerKits ? await ctx.partnerKits(partners) : partners.map((partner) => ({ partner, kits: [], unreadable: true }));
      const ours = await kits().list(c.slug, principal, { includeDrafts: true, limit: 500 });
      const adopted = new Map(ours.flatMap((k) => (k.origin ? [[k.origin.apId, k.id] as const] : [])));
      return adoptActionKitPage(view, { slug: c.slug, partners: lists, adopted, ...extra });
    },
    async lookup(url) {
      const read = ctx.actionKitLookup ? await ctx.actionKitLookup(url) : { ok: false as const, reason: "no reader" };
      return read.ok ? { ok: true, value: read.kit } : read;
    },
    adopt: (principal, slug, kit) => kits().adopt(principal, slug, kit, { published: false }),
    editPath: (id) => editorPaths.actionkit(id),
    problem: (lang, key, reason) => ctx.t(lang, `actionkit:editor.adoptProblem.${key}`, { reason }),
  });
}
