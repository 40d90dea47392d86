import { type Request, Router } from "express";
import { changeNoteDocument, tombstoneResponseDocument } from "../federation/mappers/event-activity.mapper.ts";
import { eventToJsonLd } from "../federation/mappers/event.mapper.ts";
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
export function eventRoutes(deps: { events: EventService; urls: Urls }): Router {
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
      const doc = await eventToJsonLd(loaded.event, { followersUrl: deps.urls.collectiveFollowers(loaded.event.organizer.slug) });
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
  router.get("/events/:id/changes/:version", async (req, res, next) => {
    const id = String(req.params.id);
    const version = Number(req.params.version);
    const [loaded, note] = await Promise.all([deps.events.loadForDelivery(id), deps.events.changeNote(id, version)]);
    if (!loaded?.published || !note) return next();
    if (loaded.deletedAt) {
      // The notes of a deleted event go with it (their Deletes were sent with the event's).
      const tombstone = tombstoneResponseDocument(deps.urls.eventChangeNote(id, version), "Note", loaded.deletedAt);
      res.status(410).set("Vary", "Accept");
      if (wantsActivityJson(req)) res.type(as2ContentType).send(JSON.stringify(tombstone));
      else res.type("html").send(errorPage(visitorLanguages(req).lang, 410));
      return;
    }
    if (!wantsActivityJson(req)) {
      res.redirect(303, deps.urls.event(id).pathname);
      return;
    }
    const doc = await changeNoteDocument({ urls: deps.urls, event: loaded.event, version, language: note.language, text: note.text, published: note.createdAt });
    res.set("Vary", "Accept").type(as2ContentType).send(JSON.stringify(doc));
  });
  return router;
}
