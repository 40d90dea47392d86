import type { EntityManager } from "@mikro-orm/postgresql";
import { RemoteServerSchema } from "./remote-server.entity.ts";

/** What we last learnt of a server; `software` null: its NodeInfo could not be read. */
export interface ServerSoftware {
  readonly software: string | null;
  readonly version: string | null;
  readonly checkedAt: Date;
}

/** The cache of remote servers' software (the federation layer fetches NodeInfo and records it here). */
export class RemoteServerService {
  readonly #em: EntityManager;
  constructor(em: EntityManager) {
    this.#em = em;
  }

  /** What is known of these origins (`https://host[:port]`); unknown ones are absent. */
  async known(origins: readonly string[]): Promise<Map<string, ServerSoftware>> {
    if (origins.length === 0) return new Map();
    const rows = await this.#em.fork().find(RemoteServerSchema, { origin: { $in: [...new Set(origins)] } });
    return new Map(rows.map((r) => [r.origin, { software: r.software ?? null, version: r.version ?? null, checkedAt: r.checkedAt }]));
  }

  async record(origin: string, found: { software: string | null; version: string | null }): Promise<void> {
    await this.#em.fork().upsert(RemoteServerSchema, {
      origin,
      software: found.software?.toLowerCase() ?? null,
      version: found.version,
      checkedAt: new Date(),
    });
  }
}
