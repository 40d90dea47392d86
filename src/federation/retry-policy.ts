import { createExponentialBackoffPolicy, type RetryPolicy } from "@fedify/fedify";

/**
 * Outbound delivery keeps trying for about two days, like Mastodon (Fedify's default gives up after
 * roughly half an hour of attempts): 1 min, doubling, capped at 12 h, 12 retries. Fedify's jitter
 * multiplies each delay by 1 to 2, so the retries span 41 to 53 hours (13 retries reached 65 h).
 */
export const outboxRetry = { initialMinutes: 1, factor: 2, maxDelayHours: 12, maxAttempts: 12 } as const;

export function outboxRetryPolicy(): RetryPolicy {
  return createExponentialBackoffPolicy({
    initialDelay: { minutes: outboxRetry.initialMinutes },
    factor: outboxRetry.factor,
    maxDelay: { hours: outboxRetry.maxDelayHours },
    maxAttempts: outboxRetry.maxAttempts,
    jitter: true,
  });
}

/** Statuses after which a delivery is not retried. Only 410 (or a Delete) removes the follower: see federation.ts. */
export const permanentFailureStatusCodes = [404, 410] as const;

/**
 * The outbox relay's own retries, when it could not turn a row into queued deliveries (a bug, the
 * database down): 30 s, doubling, capped at 1 h, 10 attempts in all (about 4 h), then the row is failed
 * and shown by `relais outbox failed` until an operator retries it.
 */
export const outboxRowRetry = { firstDelaySeconds: 30, maxDelaySeconds: 3600, maxAttempts: 10 } as const;

/** Seconds before attempt `attempts + 1` of a row, or null when `attempts` failed attempts are enough. */
export function outboxRowRetryDelaySeconds(attempts: number): number | null {
  if (attempts >= outboxRowRetry.maxAttempts) return null;
  return Math.min(outboxRowRetry.firstDelaySeconds * 2 ** Math.max(0, attempts - 1), outboxRowRetry.maxDelaySeconds);
}
