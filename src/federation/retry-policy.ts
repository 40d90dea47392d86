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
