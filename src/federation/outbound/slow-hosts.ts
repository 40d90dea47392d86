/**
 * Which servers answer slowly, so that a request waiting on one of them stops holding a delivery slot.
 *
 * Deliveries run a bounded number at once (the queue's concurrency), which bounds their CPU work:
 * signing, JSON-LD. A delivery to a server that takes ten seconds to answer does no work for those ten
 * seconds but would hold its slot, and with 5 % of a fan-out's servers slow, every slot ends up
 * waiting on one of them. So a request tells `onSlow` (the queue: give my slot to the next message)
 * once it has waited `slowAfterMs` for the answer's headers — and at once when its server was slow
 * lately (`rememberMs`), until that server answers fast again.
 */
export interface SlowHostOptions {
  /** A request still without response headers after this long is slow, and so is its server. Default 1 s. */
  readonly slowAfterMs?: number;
  /** How long a server stays known as slow after its last slow answer (a fast one forgets it). Default 10 min. */
  readonly rememberMs?: number;
  /** Called (in the request's async context) when the request turns out slow. */
  readonly onSlow: () => void;
  /** The clock and the timer (tests); the timer returns its cancel function. */
  readonly now?: () => number;
  readonly schedule?: (fn: () => void, ms: number) => () => void;
}

function schedule(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/** Known slow servers, at most this many (the oldest marks go first). */
const maxRemembered = 10_000;

export class SlowHosts {
  readonly #slowAfterMs: number;
  readonly #rememberMs: number;
  readonly #onSlow: () => void;
  readonly #now: () => number;
  readonly #schedule: (fn: () => void, ms: number) => () => void;
  /** origin → until when it counts as slow (ms since the epoch) */
  readonly #slowUntil = new Map<string, number>();

  constructor(options: SlowHostOptions) {
    this.#slowAfterMs = options.slowAfterMs ?? 1000;
    this.#rememberMs = options.rememberMs ?? 600_000;
    this.#onSlow = options.onSlow;
    this.#now = options.now ?? Date.now;
    this.#schedule = options.schedule ?? schedule;
  }

  /** Whether `origin` answered slowly lately. */
  isSlow(origin: string): boolean {
    const until = this.#slowUntil.get(origin);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#slowUntil.delete(origin);
    return false;
  }

  /**
   * Watches a request to `origin` from its start; call the returned function when its headers came
   * (`answered`) or it failed. A fast answer makes the server no longer slow.
   */
  watch(origin: string): (answered: boolean) => void {
    if (this.isSlow(origin)) {
      this.#onSlow();
      const started = this.#now();
      return (answered) => {
        if (!answered) return;
        if (this.#now() - started < this.#slowAfterMs) this.#slowUntil.delete(origin);
        else this.#mark(origin);
      };
    }
    let slow = false;
    const cancel = this.#schedule(() => {
      slow = true;
      this.#mark(origin);
      this.#onSlow();
    }, this.#slowAfterMs);
    return () => {
      if (!slow) cancel();
    };
  }

  #mark(origin: string): void {
    this.#slowUntil.delete(origin);
    this.#slowUntil.set(origin, this.#now() + this.#rememberMs);
    if (this.#slowUntil.size > maxRemembered) {
      const oldest = this.#slowUntil.keys().next().value;
      if (oldest !== undefined) this.#slowUntil.delete(oldest);
    }
  }
}
