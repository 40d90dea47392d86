import type { Context } from "@fedify/fedify";
import { type Activity, Create, Delete, Update } from "@fedify/vocab";
import type { EventService } from "../../modules/event/event.service.ts";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import type { Recipient } from "../../modules/remote-actor/remote-actor.types.ts";
import type { Urls } from "../../shared/urls.ts";
import {
  changeNote,
  changeNoteCreate,
  eventActivityDocument,
  eventDeleteDocument,
} from "../mappers/event-activity.mapper.ts";
import { prebuiltActivity } from "../prebuilt-activity.ts";

export type EventMessage = Extract<OutboxMessage, { kind: "create-event" | "update-event" | "event-change-note" | "delete-event" }>;

export interface EventSenderDeps {
  readonly events: EventService;
  readonly followers: FollowerService;
  readonly urls: Urls;
}

const toFedifyRecipient = (r: Recipient) => ({
  id: r.apId,
  inboxId: r.inboxUrl,
  endpoints: r.sharedInboxUrl ? { sharedInbox: r.sharedInboxUrl } : null,
});

/** Sends one event-related outbox message to the collective's followers. */
export async function sendEventMessage(ctx: Context<void>, message: EventMessage, deps: EventSenderDeps): Promise<void> {
  const loaded = await deps.events.loadForDelivery(message.eventId);
  if (!loaded?.published) return;
  const { event } = loaded;
  const recipients = (await deps.followers.recipients(message.collectiveId)).map(toFedifyRecipient);
  if (recipients.length === 0) return;
  const slug = event.organizer.slug;
  const followersUrl = deps.urls.collectiveFollowers(slug);
  const options = { preferSharedInbox: true, fanout: "skip" as const };

  if (message.kind === "event-change-note") {
    if (loaded.deletedAt) return;
    const note = changeNote({
      urls: deps.urls,
      event,
      version: message.version,
      language: message.language,
      text: message.text,
      published: event.updatedAt,
    });
    await ctx.sendActivity({ identifier: slug }, recipients, changeNoteCreate(note, event), options);
    return;
  }

  // Complete documents (FEP-8a8e terms included) go out as built: see prebuilt-activity.ts for why
  // only the RSA key is used here.
  const rsaKeys = (await ctx.getActorKeyPairs(slug))
    .filter((k) => k.privateKey.algorithm.name === "RSASSA-PKCS1-v1_5")
    .map((k) => ({ keyId: k.keyId, privateKey: k.privateKey }));
  let activity: Activity;
  if (message.kind === "delete-event") {
    if (!loaded.deletedAt) return;
    activity = await prebuiltActivity(
      Delete,
      eventDeleteDocument({ apId: event.apId, organizerApId: event.organizer.apId, deletedAt: loaded.deletedAt }, followersUrl),
    );
  } else {
    if (loaded.deletedAt) return;
    const kind = message.kind === "create-event" ? "Create" : "Update";
    const version = message.kind === "update-event" ? message.version : 0;
    const doc = await eventActivityDocument(kind, event, version, { followersUrl });
    activity = await prebuiltActivity(kind === "Create" ? Create : Update, doc);
  }
  await ctx.sendActivity(rsaKeys, recipients, activity, options);
}
