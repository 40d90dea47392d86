import { signRequest, verifyRequest } from "@fedify/fedify";
import { validatePublicUrl } from "@fedify/vocab-runtime";
import { getLogger } from "@logtape/logtape";
import type { KitReportService } from "../modules/actionkit/kit-reports.service.ts";
import { sleepUnlessAborted } from "../shared/sleep.ts";
import { instanceIdentifier, type Urls } from "../shared/urls.ts";
import type { RelaisFederation } from "./federation.ts";
import { isObject } from "./mappers/json-values.ts";
import { signedGet } from "./object-proofs.ts";

const logger = getLogger(["relais", "actionkits", "counts"]);

/** A copy reports at most this often (a report sooner is answered 429). */
export const reportMinIntervalMs = 10 * 60 * 1000;
/** How long one report may take, either way: a slow server costs a round this much, once. */
const timeoutMs = 10_000;
const maxLanguages = 20;
const maxCount = 1_000_000_000;
const languageTag = /^[a-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;

/** The answer to a report: a status, and what to say. */
export interface ReportAnswer {
  readonly status: number;
  readonly message?: string;
  readonly retryAfterSeconds?: number;
  /** With 200: the counts kept of a report whose increase was capped (ADR 0036). */
  readonly body?: { readonly counts: Readonly<Record<string, number>> };
}

const sameCounts = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([lang, n]) => b[lang] === n);

/** The counts of a report, or why they are refused: at most 20 languages, each a whole number. */
function parseCounts(v: unknown): Record<string, number> | string {
  if (!isObject(v)) return "counts must be an object of language → number";
  const entries = Object.entries(v);
  if (entries.length > maxLanguages) return `at most ${maxLanguages} languages`;
  for (const [lang, n] of entries) {
    if (!languageTag.test(lang)) return `"${lang.slice(0, 20)}" is not a language tag`;
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || n > maxCount) return `the count of ${lang} must be a whole number from 0 to ${maxCount}`;
  }
  return Object.fromEntries(entries) as Record<string, number>;
}

/** The counts an origin says it kept of a report (200 `{counts}`), if it says so in a shape we accept. */
function keptCounts(text: string): Record<string, number> | undefined {
  if (text.length > 4096) return undefined;
  try {
    const json: unknown = JSON.parse(text);
    const counts = isObject(json) ? parseCounts(json.counts) : undefined;
    return typeof counts === "object" ? counts : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The counts of action kits across servers (ADR 0032, FEDERATION.md "Action kits"). A server that adopted
 * a kit of another server reports its copy's counts to the kit's origin: a signed POST of `{id, origin,
 * counts}` from its instance actor, at most once per round (an hour in the worker) and only when they
 * changed, and once that a copy whose counts were told was deleted (ADR 0035). The origin checks the
 * signature (a key on the copy's server), the first time that the copy names the kit as its origin (its
 * `text.json`, whose `attributedTo` it keeps), and keeps the last counts per copy; a deleted copy's go. No server ever waits
 * on another: a report has a timeout, a server that fails is skipped until the next round, and a kit's
 * page adds what was last reported.
 */
export class KitCountExchange {
  readonly #federation: RelaisFederation;
  readonly #urls: Urls;
  readonly #kits: KitReportService;
  readonly #refuses: (url: URL) => Promise<boolean>;
  readonly #allowPrivateAddresses: boolean;

  constructor(deps: { federation: RelaisFederation; urls: Urls; reports: KitReportService; allowPrivateAddresses: boolean; refuses?: (url: URL) => Promise<boolean> }) {
    this.#federation = deps.federation;
    this.#urls = deps.urls;
    this.#kits = deps.reports;
    this.#allowPrivateAddresses = deps.allowPrivateAddresses;
    this.#refuses = deps.refuses ?? (async () => false);
  }

  /**
   * One round of reports: each of our published kits adopted from another server whose counts changed
   * since its origin was last told (at most `limit`), and each of those deleted since their origin was
   * told counts (at most `limit`; counted as reported once told). A server that does not answer in time, fails or
   * says "too soon" is left for the next round, and its other kits are not tried in this one.
   */
  async reportRound(limit = 100): Promise<{ reported: number; refused: number; failed: number }> {
    const result = { reported: 0, refused: 0, failed: 0 };
    const due = await this.#kits.countsToReport(limit);
    const gone = await this.#kits.deletedCopiesToTell(limit);
    if (due.length === 0 && gone.length === 0) return result;
    const ctx = this.#federation.createContext(this.#urls.origin, undefined);
    const pairs = await ctx.getActorKeyPairs(instanceIdentifier);
    const rsa = pairs.find((p) => p.privateKey.algorithm.name === "RSASSA-PKCS1-v1_5");
    if (!rsa) throw new Error("the instance actor has no RSA key to sign with");
    const skipped = new Set<string>();
    // Each report: the copy, its origin, and its counts, or that it was deleted (ADR 0035).
    const reports = [
      ...due.map(({ kit, originApId, counts }) => ({
        kitId: kit.id,
        body: { id: kit.apId.href, origin: originApId, counts },
        // An origin that kept less (its cap, ADR 0036) is told the rest in a later round.
        done: (kept?: Record<string, number>) => this.#kits.countsReported(kit.id, originApId, kept ?? counts),
      })),
      ...gone.map(({ kitId, apId, originApId }) => ({ kitId, body: { id: apId.href, origin: originApId, deleted: true }, done: () => this.#kits.deletionReported(kitId) })),
    ];
    for (const { kitId, body, done } of reports) {
      const origin = new URL(body.origin);
      if (skipped.has(origin.origin)) continue;
      const target = this.#urls.actionKitRemoteCounts(origin);
      let status: number;
      let kept: Record<string, number> | undefined;
      try {
        if (await this.#refuses(origin)) status = 403;
        else {
          if (!this.#allowPrivateAddresses) await validatePublicUrl(target.href);
          const request = new Request(target, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(body) });
          const signed = await signRequest(request, rsa.privateKey, rsa.keyId, { spec: "draft-cavage-http-signatures-12" });
          const response = await fetch(signed, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
          status = response.status;
          if (status === 200 && "counts" in body) kept = keptCounts(await response.text().catch(() => ""));
          else await response.body?.cancel();
        }
      } catch (error) {
        logger.debug("reporting the counts of {kit} to {target} failed: {error}", { kit: kitId, target: target.href, error: String(error) });
        status = 0;
      }
      if (status >= 200 && status < 300) {
        await done(kept);
        result.reported++;
      } else if (status >= 400 && status < 500 && status !== 429 && status !== 408) {
        // Not a Relais origin, the kit gone, or a refusal: not asked again until the counts change.
        await done();
        result.refused++;
      } else {
        skipped.add(origin.origin);
        result.failed++;
      }
    }
    if (result.failed > 0 || result.refused > 0) logger.info("kit counts reported: {reported}, refused: {refused}, left for the next round: {failed}", result);
    return result;
  }

  /** Reports every `intervalMs` (an hour) until the signal aborts. */
  async run(signal: AbortSignal, intervalMs = 60 * 60 * 1000): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.reportRound();
      } catch (error) {
        logger.warn("reporting kit counts failed: {error}", { error: String(error) });
      }
      await sleepUnlessAborted(intervalMs, signal);
    }
  }

  /**
   * A report of another server's copy of our kit `kitId` (the request as received, its body at most a
   * few kB). Signed by a key on the copy's server; a copy reported for the first time must name the kit
   * as its origin in its `text.json` (a signed GET from our instance actor, with a timeout).
   */
  async receive(kitId: string, request: Request): Promise<ReportAnswer> {
    if (!(await this.#kits.knowsKit(kitId))) return { status: 404, message: "no published action kit here" };
    const body = await request.clone().text();
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return { status: 400, message: "the body must be JSON: {id, origin, counts}" };
    }
    if (!isObject(json) || typeof json.id !== "string" || !URL.canParse(json.id)) return { status: 400, message: "id must be the URL of the copy" };
    const kitUrl = this.#urls.actionKit(kitId).href;
    if (json.origin !== kitUrl) return { status: 400, message: `origin must be ${kitUrl}` };
    const copy = new URL(json.id);
    if (!/^https?:$/.test(copy.protocol) || copy.origin === this.#urls.origin.origin) return { status: 400, message: "id must be a copy on another server" };
    const deleted = json.deleted === true;
    const counts = deleted ? {} : parseCounts(json.counts);
    if (typeof counts === "string") return { status: 400, message: counts };
    if (!deleted && (await this.#refuses(copy))) return { status: 403, message: "this server is blocked here" };

    const ctx = this.#federation.createContext(this.#urls.origin, undefined);
    const documentLoader = await ctx.getDocumentLoader({ identifier: instanceIdentifier });
    const key = await verifyRequest(request, { documentLoader, contextLoader: ctx.contextLoader }).catch(() => null);
    if (!key?.id || key.id.origin !== copy.origin || (key.ownerId && key.ownerId.origin !== copy.origin)) {
      return { status: 401, message: "the report must be signed with a key of the copy's server" };
    }
    // Its server says the copy is gone: what it reported for it goes too (nothing to check, it can only lower the count).
    if (deleted) {
      await this.#kits.forgetRemoteCopy(kitId, copy.href);
      return { status: 204 };
    }
    let author: URL | undefined;
    if (!(await this.#kits.knowsRemoteCopy(kitId, copy.href))) {
      const text = await signedGet(ctx, instanceIdentifier, this.#urls.actionKitText(copy), { allowPrivateAddresses: this.#allowPrivateAddresses });
      if (!text.ok) return { status: 422, message: `the copy's text could not be read: ${text.reason}` };
      const origin = isObject(text.json.origin) ? text.json.origin.id : undefined;
      author = typeof text.json.attributedTo === "string" && URL.canParse(text.json.attributedTo) ? new URL(text.json.attributedTo) : undefined;
      if (text.json.id !== copy.href || origin !== kitUrl || author?.origin !== copy.origin) return { status: 422, message: `${copy.href} is not a copy of ${kitUrl}` };
    }
    const outcome = await this.#kits.receiveRemoteCounts(kitId, { apId: copy.href, actorApId: author?.href }, counts, reportMinIntervalMs);
    // Part of an increase left for later reports (ADR 0036): say what was kept, so the copy reports again.
    if (outcome.ok) return sameCounts(outcome.kept, counts) ? { status: 204 } : { status: 200, body: { counts: outcome.kept } };
    if (outcome.reason === "too-soon") return { status: 429, message: "the counts of this copy were reported a short while ago", retryAfterSeconds: outcome.retryAfterSeconds };
    return { status: 404, message: "no published action kit here" };
  }
}
