import { Migration } from '@mikro-orm/migrations';

export class Migration20261203104500_signature_unreachable_since extends Migration {

  override name = 'Migration20261203104500_signature_unreachable_since';

  override up(): void | Promise<void> {
    this.addSql(`alter table "call_signature" add column "unreachable_since" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "call_signature" drop column "unreachable_since";`);
  }

}
