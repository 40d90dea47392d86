import { getLogger } from "@logtape/logtape";

const logger = getLogger(["relais", "federation", "signatures"]);

export type SignatureSpec = "rfc9421" | "draft-cavage-http-signatures-12";

/** How long a first knock's answer is kept for the second knock of the same request. */
const secondKnockWindowMs = 30_000;
/** How long a 2xx to a signature spec counts as proof that the server accepts it (Fedify writes right after). */
const acceptedWindowMs = 60_000;
const maxRemembered = 10_000;

/**
 * Whether an answer to a signed request may mean "I could not verify that signature", so that signing
 * the same request with the other spec could help: 400 and 401 (what Fedify itself reads as a
 * signature problem when it decides what to remember), and a server error in answer to an RFC 9421
 * signature (Gancio 1.21 cannot parse one and answers 500).
 */
export function mayBeSignatureFailure(status: number, spec: SignatureSpec): boolean {
  return status === 400 || status === 401 || (spec === "rfc9421" && status >= 500);
}

export function signatureSpecOf(headers: Headers): SignatureSpec | null {
  if (headers.has("signature-input")) return "rfc9421";
  if (headers.has("signature")) return "draft-cavage-http-signatures-12";
  return null;
}

interface FirstAnswer {
  readonly spec: SignatureSpec;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly body: Uint8Array<ArrayBuffer>;
  readonly url: string;
  readonly at: number;
}

/**
 * Knock once where once is enough. Fedify signs a request with one spec and, after any 4xx or 5xx,
 * signs it again with the other one and sends it a second time. This fetch layer remembers the first
 * answer when it cannot be a signature failure (a 404 to an activity the server does not handle, a 410,
 * a 500 to a draft-cavage signature…) and answers the second knock with it, without sending anything.
 * It also notes which spec each server accepted (a 2xx), so that Fedify's memory of "what works per
 * server" keeps only what was seen to work (see `acceptedRecently`).
 */
export class KnockMemory {
  readonly #firstAnswers = new Map<string, FirstAnswer>();
  readonly #accepted = new Map<string, number>();

  wrap(base: typeof fetch): typeof fetch {
    const knockOnce = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request = input instanceof Request ? input : null;
      const headers = new Headers(init?.headers ?? request?.headers);
      const spec = signatureSpecOf(headers);
      if (spec === null) return base(input, init);
      const url = request?.url ?? String(input);
      const key = `${init?.method ?? request?.method ?? "GET"} ${url} ${bodyDigestOf(headers)}`;
      const first = this.#firstAnswers.get(key);
      if (first && first.spec !== spec && Date.now() - first.at < secondKnockWindowMs) {
        this.#firstAnswers.delete(key);
        logger.debug("{url} answered {status} to a {first} signature, which is no signature failure: not sending it again signed with {spec}", {
          url,
          status: first.status,
          first: first.spec,
          spec,
        });
        return replay(first);
      }
      const response = await base(input, init);
      if (response.ok) {
        this.#remember(this.#accepted, `${new URL(url).origin} ${spec}`, Date.now());
      } else if (response.status >= 400 && !mayBeSignatureFailure(response.status, spec)) {
        const body = new Uint8Array(await response.clone().arrayBuffer());
        const { status, statusText } = response;
        this.#remember(this.#firstAnswers, key, { spec, status, statusText, headers: new Headers(response.headers), body, url: response.url, at: Date.now() });
      }
      return response;
    };
    return knockOnce as typeof fetch;
  }

  /** Whether `origin` answered a request signed with `spec` with a 2xx in the last minute. */
  acceptedRecently(origin: string, spec: unknown): boolean {
    const at = this.#accepted.get(`${origin} ${String(spec)}`);
    return at !== undefined && Date.now() - at < acceptedWindowMs;
  }

  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > maxRemembered) map.delete(map.keys().next().value as string);
  }
}

/** The body's SHA-256 as either spec carries it (`Digest` or `Content-Digest`), "" without a body. */
function bodyDigestOf(headers: Headers): string {
  const header = headers.get("content-digest") ?? headers.get("digest") ?? "";
  return /sha-256=:?([A-Za-z0-9+/=]+)/i.exec(header)?.[1] ?? "";
}

function replay(first: FirstAnswer): Response {
  const response = new Response(first.body.byteLength > 0 ? first.body : null, {
    status: first.status,
    statusText: first.statusText,
    headers: first.headers,
  });
  Object.defineProperty(response, "url", { value: first.url });
  return response;
}
