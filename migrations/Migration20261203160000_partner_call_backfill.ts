import { Migration } from '@mikro-orm/migrations';

export class Migration20261203160000_partner_call_backfill extends Migration {

  override name = 'Migration20261203160000_partner_call_backfill';

  override up(): void | Promise<void> {
    this.addSql(`create table "partner_call_backfill" ("actor_ap_id" text not null, "due_at" timestamptz not null, "attempts" int not null default 0, "last_error" text null, primary key ("actor_ap_id"));`);
    this.addSql(`create index "partner_call_backfill_due_at_index" on "partner_call_backfill" ("due_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "partner_call_backfill" cascade;`);
  }

}
