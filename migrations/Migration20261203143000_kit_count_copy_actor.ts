import { Migration } from '@mikro-orm/migrations';

export class Migration20261203143000_kit_count_copy_actor extends Migration {

  override name = 'Migration20261203143000_kit_count_copy_actor';

  override up(): void | Promise<void> {
    this.addSql(`alter table "action_kit_remote_count" add column "copy_actor_ap_id" text null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "action_kit_remote_count" drop column "copy_actor_ap_id";`);
  }

}
