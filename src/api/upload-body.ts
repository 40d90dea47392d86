import type { Request, Response } from "express";
import { AppError } from "../shared/errors.ts";

export const uploadTooLarge = (max: number) =>
  new AppError("too_large", 413, `the file is larger than ${Math.floor(max / (1024 * 1024)) || `${Math.floor(max / 1024)} k`}${max >= 1024 * 1024 ? " MB" : "B"}; send a smaller one`);

/**
 * The request body as bytes, never more than `max`: a declared Content-Length over it is refused at
 * once, and reading stops at the first byte past it (413 with `Connection: close`, so the rest is never
 * read and nothing is stored). For the API's raw uploads (`Content-Type` of the file itself).
 */
export function readBoundedBody(req: Request, res: Response, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const refuse = () => {
      res.set("Connection", "close");
      req.pause();
      reject(uploadTooLarge(max));
    };
    const declared = Number(req.get("content-length") ?? "NaN");
    if (Number.isFinite(declared) && declared > max) return refuse();
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        done = true;
        req.off("data", onData);
        chunks.length = 0;
        return refuse();
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on("error", (error) => {
      if (done) return;
      done = true;
      reject(new AppError("bad_request", 400, `the upload was interrupted (${error.message}); send it again`));
    });
  });
}
