import { Migration } from '@mikro-orm/migrations';

export class Migration20261203090532_partner_action_kits extends Migration {

  override name = 'Migration20261203090532_partner_action_kits';

  override up(): void | Promise<void> {
    this.addSql(`create table "partner_action_kit" ("id" uuid not null, "ap_id" text not null, "url" text not null, "title" jsonb not null, "country" varchar(255) null, "institution" jsonb null, "author_ap_id" text not null, "author_name" text null, "published_at" timestamptz not null, "remote_updated_at" timestamptz null, "received_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "partner_action_kit" add constraint "partner_action_kit_ap_id_unique" unique ("ap_id");`);
    this.addSql(`create index "partner_action_kit_author_ap_id_published_at_index" on "partner_action_kit" ("author_ap_id", "published_at");`);
    this.addSql(`create index "partner_action_kit_country_published_at_index" on "partner_action_kit" ("country", "published_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "partner_action_kit" cascade;`);
  }

}
