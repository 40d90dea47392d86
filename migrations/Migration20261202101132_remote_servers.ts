import { Migration } from '@mikro-orm/migrations';

export class Migration20261202101132_remote_servers extends Migration {

  override name = 'Migration20261202101132_remote_servers';

  override up(): void | Promise<void> {
    this.addSql(`create table "remote_server" ("origin" text not null, "software" text null, "version" text null, "checked_at" timestamptz not null, primary key ("origin"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "remote_server" cascade;`);
  }

}
