import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import { invalid } from "../shared/errors.ts";
import { withRuntime } from "./admin-commands.ts";

const out = (line: string) => process.stdout.write(`${line}\n`);

/** `relais keys rotate <collective> | --instance-actor`: new key pairs for an actor (ADR 0030). */
export function registerKeyCommands(program: Command, config: () => Config): void {
  const keys = program.command("keys").description("the actors' signing keys");
  keys
    .command("rotate [collective]")
    .description("give a collective (by its slug), or the instance actor, new key pairs after a leak; followers and partners get an Update and notice nothing")
    .option("--instance-actor", "rotate the instance actor's keys instead of a collective's")
    .action((slug: string | undefined, opts: { instanceActor?: boolean }) =>
      withRuntime(config(), async (r) => {
        if (opts.instanceActor && slug !== undefined) throw invalid("give either a collective's slug or --instance-actor, not both");
        if (!opts.instanceActor && slug === undefined) throw invalid("name the collective whose keys to rotate (relais keys rotate <slug>), or give --instance-actor");
        const result = await r.keyRotation.rotate(opts.instanceActor ? "instance" : { slug: slug as string });
        await r.relay.nudge();
        out(`new keys for ${result.actor.href}: RSA ${result.actor.href}#main-key, Ed25519 ${result.actor.href}#key-2`);
        out(`${result.retired} old key(s) retired (public halves kept in retired_actor_key, private halves deleted)`);
        out(`${result.requeued} queued delivery(ies) will be signed with the new keys; an Update of the actor is queued for its followers and partners`);
      }),
    );
}
