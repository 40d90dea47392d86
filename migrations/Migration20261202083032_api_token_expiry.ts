import { Migration } from '@mikro-orm/migrations';

export class Migration20261202083032_api_token_expiry extends Migration {

  override name = 'Migration20261202083032_api_token_expiry';

  override up(): void | Promise<void> {
    this.addSql(`alter table "api_token" add "name" varchar(255) null, add "expires_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "api_token" drop column "name", drop column "expires_at";`);
  }

}
