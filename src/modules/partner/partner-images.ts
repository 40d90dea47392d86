import { getLogger } from "@logtape/logtape";
import type { MediaService } from "../media/media.service.ts";
import type { PartnerEventImage } from "./partner.entity.ts";
import type { ImageFetcher, IncomingEvent, PartnerBlockCheck } from "./partner.types.ts";

const logger = getLogger(["relais", "partner"]);

/** Partner events' images as we keep them: fetched and re-encoded once per source URL; files removed after commits. */
export class PartnerImages {
  readonly #media: MediaService;
  readonly #fetcher: ImageFetcher | undefined;
  readonly #isBlocked: PartnerBlockCheck;

  constructor(media: MediaService, fetcher: ImageFetcher | undefined, isBlocked: PartnerBlockCheck) {
    this.#media = media;
    this.#fetcher = fetcher;
    this.#isBlocked = isBlocked;
  }

  /** The event's image as we keep it: fetched and re-encoded once per source URL, or not shown. */
  async keep(event: IncomingEvent, held: PartnerEventImage | null): Promise<PartnerEventImage | null> {
    const wanted = event.image;
    if (!wanted) return null;
    if (held?.sourceUrl === wanted.url) return { ...held, alt: wanted.alt };
    let name: string | undefined;
    let mediaType: string | undefined;
    // Nothing is fetched from a server blocked instance-wide.
    if (this.#fetcher && URL.canParse(wanted.url) && !(await this.#isBlocked(new URL(wanted.url), null))) {
      try {
        const bytes = await this.#fetcher.fetch(new URL(wanted.url));
        const stored = bytes ? await this.#media.storeImage(bytes) : undefined;
        if (stored?.ok) {
          name = stored.image.name;
          mediaType = stored.image.mediaType;
        } else if (stored) {
          logger.debug("a partner event's image was not kept: {reason}", { reason: stored.reason });
        }
      } catch (error) {
        logger.debug("a partner event's image could not be fetched: {error}", { error: String(error) });
      }
    }
    return { name, mediaType, sourceUrl: wanted.url, alt: wanted.alt };
  }

  async remove(names: readonly string[]): Promise<void> {
    for (const name of names) {
      try {
        await this.#media.remove(name);
      } catch (error) {
        logger.warn("could not remove the image {name}: {error}", { name, error: String(error) });
      }
    }
  }
}
