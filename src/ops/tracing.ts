import { getLogger } from "@logtape/logtape";

const logger = getLogger(["relais", "tracing"]);

/** Fedify's OpenTelemetry traces, exported over OTLP/HTTP while the process runs (ADR 0031). */
export interface Tracing {
  /** For Fedify's `tracerProvider` option (the API's TracerProvider shape). */
  readonly tracerProvider: unknown;
  /** Sends the spans still buffered, then stops (the runtime's close). */
  shutdown(): Promise<void>;
}

/**
 * Starts tracing: OpenTelemetry's Node SDK and its OTLP/HTTP (JSON) exporter, imported only here, so a
 * process without `OTEL_EXPORTER_OTLP_*` loads none of it. Spans are batched (every 5 s, or 512 at a
 * time); an unreachable collector costs dropped spans and a log line, never a request. The provider is
 * also registered as the process's global one, with its AsyncLocalStorage context manager, so that
 * Fedify's nested spans (a request, the inbox listener, the deliveries it queues) share one trace.
 */
export async function startTracing(opts: { endpoint: URL; serviceName: string; role: string; version: string }): Promise<Tracing> {
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  const exporter = new OTLPTraceExporter({ url: opts.endpoint.href });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": opts.serviceName, "service.version": opts.version, "relais.role": opts.role }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  logger.info("OpenTelemetry traces are sent to {endpoint}", { endpoint: opts.endpoint.origin + opts.endpoint.pathname });
  return {
    tracerProvider: provider,
    async shutdown() {
      try {
        await provider.shutdown();
      } catch (error) {
        logger.warn("the last traces could not be sent: {error}", { error: String(error) });
      }
    },
  };
}
