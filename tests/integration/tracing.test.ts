// Fedify's OpenTelemetry traces (issue 12): with OTEL_EXPORTER_OTLP_ENDPOINT in the configuration an
// instance sends the spans of a real federation exchange (a Mastodon-shaped follower's Follow, signed,
// over HTTP, and the Accept it gets back) to an OTLP/HTTP receiver written here; without it, nothing,
// even with the receiver's address in the process environment (only the configuration counts).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JsonObject, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { startRelaisInstance } from "../support/relais-instance.ts";

interface OtlpSpan {
  name: string;
  traceId: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

/** A collector's OTLP/HTTP traces endpoint: keeps each POST's spans and the resource they came with. */
async function startOtlpReceiver(): Promise<{ url: URL; requests: { path: string; service?: unknown; spans: OtlpSpan[] }[]; server: Server }> {
  const requests: { path: string; service?: unknown; spans: OtlpSpan[] }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue;
        requests.push({ path: req.url ?? "", service, spans: rs.scopeSpans.flatMap((s) => s.spans) });
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), requests, server };
}

describe("OpenTelemetry traces", () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let mastodon: MastodonPeer;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    mastodon = await startMastodonPeer({ host: "127.0.0.28", username: "tess" });
  });
  afterAll(async () => {
    await mastodon?.close();
    await new Promise((r) => receiver?.server.close(r));
  });

  const followAndClose = async (env: Record<string, string>, slug: string) => {
    const relais = await startRelaisInstance({ env });
    try {
      await relais.runtime.collectives.create({ slug, name: { fr: slug }, primaryLanguage: "fr" });
      const { activityId } = await mastodon.follow(relais.url(`/@${slug}`));
      await mastodon.waitFor((d) => d.activity?.type === "Accept" && (d.activity.object as JsonObject | undefined)?.id === activityId.href);
    } finally {
      await relais.close(); // sends the spans still buffered
    }
  };

  it("are off without configuration, whatever the process environment holds", async () => {
    const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url.href;
    try {
      await followAndClose({}, "sans-traces");
    } finally {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
    }
    expect(receiver.requests).toEqual([]);
  });

  it("send Fedify's spans of a real inbox delivery and of the answer to it when configured", async () => {
    await followAndClose({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.href, OTEL_SERVICE_NAME: "relais-test" }, "avec-traces");
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(new Set(receiver.requests.map((r) => r.path))).toEqual(new Set(["/v1/traces"]));
    expect(new Set(receiver.requests.map((r) => r.service))).toEqual(new Set(["relais-test"]));
    const names = receiver.requests.flatMap((r) => r.spans.map((s) => s.name));
    // The Follow as Fedify handled it at the inbox, and the Accept it sent back.
    expect(names).toContain("activitypub.inbox");
    expect(names.some((n) => n.startsWith("activitypub.send_activity") || n.startsWith("activitypub.outbox"))).toBe(true);
  }, 60_000);
});
