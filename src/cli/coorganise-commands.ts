import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import type { CoorganisedView } from "../modules/coorganise/coorganise.types.ts";
import { invalid } from "../shared/errors.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { withRuntime } from "./admin-commands.ts";

const out = (...columns: string[]) => process.stdout.write(`${columns.map(visibleControls).join("\t")}\n`);

function showCoorganised(v: CoorganisedView): void {
  out(v.id, v.coorganising ? "co-organising" : v.deleted ? "deleted" : "not-listed", v.data.startsAt.toString(), v.event.apId, v.event.host);
  for (const r of v.requests) out("  request", r.id, r.state, r.purpose, r.digest, r.stampUrl ?? "");
}

/**
 * `relais event coorganizers|invite-coorganizer|coorganised|accept-coorganise|decline-coorganise|withdraw-coorganise`:
 * events organised together from the command line (the operator acts for any collective), in the
 * style of `relais call invite`. The host invites and follows the answers; the invited collective
 * reads the event, then accepts, declines, or later withdraws.
 */
export function registerCoorganiseCommands(program: Command, config: () => Config): void {
  const event = program.command("event").description("events organised together with collectives of other servers");
  event
    .command("invite-coorganizer <id> <partner>")
    .description("invite a Relais collective (@group@host or its actor URL) to co-organise a published event")
    .option("--expires <instant>", "when the invitation ends, e.g. 2027-03-01T23:59:00+01:00 (default: 14 days, or the event's start)")
    .action((id: string, partner: string, opts: { expires?: string }) =>
      withRuntime(config(), async (r) => {
        let expiresAt: Temporal.Instant | undefined;
        if (opts.expires) {
          try {
            expiresAt = Temporal.Instant.from(opts.expires);
          } catch {
            throw invalid(`--expires ${opts.expires}: give an instant with its offset, e.g. 2027-03-01T23:59:00+01:00`);
          }
        }
        await r.coorganise.host.overview("cli", id);
        const found = await r.cosignPartners(partner);
        if (!found.ok) throw invalid(found.reason);
        const invitation = await r.coorganise.host.invite("cli", id, found.partner, { expiresAt });
        await r.relay.nudge();
        out(invitation.id, invitation.state, invitation.purpose, invitation.partner.apId, `until ${invitation.expiresAt.toString()}`);
      }),
    );
  event
    .command("coorganizers <id>")
    .description("the invitations sent for an event and its co-organisers, every state")
    .action((id: string) =>
      withRuntime(config(), async (r) => {
        const { invitations, coorganizers } = await r.coorganise.host.overview("cli", id);
        for (const i of invitations) out("invitation", i.id, i.state, i.purpose, i.partner.apId);
        for (const c of coorganizers) out("coorganizer", c.state, c.partner.apId, c.stampId);
        if (invitations.length === 0) out(`no invitation yet: relais event invite-coorganizer ${id} @group@host`);
      }),
    );
  event
    .command("coorganised <slug>")
    .description("the events of other servers a collective was invited to co-organise, and its answers")
    .action((slug: string) =>
      withRuntime(config(), async (r) => {
        const list = await r.coorganise.partner.list("cli", slug);
        if (list.length === 0) out(`@${slug} has not been invited to co-organise an event`);
        for (const v of list) showCoorganised(v);
      }),
    );
  for (const [name, action, description] of [
    ["accept-coorganise", "accept", "accept to co-organise (a stamp with the collective's proof, sent to the host)"],
    ["decline-coorganise", "decline", "decline to co-organise (only the host is told)"],
    ["withdraw-coorganise", "withdraw", "stop co-organising: the stamp is revoked and the host unlists the collective"],
  ] as const) {
    event
      .command(`${name} <slug> <id>`)
      .description(description)
      .action((slug: string, id: string) =>
        withRuntime(config(), async (r) => {
          const view = await r.coorganise.partner[action]("cli", slug, id);
          await r.relay.nudge();
          showCoorganised(view);
        }),
      );
  }
}
