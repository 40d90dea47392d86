import { describe, expect, it } from "vitest";
import { fill, paths, route } from "../shared/paths.ts";
import { routeLabel } from "./http-metrics.ts";

describe("routeLabel", () => {
  const req = (path: string, routePath?: string) => ({ path, baseUrl: "", ...(routePath === undefined ? {} : { route: { path: routePath } }) });

  it("names the Express route that answered, or the path table's pattern, never the raw path", () => {
    expect(routeLabel(req(fill(paths.event, { id: "0e1b" }), route(paths.event)))).toBe(route(paths.event));
    expect(routeLabel(req(fill(paths.actor, { identifier: "lyon" })))).toBe(paths.actor);
    expect(routeLabel(req(fill(paths.actorInbox, { identifier: "lyon" })))).toBe(paths.actorInbox);
    // The more literal pattern wins: an event's feed is not counted as the event.
    expect(routeLabel(req(fill(paths.eventIcs, { id: "0e1b" })))).toBe(paths.eventIcs);
    expect(routeLabel(req("/.well-known/webfinger"))).toBe("/.well-known/webfinger");
    expect(routeLabel(req("/wp-login.php"))).toBe("other");
    expect(routeLabel(req("/@lyon/x/y/z"))).toBe("other");
  });
});
