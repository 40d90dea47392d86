import type { Context } from "@fedify/fedify";
import { type Activity, Create, Delete, Update } from "@fedify/vocab";
import type { EventWording } from "../../modules/event/event-summary.ts";
import type { EventService } from "../../modules/event/event.service.ts";
import type { PublishedEvent } from "../../modules/event/event.types.ts";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import { toFedifyRecipient } from "./recipient.ts";
import { instanceIdentifier, type Urls } from "../../shared/urls.ts";
import { prebuiltActivity } from "../fedify-workarounds.ts";
import {
  type ActivitySender,
  changeNote,
  changeNoteCreate,
  collectiveSender,
  deleteDocument,
  eventActivityDocument,
  relaySender,
} from "../mappers/event-activity.mapper.ts";
import { eventNote } from "../mappers/event-note.mapper.ts";
import { activityWithOrganizers } from "../mappers/coorganise.mapper.ts";
import type { CoorganizerView } from "../../modules/coorganise/coorganise.types.ts";
import { profileFor } from "../server-profiles.ts";
import type { ServerSoftwareResolver } from "../server-software.ts";
import { type DeliveryGroup, planDelivery, serverOrigin } from "./delivery-plan.ts";

export type EventMessage = Extract<OutboxMessage, { kind: "create-event" | "update-event" | "event-change-note" | "delete-event" }>;

export interface EventSenderDeps {
  readonly events: EventService;
  readonly followers: FollowerService;
  readonly urls: Urls;
  readonly serverSoftware: ServerSoftwareResolver;
  readonly wording: EventWording;
  /** The co-organisers listed in the event's FEP-8a8e `organizers` (co-organised events), if any. */
  readonly coorganizers?: (eventId: string) => Promise<readonly CoorganizerView[]>;
  /** Whether an actor is blocked for the collective (its blocks or the instance's): it gets nothing of the event. */
  readonly isBlocked?: (actor: URL, collectiveId: string) => Promise<boolean>;
}

interface Loaded {
  readonly event: PublishedEvent;
  readonly deletedAt: Temporal.Instant | null;
}

/**
 * Sends one event-related outbox message: to the collective's followers from the collective, and for
 * a public event to the instance actor's followers from the instance actor; to each server in the
 * form it shows (an `Event`, or a `Note` for servers that do not show events), with or without change
 * notes (delivery-plan.ts, server-profiles.ts). Each follower gets it once. Everything about one event
 * shares an ordering key, so that queues that honour it deliver to each server in the order sent
 * here: an Update before the change note that describes it.
 */
export async function sendEventMessage(ctx: Context<void>, message: EventMessage, deps: EventSenderDeps): Promise<void> {
  const loaded = await deps.events.loadForDelivery(message.eventId);
  if (!loaded?.published) return;
  const collectiveFollowers = await deps.followers.recipients(message.collectiveId);
  const instanceFollowers = await deps.followers.recipients(null);
  const software = await deps.serverSoftware.softwareOf([...collectiveFollowers, ...instanceFollowers].map(serverOrigin));
  const blocked = new Set<string>();
  for (const r of deps.isBlocked ? instanceFollowers : []) if (await deps.isBlocked?.(r.apId, message.collectiveId)) blocked.add(r.apId.href);
  const plan = planDelivery(
    loaded.event.visibility,
    collectiveFollowers,
    instanceFollowers,
    (r) => profileFor(software.get(serverOrigin(r))),
    (r) => blocked.has(r.apId.href),
  );
  let noteSent = false;
  for (const group of plan) noteSent = (await sendToGroup(ctx, message, loaded, group, deps)) || noteSent;
  const version = message.kind === "update-event" || message.kind === "event-change-note" ? message.version : undefined;
  if (noteSent && version !== undefined) await deps.events.markChangeNoteSent(loaded.event.id, version);
}

/** Sends the message to one group of followers; returns whether a change note went out. */
async function sendToGroup(ctx: Context<void>, message: EventMessage, loaded: Loaded, group: DeliveryGroup, deps: EventSenderDeps): Promise<boolean> {
  const { event, deletedAt } = loaded;
  const { form, changeNotes } = group.profile;
  const identifier = group.sender === "collective" ? event.organizer.slug : instanceIdentifier;
  const sender: ActivitySender =
    group.sender === "collective" ? collectiveSender(event, deps.urls.collectiveFollowers(identifier)) : relaySender(deps.urls);
  const recipients = group.recipients.map(toFedifyRecipient);
  const options = { preferSharedInbox: true, fanout: "skip" as const, orderingKey: event.apId.href };
  // Complete documents (FEP-8a8e terms included) go out as built: see prebuiltActivity.
  const send = (activity: Activity) => ctx.sendActivity({ identifier }, recipients, activity, options);

  const sendChangeNote = async (version: number, onlyUnsent: boolean): Promise<boolean> => {
    if (!changeNotes) return false;
    const note = await deps.events.changeNote(event.id, version);
    if (!note || (onlyUnsent && note.sentAt)) return false;
    const built = changeNote({ urls: deps.urls, event, version, language: note.language, text: note.text, published: note.createdAt });
    await send(changeNoteCreate(built, event, sender));
    return true;
  };

  switch (message.kind) {
    case "create-event":
    case "update-event": {
      if (deletedAt) return false;
      const version = message.kind === "update-event" ? message.version : 0;
      const name = message.kind === "create-event" ? "create" : `update-${version}`;
      if (form === "note") {
        const note = eventNote(event, deps);
        const Activity = message.kind === "create-event" ? Create : Update;
        const published = message.kind === "create-event" ? event.publishedAt : event.updatedAt;
        await send(new Activity({ id: new URL(`${note.id?.href}#${sender.idPrefix}${name}`), actor: sender.actor, to: note.toId, cc: note.ccId, object: note, published }));
      } else {
        const kind = message.kind === "create-event" ? "Create" : "Update";
        const followersUrl = deps.urls.collectiveFollowers(event.organizer.slug);
        const doc = await eventActivityDocument(kind, event, version, { followersUrl, wording: deps.wording }, sender);
        // Co-organised: the object names every listed co-organiser, as the event's URL serves it.
        const listed = deps.coorganizers ? await deps.coorganizers(event.id) : [];
        const full = activityWithOrganizers(doc, { id: event.organizer.apId }, listed, deps.urls.eventCoorganizers(event.id));
        await send(await prebuiltActivity(kind === "Create" ? Create : Update, full));
      }
      return message.kind === "update-event" ? await sendChangeNote(message.version, false) : false;
    }
    case "event-change-note":
      // A row written before change notes went out with their Update (see outbox.writer.ts).
      return deletedAt ? false : await sendChangeNote(message.version, true);
    case "delete-event": {
      // A live event that repeats now went out as a single Event before: that Event is deleted
      // (its occurrences go out on their own); a live single event is never deleted here.
      const gone = deletedAt ?? (event.recurrence ? event.updatedAt : null);
      if (!gone) return false;
      for (const activity of await deletions(event, gone, sender, group, deps)) await send(activity);
      return false;
    }
  }
}

/** The Delete of the event (or of its Note), then one for each change note the group may have received. */
async function deletions(
  event: PublishedEvent,
  deletedAt: Temporal.Instant,
  sender: ActivitySender,
  group: DeliveryGroup,
  deps: EventSenderDeps,
): Promise<Activity[]> {
  const notes = group.profile.changeNotes ? await deps.events.sentChangeNotes(event.id) : [];
  const documents = [
    group.profile.form === "note"
      ? deleteDocument({ id: deps.urls.eventNote(event.id), formerType: "Note", deletedAt }, sender)
      : deleteDocument({ id: event.apId, formerType: "Event", deletedAt }, sender),
    ...notes.map((n) => deleteDocument({ id: deps.urls.eventChangeNote(event.id, n.version), formerType: "Note", deletedAt }, sender)),
  ];
  return Promise.all(documents.map((d) => prebuiltActivity(Delete, d)));
}
