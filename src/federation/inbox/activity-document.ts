import { Activity, type DocumentLoader, getTypeId } from "@fedify/vocab";
import { defaultMaxJsonDepth, unstorableJson } from "../../shared/json-limits.ts";

/**
 * Reading what a remote server sent, in one place, the way Fedify will read it.
 *
 * A check that reads a document differently from the processor that acts on it can be walked around:
 * JSON-LD lets `@id` stand for `id`, a context define `"ident": "@id"`, an expanded document spell
 * `https://www.w3.org/ns/activitystreams#actor`, `@graph` or `@nest` wrap the properties, and a
 * compact IRI key (`as:actor`) be read as a literal rather than a link. So the inbox checks do not
 * read keys by hand: they parse the body with Fedify's own parser (`Activity.fromJsonLd`, JSON-LD
 * expansion) and the federation's own context loader, and refuse what that parser cannot read.
 */

export interface ActivityFacts {
  readonly id: URL | null;
  /** The type's IRI fragment (`Follow`, `Delete`…), or the whole IRI for a type outside ActivityStreams. */
  readonly type: string;
  readonly actorIds: readonly URL[];
  readonly objectIds: readonly URL[];
}

export type ActivityReading =
  | { readonly ok: true; readonly activity: ActivityFacts }
  | { readonly ok: false; readonly code: "invalid_json" | "unstorable" | "invalid_activity" | "context_unavailable"; readonly message: string };

export interface ActivityReaderOptions {
  /** Deadline for the whole reading, remote `@context` documents included. */
  readonly timeoutMs?: number;
  readonly maxDepth?: number;
}

const AS_NS = "https://www.w3.org/ns/activitystreams#";

/**
 * A reader of inbox bodies that loads `@context` documents with `contextLoader` (the federation's:
 * preloaded contexts offline, others fetched and cached as Fedify will) and never fetches objects.
 */
export function activityReader(contextLoader: DocumentLoader, options: ActivityReaderOptions = {}) {
  // Mastodon waits 10 s for an answer: a refusal must reach it before that.
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxDepth = options.maxDepth ?? defaultMaxJsonDepth;
  return async (body: Uint8Array | string): Promise<ActivityReading> => {
    let json: unknown;
    try {
      json = JSON.parse(typeof body === "string" ? body : Buffer.from(body).toString("utf8"));
    } catch (error) {
      return { ok: false, code: "invalid_json", message: `the body is not JSON: ${(error as Error).message}` };
    }
    const problem = unstorableJson(json, maxDepth);
    if (problem) return { ok: false, code: "unstorable", message: `the activity's ${problem.field} ${problem.message}` };
    // Fedify reads activities with their Linked Data signature detached; so do we.
    if (json !== null && typeof json === "object" && !Array.isArray(json) && "signature" in json) {
      const { signature: _signature, ...rest } = json as Record<string, unknown>;
      json = rest;
    }
    const deadline = AbortSignal.timeout(timeoutMs);
    let contextFailure: string | undefined;
    const loadContext: DocumentLoader = async (url, opts) => {
      try {
        return await contextLoader(url, { ...opts, signal: deadline });
      } catch (error) {
        contextFailure ??= deadline.aborted
          ? `its @context ${url} did not load within ${timeoutMs / 1000} s`
          : `its @context ${url} could not be loaded (${(error as Error).message})`;
        throw error;
      }
    };
    const noFetch: DocumentLoader = (url) => Promise.reject(new Error(`${url} is not fetched while reading an activity`));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("deadline")), timeoutMs);
    });
    try {
      const activity = await Promise.race([
        Activity.fromJsonLd(json, { contextLoader: loadContext, documentLoader: noFetch }),
        expired,
      ]);
      const typeId = getTypeId(activity).href;
      return {
        ok: true,
        activity: {
          id: activity.id,
          type: typeId.startsWith(AS_NS) ? typeId.slice(AS_NS.length) : typeId,
          actorIds: activity.actorIds,
          objectIds: activity.objectIds,
        },
      };
    } catch (error) {
      if (contextFailure) return { ok: false, code: "context_unavailable", message: contextFailure };
      if ((error as Error).message === "deadline") {
        return { ok: false, code: "context_unavailable", message: `the activity could not be read within ${timeoutMs / 1000} s` };
      }
      return { ok: false, code: "invalid_activity", message: `the body is not an activity Relais can read: ${oneLine((error as Error).message)}` };
    } finally {
      clearTimeout(timer);
    }
  };
}

function oneLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** The `keyId` of a draft-cavage `Signature` or an RFC 9421 `Signature-Input` header. */
export function signatureKeyId(headers: { get(name: string): string | null | undefined }): URL | undefined {
  const header = headers.get("signature-input") ?? headers.get("signature") ?? "";
  const m = /keyid="([^"]+)"/i.exec(header);
  return m?.[1] && URL.canParse(m[1]) ? new URL(m[1]) : undefined;
}

/**
 * The id of a compact JSON-LD value (a string, or an object's `id` or `@id`), for code that must look
 * at a raw document before Fedify does. Anything it cannot read is undefined, never a guess.
 */
export function idOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { id, "@id": atId } = value as { id?: unknown; "@id"?: unknown };
  if (id !== undefined && atId !== undefined) return undefined; // JSON-LD refuses both ("colliding keywords")
  const found = id ?? atId;
  return typeof found === "string" ? found : undefined;
}
