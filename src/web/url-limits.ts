import type { RequestHandler } from "express";

/**
 * A NUL character (`%00`) in a path or query would reach PostgreSQL through route parameters and
 * filters, which refuses it with an error (a 500). Refused here for every route, with a 400.
 */
export function refuseNulInUrl(): RequestHandler {
  return (req, res, next) => {
    if (!/%00/i.test(req.originalUrl)) return next();
    const message = "the URL contains a NUL character (%00), which no path or parameter of this server accepts";
    if (req.path.startsWith("/api/") || !req.accepts("html")) {
      res.status(400).json({ error: "bad_request", message });
      return;
    }
    res.status(400).type("text/plain").send(message);
  };
}
