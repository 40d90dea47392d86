import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import { invalid } from "../shared/errors.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { withRuntime } from "./admin-commands.ts";

const out = (...columns: string[]) => process.stdout.write(`${columns.map(visibleControls).join("\t")}\n`);

/**
 * `relais call join-policy|join-requests|approve|refuse|join|joins`: join requests from the command
 * line. The initiator chooses per call how requests to sign it are approved, and approves or refuses
 * pending ones; a collective asks to sign another server's open call and follows its requests.
 */
export function registerJoinCommands(call: Command, config: () => Config): void {
  call
    .command("join-policy <id> [policy]")
    .description("how requests to sign an open call are approved: manual (an editor approves each) or automatic; without a policy, shows it")
    .action((id: string, policy: string | undefined) =>
      withRuntime(config(), async (r) => {
        if (policy === undefined) {
          out(await r.joins.policy("cli", id));
          return;
        }
        if (policy !== "manual" && policy !== "automatic") throw invalid(`${policy}: give manual or automatic`);
        out(await r.joins.setPolicy("cli", id, policy));
      }),
    );
  call
    .command("join-requests <id>")
    .description("the requests to sign a call, every state (pending ones wait for approve or refuse)")
    .action((id: string) =>
      withRuntime(config(), async (r) => {
        const list = await r.joins.requests("cli", id);
        if (list.length === 0) out("no request to sign this call");
        for (const q of list) out(q.id, q.state, `v${q.version}`, q.languages.join(","), q.requester.apId, q.stampId);
      }),
    );
  for (const [verb, description] of [
    ["approve", "approve a pending request to sign: the collective is listed and told"],
    ["refuse", "refuse a pending request to sign: only the collective is told, nothing is public"],
  ] as const) {
    call
      .command(`${verb} <id> <request-id>`)
      .description(description)
      .action((id: string, requestId: string) =>
        withRuntime(config(), async (r) => {
          const done = verb === "approve" ? await r.joins.approve("cli", id, requestId) : await r.joins.refuse("cli", id, requestId);
          await r.relay.nudge();
          out(done.id, done.state, done.requester.apId);
        }),
      );
  }
  call
    .command("join <slug> <call-url>")
    .description("ask to sign another server's open call: a stamp over its current version, sent to its collective")
    .option("--languages <codes>", "the languages to sign, comma-separated (default: every one it can)")
    .action((slug: string, callUrl: string, opts: { languages?: string }) =>
      withRuntime(config(), async (r) => {
        await r.joins.sent("cli", slug);
        const found = await r.callToJoin(slug, callUrl);
        if (!found.ok) throw invalid(found.reason);
        const languages = opts.languages?.split(",").map((l) => l.trim()).filter(Boolean);
        const sent = await r.joins.requestToJoin("cli", slug, found.call, { languages });
        await r.relay.nudge();
        out(sent.stampId, sent.state, `v${sent.version}`, sent.languages.join(","), sent.url);
      }),
    );
  call
    .command("joins <slug>")
    .description("the requests to sign other servers' calls a collective sent, newest first: pending, listed, refused or revoked")
    .action((slug: string) =>
      withRuntime(config(), async (r) => {
        const list = await r.joins.sent("cli", slug);
        if (list.length === 0) out(`@${slug} has asked to sign no call`);
        for (const s of list) out(s.stampId, s.state, `v${s.version}`, s.languages.join(","), s.callApId, s.url);
      }),
    );
}
