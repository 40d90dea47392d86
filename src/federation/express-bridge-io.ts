// Byte plumbing for the Express ↔ Fedify bridge (see express-bridge.ts for the design):
// a lazy, size-capped request body and the copy of a fetch `Response` onto Express's `res`.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { AppError } from "../shared/errors.ts";

/** A body larger than the configured cap; answered with 413 and the connection closed. */
export class FederationBodyTooLargeError extends AppError {
  readonly maxBodyBytes: number;

  constructor(maxBodyBytes: number) {
    super("payload_too_large", 413, `the request body is larger than ${maxBodyBytes} bytes; send a smaller activity`);
    this.name = "FederationBodyTooLargeError";
    this.maxBodyBytes = maxBodyBytes;
  }
}

/**
 * A body parser mounted before the bridge consumed the stream and kept no raw bytes. This is a
 * wiring bug, not a client error: mount the bridge before the parser, or give the parser
 * `verify: keepRawBody`.
 */
export class FederationBodyConsumedError extends Error {
  override readonly name = "FederationBodyConsumedError";
  readonly code = "federation_body_consumed";

  constructor() {
    super(
      "A body parser read this request before the federation bridge and kept no raw bytes, so " +
        "its signature cannot be checked: mount the bridge before the parser, or pass " +
        "`verify: keepRawBody` to the parser.",
    );
  }
}

/** What a body parser may leave on the request. */
type ParsedRequest = IncomingMessage & { rawBody?: unknown; body?: unknown };

/**
 * A `verify` callback for `express.json()` / `express.raw()` / `express.text()` that keeps the
 * exact bytes on `req.rawBody`, so the bridge can still hand them to Fedify when such a parser
 * runs first and matches an ActivityPub content type.
 */
export function keepRawBody(req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  (req as ParsedRequest).rawBody = buf;
}

function rawBytesLeftByParser(req: ParsedRequest): Uint8Array | undefined {
  if (req.rawBody instanceof Uint8Array) return req.rawBody;
  if (req.body instanceof Uint8Array) return req.body; // express.raw()
  return undefined;
}

function streamWasRead(req: IncomingMessage): boolean {
  return req.readableEnded || req.readableDidRead || req.destroyed;
}

function declaredLength(req: IncomingMessage): number | undefined {
  const value = req.headers["content-length"];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * The request body as a web stream that reads nothing until someone pulls from it (highWaterMark
 * 0), so a request Fedify does not serve leaves `req` untouched for later middleware. The cap
 * is checked against Content-Length before the first byte is read, then against the bytes
 * counted while streaming; past it the stream errors, reading stops and `onFailure` is told.
 */
export function lazyRequestBody(
  req: IncomingMessage,
  maxBodyBytes: number,
  onFailure: (error: FederationBodyTooLargeError | FederationBodyConsumedError) => void,
): ReadableStream<Uint8Array> {
  let received = 0;
  let started = false;
  let settled = false;
  let detach = (): void => {};

  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (settled) return;
        const fail = (error: FederationBodyTooLargeError | FederationBodyConsumedError): void => {
          settled = true;
          detach();
          onFailure(error);
          controller.error(error);
        };
        if (started) {
          req.resume();
          return;
        }
        started = true;

        const parsed = rawBytesLeftByParser(req);
        if (parsed !== undefined) {
          if (parsed.byteLength > maxBodyBytes) {
            fail(new FederationBodyTooLargeError(maxBodyBytes));
            return;
          }
          settled = true;
          controller.enqueue(parsed);
          controller.close();
          return;
        }
        if (streamWasRead(req)) {
          if (declaredLength(req) === 0) {
            settled = true;
            controller.close();
            return;
          }
          fail(new FederationBodyConsumedError());
          return;
        }
        const declared = declaredLength(req);
        if (declared !== undefined && declared > maxBodyBytes) {
          fail(new FederationBodyTooLargeError(maxBodyBytes));
          return;
        }

        const onData = (chunk: Buffer): void => {
          received += chunk.byteLength;
          if (received > maxBodyBytes) {
            // Stop reading at once; the bridge answers 413 with `Connection: close`, so the
            // rest of the body is never read off the socket.
            req.pause();
            fail(new FederationBodyTooLargeError(maxBodyBytes));
            return;
          }
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        };
        const onEnd = (): void => {
          settled = true;
          detach();
          controller.close();
        };
        const onError = (error: Error): void => {
          settled = true;
          detach();
          controller.error(error);
        };
        const onClose = (): void => {
          if (!settled) onError(new Error("The client closed the connection before the body ended."));
        };
        detach = () => {
          req.off("data", onData);
          req.off("end", onEnd);
          req.off("error", onError);
          req.off("close", onClose);
        };
        req.on("data", onData);
        req.once("end", onEnd);
        req.once("error", onError);
        req.once("close", onClose);
      },
      cancel() {
        settled = true;
        detach();
        req.pause();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The whole body, read through the same cap as the bridge's (`lazyRequestBody`), for a check that must
 * see it before Fedify (the inbox precheck): the bytes, or the 413 error when it is larger than the cap
 * (declared or counted; reading stops there). Keep the bytes on `req.rawBody`: the bridge then hands
 * exactly them to Fedify.
 */
export async function readRequestBody(req: IncomingMessage, maxBodyBytes: number): Promise<Buffer | FederationBodyTooLargeError> {
  let failure: FederationBodyTooLargeError | FederationBodyConsumedError | undefined;
  const stream = lazyRequestBody(req, maxBodyBytes, (error) => {
    failure = error;
  });
  try {
    return Buffer.from(await new Response(stream).arrayBuffer());
  } catch (error) {
    if (failure instanceof FederationBodyTooLargeError) return failure;
    throw failure ?? error;
  }
}

/**
 * Copies a fetch `Response` (status, every header, streamed body) onto Express's `res` and
 * resolves once the body is written. Repeated Set-Cookie headers stay separate.
 */
export async function sendFetchResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText !== "") res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("Set-Cookie", cookies);
  if (response.body === null) {
    res.end();
    return;
  }
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), res);
}
