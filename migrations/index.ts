import { Migration20261202190000_join_requests } from "./Migration20261202190000_join_requests.ts";
import { Migration20261202185419_action_kits } from "./Migration20261202185419_action_kits.ts";
import { Migration20261202165258_stamp_revocation } from "./Migration20261202165258_stamp_revocation.ts";
import { Migration20261202160030_cosign } from "./Migration20261202160030_cosign.ts";
import { Migration20261202154634_presskits } from "./Migration20261202154634_presskits.ts";
import { Migration20261202153609_slogans } from "./Migration20261202153609_slogans.ts";
import { Migration20261202123056_audit_second_factor_reset } from "./Migration20261202123056_audit_second_factor_reset.ts";
import { Migration20261202120935_calls } from "./Migration20261202120935_calls.ts";
import { Migration20261202113248_api_list_indexes } from "./Migration20261202113248_api_list_indexes.ts";
import { Migration20261202114204_blocks } from "./Migration20261202114204_blocks.ts";
import { Migration20261202112630_partners } from "./Migration20261202112630_partners.ts";
import { Migration20261202101132_remote_servers } from "./Migration20261202101132_remote_servers.ts";
import { Migration20261202100039_event_text_times } from "./Migration20261202100039_event_text_times.ts";
import { Migration20261202083032_api_token_expiry } from "./Migration20261202083032_api_token_expiry.ts";
import { Migration20261202083812_instance_followers } from "./Migration20261202083812_instance_followers.ts";
import { Migration20261202080518_outbox_failed } from "./Migration20261202080518_outbox_failed.ts";
import { Migration20261202083113_accounts_and_audit } from "./Migration20261202083113_accounts_and_audit.ts";
import { Migration20261202080512_web_sessions } from "./Migration20261202080512_web_sessions.ts";
import { Migration20261202075321_federation_queue } from "./Migration20261202075321_federation_queue.ts";
import { Migration20261202074834_event_change_notes } from "./Migration20261202074834_event_change_notes.ts";
import { Migration20261129125926_events } from "./Migration20261129125926_events.ts";
import { Migration20261129123856_initial } from "./Migration20261129123856_initial.ts";
// Every migration, in order. Listed explicitly (rather than discovered on disk) so that the same list
// works from the sources, in tests and in any bundle. `npm run migration:create -- <name>` appends to it.
export const migrationsList = [
  { name: "Migration20261129123856_initial", class: Migration20261129123856_initial },
  { name: "Migration20261129125926_events", class: Migration20261129125926_events },
  { name: "Migration20261202074834_event_change_notes", class: Migration20261202074834_event_change_notes },
  { name: "Migration20261202075321_federation_queue", class: Migration20261202075321_federation_queue },
  { name: "Migration20261202080512_web_sessions", class: Migration20261202080512_web_sessions },
  { name: "Migration20261202080518_outbox_failed", class: Migration20261202080518_outbox_failed },
  { name: "Migration20261202083032_api_token_expiry", class: Migration20261202083032_api_token_expiry },
  { name: "Migration20261202083113_accounts_and_audit", class: Migration20261202083113_accounts_and_audit },
  { name: "Migration20261202083812_instance_followers", class: Migration20261202083812_instance_followers },
  { name: "Migration20261202100039_event_text_times", class: Migration20261202100039_event_text_times },
  { name: "Migration20261202101132_remote_servers", class: Migration20261202101132_remote_servers },
  { name: "Migration20261202112630_partners", class: Migration20261202112630_partners },
  { name: "Migration20261202113248_api_list_indexes", class: Migration20261202113248_api_list_indexes },
  { name: "Migration20261202114204_blocks", class: Migration20261202114204_blocks },
  { name: "Migration20261202120935_calls", class: Migration20261202120935_calls },
  { name: "Migration20261202123056_audit_second_factor_reset", class: Migration20261202123056_audit_second_factor_reset },
  { name: "Migration20261202153609_slogans", class: Migration20261202153609_slogans },
  { name: "Migration20261202154634_presskits", class: Migration20261202154634_presskits },
  { name: "Migration20261202160030_cosign", class: Migration20261202160030_cosign },
  { name: "Migration20261202165258_stamp_revocation", class: Migration20261202165258_stamp_revocation },
  { name: "Migration20261202185419_action_kits", class: Migration20261202185419_action_kits },
  { name: "Migration20261202190000_join_requests", class: Migration20261202190000_join_requests },
];
