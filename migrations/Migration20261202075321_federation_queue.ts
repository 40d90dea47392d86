import { Migration } from '@mikro-orm/migrations';

// Fedify's message queue on PostgreSQL (src/federation/queue/queue-table.ts): deliveries and accepted
// inbox activities survive any crash. Not an entity: the ORM's schema diff leaves it alone (entities.ts).
export class Migration20261202075321_federation_queue extends Migration {

  override name = 'Migration20261202075321_federation_queue';

  override up(): void | Promise<void> {
    this.addSql(`create table "federation_queue" ("id" bigint generated always as identity primary key, "payload" text not null, "ordering_key" text null, "available_at" timestamptz not null default now(), "lease_until" timestamptz null, "lease_owner" text null, "attempts" int not null default 0, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "federation_queue_available_at_id_index" on "federation_queue" ("available_at", "id");`);
    this.addSql(`create index "federation_queue_ordering_key_id_index" on "federation_queue" ("ordering_key", "id") where "ordering_key" is not null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "federation_queue" cascade;`);
  }

}
