import { Migration } from '@mikro-orm/migrations';

export class Migration20261202080518_outbox_failed extends Migration {

  override name = 'Migration20261202080518_outbox_failed';

  override up(): void | Promise<void> {
    this.addSql(`alter table "outbox" add "failed_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "outbox" drop column "failed_at";`);
  }

}
