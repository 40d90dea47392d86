import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import type { ReceivedInvitationView } from "../modules/cosign/cosign.types.ts";
import { invalid } from "../shared/errors.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { verifySignature } from "../federation/verify-signature.ts";
import { withRuntime } from "./admin-commands.ts";

const out = (...columns: string[]) => process.stdout.write(`${columns.map(visibleControls).join("\t")}\n`);

function showReceived(r: ReceivedInvitationView): void {
  out("id", r.id);
  out("state", r.state);
  out("call", r.call.apId);
  out("initiator", r.call.initiator);
  out("version", String(r.version));
  out("expires", r.expiresAt.toString());
  if (r.deadline) out("deadline", r.deadline);
  for (const e of r.relatedEvents) out("event", e);
  for (const d of r.digests) {
    const t = r.texts[d.language];
    if (!t) continue;
    out(`title.${d.language}`, t.title);
    if (t.pitch) out(`pitch.${d.language}`, t.pitch);
    out(`text.${d.language}`, t.bodyHtml);
    t.demands.forEach((demand, i) => {
      out(`demand.${i + 1}.${d.language}`, demand);
    });
    out(`digest.${d.language}`, d.digest);
  }
  if (r.stamp) out("stamp", r.stamp.url);
}

/**
 * `relais call invite|signatures|invitations|invitation|sign|decline`: co-signing from the command line
 * (the operator acts for any collective). The initiator invites and follows the answers; the invited
 * collective reads the exact text per language, then signs or declines.
 */
export function registerCosignCommands(call: Command, config: () => Config): void {
  call
    .command("invite <id> <partner>")
    .description("invite a Relais collective (@group@host or its actor URL) to sign the call's current version")
    .option("--expires <instant>", "when the invitation ends, e.g. 2027-03-01T23:59:00+01:00 (default: 14 days, or the deadline)")
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
        await r.calls.get("cli", id);
        const found = await r.cosignPartners(partner);
        if (!found.ok) throw invalid(found.reason);
        const invitation = await r.cosign.invite("cli", id, found.partner, { expiresAt });
        await r.relay.nudge();
        out(invitation.id, invitation.state, `version ${invitation.version}`, invitation.partner.apId, `until ${invitation.expiresAt.toString()}`);
      }),
    );
  call
    .command("uninvite <id> <invitation-id>")
    .description("withdraw an invitation not answered yet: the invited collective is told, and can no longer read the call or sign it")
    .action((id: string, invitationId: string) =>
      withRuntime(config(), async (r) => {
        const invitation = await r.cosign.withdraw("cli", id, invitationId);
        await r.relay.nudge();
        out(invitation.id, invitation.state, invitation.partner.apId);
      }),
    );
  call
    .command("signatures <id>")
    .description("the invitations sent for a call and the signatures received, every state")
    .action((id: string) =>
      withRuntime(config(), async (r) => {
        const { invitations, signatures } = await r.cosign.invitations("cli", id);
        for (const i of invitations) out("invitation", i.id, i.state, `v${i.version}`, i.purpose, i.partner.apId);
        for (const s of signatures) out("signature", s.state, `v${s.version}`, s.languages.join(","), s.signer.apId, s.stampId);
        if (invitations.length === 0) out(`no invitation yet: relais call invite ${id} @group@host`);
      }),
    );
  call
    .command("invitations <slug>")
    .description("the invitations a collective received to sign other collectives' calls, newest first")
    .action((slug: string) =>
      withRuntime(config(), async (r) => {
        const list = await r.cosign.received("cli", slug);
        if (list.length === 0) out(`@${slug} has received no invitation to sign`);
        for (const i of list) out(i.id, i.state, `v${i.version}`, i.digests.map((d) => d.language).join(","), i.call.apId, i.call.initiator);
      }),
    );
  call
    .command("invitation <slug> <id>")
    .description("one received invitation: the exact text it would sign, per language, and its digests")
    .action((slug: string, id: string) => withRuntime(config(), async (r) => showReceived(await r.cosign.receivedOne("cli", slug, id))));
  call
    .command("sign <slug> <id>")
    .description("sign an invitation: a stamp with the collective's proof, sent to the initiator")
    .option("--languages <codes>", "the languages to sign, comma-separated (default: every one it can)")
    .action((slug: string, id: string, opts: { languages?: string }) =>
      withRuntime(config(), async (r) => {
        const languages = opts.languages?.split(",").map((l) => l.trim()).filter(Boolean);
        const signed = await r.cosign.sign("cli", slug, id, { languages });
        await r.relay.nudge();
        out(signed.id, signed.state, signed.stamp?.url ?? "");
      }),
    );
  call
    .command("stamps <slug>")
    .description("the signatures a collective gave (its stamps), newest first")
    .action((slug: string) =>
      withRuntime(config(), async (r) => {
        for (const s of await r.cosign.stamps("cli", slug)) out(s.id, s.revokedAt ? "revoked" : "valid", `v${s.version}`, s.digests.map((d) => d.language).join(","), s.callApId, r.urls.stamp(s.id).href);
      }),
    );
  call
    .command("revoke <slug> <stamp-id>")
    .description("revoke a signature: the initiator, co-signatories and followers are told; the boost is undone")
    .action((slug: string, stampId: string) =>
      withRuntime(config(), async (r) => {
        const revoked = await r.cosign.revoke("cli", slug, stampId);
        await r.relay.nudge();
        out(revoked.id, "revoked", revoked.revokedAt?.toString() ?? "");
      }),
    );
  call
    .command("decline <slug> <id>")
    .description("decline an invitation (only the initiator is told)")
    .action((slug: string, id: string) =>
      withRuntime(config(), async (r) => {
        const declined = await r.cosign.decline("cli", slug, id);
        await r.relay.nudge();
        out(declined.id, declined.state);
      }),
    );
}

/**
 * `relais verify-signature <call-url> <actor-url>`: whether a collective signed which version of a
 * call, from the signer's own server (its stamps, its key) and the initiator's when it answers; needs
 * no database. Exit status 0 for a valid signature, 1 otherwise.
 */
export function registerVerifyCommand(program: Command): void {
  program
    .command("verify-signature <call-url> <actor-url>")
    .description("did this collective sign this call, and which version? valid-current, valid-older-version, revoked, forged or unverifiable")
    .action(async (callUrl: string, actorUrl: string) => {
      if (!URL.canParse(callUrl) || !URL.canParse(actorUrl)) throw invalid("give the call's URL and the collective's actor URL (https://…)");
      const report = await verifySignature(callUrl, actorUrl);
      out(report.outcome, report.reason);
      if (report.stamp) out("stamp", report.stamp);
      if (report.version !== undefined) out("version", String(report.version));
      if (report.languages) out("languages", report.languages.join(","));
      out("initiator", report.initiatorReachable ? "answered" : "did not answer");
      if (!report.outcome.startsWith("valid")) process.exitCode = 1;
    });
}
