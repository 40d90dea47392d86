import type { EntityManager } from "@mikro-orm/postgresql";
import { primaryFirst } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import type { Collective } from "../collective/collective.entity.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import type { callWording } from "./call-wording.ts";
import type { CallRow } from "./call.entity.ts";
import { rowToText } from "./call.record.ts";
import { findRelatedEvents, insertCallChangeNote } from "./call.repository.ts";
import type { CallChangeKind } from "./call.types.ts";

/** What launching, changing or deleting a call queues, in the caller's transaction: whether a row was queued. */

export interface CallFederationDeps {
  readonly urls: Urls;
  readonly wording: ReturnType<typeof callWording>;
}

/** The Create of a call, at its launch. */
export async function queueCallCreate(em: EntityManager, urls: Urls, row: CallRow, collective: Collective): Promise<boolean> {
  return writeOutbox(em, `${urls.call(row.id).href}#create`, { kind: "create-call", collectiveId: collective.id, callId: row.id });
}

/** The Delete of a deleted call that was public (one never launched queues nothing). */
export async function queueCallDelete(em: EntityManager, urls: Urls, row: CallRow, collective: Collective): Promise<boolean> {
  return row.launchedAt ? writeOutbox(em, `${urls.call(row.id).href}#delete`, { kind: "delete-call", collectiveId: collective.id, callId: row.id }) : false;
}

/** The next revision: an Update of the Article, and the change note that says what changed (when worth one). */
export async function queueCallUpdate(
  em: EntityManager,
  deps: CallFederationDeps,
  row: CallRow,
  collective: Collective,
  kinds: readonly CallChangeKind[],
  extra: { signatories?: readonly string[]; at?: Date } = {},
): Promise<boolean> {
  row.revision += 1;
  await em.flush();
  if (kinds.length > 0) {
    const events = await findRelatedEvents(em, row.relatedEvents, deps.urls);
    const worded = { title: primaryFirst(row.title, collective.primaryLanguage), status: row.status, deadline: rowToText(row, collective.primaryLanguage).deadline, timezone: row.timezone, events, version: row.version, signatories: extra.signatories };
    const text = deps.wording.changeNote(kinds, worded, collective.primaryLanguage);
    // The note goes out with the Update's row, after the Update: one row keeps that order on retries.
    await insertCallChangeNote(em, { callId: row.id, revision: row.revision, kinds, text, ...(extra.at ? { createdAt: extra.at } : {}) });
  }
  return writeOutbox(em, `${deps.urls.call(row.id).href}#update-${row.revision}`, {
    kind: "update-call",
    collectiveId: collective.id,
    callId: row.id,
    revision: row.revision,
  });
}
