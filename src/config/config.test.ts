import { describe, expect, it } from "vitest";
import { occurrenceLeadMs } from "../modules/event/occurrence-publishing.ts";
import { ConfigError, loadConfig } from "./config.ts";

const defaults = { origin: "http://localhost:3000", port: 3000, dataDir: "./data", maxInboxBodyBytes: 1048576 };

describe("loadConfig", () => {
  it("uses file defaults when the environment is empty", () => {
    const c = loadConfig({}, [defaults]);
    expect(c.origin.href).toBe("http://localhost:3000/");
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.allowPrivateAddresses).toBe(false);
    expect(c.logFormat).toBe("text");
  });

  it("lets environment variables override the files", () => {
    const c = loadConfig(
      { RELAIS_ORIGIN: "https://relais.example", PORT: "8080", DATABASE_URL: "postgres://u@h/db", REDIS_URL: "redis://h:6379" },
      [defaults],
    );
    expect(c.origin.host).toBe("relais.example");
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBe("postgres://u@h/db");
    expect(c.redisUrl).toBe("redis://h:6379");
  });

  it("reports every problem at once with the variable's name", () => {
    try {
      loadConfig({ RELAIS_ORIGIN: "not a url", PORT: "eighty", DATABASE_URL: "mysql://x", RELAIS_LOG_LEVEL: "loud" }, [defaults]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join("\n");
      expect(problems).toMatch(/RELAIS_ORIGIN .*not a URL/);
      expect(problems).toMatch(/PORT must be a whole number/);
      expect(problems).toMatch(/DATABASE_URL must be a postgres/);
      expect(problems).toMatch(/RELAIS_LOG_LEVEL/);
    }
  });

  it("refuses an origin with a path", () => {
    expect(() => loadConfig({ RELAIS_ORIGIN: "https://a.example/relais" }, [defaults])).toThrow(/RELAIS_ORIGIN must be an origin only/);
  });

  it("refuses private addresses in production", () => {
    expect(() => loadConfig({ NODE_ENV: "production", RELAIS_ALLOW_PRIVATE_ADDRESSES: "true" }, [defaults])).toThrow(
      /RELAIS_ALLOW_PRIVATE_ADDRESSES must not be true when NODE_ENV=production/,
    );
    const dev = loadConfig({ RELAIS_ALLOW_PRIVATE_ADDRESSES: "true" }, [defaults]);
    expect(dev.allowPrivateAddresses).toBe(true);
    expect(loadConfig({ NODE_ENV: "production" }, [defaults]).logFormat).toBe("json");
  });

  it("bounds outbound requests by default, and takes other bounds from the environment", () => {
    expect(loadConfig({}, [defaults]).outbound).toEqual({
      connectTimeoutMs: 5000,
      headersTimeoutMs: 15000,
      responseTimeoutMs: 30000,
      maxResponseBytes: 1048576,
      connectionsPerOrigin: 16,
    });
    const c = loadConfig({ RELAIS_OUTBOUND_HEADERS_TIMEOUT_MS: "2000", RELAIS_OUTBOUND_RESPONSE_TIMEOUT_MS: "4000" }, [defaults]);
    expect(c.outbound).toMatchObject({ headersTimeoutMs: 2000, responseTimeoutMs: 4000 });
    expect(() => loadConfig({ RELAIS_OUTBOUND_HEADERS_TIMEOUT_MS: "60000" }, [defaults])).toThrow(
      /RELAIS_OUTBOUND_HEADERS_TIMEOUT_MS must not be longer than RELAIS_OUTBOUND_RESPONSE_TIMEOUT_MS/,
    );
    expect(() => loadConfig({ RELAIS_OUTBOUND_MAX_RESPONSE_BYTES: "10" }, [defaults])).toThrow(/RELAIS_OUTBOUND_MAX_RESPONSE_BYTES must be at least/);
  });

  it("takes the delivery concurrency from the environment or a file, 16 by default, and refuses nonsense", () => {
    expect(loadConfig({}, [defaults]).deliveryConcurrency).toBe(16);
    expect(loadConfig({ RELAIS_DELIVERY_CONCURRENCY: "32" }, [defaults]).deliveryConcurrency).toBe(32);
    expect(loadConfig({}, [defaults, { deliveryConcurrency: 4 }]).deliveryConcurrency).toBe(4);
    expect(() => loadConfig({ RELAIS_DELIVERY_CONCURRENCY: "0" }, [defaults])).toThrow(/RELAIS_DELIVERY_CONCURRENCY/);
  });

  it("treats an empty DATABASE_URL as unset and parses blocked domains", () => {
    const c = loadConfig({ DATABASE_URL: "", RELAIS_BLOCKED_DOMAINS: " Spam.example, ,evil.example., bücher.example" }, [defaults]);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.blockedDomains).toEqual(["spam.example", "evil.example", "xn--bcher-kva.example"]);
    expect(() => loadConfig({ RELAIS_BLOCKED_DOMAINS: "spam.example, com, https://evil.example/" }, [defaults])).toThrow(
      /RELAIS_BLOCKED_DOMAINS.*"com" is a top-level domain[\s\S]*"https:\/\/evil.example\/" is not a domain name/,
    );
  });

  it("names unknown keys in config files", () => {
    expect(() => loadConfig({}, [{ ...defaults, prot: 1 }])).toThrow(/config file key "prot" is unknown/);
  });

  it("reads the proxies to trust and the rate limits", () => {
    const c = loadConfig({}, [defaults]);
    expect(c.trustProxy).toBe("loopback");
    expect(c.apiAuthFailureLimit).toBe(20);
    expect(c.inboxRateLimit).toBe(600);
    const set = loadConfig({ RELAIS_TRUST_PROXY: "10.0.0.0/8, fd00::1", RELAIS_API_AUTH_FAILURE_LIMIT: "5", RELAIS_INBOX_RATE_LIMIT: "60" }, [defaults]);
    expect(set.trustProxy).toBe("10.0.0.0/8, fd00::1");
    expect(set.apiAuthFailureLimit).toBe(5);
    expect(set.inboxRateLimit).toBe(60);
    expect(loadConfig({ RELAIS_TRUST_PROXY: "false" }, [defaults]).trustProxy).toBe(false);
    expect(() => loadConfig({ RELAIS_TRUST_PROXY: "everyone", RELAIS_INBOX_RATE_LIMIT: "0" }, [defaults])).toThrow(
      /RELAIS_TRUST_PROXY "everyone" is not loopback[\s\S]*RELAIS_INBOX_RATE_LIMIT must be at least 1/,
    );
  });

  it("turns traces on only with an OTLP endpoint, OpenTelemetry's way", () => {
    expect(loadConfig({}, [defaults]).traces).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "" }, [defaults]).traces).toBeUndefined();
    const general = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, [defaults]).traces;
    expect(general?.endpoint.href).toBe("http://collector:4318/v1/traces");
    expect(general?.serviceName).toBe("relais");
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example/base/" }, [defaults]).traces?.endpoint.href).toBe("https://otel.example/base/v1/traces");
    const own = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b:4318/traces", OTEL_SERVICE_NAME: "relais-eu" }, [defaults]).traces;
    expect([own?.endpoint.href, own?.serviceName]).toEqual(["http://b:4318/traces", "relais-eu"]);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }, [defaults])).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http/);
  });

  it("takes a heartbeat file only as an absolute path", () => {
    expect(loadConfig({}, [defaults]).heartbeatFile).toBeUndefined();
    expect(loadConfig({ RELAIS_HEARTBEAT_FILE: "" }, [defaults]).heartbeatFile).toBeUndefined();
    expect(loadConfig({ RELAIS_HEARTBEAT_FILE: "/tmp/relais-worker.alive" }, [defaults]).heartbeatFile).toBe("/tmp/relais-worker.alive");
    expect(() => loadConfig({ RELAIS_HEARTBEAT_FILE: "worker.alive" }, [defaults])).toThrow(/RELAIS_HEARTBEAT_FILE must be an absolute path/);
  });

  it("takes the watchdog's limit in seconds, off by default, and refuses a limit a pause could reach", () => {
    expect(loadConfig({}, [defaults]).watchdogSeconds).toBe(0);
    expect(loadConfig({ RELAIS_WATCHDOG_SECONDS: "60" }, [defaults]).watchdogSeconds).toBe(60);
    expect(loadConfig({ RELAIS_WATCHDOG_SECONDS: "0" }, [defaults]).watchdogSeconds).toBe(0);
    expect(() => loadConfig({ RELAIS_WATCHDOG_SECONDS: "5" }, [defaults])).toThrow(/RELAIS_WATCHDOG_SECONDS must be 0 \(off\) or at least 10/);
    expect(() => loadConfig({ RELAIS_WATCHDOG_SECONDS: "soon" }, [defaults])).toThrow(/RELAIS_WATCHDOG_SECONDS must be a whole number/);
  });

  it("takes the lead time of recurring events' occurrences in hours, five days by default, and refuses nonsense", () => {
    expect(loadConfig({}, [defaults]).occurrenceLeadHours * 3_600_000).toBe(occurrenceLeadMs);
    expect(loadConfig({}, [defaults]).occurrenceLeadHours).toBe(120);
    expect(loadConfig({ RELAIS_OCCURRENCE_LEAD_HOURS: "48" }, [defaults]).occurrenceLeadHours).toBe(48);
    expect(loadConfig({}, [defaults, { occurrenceLeadHours: 72 }]).occurrenceLeadHours).toBe(72);
    expect(() => loadConfig({ RELAIS_OCCURRENCE_LEAD_HOURS: "0" }, [defaults])).toThrow(/RELAIS_OCCURRENCE_LEAD_HOURS must be at least 1/);
    expect(() => loadConfig({ RELAIS_OCCURRENCE_LEAD_HOURS: "two days" }, [defaults])).toThrow(/RELAIS_OCCURRENCE_LEAD_HOURS must be a whole number/);
    expect(() => loadConfig({ RELAIS_OCCURRENCE_LEAD_HOURS: "9999" }, [defaults])).toThrow(/RELAIS_OCCURRENCE_LEAD_HOURS must be at most 1440/);
  });
});
