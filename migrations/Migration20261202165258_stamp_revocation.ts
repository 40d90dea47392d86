import { Migration } from '@mikro-orm/migrations';

export class Migration20261202165258_stamp_revocation extends Migration {

  override name = 'Migration20261202165258_stamp_revocation';

  override up(): void | Promise<void> {
    this.addSql(`create table "stamp_revocation" ("id" bigserial primary key, "stamp_id" text not null, "signer_ap_id" text not null, "call_ap_id" text null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "stamp_revocation" add constraint "stamp_revocation_stamp_id_unique" unique ("stamp_id");`);
    this.addSql(`create index "stamp_revocation_call_ap_id_index" on "stamp_revocation" ("call_ap_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "stamp_revocation" cascade;`);
  }

}
