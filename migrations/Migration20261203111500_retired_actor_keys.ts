import { Migration } from '@mikro-orm/migrations';

export class Migration20261203111500_retired_actor_keys extends Migration {

  override name = 'Migration20261203111500_retired_actor_keys';

  override up(): void | Promise<void> {
    this.addSql(`create table "retired_actor_key" ("id" uuid not null, "owner" varchar(255) not null, "algorithm" text not null, "public_jwk" jsonb not null, "created_at" timestamptz not null, "retired_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "retired_actor_key_owner_index" on "retired_actor_key" ("owner");`);
    this.addSql(`alter table "retired_actor_key" add constraint "retired_actor_key_algorithm_check" check ("algorithm" in ('RSASSA-PKCS1-v1_5', 'Ed25519'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "retired_actor_key" cascade;`);
  }

}
