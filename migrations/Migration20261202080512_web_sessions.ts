import { Migration } from '@mikro-orm/migrations';

export class Migration20261202080512_web_sessions extends Migration {

  override name = 'Migration20261202080512_web_sessions';

  override up(): void | Promise<void> {
    this.addSql(`create table "web_session" ("id_hash" varchar(255) not null, "user_id" uuid not null, "stage" text not null, "csrf_token" varchar(255) not null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, "expires_at" timestamptz not null, primary key ("id_hash"));`);
    this.addSql(`create index "web_session_user_id_index" on "web_session" ("user_id");`);
    this.addSql(`create index "web_session_expires_at_index" on "web_session" ("expires_at");`);

    this.addSql(`alter table "web_session" add constraint "web_session_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);
    this.addSql(`alter table "web_session" add constraint "web_session_stage_check" check ("stage" in ('full', 'second-factor'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "web_session" cascade;`);
  }

}
