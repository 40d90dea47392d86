// Every address of the editor's interface, in one place: routers, pages, redirects and tests take them
// from here. Everything sits under one prefix, so that sessions, CSRF checks and `no-store` apply to
// exactly these pages and never to the public site.
const enc = encodeURIComponent;

export const editorPrefix = "/manage";

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
} as const;
