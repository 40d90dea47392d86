import busboy from "busboy";
import type { Request, RequestHandler, Response } from "express";
import { AppError } from "../../shared/errors.ts";
import { sameToken } from "../auth/web-session.ts";

/** The one file a multipart form carried, read into memory (never more than the cap). */
export interface UploadedFile {
  readonly field: string;
  readonly bytes: Buffer;
}

export const uploadOf = (res: Response): UploadedFile | undefined => res.locals.upload as UploadedFile | undefined;

export interface MultipartOptions {
  /** Largest file accepted; reading stops at the first byte past it. */
  readonly maxFileBytes: number;
  /** All text fields together. */
  readonly maxFieldBytes: number;
  /** The form token this request must carry before any file (the session's); undefined: no session, refused. */
  readonly expectedToken: (res: Response) => string | undefined;
}

export const tooLarge = (maxFileBytes: number) =>
  new AppError("too_large", 413, `the file is larger than ${Math.floor(maxFileBytes / (1024 * 1024))} MB; choose a smaller image`);

/**
 * Reads a `multipart/form-data` form (busboy) into `req.body` and, for at most one file, `uploadOf(res)`.
 * Bounded before anything is read whole: a declared Content-Length over the caps is refused at once;
 * otherwise the file is read only up to `maxFileBytes` and the request is cut off at the first byte
 * past it (answered 413 with `Connection: close`, so the rest is never read). The form token must come
 * first (every form of ours starts with it) and match before a single byte of a file is kept, so a
 * stranger's upload costs no memory. Other requests pass through untouched.
 */
export function multipartForm(o: MultipartOptions): RequestHandler {
  return (req: Request, res: Response, next) => {
    if (req.method !== "POST" || !req.is("multipart/form-data")) return next();
    let settled = false;
    const fail = (error: AppError) => {
      if (settled) return;
      settled = true;
      req.unpipe();
      res.set("Connection", "close");
      next(error);
    };
    const expected = o.expectedToken(res);
    if (!expected) return fail(new AppError("csrf", 403, "this form was refused (no session); log in and send it again"));
    const declared = Number(req.get("content-length") ?? "0");
    if (declared > o.maxFileBytes + o.maxFieldBytes + 64 * 1024) return fail(tooLarge(o.maxFileBytes));

    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fileSize: o.maxFileBytes, files: 1, fields: 1000, parts: 1100, fieldSize: o.maxFieldBytes, fieldNameSize: 200 },
      });
    } catch {
      return fail(new AppError("bad_request", 400, "the form could not be read; send it again"));
    }
    const fields: Record<string, string> = Object.create(null);
    let fieldBytes = 0;
    let upload: UploadedFile | undefined;
    let pending = 0;
    let ended = false;
    const done = () => {
      if (settled || !ended || pending > 0) return;
      settled = true;
      req.body = fields;
      res.locals.upload = upload;
      next();
    };
    parser.on("field", (name, value, info) => {
      fieldBytes += name.length + value.length;
      if (info.valueTruncated || fieldBytes > o.maxFieldBytes) return fail(new AppError("too_large", 413, "the form's text is too long"));
      if (!(name in fields)) fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (!sameToken(fields._csrf, expected)) {
        stream.resume();
        return fail(new AppError("csrf", 403, "this form was refused (its security token is missing or out of date); reload the page and send it again"));
      }
      const chunks: Buffer[] = [];
      pending += 1;
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => fail(tooLarge(o.maxFileBytes)));
      stream.on("end", () => {
        pending -= 1;
        const bytes = Buffer.concat(chunks);
        // A file input left empty is sent as a part without a name and without bytes.
        if (!stream.truncated && (bytes.length > 0 || info.filename)) upload = bytes.length > 0 ? { field: name, bytes } : upload;
        done();
      });
    });
    parser.on("filesLimit", () => fail(new AppError("invalid", 422, "send one image at a time")));
    parser.on("fieldsLimit", () => fail(new AppError("too_large", 413, "the form has too many fields")));
    parser.on("partsLimit", () => fail(new AppError("too_large", 413, "the form has too many parts")));
    parser.on("error", () => fail(new AppError("bad_request", 400, "the form could not be read; send it again")));
    parser.on("close", () => {
      ended = true;
      done();
    });
    req.pipe(parser);
  };
}
