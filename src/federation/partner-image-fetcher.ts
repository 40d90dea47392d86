import { validatePublicUrl } from "@fedify/vocab-runtime";
import type { ImageFetcher } from "../modules/partner/partner.types.ts";

/**
 * Fetches partners' event images once, for the media service to check by their bytes and re-encode:
 * pages then show our copy and never make the reader's browser contact the partner's server. Bounded
 * like every outbound request (size, time); private addresses refused unless allowed; redirects
 * followed by hand (three at most) so that each hop is checked too.
 */
export class PartnerImageFetcher implements ImageFetcher {
  readonly #allowPrivateAddresses: boolean;
  readonly #timeoutMs: number;

  constructor(opts: { allowPrivateAddresses: boolean; timeoutMs?: number }) {
    this.#allowPrivateAddresses = opts.allowPrivateAddresses;
    this.#timeoutMs = opts.timeoutMs ?? 15_000;
  }

  async fetch(url: URL): Promise<Buffer | undefined> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let current = url;
    for (let hop = 0; hop < 4; hop++) {
      if (current.protocol !== "https:" && current.protocol !== "http:") return undefined;
      if (!this.#allowPrivateAddresses) await validatePublicUrl(current.href);
      const response = await fetch(current, { headers: { accept: "image/jpeg, image/png, image/webp" }, redirect: "manual", signal });
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        current = new URL(location, current);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        return undefined;
      }
      return Buffer.from(await response.arrayBuffer());
    }
    return undefined;
  }
}
