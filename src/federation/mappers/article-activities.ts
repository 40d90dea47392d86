import type { Urls } from "../../shared/urls.ts";
import type { JsonObject } from "./event.mapper.ts";

// The activities around a collective's Article (press kits, action kits): Create/Update of it, its
// Tombstone once deleted, and the Delete. Pure JSON, like the Articles themselves.

const publicAddress = "https://www.w3.org/ns/activitystreams#Public";
const asContext = "https://www.w3.org/ns/activitystreams";
const tombstoneContext = [asContext, { formerType: { "@id": "as:formerType", "@type": "@vocab" } }];

/** What the activities say of the object: its id, its collective, and when it was published or changed. */
export interface ArticleSubject {
  readonly apId: URL;
  readonly collective: { readonly apId: URL; readonly slug: string };
  readonly publishedAt?: Temporal.Instant | null | undefined;
  readonly createdAt: Temporal.Instant;
  readonly updatedAt: Temporal.Instant;
}

/** `Create` (id `…#create`) or `Update` (id `…#update-<version>`) of the Article, addressed as it is. */
export function articleActivityDocument(kind: "Create" | "Update", subject: ArticleSubject, article: JsonObject, version: number): JsonObject {
  return {
    "@context": asContext,
    id: `${subject.apId.href}#${kind === "Create" ? "create" : `update-${version}`}`,
    type: kind,
    actor: subject.collective.apId.href,
    published: (kind === "Create" ? (subject.publishedAt ?? subject.createdAt) : subject.updatedAt).toString(),
    to: [publicAddress],
    cc: article.cc as string[],
    object: article,
  };
}

export function articleTombstoneDocument(apId: URL, deletedAt: Temporal.Instant): JsonObject {
  return { "@context": tombstoneContext, id: apId.href, type: "Tombstone", formerType: "Article", deleted: deletedAt.toString() };
}

export function articleDeleteDocument(subject: ArticleSubject, deletedAt: Temporal.Instant, urls: Urls): JsonObject {
  return {
    "@context": tombstoneContext,
    id: `${subject.apId.href}#delete`,
    type: "Delete",
    actor: subject.collective.apId.href,
    to: publicAddress,
    cc: urls.collectiveFollowers(subject.collective.slug).href,
    object: { id: subject.apId.href, type: "Tombstone", formerType: "Article", deleted: deletedAt.toString() },
  };
}
