import { Migration } from '@mikro-orm/migrations';

export class Migration20261202113248_api_list_indexes extends Migration {

  override name = 'Migration20261202113248_api_list_indexes';

  override up(): void | Promise<void> {
    this.addSql(`drop index "event_collective_id_starts_at_index";`);
    this.addSql(`create index "event_collective_id_starts_at_id_index" on "event" ("collective_id", "starts_at", "id");`);
    this.addSql(`create index "event_collective_id_ends_at_index" on "event" ("collective_id", "ends_at");`);

    this.addSql(`create index "membership_collective_id_created_at_id_index" on "membership" ("collective_id", "created_at", "id");`);

    this.addSql(`create index "api_token_user_id_created_at_id_index" on "api_token" ("user_id", "created_at", "id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "api_token_user_id_created_at_id_index";`);

    this.addSql(`drop index "event_collective_id_starts_at_id_index";`);
    this.addSql(`drop index "event_collective_id_ends_at_index";`);
    this.addSql(`create index "event_collective_id_starts_at_index" on "event" ("collective_id", "starts_at");`);

    this.addSql(`drop index "membership_collective_id_created_at_id_index";`);
  }

}
