import { WebSessionSchema } from "../modules/account/web-session.entity.ts";
import { AccountTokenSchema } from "../modules/account/account-token.entity.ts";
import { RecoveryCodeSchema } from "../modules/account/recovery-code.entity.ts";
import { CallChangeNoteSchema, CallSchema, CallVersionSchema } from "../modules/call/call.entity.ts";
import { PressKitFileSchema, PressKitLinkSchema, PressKitSchema } from "../modules/presskit/presskit.entity.ts";
import { CallInvitationSchema, CallSignatureSchema, CosignStampSchema, ReceivedInvitationSchema, StampRevocationSchema } from "../modules/cosign/cosign.entity.ts";
import { CallJoinRequestSchema } from "../modules/cosign/join-request.entity.ts";
import {
  CoorganisedEventSchema,
  CoorganizeStampSchema,
  EventCoorganizerInvitationSchema,
  EventCoorganizerSchema,
} from "../modules/coorganise/coorganise.entity.ts";
import { AuditEntrySchema } from "../modules/audit/audit.entity.ts";
import { ActorKeySchema, CollectiveSchema, RetiredActorKeySchema } from "../modules/collective/collective.entity.ts";
import { EventChangeNoteSchema } from "../modules/event/event-change-note.entity.ts";
import { EventSchema } from "../modules/event/event.entity.ts";
import { EventOccurrenceSchema } from "../modules/event/event-occurrence.entity.ts";
import { FollowerSchema } from "../modules/follower/follower.entity.ts";
import { BlockSchema } from "../modules/moderation/block.entity.ts";
import { OutboxSchema } from "../modules/outbox/outbox.entity.ts";
import { PartnerEventSchema, PartnerEventSourceSchema, PartnerSchema } from "../modules/partner/partner.entity.ts";
import { RemoteActorSchema } from "../modules/remote-actor/remote-actor.entity.ts";
import { RemoteServerSchema } from "../modules/remote-server/remote-server.entity.ts";
import { ActionKitCountSchema, ActionKitSchema, ActionKitVersionSchema } from "../modules/actionkit/actionkit.entity.ts";
import { ActionKitCountSentSchema, ActionKitRemoteCountSchema } from "../modules/actionkit/network-count.entity.ts";
import { PartnerActionKitSchema } from "../modules/actionkit/partner-kit.entity.ts";
import { PartnerCallBackfillSchema, PartnerCallSchema } from "../modules/call/partner-call.entity.ts";
import { SloganSchema } from "../modules/slogan/slogan.entity.ts";
import { ApiTokenSchema, MembershipSchema, UserSchema } from "../modules/user/user.entity.ts";

/** Every entity, for the ORM and the migration generator. */
export const entities = [
  CollectiveSchema,
  ActorKeySchema,
  RetiredActorKeySchema,
  RemoteActorSchema,
  RemoteServerSchema,
  FollowerSchema,
  OutboxSchema,
  UserSchema,
  MembershipSchema,
  ApiTokenSchema,
  EventSchema,
  EventChangeNoteSchema,
  EventOccurrenceSchema,
  WebSessionSchema,
  AccountTokenSchema,
  RecoveryCodeSchema,
  AuditEntrySchema,
  PartnerSchema,
  PartnerEventSchema,
  PartnerEventSourceSchema,
  BlockSchema,
  CallSchema,
  CallVersionSchema,
  CallChangeNoteSchema,
  CallInvitationSchema,
  CallSignatureSchema,
  ReceivedInvitationSchema,
  CosignStampSchema,
  StampRevocationSchema,
  CallJoinRequestSchema,
  SloganSchema,
  ActionKitSchema,
  ActionKitVersionSchema,
  ActionKitCountSchema,
  ActionKitRemoteCountSchema,
  ActionKitCountSentSchema,
  PartnerActionKitSchema,
  PartnerCallSchema,
  PartnerCallBackfillSchema,
  PressKitSchema,
  PressKitFileSchema,
  PressKitLinkSchema,
  EventCoorganizerInvitationSchema,
  EventCoorganizerSchema,
  CoorganisedEventSchema,
  CoorganizeStampSchema,
];

/** Tables that migrations create but no entity maps (the ORM's schema diff must leave them alone). */
export const unmappedTables = ["fedify_kv", "federation_queue"];
