import type { EntityManager } from "@mikro-orm/postgresql";
import { type Collective, CollectiveSchema } from "./collective.entity.ts";

export async function findCollectiveBySlug(em: EntityManager, slug: string): Promise<Collective | null> {
  return em.findOne(CollectiveSchema, { slug });
}

export async function findCollectiveById(em: EntityManager, id: string): Promise<Collective | null> {
  return em.findOne(CollectiveSchema, { id });
}
