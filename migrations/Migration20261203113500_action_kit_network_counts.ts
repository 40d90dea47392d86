import { Migration } from '@mikro-orm/migrations';

export class Migration20261203113500_action_kit_network_counts extends Migration {

  override name = 'Migration20261203113500_action_kit_network_counts';

  override up(): void | Promise<void> {
    this.addSql(`create table "action_kit_remote_count" ("id" bigserial primary key, "kit_id" uuid not null, "copy_ap_id" text not null, "counts" jsonb not null, "received_at" timestamptz not null);`);
    this.addSql(`alter table "action_kit_remote_count" add constraint "action_kit_remote_count_kit_id_copy_ap_id_unique" unique ("kit_id", "copy_ap_id");`);

    this.addSql(`create table "action_kit_count_sent" ("id" bigserial primary key, "kit_id" uuid not null, "counts" jsonb not null, "sent_at" timestamptz not null);`);
    this.addSql(`alter table "action_kit_count_sent" add constraint "action_kit_count_sent_kit_id_unique" unique ("kit_id");`);

    this.addSql(`alter table "action_kit_remote_count" add constraint "action_kit_remote_count_kit_id_foreign" foreign key ("kit_id") references "action_kit" ("id") on delete cascade;`);

    this.addSql(`alter table "action_kit_count_sent" add constraint "action_kit_count_sent_kit_id_foreign" foreign key ("kit_id") references "action_kit" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "action_kit_remote_count" cascade;`);
    this.addSql(`drop table if exists "action_kit_count_sent" cascade;`);
  }

}
