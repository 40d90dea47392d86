import type { Request, Response } from "express";
import { wantedLanguages, interfaceLanguage } from "../language.ts";
import type { CookieJar } from "../auth/cookies.ts";
import { csrfTokenFor, webAuthOf } from "../auth/web-session.ts";
import type { EditorView } from "./pages/editor-layout.ts";

/**
 * The editor's language: `?lang=` (remembered in a cookie, so the choice follows the editor from page
 * to page), else the cookie, else Accept-Language; English when none is one we translate.
 */
export function editorLanguage(req: Request, res: Response, cookies: CookieJar): string {
  const asked = typeof req.query.lang === "string" ? req.query.lang : undefined;
  const fromQuery = asked ? interfaceLanguage(wantedLanguages(asked, undefined)) : undefined;
  if (fromQuery && asked?.startsWith(fromQuery)) {
    if (cookies.read(req, "lang") !== fromQuery) cookies.set(res, "lang", fromQuery, { maxAgeMs: 365 * 24 * 3600_000 });
    return fromQuery;
  }
  const remembered = cookies.read(req, "lang");
  return interfaceLanguage(wantedLanguages(remembered, req.get("accept-language")));
}

/** Everything a page of the editor needs from the request. */
export function editorView(req: Request, res: Response, cookies: CookieJar): EditorView {
  const auth = webAuthOf(res);
  return { lang: editorLanguage(req, res, cookies), csrf: csrfTokenFor(req, res, cookies), email: auth.principal?.email };
}
