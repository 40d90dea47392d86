import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import type { BlockPurge, BlockScope, BlockView } from "../modules/moderation/block.service.ts";
import { invalid } from "../shared/errors.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { withRuntime } from "./admin-commands.ts";

/** One line; columns separated by tabs, control characters shown as escapes (remote servers choose URLs). */
const out = (...columns: string[]) => process.stdout.write(`${columns.map(visibleControls).join("\t")}\n`);

const scopeOf = (opts: { collective?: string }): BlockScope => (opts.collective === undefined ? "instance" : { slug: opts.collective });
const where = (scope: BlockScope) => (scope === "instance" ? "instance-wide" : `for @${scope.slug}`);

/** What a block took away, in words: "removed 2 followers (each gets a Reject), …". */
export function purgeSummary(purged: BlockPurge): string {
  const parts = [`removed ${purged.followers} follower(s)${purged.followers > 0 ? " (each is sent a Reject)" : ""}`];
  if (purged.partners !== undefined) parts.push(`${purged.partners} partner follow(s) undone`);
  if (purged.partnerEvents !== undefined) parts.push(`${purged.partnerEvents} partner event(s) removed`);
  return parts.join(", ");
}

function line(b: BlockView): string[] {
  return [
    b.collective === null ? "instance" : `@${b.collective}`,
    b.kind,
    b.target,
    b.source === "configuration" ? "RELAIS_BLOCKED_DOMAINS" : b.createdBy,
    b.createdAt?.toISOString() ?? "-",
    b.reason ?? "",
  ];
}

/** `relais block add|list|remove`: the operator's blocks, instance-wide or for one collective. */
export function registerBlockCommands(program: Command, config: () => Config): void {
  const block = program
    .command("block")
    .description("block actors and servers: nothing is fetched from them, their content is purged, follows end both ways, deliveries are refused");
  block
    .command("add <target>")
    .description("block a domain (spam.example: its subdomains too), an actor's URL or a handle (@user@host)")
    .option("--collective <slug>", "only for this collective (default: the whole instance)")
    .option("--reason <text>", "why, for whoever reads the list later (never sent anywhere)")
    .action((target: string, opts: { collective?: string; reason?: string }) =>
      withRuntime(config(), async (r) => {
        const scope = scopeOf(opts);
        const result = await r.blocks.add("cli", scope, target, { reason: opts.reason });
        await r.relay.nudge();
        if (!result.created) out(`${result.block.target} was already blocked ${where(scope)}`);
        else out(`blocked ${result.block.target} ${where(scope)}: ${purgeSummary(result.purged)}`);
      }),
    );
  block
    .command("list")
    .description("list blocks (scope, kind, target, by, since, reason): instance-wide ones, or one collective's, or all")
    .option("--collective <slug>", "this collective's blocks")
    .option("--all", "every block, instance-wide and of every collective")
    .action((opts: { collective?: string; all?: boolean }) =>
      withRuntime(config(), async (r) => {
        if (opts.all && opts.collective !== undefined) throw invalid("give either --all or --collective <slug>, not both");
        const scope = opts.all ? "all" : scopeOf(opts);
        const list = await r.blocks.list("cli", scope);
        if (list.length === 0) out(scope === "all" ? "nothing is blocked" : `nothing is blocked ${where(scope)}`);
        for (const b of list) out(...line(b));
      }),
    );
  block
    .command("remove <target>")
    .description("lift a block (the domain or actor URL as listed); what it purged is not restored")
    .option("--collective <slug>", "a block of this collective (default: instance-wide)")
    .action((target: string, opts: { collective?: string }) =>
      withRuntime(config(), async (r) => {
        const scope = scopeOf(opts);
        await r.blocks.remove("cli", scope, target);
        out(`${target.trim()} is no longer blocked ${where(scope)}`);
      }),
    );
}
