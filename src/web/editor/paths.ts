// Every address of the editor's interface, in one place: routers, pages, redirects and tests take them
// from here. Everything sits under one prefix, so that sessions, CSRF checks and `no-store` apply to
// exactly these pages and never to the public site.
const enc = encodeURIComponent;

export const editorPrefix = "/manage";

/** What an editor may do to a call besides editing its text (each asks for a confirmation first). */
export const callActions = ["consult", "open", "close", "withdraw", "delete"] as const;
export type CallAction = (typeof callActions)[number];

/** What an editor may do to one occurrence of a recurring event, and undo. */
export const occurrenceActions = ["cancel", "uncancel", "move", "unmove", "place", "unplace", "restore"] as const;
export type OccurrenceAction = (typeof occurrenceActions)[number];

export const editorPaths = {
  home: editorPrefix,
  login: `${editorPrefix}/login`,
  secondFactor: `${editorPrefix}/login/code`,
  logout: `${editorPrefix}/logout`,
  logoutEverywhere: `${editorPrefix}/logout-everywhere`,
  account: `${editorPrefix}/account`,
  password: `${editorPrefix}/account/password`,
  totp: `${editorPrefix}/account/totp`,
  totpDisable: `${editorPrefix}/account/totp/disable`,
  forgot: `${editorPrefix}/forgot`,
  invitation: (token: string) => `${editorPrefix}/invitations/${enc(token)}`,
  reset: (token: string) => `${editorPrefix}/reset/${enc(token)}`,
  newCollective: `${editorPrefix}/collectives/new`,
  collective: (slug: string) => `${editorPrefix}/@${enc(slug)}`,
  members: (slug: string) => `${editorPrefix}/@${enc(slug)}/members`,
  settings: (slug: string) => `${editorPrefix}/@${enc(slug)}/settings`,
  audit: (slug: string) => `${editorPrefix}/@${enc(slug)}/audit`,
  followers: (slug: string) => `${editorPrefix}/@${enc(slug)}/followers`,
  newEvent: (slug: string) => `${editorPrefix}/@${enc(slug)}/events/new`,
  event: (id: string) => `${editorPrefix}/events/${enc(id)}`,
  eventAction: (id: string, action: "cancel" | "delete" | "publish" | "image") => `${editorPrefix}/events/${enc(id)}/${action}`,
  /** One occurrence of a recurring event (named by the date the rule gives it), and what can be done to it. */
  eventOccurrence: (id: string, date: string) => `${editorPrefix}/events/${enc(id)}/occurrences/${enc(date)}`,
  eventOccurrenceAction: (id: string, date: string, action: OccurrenceAction) => `${editorPrefix}/events/${enc(id)}/occurrences/${enc(date)}/${action}`,
  /** A recurring event changed from a date on (split), or ended. */
  eventSeries: (id: string, action: "split" | "end") => `${editorPrefix}/events/${enc(id)}/series/${action}`,
  calls: (slug: string) => `${editorPrefix}/@${enc(slug)}/calls`,
  newCall: (slug: string) => `${editorPrefix}/@${enc(slug)}/calls/new`,
  call: (id: string) => `${editorPrefix}/calls/${enc(id)}`,
  callAction: (id: string, action: CallAction) => `${editorPrefix}/calls/${enc(id)}/${action}`,
  callVersions: (id: string) => `${editorPrefix}/calls/${enc(id)}/versions`,
  callSignatures: (id: string) => `${editorPrefix}/calls/${enc(id)}/signatures`,
  invitationWithdraw: (id: string, invitationId: string) => `${editorPrefix}/calls/${enc(id)}/signatures/${enc(invitationId)}/withdraw`,
  callJoinPolicy: (id: string) => `${editorPrefix}/calls/${enc(id)}/join-policy`,
  callJoinDecision: (id: string, request: string, action: "approve" | "refuse") => `${editorPrefix}/calls/${enc(id)}/join-requests/${enc(request)}/${action}`,
  joins: (slug: string) => `${editorPrefix}/@${enc(slug)}/joins`,
  joinNew: (slug: string) => `${editorPrefix}/@${enc(slug)}/joins/new`,
  eventCoorganizers: (id: string) => `${editorPrefix}/events/${enc(id)}/coorganizers`,
  coorganisedList: (slug: string) => `${editorPrefix}/@${enc(slug)}/coorganising`,
  coorganised: (slug: string, id: string) => `${editorPrefix}/@${enc(slug)}/coorganising/${enc(id)}`,
  coorganisedAction: (slug: string, id: string, action: "accept" | "decline" | "withdraw") => `${editorPrefix}/@${enc(slug)}/coorganising/${enc(id)}/${action}`,
  slogans: (slug: string) => `${editorPrefix}/@${enc(slug)}/slogans`,
  newSlogan: (slug: string) => `${editorPrefix}/@${enc(slug)}/slogans/new`,
  slogan: (id: string) => `${editorPrefix}/slogans/${enc(id)}`,
  sloganDelete: (id: string) => `${editorPrefix}/slogans/${enc(id)}/delete`,
  adoptSlogan: (slug: string) => `${editorPrefix}/@${enc(slug)}/slogans/adopt`,
  presskits: (slug: string) => `${editorPrefix}/@${enc(slug)}/presskits`,
  actionkits: (slug: string) => `${editorPrefix}/@${enc(slug)}/kits`,
  newActionkit: (slug: string) => `${editorPrefix}/@${enc(slug)}/kits/new`,
  adoptActionkit: (slug: string) => `${editorPrefix}/@${enc(slug)}/kits/adopt`,
  actionkit: (id: string) => `${editorPrefix}/kits/${enc(id)}`,
  actionkitDelete: (id: string) => `${editorPrefix}/kits/${enc(id)}/delete`,
  newPresskit: (slug: string) => `${editorPrefix}/@${enc(slug)}/presskits/new`,
  presskit: (id: string) => `${editorPrefix}/presskits/${enc(id)}`,
  presskitAction: (id: string, action: "publish" | "delete") => `${editorPrefix}/presskits/${enc(id)}/${action}`,
  presskitFiles: (id: string) => `${editorPrefix}/presskits/${enc(id)}/files`,
  presskitFileRemove: (id: string, fileId: string) => `${editorPrefix}/presskits/${enc(id)}/files/${enc(fileId)}/remove`,
  presskitLinks: (id: string) => `${editorPrefix}/presskits/${enc(id)}/links`,
  presskitLinkRevoke: (id: string, linkId: string) => `${editorPrefix}/presskits/${enc(id)}/links/${enc(linkId)}/revoke`,
  receivedList: (slug: string) => `${editorPrefix}/@${enc(slug)}/invitations`,
  received: (slug: string, id: string) => `${editorPrefix}/@${enc(slug)}/invitations/${enc(id)}`,
  receivedAction: (slug: string, id: string, action: "sign" | "decline" | "revoke") => `${editorPrefix}/@${enc(slug)}/invitations/${enc(id)}/${action}`,
  partners: (slug: string) => `${editorPrefix}/@${enc(slug)}/partners`,
  partner: (slug: string, id: string, action: "relay" | "unfollow") => `${editorPrefix}/@${enc(slug)}/partners/${enc(id)}/${action}`,
  blocks: (slug: string) => `${editorPrefix}/@${enc(slug)}/blocks`,
  block: (slug: string, id: string) => `${editorPrefix}/@${enc(slug)}/blocks/${enc(id)}/remove`,
  instanceBlocks: `${editorPrefix}/blocks`,
  instanceBlock: (id: string) => `${editorPrefix}/blocks/${enc(id)}/remove`,
} as const;
