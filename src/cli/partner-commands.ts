import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import type { PartnerView } from "../modules/partner/partner.types.ts";
import { AppError, invalid } from "../shared/errors.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { withRuntime } from "./admin-commands.ts";

// Names, handles and URLs come from other servers: control characters are shown escaped.
const out = (...columns: string[]) => process.stdout.write(`${columns.map(visibleControls).join("\t")}\n`);

const line = (p: PartnerView) =>
  out(p.state, p.handle ? `@${p.handle}` : "-", p.actorApId, p.relay ? "relay" : "-", p.lastActivityAt ? `last activity ${p.lastActivityAt.toISOString()}` : "no activity yet");

/** `relais partner follow|list|unfollow|relay`: the operator manages any collective's partners. */
export function registerPartnerCommands(program: Command, config: () => Config): void {
  const partner = program.command("partner").description("a collective's partners: remote groups and agendas it follows");
  partner
    .command("follow <slug> <handle-or-url>")
    .description("follow a partner (@group@host, or the URL of its actor): its events join the collective's network agenda")
    .option("--relay", "pass its new events on to our followers")
    .action((slug: string, ref: string, opts: { relay?: boolean }) =>
      withRuntime(config(), async (r) => {
        // Unknown collectives are reported before any request leaves.
        await r.partners.list("cli", slug);
        const found = await r.partnerActors.resolve(ref);
        if (!found.ok) throw new AppError("unresolvable", 422, `the partner could not be found: ${found.reason}`);
        const { partner: p, created } = await r.partners.follow("cli", slug, found.actor);
        const view = opts.relay ? await r.partners.setRelay("cli", slug, p.id, true) : p;
        await r.relay.nudge();
        line(view);
        process.stderr.write(created ? `@${slug} asked to follow ${view.actorApId}; the state becomes accepted when it answers\n` : `@${slug} already follows ${view.actorApId}\n`);
      }),
    );
  partner
    .command("list <slug>")
    .description("list the partners: state (pending, accepted, rejected), handle, actor, relay, last activity")
    .action((slug: string) =>
      withRuntime(config(), async (r) => {
        const list = await r.partners.list("cli", slug);
        if (list.length === 0) out(`@${slug} follows no partner yet: relais partner follow ${slug} <@group@host>`);
        for (const p of list) line(p);
      }),
    );
  partner
    .command("unfollow <slug> <partner>")
    .description("stop following a partner (its handle, actor URL or id); its events leave the network agenda")
    .action((slug: string, ref: string) =>
      withRuntime(config(), async (r) => {
        await r.partners.unfollow("cli", slug, ref);
        await r.relay.nudge();
        out(`@${slug} no longer follows ${ref}`);
      }),
    );
  partner
    .command("relay <slug> <partner> <on|off>")
    .description("pass (on) or stop passing (off) a partner's new events on to our followers")
    .action((slug: string, ref: string, state: string) =>
      withRuntime(config(), async (r) => {
        if (state !== "on" && state !== "off") throw invalid(`"${state}": write on or off`);
        line(await r.partners.setRelay("cli", slug, ref, state === "on"));
      }),
    );
}
