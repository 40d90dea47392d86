import express, { type ErrorRequestHandler, type Request, type Response, Router } from "express";
import type { AccountLinkService } from "../../modules/account/account-link.service.ts";
import type { AccountService } from "../../modules/account/account.service.ts";
import type { MembershipService } from "../../modules/account/membership.service.ts";
import type { SecondFactorService } from "../../modules/account/second-factor.service.ts";
import type { AuditService } from "../../modules/audit/audit.service.ts";
import type { EventService } from "../../modules/event/event.service.ts";
import type { EventSeriesService } from "../../modules/event/event-series.service.ts";
import type { CallService } from "../../modules/call/call.service.ts";
import type { PressKitService } from "../../modules/presskit/presskit.service.ts";
import type { SloganService } from "../../modules/slogan/slogan.service.ts";
import type { PartnerSlogans } from "../../modules/slogan/slogan.types.ts";
import type { BlockService } from "../../modules/moderation/block.service.ts";
import type { CosignService } from "../../modules/cosign/cosign.service.ts";
import type { JoinRequestService } from "../../modules/cosign/join-requests.service.ts";
import type { PartnerCallService } from "../../modules/call/partner-calls.service.ts";
import type { CallToJoinReader } from "../../federation/cosign-call-reader.ts";
import type { PartnerService } from "../../modules/partner/partner.service.ts";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { Mailer } from "../../mail/mailer.ts";
import type { MediaService } from "../../modules/media/media.service.ts";
import type { Urls } from "../../shared/urls.ts";
import type { RateLimit } from "../rate-limits.ts";
import { LoginThrottle } from "../auth/login-throttle.ts";
import type { SessionService } from "../../modules/account/session.service.ts";
import type { CollectiveService } from "../../modules/collective/collective.service.ts";
import type { UserService } from "../../modules/user/user.service.ts";
import { AppError } from "../../shared/errors.ts";
import type { Translate } from "../../shared/i18n.ts";
import type { EventWording } from "../../modules/event/event-summary.ts";
import { html } from "../html.ts";
import { CookieJar } from "../auth/cookies.ts";
import { csrfGuard, loadWebSession, webAuthOf } from "../auth/web-session.ts";
import { accountRoutes } from "./account.routes.ts";
import { callRoutes } from "./call.routes.ts";
import { type SloganLookup, sloganRoutes } from "./slogan.routes.ts";
import { sloganAdoptRoutes } from "./slogan-adopt.routes.ts";
import { presskitRoutes, presskitUploadErrors } from "./presskit.routes.ts";
import { actionKitRoutes } from "./actionkit.routes.ts";
import type { ActionKitService } from "../../modules/actionkit/actionkit.service.ts";
import type { PartnerKits } from "../../modules/actionkit/actionkit.types.ts";
import { type ActionKitLookup, actionKitAdoptRoutes } from "./actionkit-adopt.routes.ts";
import { networkRoutes, type PartnerLookup } from "./network.routes.ts";
import { type CosignLookup, cosignRoutes } from "./cosign.routes.ts";
import { joinRoutes } from "./join.routes.ts";
import { coorganiseRoutes } from "./coorganise.routes.ts";
import type { CoorganiseHostService } from "../../modules/coorganise/coorganise-host.service.ts";
import type { CoorganisePartnerService } from "../../modules/coorganise/coorganise-partner.service.ts";
import { collectiveRoutes } from "./collective.routes.ts";
import { dashboardRoutes } from "./dashboard.routes.ts";
import { eventRoutes } from "./event.routes.ts";
import { seriesRoutes } from "./series.routes.ts";
import { linkRoutes } from "./link.routes.ts";
import { membersRoutes } from "./members.routes.ts";
import { securityRoutes } from "./security.routes.ts";
import { settingsRoutes } from "./settings.routes.ts";
import { editorView } from "./editor-context.ts";
import { multipartForm } from "./multipart-form.ts";
import { type EditorView, editorPage } from "./pages/editor-layout.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

export interface EditorDeps {
  readonly origin: URL;
  readonly sessions: SessionService;
  readonly accounts: AccountService;
  readonly users: UserService;
  readonly collectives: CollectiveService;
  readonly followers: FollowerService;
  readonly events?: EventService;
  /** Recurring events: their occurrences cancelled, moved or held elsewhere, the series split or ended. */
  readonly series?: EventSeriesService;
  readonly calls?: CallService;
  readonly slogans?: SloganService;
  readonly presskits?: PressKitService;
  readonly actionkits?: ActionKitService;
  readonly partners?: PartnerService;
  /** Finds a partner's actor by handle or URL (the federation layer's resolver). */
  readonly partnerLookup?: PartnerLookup;
  /** Reads a partner's slogan by the URL of its post, to adopt it (the federation layer's reader). */
  readonly sloganLookup?: SloganLookup;
  /** Reads a partner's action kit by its URL (here or on another server), and lists partners' kits, to adopt one. */
  readonly actionKitLookup?: ActionKitLookup;
  readonly partnerKits?: (partners: readonly { actorApId: string; name: string | null; handle: string | null }[]) => Promise<PartnerKits[]>;
  /** The published slogans of partners (here, or on their servers), to adopt one. */
  readonly partnerSlogans?: (partners: readonly { actorApId: string; name: string | null; handle: string | null }[]) => Promise<PartnerSlogans[]>;
  readonly blocks?: BlockService;
  readonly cosign?: CosignService;
  /** Finds a partner collective that can sign, by handle or URL (the federation layer's lookup). */
  readonly cosignLookup?: CosignLookup;
  /** Requests to sign open calls (both sides), and the reader of another server's call to ask for. */
  readonly joins?: JoinRequestService;
  readonly callToJoin?: CallToJoinReader;
  /** Open calls of the partners a collective follows (kept from federation), listed on the join screen. */
  readonly partnerCalls?: Pick<PartnerCallService, "openFor">;
  /** Events organised together: the host's invitations and co-organisers, the invited collective's answers. */
  readonly coorganise?: { readonly host: CoorganiseHostService; readonly partner: CoorganisePartnerService };
  readonly secondFactor: SecondFactorService;
  readonly links: AccountLinkService;
  readonly memberships: MembershipService;
  readonly audit: AuditService;
  readonly mailer: Mailer | undefined;
  readonly limits: { readonly loginAddress: RateLimit; readonly loginAccount: RateLimit; readonly secondFactor: RateLimit };
  readonly media: MediaService;
  readonly urls: Urls;
  /** The interface's translations, and events worded with them (the preview of what followers see). */
  readonly translate: Translate;
  readonly wording: EventWording;
  /** Largest image upload. */
  readonly maxUploadBytes: number;
}

/** What the editor's route modules share. */
export interface EditorContext extends EditorDeps {
  readonly cookies: CookieJar;
  readonly loginThrottle: LoginThrottle;
  view(req: Request, res: Response): EditorView;
  t: Translate;
}

/**
 * The editor's web interface under /manage: server-rendered forms that work without JavaScript, over
 * the same services as the JSON API. Every request: no-store → form body → session → CSRF check on
 * anything that is not a GET → the route (login check → validation → service) → errors as pages.
 */
export function editorRouter(deps: EditorDeps): Router {
  const cookies = new CookieJar(deps.origin);
  const loginThrottle = new LoginThrottle({ byAddress: deps.limits.loginAddress, byAccount: deps.limits.loginAccount });
  const ctx: EditorContext = { ...deps, cookies, loginThrottle, view: (req, res) => editorView(req, res, cookies), t: deps.translate };
  const r = Router();
  r.use((_req, res, next) => {
    res.set({ "Cache-Control": "no-store", "X-Robots-Tag": "noindex" });
    res.type("html");
    next();
  });
  r.use(express.urlencoded({ extended: false, limit: "256kb", parameterLimit: 1000 }));
  r.use(loadWebSession({ sessions: deps.sessions, users: deps.users, cookies }));
  // Forms with an image: read (bounded, token first) before the CSRF check, which then reads their token.
  r.use(multipartForm({ maxFileBytes: deps.maxUploadBytes, maxFieldBytes: 256 * 1024, expectedToken: (res) => webAuthOf(res).principal ? webAuthOf(res).session?.csrfToken : undefined }));
  r.use(csrfGuard({ origin: deps.origin, cookies }));
  r.use(accountRoutes(ctx));
  r.use(securityRoutes(ctx));
  r.use(linkRoutes(ctx));
  r.use(collectiveRoutes(ctx));
  r.use(dashboardRoutes(ctx));
  r.use(membersRoutes(ctx));
  r.use(settingsRoutes(ctx));
  r.use(eventRoutes(ctx));
  r.use(seriesRoutes(ctx));
  r.use(callRoutes(ctx));
  r.use(sloganAdoptRoutes(ctx));
  r.use(sloganRoutes(ctx));
  r.use(presskitRoutes(ctx));
  r.use(actionKitAdoptRoutes(ctx));
  r.use(actionKitRoutes(ctx));
  r.use(networkRoutes(ctx));
  r.use(cosignRoutes(ctx));
  r.use(joinRoutes(ctx));
  r.use(coorganiseRoutes(ctx));
  r.use(presskitUploadErrors(ctx));
  r.use(editorErrors(ctx));
  const outer = Router();
  outer.use(editorPrefix, r);
  return outer;
}

/** Errors the editor can act on, as pages in their language; anything else goes to the app's handler. */
function editorErrors(ctx: EditorContext): ErrorRequestHandler {
  return (err, req, res, next) => {
    const known = err instanceof AppError ? err : typeof err?.status === "number" && err.status < 500 ? new AppError("bad_request", err.status, "") : undefined;
    if (!known || res.headersSent) return next(err);
    const view = ctx.view(req, res);
    const key = ["csrf", "forbidden", "not_found", "unauthorized", "throttled", "too_large"].includes(known.code) ? known.code : "invalid";
    const body = html`<h1>${ctx.t(view.lang, `editor:errors.${key}`, { size: Math.floor(ctx.maxUploadBytes / (1024 * 1024)) })}</h1>
${known.code === "invalid" && known.message ? html`<p>${known.message}</p>` : ""}
<p><a href="${known.code === "unauthorized" ? editorPaths.login : editorPaths.home}">${ctx.t(view.lang, known.code === "unauthorized" ? "editor:login.title" : "editor:nav.dashboard")}</a></p>`;
    res.status(known.status).type("html").send(editorPage({ view, title: ctx.t(view.lang, `editor:errors.${key}`), body, path: editorPaths.home }));
  };
}
