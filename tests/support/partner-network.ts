// Helpers for partner-network tests: a collective following a partner the way the CLI and the API do
// (resolve the handle or URL, then follow), and waiting for what reached an instance.
import type { PartnerView } from "../../src/modules/partner/partner.types.ts";
import type { RelaisInstance } from "./relais-instance.ts";
import { until } from "./wait.ts";

/** `relais partner follow <slug> <ref>` in-process; resolves once the partner answered Accept. */
export async function followPartner(
  instance: RelaisInstance,
  slug: string,
  ref: string,
  opts: { relay?: boolean; waitFor?: "accepted" | "pending" } = {},
): Promise<PartnerView> {
  const found = await instance.runtime.partnerActors.resolve(ref);
  if (!found.ok) throw new Error(`could not resolve ${ref}: ${found.reason}`);
  const { partner } = await instance.runtime.partners.follow("cli", slug, found.actor);
  if (opts.relay) await instance.runtime.partners.setRelay("cli", slug, partner.id, true);
  const state = opts.waitFor ?? "accepted";
  return until(`${slug} to see ${ref} as ${state}`, async () => {
    const p = await instance.runtime.partners.get("cli", slug, partner.id);
    return p.state === state ? p : undefined;
  }, 90_000);
}

/** The partner events an instance holds, by AP id: not deleted ones, with their sequence and status. */
export async function partnerEvents(instance: RelaisInstance): Promise<Map<string, { sequence: number; status: string; name: Record<string, string>; sources: number }>> {
  const rows = await instance.runtime.em
    .fork()
    .getConnection()
    .execute<{ ap_id: string; sequence: number; status: string; name: Record<string, string>; sources: string }[]>(
      `select e.ap_id, e.sequence, e.status, e.name, (select count(*) from partner_event_source s where s.event_id = e.id) as sources
       from partner_event e where e.deleted_at is null`,
    );
  return new Map(rows.map((r) => [r.ap_id, { sequence: r.sequence, status: r.status, name: r.name, sources: Number(r.sources) }]));
}

/** The handle of a collective on an instance: `slug@host:port`. */
export const handleOf = (instance: RelaisInstance, slug: string) => `@${slug}@${instance.origin.host}`;
