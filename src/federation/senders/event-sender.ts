import type { Context } from "@fedify/fedify";
import { type Activity, Create, Delete, Update } from "@fedify/vocab";
import type { EventService } from "../../modules/event/event.service.ts";
import type { PublishedEvent } from "../../modules/event/event.types.ts";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import type { Recipient } from "../../modules/remote-actor/remote-actor.types.ts";
import type { Urls } from "../../shared/urls.ts";
import { changeNote, changeNoteCreate, deleteDocument, eventActivityDocument } from "../mappers/event-activity.mapper.ts";
import { prebuiltActivity } from "../fedify-workarounds.ts";

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

/**
 * Sends one event-related outbox message to the collective's followers. Everything about one event
 * shares an ordering key, so that queues that honour it deliver to each server in the order sent here:
 * an Update before the change note that describes it.
 */
export async function sendEventMessage(ctx: Context<void>, message: EventMessage, deps: EventSenderDeps): Promise<void> {
  const loaded = await deps.events.loadForDelivery(message.eventId);
  if (!loaded?.published) return;
  const { event, deletedAt } = loaded;
  const recipients = (await deps.followers.recipients(message.collectiveId)).map(toFedifyRecipient);
  if (recipients.length === 0) return;
  const slug = event.organizer.slug;
  const followersUrl = deps.urls.collectiveFollowers(slug);
  const options = { preferSharedInbox: true, fanout: "skip" as const, orderingKey: event.apId.href };
  // Complete documents (FEP-8a8e terms included) go out as built: see prebuiltActivity.
  const sendPrebuilt = (activity: Activity) => ctx.sendActivity({ identifier: slug }, recipients, activity, options);

  const sendChangeNote = async (version: number, onlyUnsent: boolean) => {
    const note = await deps.events.changeNote(event.id, version);
    if (!note || (onlyUnsent && note.sentAt)) return;
    const built = changeNote({ urls: deps.urls, event, version, language: note.language, text: note.text, published: note.createdAt });
    await ctx.sendActivity({ identifier: slug }, recipients, changeNoteCreate(built, event), options);
    await deps.events.markChangeNoteSent(event.id, version);
  };

  switch (message.kind) {
    case "create-event":
    case "update-event": {
      if (deletedAt) return;
      const kind = message.kind === "create-event" ? "Create" : "Update";
      const version = message.kind === "update-event" ? message.version : 0;
      const doc = await eventActivityDocument(kind, event, version, { followersUrl });
      await sendPrebuilt(await prebuiltActivity(kind === "Create" ? Create : Update, doc));
      if (message.kind === "update-event") await sendChangeNote(message.version, false);
      return;
    }
    case "event-change-note":
      // A row written before change notes went out with their Update (see outbox.writer.ts).
      if (!deletedAt) await sendChangeNote(message.version, true);
      return;
    case "delete-event":
      if (!deletedAt) return;
      for (const activity of await deletions(event, deletedAt, followersUrl, deps)) await sendPrebuilt(activity);
      return;
  }
}

/** The Delete of the event, then one for each change note that followers may have received. */
async function deletions(event: PublishedEvent, deletedAt: Temporal.Instant, followersUrl: URL, deps: EventSenderDeps): Promise<Activity[]> {
  const organizerApId = event.organizer.apId;
  const notes = await deps.events.sentChangeNotes(event.id);
  const documents = [
    deleteDocument({ id: event.apId, formerType: "Event", organizerApId, deletedAt }, followersUrl),
    ...notes.map((n) =>
      deleteDocument({ id: deps.urls.eventChangeNote(event.id, n.version), formerType: "Note", organizerApId, deletedAt }, followersUrl),
    ),
  ];
  return Promise.all(documents.map((d) => prebuiltActivity(Delete, d)));
}
