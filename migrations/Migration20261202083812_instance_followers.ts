import { Migration } from '@mikro-orm/migrations';

export class Migration20261202083812_instance_followers extends Migration {

  override name = 'Migration20261202083812_instance_followers';

  override up(): void | Promise<void> {
    this.addSql(`alter table "follower" alter column "collective_id" drop not null;`);
    this.addSql(`create unique index "follower_instance_actor_unique" on "follower" ("actor_id") where collective_id is null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from "follower" where "collective_id" is null;`);
    this.addSql(`drop index "follower_instance_actor_unique";`);
    this.addSql(`alter table "follower" alter column "collective_id" set not null;`);
  }

}
