import { Migration } from '@mikro-orm/migrations';

export class Migration20261203161500_kit_count_sent_outlives_copy extends Migration {

  override name = 'Migration20261203161500_kit_count_sent_outlives_copy';

  override up(): void | Promise<void> {
    this.addSql(`alter table "action_kit_count_sent" drop constraint "action_kit_count_sent_kit_id_foreign";`);
    this.addSql(`alter table "action_kit_count_sent" add column "copy_kit_id" uuid null, add column "origin_ap_id" text null;`);
    this.addSql(`update "action_kit_count_sent" s set "copy_kit_id" = s."kit_id", "origin_ap_id" = k."origin_ap_id" from "action_kit" k where k."id" = s."kit_id";`);
    this.addSql(`delete from "action_kit_count_sent" where "origin_ap_id" is null;`);
    this.addSql(`alter table "action_kit_count_sent" alter column "kit_id" drop not null, alter column "copy_kit_id" set not null, alter column "origin_ap_id" set not null;`);
    this.addSql(`alter table "action_kit_count_sent" add constraint "action_kit_count_sent_kit_id_foreign" foreign key ("kit_id") references "action_kit" ("id") on delete set null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from "action_kit_count_sent" where "kit_id" is null;`);
    this.addSql(`alter table "action_kit_count_sent" drop constraint "action_kit_count_sent_kit_id_foreign";`);
    this.addSql(`alter table "action_kit_count_sent" drop column "copy_kit_id", drop column "origin_ap_id";`);
    this.addSql(`alter table "action_kit_count_sent" alter column "kit_id" set not null;`);
    this.addSql(`alter table "action_kit_count_sent" add constraint "action_kit_count_sent_kit_id_foreign" foreign key ("kit_id") references "action_kit" ("id") on delete cascade;`);
  }

}
