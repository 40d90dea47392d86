import { Migration } from '@mikro-orm/migrations';

export class Migration20261203110000_partner_calls extends Migration {

  override name = 'Migration20261203110000_partner_calls';

  override up(): void | Promise<void> {
    this.addSql(`create table "partner_call" ("id" uuid not null, "ap_id" text not null, "url" text not null, "title" jsonb not null, "language" varchar(255) not null, "status" text not null, "deadline" timestamptz null, "author_ap_id" text not null, "published_at" timestamptz not null, "remote_updated_at" timestamptz not null, "received_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "partner_call" add constraint "partner_call_ap_id_unique" unique ("ap_id");`);
    this.addSql(`create index "partner_call_author_ap_id_published_at_index" on "partner_call" ("author_ap_id", "published_at");`);

    this.addSql(`alter table "partner_call" add constraint "partner_call_status_check" check ("status" in ('open', 'closed', 'withdrawn'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "partner_call" cascade;`);
  }

}
