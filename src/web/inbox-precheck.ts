import type { NextFunction, Request, Response } from "express";

/**
 * Checks made on an inbox POST before Fedify sees it (and, with a queue, before anything is queued):
 * - a delivery signed by a key of a blocked domain is refused (403) without reading the body;
 * - the body is read up to the cap (413 beyond it) and kept on `req.rawBody`, byte for byte, for the
 *   federation bridge (signatures and digests cover those bytes);
 * - an activity whose `id` is on another origin than its `actor`, or whose actor is on a blocked
 *   domain, is refused (400 / 403): it could only be believed on its own origin's word.
 * Signature verification itself stays with Fedify.
 */
export function inboxPrecheck(opts: { maxBodyBytes: number; isBlocked: (host: string) => boolean }) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const signer = signerHost(req);
    if (signer && opts.isBlocked(signer)) {
      refuse(res, 403, "blocked", `deliveries from ${signer} are refused by this instance`);
      return;
    }
    const declared = Number(req.get("content-length") ?? Number.NaN);
    if (Number.isFinite(declared) && declared > opts.maxBodyBytes) {
      res.set("Connection", "close");
      refuse(res, 413, "payload_too_large", `the body is larger than ${opts.maxBodyBytes} bytes`);
      return;
    }
    const body = await readCapped(req, opts.maxBodyBytes);
    if (body === "too-large") {
      res.set("Connection", "close");
      refuse(res, 413, "payload_too_large", `the body is larger than ${opts.maxBodyBytes} bytes`);
      return;
    }
    (req as Request & { rawBody?: Buffer }).rawBody = body;
    const problem = originProblem(body, opts.isBlocked);
    if (problem) {
      refuse(res, problem.status, problem.code, problem.message);
      return;
    }
    next();
  };
}

function refuse(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: code, message });
}

/** Host of the key that signed a request (draft-cavage `Signature` or RFC 9421 `Signature-Input`). */
export function signerHost(req: Request): string | undefined {
  const header = req.get("signature-input") ?? req.get("signature") ?? "";
  const m = /keyid="([^"]+)"/i.exec(header);
  if (!m?.[1] || !URL.canParse(m[1])) return undefined;
  return new URL(m[1]).hostname.toLowerCase();
}

async function readCapped(req: Request, cap: number): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > cap) {
      req.unpipe();
      req.resume();
      return "too-large";
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function idOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { id?: unknown }).id === "string") return (value as { id: string }).id;
  return undefined;
}

function originOf(value: string | undefined): string | undefined {
  return value && URL.canParse(value) ? new URL(value).origin : undefined;
}

/** A reason to refuse the activity on its face, or undefined (malformed JSON is left to Fedify). */
export function originProblem(
  body: Buffer,
  isBlocked: (host: string) => boolean,
): { status: number; code: string; message: string } | undefined {
  let activity: unknown;
  try {
    activity = JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
  if (!activity || typeof activity !== "object" || Array.isArray(activity)) return undefined;
  const a = activity as { id?: unknown; actor?: unknown };
  const actors = (Array.isArray(a.actor) ? a.actor : [a.actor]).map(idOf).filter((x): x is string => x !== undefined);
  for (const actor of actors) {
    const host = URL.canParse(actor) ? new URL(actor).hostname.toLowerCase() : undefined;
    if (host && isBlocked(host)) return { status: 403, code: "blocked", message: `activities of ${host} are refused by this instance` };
  }
  const idOrigin = originOf(typeof a.id === "string" ? a.id : undefined);
  const actorOrigin = originOf(actors[0]);
  if (idOrigin && actorOrigin && idOrigin !== actorOrigin) {
    return {
      status: 400,
      code: "cross_origin",
      message: `the activity ${String(a.id)} is not on its actor's origin (${actorOrigin}); only an actor's own server may send its activities`,
    };
  }
  return undefined;
}
