import { Migration } from '@mikro-orm/migrations';

export class Migration20261202100039_event_text_times extends Migration {

  override name = 'Migration20261202100039_event_text_times';

  override up(): void | Promise<void> {
    this.addSql(`alter table "event" add "text_updated_at" jsonb null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "event" drop column "text_updated_at";`);
  }

}
