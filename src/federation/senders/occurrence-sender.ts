import type { Context } from "@fedify/fedify";
import { type Activity, Create, Delete, Update } from "@fedify/vocab";
import type { EventWording } from "../../modules/event/event-summary.ts";
import type { EventSeriesService } from "../../modules/event/event-series.service.ts";
import type { EventService } from "../../modules/event/event.service.ts";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import { instanceIdentifier, type Urls } from "../../shared/urls.ts";
import { prebuiltActivity } from "../fedify-workarounds.ts";
import { type ActivitySender, changeNote, changeNoteCreate, collectiveSender, deleteDocument, eventActivityDocument, relaySender } from "../mappers/event-activity.mapper.ts";
import { eventNote } from "../mappers/event-note.mapper.ts";
import { profileFor } from "../server-profiles.ts";
import type { ServerSoftwareResolver } from "../server-software.ts";
import { planDelivery, serverOrigin } from "./delivery-plan.ts";
import { toFedifyRecipient } from "./recipient.ts";

export type OccurrenceMessage = Extract<OutboxMessage, { kind: "create-occurrence" | "update-occurrence" | "delete-occurrence" | "delete-occurrences" }>;

export interface OccurrenceSenderDeps {
  readonly events: EventService;
  readonly series: EventSeriesService;
  readonly followers: FollowerService;
  readonly urls: Urls;
  readonly serverSoftware: ServerSoftwareResolver;
  readonly wording: EventWording;
}

/**
 * Sends one occurrence of a recurring event as an Event of its own (FEDERATION.md "Recurring events"):
 * Create when it is published ahead, Update (then the change note, for servers that get them) when it
 * changed afterwards; to the same followers and in the same forms as a single event (delivery-plan.ts).
 * Its ids are the occurrence's URL (`…/occurrences/<date>`, `#create`, `#update-<event version>`); in
 * the Note form, `…/occurrences/<date>/note`; its change notes `…/occurrences/<date>/changes/<version>`.
 */
export async function sendOccurrenceMessage(ctx: Context<void>, message: OccurrenceMessage, deps: OccurrenceSenderDeps): Promise<void> {
  if (message.kind === "delete-occurrences" || message.kind === "delete-occurrence") return sendOccurrenceDeletes(ctx, message, deps);
  const loaded = await deps.series.occurrenceForDelivery(message.eventId, message.date);
  if (!loaded?.published || loaded.deletedAt) return;
  const { event } = loaded;
  const collectiveFollowers = await deps.followers.recipients(message.collectiveId);
  const instanceFollowers = await deps.followers.recipients(null);
  const software = await deps.serverSoftware.softwareOf([...collectiveFollowers, ...instanceFollowers].map(serverOrigin));
  const plan = planDelivery(event.visibility, collectiveFollowers, instanceFollowers, (r) => profileFor(software.get(serverOrigin(r))));
  const update = message.kind === "update-occurrence";
  const version = update ? message.version : 0;
  const name = update ? `update-${version}` : "create";
  const note = update ? await deps.events.changeNote(message.eventId, message.version, message.date) : null;
  let noteSent = false;
  for (const group of plan) {
    const identifier = group.sender === "collective" ? event.organizer.slug : instanceIdentifier;
    const sender: ActivitySender = group.sender === "collective" ? collectiveSender(event, deps.urls.collectiveFollowers(identifier)) : relaySender(deps.urls);
    const recipients = group.recipients.map(toFedifyRecipient);
    const send = (activity: Activity) => ctx.sendActivity({ identifier }, recipients, activity, { preferSharedInbox: true, fanout: "skip", orderingKey: event.apId.href });
    if (group.profile.form === "note") {
      const asNote = eventNote(event, deps).clone({ id: deps.urls.eventOccurrenceNote(message.eventId, message.date) });
      const Activity = update ? Update : Create;
      await send(new Activity({ id: new URL(`${asNote.id?.href}#${sender.idPrefix}${name}`), actor: sender.actor, to: asNote.toId, cc: asNote.ccId, object: asNote, published: update ? event.updatedAt : event.publishedAt }));
    } else {
      const doc = await eventActivityDocument(update ? "Update" : "Create", event, version, { followersUrl: deps.urls.collectiveFollowers(event.organizer.slug), wording: deps.wording }, sender);
      await send(await prebuiltActivity(update ? Update : Create, doc));
    }
    if (note && group.profile.changeNotes) {
      const built = changeNote({ urls: deps.urls, event, version: note.version, language: note.language, text: note.text, published: note.createdAt }).clone({
        id: deps.urls.eventOccurrenceChangeNote(message.eventId, message.date, note.version),
      });
      await send(changeNoteCreate(built, event, sender));
      noteSent = true;
    }
  }
  if (noteSent && note) await deps.events.markChangeNoteSent(message.eventId, note.version, message.date);
}

/**
 * A deleted recurring event: a Delete of each occurrence that went out (its Event, or its Note), then of
 * each of its change notes the server got. One occurrence that its series' changed rule no longer gives
 * (`delete-occurrence`): the same for that occurrence alone, the series still there.
 */
async function sendOccurrenceDeletes(
  ctx: Context<void>,
  message: Extract<OccurrenceMessage, { kind: "delete-occurrences" | "delete-occurrence" }>,
  deps: OccurrenceSenderDeps,
): Promise<void> {
  const series = await deps.events.loadForDelivery(message.eventId);
  if (!series?.published) return;
  const one = message.kind === "delete-occurrence";
  if (!one && !series.deletedAt) return;
  const deletedAt = series.deletedAt ?? series.event.updatedAt;
  const dates = one ? [message.date] : await deps.series.federatedDates(message.eventId);
  if (dates.length === 0) return;
  const collectiveFollowers = await deps.followers.recipients(message.collectiveId);
  const instanceFollowers = await deps.followers.recipients(null);
  const software = await deps.serverSoftware.softwareOf([...collectiveFollowers, ...instanceFollowers].map(serverOrigin));
  const plan = planDelivery(series.event.visibility, collectiveFollowers, instanceFollowers, (r) => profileFor(software.get(serverOrigin(r))));
  const notes = new Map(await Promise.all(dates.map(async (date) => [date, await deps.events.sentChangeNotes(message.eventId, date)] as const)));
  for (const group of plan) {
    const identifier = group.sender === "collective" ? series.event.organizer.slug : instanceIdentifier;
    const sender: ActivitySender = group.sender === "collective" ? collectiveSender(series.event, deps.urls.collectiveFollowers(identifier)) : relaySender(deps.urls);
    const recipients = group.recipients.map(toFedifyRecipient);
    for (const date of dates) {
      const occurrence = deps.urls.eventOccurrence(message.eventId, date);
      const documents = [
        group.profile.form === "note"
          ? deleteDocument({ id: deps.urls.eventOccurrenceNote(message.eventId, date), formerType: "Note", deletedAt }, sender)
          : deleteDocument({ id: occurrence, formerType: "Event", deletedAt }, sender),
        ...(group.profile.changeNotes ? (notes.get(date) ?? []) : []).map((n) =>
          deleteDocument({ id: deps.urls.eventOccurrenceChangeNote(message.eventId, date, n.version), formerType: "Note", deletedAt }, sender),
        ),
      ];
      for (const activity of await Promise.all(documents.map((d) => prebuiltActivity(Delete, d)))) {
        await ctx.sendActivity({ identifier }, recipients, activity, { preferSharedInbox: true, fanout: "skip", orderingKey: occurrence.href });
      }
    }
  }
}
