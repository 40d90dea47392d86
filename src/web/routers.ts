import type { Router } from "express";
import { eventsApiRouter } from "../api/events.router.ts";
import type { Runtime } from "../runtime.ts";

/** Feature routers (JSON API, feeds, event pages…) built from the runtime's services, mounted by createApp. */
export function extraRouters(runtime: Runtime): Router[] {
  return [eventsApiRouter({ events: runtime.events, users: runtime.users, origin: runtime.urls.origin })];
}
