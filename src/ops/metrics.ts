/**
 * What `/metrics` shows, in Prometheus' text format (prom-client), one registry per runtime.
 *
 * Deliveries, retries and signature failures are counted where they happen, inside Fedify: Fedify
 * 2.3 records them as OpenTelemetry instruments on the meter provider it is given, and
 * `meterProvider` below is such a provider that turns the few instruments listed in `fedifyMetrics`
 * into Prometheus series (the others are dropped). Labels are bounded: a remote host for deliveries
 * (servers we chose to deliver to), never an address or an actor.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

type Attributes = Record<string, string | number | boolean | undefined>;

/** How one Fedify instrument becomes a Prometheus series: labels from its attributes, or nothing. */
interface Bridged {
  readonly metric: Counter<string>;
  readonly labels: (attributes: Attributes) => Record<string, string> | undefined;
}

export interface QueueCounts {
  counts(): Promise<{ ready: number; delayed: number; active: number }>;
  /** Seconds the oldest message ready to be handled has waited (0 when none). */
  oldestReadyAgeSeconds(): Promise<number>;
}

export class Metrics {
  readonly registry = new Registry();
  readonly #bridged: Map<string, Bridged>;
  readonly #http: Histogram<"method" | "route" | "status">;
  readonly #readCache: Counter<"result">;
  readonly #feedCache: Counter<"result">;
  #queue: QueueCounts | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "relais_" });
    this.#http = new Histogram({
      name: "relais_http_request_duration_seconds",
      help: "HTTP requests answered, by route pattern (never the raw URL), method and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#readCache = new Counter({
      name: "relais_read_cache_requests_total",
      help: "Federated reads and cached pages (ADR 0022) answered from the cache (hit) or rendered (miss)",
      labelNames: ["result"],
      registers,
    });
    this.#feedCache = new Counter({
      name: "relais_feed_cache_requests_total",
      help: "Calendar feed versions found in the short-lived cache (hit) or read from the database (miss)",
      labelNames: ["result"],
      registers,
    });
    const queue = () => this.#queue;
    new Gauge({
      name: "relais_queue_depth",
      help: "Messages in the federation queue (deliveries and accepted inbox activities) by state",
      labelNames: ["state"],
      registers,
      async collect() {
        const q = queue();
        if (!q) return;
        const c = await q.counts();
        this.set({ state: "ready" }, c.ready);
        this.set({ state: "delayed" }, c.delayed);
        this.set({ state: "active" }, c.active);
      },
    });
    new Gauge({
      name: "relais_queue_oldest_ready_age_seconds",
      help: "How long the oldest message ready to be handled has waited (0: none waits); grows when workers fall behind",
      registers,
      async collect() {
        const q = queue();
        if (q) this.set(await q.oldestReadyAgeSeconds());
      },
    });
    const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers });
    this.#bridged = new Map<string, Bridged>([
      [
        "activitypub.delivery.sent",
        {
          metric: counter("relais_deliveries_total", "Delivery attempts to other servers' inboxes, by remote host and outcome (sent: accepted; failed: to be retried or abandoned)", ["host", "outcome"]),
          labels: (a) => ({ host: String(a["activitypub.remote.host"] ?? "unknown"), outcome: a["activitypub.delivery.success"] === true ? "sent" : "failed" }),
        },
      ],
      [
        "activitypub.delivery.permanent_failure",
        {
          metric: counter("relais_deliveries_abandoned_total", "Deliveries given up at once (404, 410), by remote host and status", ["host", "status"]),
          labels: (a) => ({ host: String(a["activitypub.remote.host"] ?? "unknown"), status: String(a["http.response.status_code"] ?? "") }),
        },
      ],
      [
        "fedify.queue.task.enqueued",
        {
          metric: counter("relais_queue_retries_total", "Queued messages put back for another attempt after a failure, by queue role (outbox: deliveries; inbox; fanout)", ["role"]),
          labels: (a) => (Number(a["fedify.queue.task.attempt"] ?? 0) > 0 ? { role: String(a["fedify.queue.role"] ?? "unknown") } : undefined),
        },
      ],
      [
        "fedify.queue.task.failed",
        {
          metric: counter("relais_queue_tasks_failed_total", "Queued messages whose handling failed (each failed attempt), by queue role", ["role"]),
          labels: (a) => ({ role: String(a["fedify.queue.role"] ?? "unknown") }),
        },
      ],
      [
        "activitypub.signature.verification_failure",
        {
          metric: counter("relais_inbox_verification_failures_total", "Signatures of incoming requests that did not verify, by reason (no sending host: strangers choose it)", ["reason"]),
          labels: (a) => ({ reason: String(a["activitypub.verification.failure_reason"] ?? "unknown") }),
        },
      ],
    ]);
  }

  /** The queue whose depth and age are shown (read at each scrape). */
  watchQueue(queue: QueueCounts): void {
    this.#queue = queue;
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.#http.observe({ method, route, status: String(status) }, seconds);
  }

  readCacheLookup = (hit: boolean): void => {
    this.#readCache.inc({ result: hit ? "hit" : "miss" });
  };

  feedCacheLookup = (hit: boolean): void => {
    this.#feedCache.inc({ result: hit ? "hit" : "miss" });
  };

  /** The text a scrape gets, and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /**
   * An OpenTelemetry MeterProvider (the API's shape, without the SDK) for Fedify's `meterProvider`
   * option: the instruments of `fedifyMetrics` count into the series above, the others do nothing.
   */
  readonly meterProvider = {
    getMeter: () => this.#meter,
  };

  readonly #meter = (() => {
    const noop = { add() {}, record() {}, addCallback() {}, removeCallback() {} };
    const counterFor = (name: string) => {
      const bridged = this.#bridged.get(name);
      if (!bridged) return noop;
      return {
        ...noop,
        add: (value: number, attributes: Attributes = {}) => {
          const labels = bridged.labels(attributes);
          if (labels && value > 0) bridged.metric.inc(labels, value);
        },
      };
    };
    return {
      createCounter: counterFor,
      createUpDownCounter: () => noop,
      createHistogram: () => noop,
      createGauge: () => noop,
      createObservableGauge: () => noop,
      createObservableCounter: () => noop,
      createObservableUpDownCounter: () => noop,
      addBatchObservableCallback() {},
      removeBatchObservableCallback() {},
    };
  })();
}
