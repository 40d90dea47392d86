import type { Context } from "@fedify/fedify";
import { type Activity, Create, Delete, Update } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { CallWording } from "../../modules/call/call-wording.ts";
import type { CallService } from "../../modules/call/call.service.ts";
import type { CallView } from "../../modules/call/call.types.ts";
import type { CosignService } from "../../modules/cosign/cosign.service.ts";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import type { Recipient } from "../../modules/remote-actor/remote-actor.types.ts";
import type { Urls } from "../../shared/urls.ts";
import { prebuiltActivity } from "../fedify-workarounds.ts";
import { callActivityDocument, callChangeNoteCreate, callDeleteDocument } from "../mappers/call.mapper.ts";
import { profileFor, type ServerProfile } from "../server-profiles.ts";
import type { ServerSoftwareResolver } from "../server-software.ts";
import { serverOrigin } from "./delivery-plan.ts";

const logger = getLogger(["relais", "outbox"]);

export type CallMessage = Extract<OutboxMessage, { kind: "create-call" | "update-call" | "delete-call" }>;

export interface CallSenderDeps {
  readonly calls: CallService;
  readonly followers: FollowerService;
  readonly urls: Urls;
  readonly serverSoftware: ServerSoftwareResolver;
  readonly callWording: CallWording;
  /** The call's current signatories get what its followers get (the launch tells them to boost). */
  readonly cosign: CosignService;
}

const toFedifyRecipient = (r: Recipient) => ({ id: r.apId, inboxId: r.inboxUrl, endpoints: r.sharedInboxUrl ? { sharedInbox: r.sharedInboxUrl } : null });

/**
 * Sends one call-related outbox message from the collective to its followers: the Article's Create,
 * Update (then the change note, for servers that show no Update) or Delete (then one for each change
 * note they may have received). Servers that take no Article (Gancio answers 404) get nothing at all.
 * Everything about one call shares an ordering key: an Update goes before the note that describes it.
 */
export async function sendCallMessage(ctx: Context<void>, message: CallMessage, deps: CallSenderDeps): Promise<void> {
  const call = await deps.calls.load(message.callId);
  if (!call?.launchedAt) return;
  const followers = await deps.followers.recipients(message.collectiveId);
  const following = new Set(followers.map((f) => f.apId.href));
  for (const signer of await deps.cosign.signatoryRecipients(call.id)) if (!following.has(signer.apId.href)) followers.push(signer);
  const software = await deps.serverSoftware.softwareOf(followers.map(serverOrigin));
  const groups = new Map<string, { profile: ServerProfile; recipients: Recipient[] }>();
  let skipped = 0;
  for (const recipient of followers) {
    const profile = profileFor(software.get(serverOrigin(recipient)));
    if (!profile.articles) {
      skipped++;
      continue;
    }
    const key = JSON.stringify(profile);
    const group = groups.get(key) ?? { profile, recipients: [] };
    group.recipients.push(recipient);
    groups.set(key, group);
  }
  if (skipped > 0) logger.debug("{kind} of a call not sent to {skipped} follower(s) whose servers take no Article", { kind: message.kind, skipped });
  let noteSent = false;
  for (const { profile, recipients } of groups.values()) {
    const send = (activity: Activity) =>
      ctx.sendActivity({ identifier: call.collective.slug }, recipients.map(toFedifyRecipient), activity, {
        preferSharedInbox: true,
        fanout: "skip",
        orderingKey: call.apId.href,
      });
    noteSent = (await sendToGroup(message, call, profile, send, deps)) || noteSent;
  }
  if (noteSent && message.kind === "update-call") await deps.calls.markChangeNoteSent(call.id, message.revision);
}

async function sendToGroup(
  message: CallMessage,
  call: CallView,
  profile: ServerProfile,
  send: (activity: Activity) => Promise<void>,
  deps: CallSenderDeps,
): Promise<boolean> {
  const mapping = { urls: deps.urls, wording: deps.callWording };
  switch (message.kind) {
    case "create-call":
      if (call.deletedAt) return false;
      await send(await prebuiltActivity(Create, callActivityDocument("Create", call, mapping)));
      return false;
    case "update-call": {
      if (call.deletedAt) return false;
      // The document carries the call as it is now: a late Update never brings an older text back.
      await send(await prebuiltActivity(Update, { ...callActivityDocument("Update", call, mapping), id: `${call.apId.href}#update-${message.revision}` }));
      if (!profile.changeNotes) return false;
      const note = await deps.calls.changeNote(call.id, message.revision);
      if (!note) return false;
      await send(await prebuiltActivity(Create, callChangeNoteCreate(call, note, deps.urls)));
      return true;
    }
    case "delete-call": {
      const deletedAt = call.deletedAt;
      if (!deletedAt) return false;
      const notes = profile.changeNotes ? await deps.calls.sentChangeNotes(call.id) : [];
      const documents = [
        callDeleteDocument(call, { id: call.apId, formerType: "Article", deletedAt }, deps.urls),
        ...notes.map((n) => callDeleteDocument(call, { id: deps.urls.callChangeNote(call.id, n.revision), formerType: "Note", deletedAt }, deps.urls)),
      ];
      for (const document of documents) await send(await prebuiltActivity(Delete, document));
      return false;
    }
  }
}
