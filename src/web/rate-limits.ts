import { isIPv4, isIPv6 } from "node:net";
import type { NextFunction, Request, Response } from "express";
import type { Redis } from "ioredis";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { signatureKeyId } from "../federation/inbox/activity-document.ts";

/** The answer to one counted hit: go on, or wait this long. */
export type RateVerdict = { readonly limited: false } | { readonly limited: true; readonly retryAfterSeconds: number };

/** A number of hits allowed per key in a fixed window (see docs/adr: rate limits). */
export interface RateLimit {
  hit(key: string): Promise<RateVerdict>;
  /** Whether the key is over its limit now, without counting a hit (check before costly work). */
  peek(key: string): Promise<RateVerdict>;
  /** Forgets the key's count (a success ends a run of failures). */
  reset(key: string): Promise<void>;
}

export interface RateLimitOptions {
  readonly name: string;
  readonly points: number;
  readonly durationSeconds: number;
  /** Counts shared by every process through Redis; without it, in this process's memory. */
  readonly redis?: { readonly client: Redis; readonly keyPrefix: string };
}

export function createRateLimit(opts: RateLimitOptions): RateLimit {
  const base = { points: opts.points, duration: opts.durationSeconds, keyPrefix: `${opts.redis?.keyPrefix ?? ""}${opts.name}` };
  const memory = new RateLimiterMemory(base);
  const limiter: RateLimiterAbstract = opts.redis
    ? new RateLimiterRedis({
        ...base,
        storeClient: opts.redis.client,
        // While Redis is away, count in memory rather than fail every request or let every one through.
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
        // A key over its limit is answered from memory until its window ends: a flood costs Redis nothing.
        inMemoryBlockOnConsumed: opts.points + 1,
        inMemoryBlockDuration: opts.durationSeconds,
      })
    : memory;
  return {
    async hit(key) {
      try {
        await limiter.consume(key);
        return { limited: false };
      } catch (result) {
        if (!(result instanceof RateLimiterRes)) throw result;
        return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)) };
      }
    },
    async peek(key) {
      const result = await limiter.get(key);
      if (result === null || result.consumedPoints < opts.points) return { limited: false };
      return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)) };
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}

/**
 * The key of a client address: the address itself for IPv4, its /64 for IPv6 (one host usually holds a
 * whole /64, so counting single IPv6 addresses would count nothing).
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined || address === "") return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return mapped;
  if (isIPv4(address) || !isIPv6(address)) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = address.includes("::") ? (tail === "" ? [] : tail.split(":")) : [];
  const groups = [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

/** 429 with Retry-After and a message that says what to do; the connection closes (any body stays unread). */
export function answerLimited(res: Response, retryAfterSeconds: number, message: string): void {
  res
    .status(429)
    .set("Retry-After", String(retryAfterSeconds))
    .set("Connection", "close")
    .json({ error: "too_many_requests", message: `${message}; try again in ${retryAfterSeconds} seconds` });
}

/**
 * Inbox POSTs per remote origin — the host of the key the request says it is signed with — and client
 * address. The claimed host alone would let anyone use up a real server's allowance by claiming its
 * keys; the pair keeps each sender's count to itself. Runs before anything reads the body.
 */
export function inboxRateLimit(limit: RateLimit) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const origin = signatureKeyId({ get: (name) => req.get(name) })?.hostname.toLowerCase() ?? "unsigned";
    const verdict = await limit.hit(`${origin} ${addressKey(req.ip)}`);
    if (verdict.limited) {
      answerLimited(res, verdict.retryAfterSeconds, `too many deliveries from ${origin} at your address`);
      return;
    }
    next();
  };
}
