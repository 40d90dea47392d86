import { type Request, type Response, Router } from "express";
import { changeNoteDocument, tombstoneResponseDocument } from "../federation/mappers/event-activity.mapper.ts";
import { eventToJsonLd } from "../federation/mappers/event.mapper.ts";
import { eventNoteDocument } from "../federation/mappers/event-note.mapper.ts";
import type { EventWording } from "../modules/event/event-summary.ts";
import type { EventService } from "../modules/event/event.service.ts";
import type { Urls } from "../shared/urls.ts";
import { visitorLanguages } from "./language.ts";
import { eventPage } from "./pages/event.page.ts";
import { errorPage } from "./pages/layout.ts";

const as2Types = ["application/activity+json", "application/ld+json"];

/** Whether a client asks for ActivityStreams rather than HTML (servers), by the Accept header. */
export function wantsActivityJson(req: Request): boolean {
  const best = req.accepts(["text/html", ...as2Types]);
  return best !== false && best !== "text/html";
}

const as2ContentType = 'application/activity+json; charset=utf-8';

/**
 * One canonical URL per event: `/events/{id}` answers the FEP-8a8e JSON-LD to servers and the HTML page
 * to browsers; a deleted event answers 410 (a Tombstone for servers).
 */
export function eventRoutes(deps: { events: EventService; urls: Urls; wording: EventWording }): Router {
  const router = Router();
  router.get("/events/:id", async (req, res, next) => {
    const id = String(req.params.id);
    if (id.endsWith(".ics")) return next();
    const loaded = await deps.events.loadForDelivery(id);
    if (!loaded?.published) return next();
    res.set("Vary", "Accept, Accept-Language");
    if (wantsActivityJson(req)) {
      if (loaded.deletedAt) {
        res.status(410).type(as2ContentType).send(JSON.stringify(tombstoneResponseDocument(loaded.event.apId, "Event", loaded.deletedAt)));
        return;
      }
      const doc = await eventToJsonLd(loaded.event, { followersUrl: deps.urls.collectiveFollowers(loaded.event.organizer.slug), wording: deps.wording });
      res.type(as2ContentType).send(JSON.stringify(doc));
      return;
    }
    const { wanted, lang } = visitorLanguages(req);
    if (loaded.deletedAt) {
      res.status(410).type("html").send(errorPage(lang, 410));
      return;
    }
    res.type("html").set("Content-Language", lang).send(eventPage({ event: loaded.event, lang, wanted, urls: deps.urls }));
  });
  /** A Note about an event (its change notes, its Note form): gone with the event, the event's page for browsers. */
  const serveEventNote = async (
    req: Request,
    res: Response,
    loaded: NonNullable<Awaited<ReturnType<EventService["loadForDelivery"]>>>,
    noteUrl: URL,
    document: () => Promise<object>,
  ) => {
    if (loaded.deletedAt) {
      // The notes of a deleted event go with it (their Deletes were sent with the event's).
      const tombstone = tombstoneResponseDocument(noteUrl, "Note", loaded.deletedAt);
      res.status(410).set("Vary", "Accept");
      if (wantsActivityJson(req)) res.type(as2ContentType).send(JSON.stringify(tombstone));
      else res.type("html").send(errorPage(visitorLanguages(req).lang, 410));
      return;
    }
    if (!wantsActivityJson(req)) {
      res.redirect(303, loaded.event.apId.pathname);
      return;
    }
    res.set("Vary", "Accept").type(as2ContentType).send(JSON.stringify(await document()));
  };
  router.get("/events/:id/changes/:version", async (req, res, next) => {
    const id = String(req.params.id);
    const version = Number(req.params.version);
    const [loaded, note] = await Promise.all([deps.events.loadForDelivery(id), deps.events.changeNote(id, version)]);
    if (!loaded?.published || !note) return next();
    await serveEventNote(req, res, loaded, deps.urls.eventChangeNote(id, version), () =>
      changeNoteDocument({ urls: deps.urls, event: loaded.event, version, language: note.language, text: note.text, published: note.createdAt }),
    );
  });
  // The event as a Note, for servers that do not show events (FEDERATION.md).
  router.get("/events/:id/note", async (req, res, next) => {
    const id = String(req.params.id);
    const loaded = await deps.events.loadForDelivery(id);
    if (!loaded?.published) return next();
    await serveEventNote(req, res, loaded, deps.urls.eventNote(id), () => eventNoteDocument(loaded.event, deps));
  });
  return router;
}
