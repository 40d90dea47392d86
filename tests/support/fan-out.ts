// For fan-out tests with many followers: servers that record every delivery per inbox (answering after
// a delay, to keep deliveries in flight), followers seeded on them, and counts of what arrived.
import { loadConfigFromProcess } from "../../src/config/config-files.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { createEditor } from "./editor.ts";
import { seedFollowers } from "./followers.ts";
import { type SlowPeer, startPlainPeer } from "./slow-peers.ts";

export interface RecordingServer {
  readonly peer: SlowPeer;
  /** Activity ids received, per inbox path, in order. */
  readonly received: Map<string, string[]>;
}

/** A server that records each delivery when it arrives and answers 202 after `answerAfterMs`. */
export async function startRecordingServer(host: string, answerAfterMs: number): Promise<RecordingServer> {
  const received = new Map<string, string[]>();
  const peer = await startPlainPeer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const activity = JSON.parse(Buffer.concat(chunks).toString() || "{}") as { id?: string };
      const path = req.url ?? "";
      received.set(path, [...(received.get(path) ?? []), String(activity.id)]);
      setTimeout(() => res.writeHead(202).end(), answerAfterMs);
    });
  }, host);
  return { peer, received };
}

/** `count` followers of `slug` on `server`, each with its own inbox (one delivery each). */
export function seedFollowersOn(runtime: Runtime, slug: string, server: RecordingServer, count: number): Promise<void> {
  return seedFollowers(runtime, slug, Array.from({ length: count }, (_, n) => ({ actor: server.peer.url(`/users/u${n}`) })));
}

/** How the deliveries of activity `id` went: inboxes reached, and deliveries beyond one per inbox. */
export function deliveriesOf(servers: readonly RecordingServer[], id: string): { inboxes: number; duplicates: number; total: number } {
  let inboxes = 0;
  let total = 0;
  for (const server of servers) {
    for (const ids of server.received.values()) {
      const n = ids.filter((x) => x === id).length;
      if (n > 0) inboxes++;
      total += n;
    }
  }
  return { inboxes, duplicates: total - inboxes, total };
}

/**
 * For a Relais run as processes with `env`, before they start: the database migrated, a collective
 * followed by `count` accounts on each server, and an editor; returns the editor's API token.
 */
export async function seedCollective(env: Record<string, string>, slug: string, followers: [RecordingServer, number][]): Promise<string> {
  const runtime = await createRuntime(loadConfigFromProcess(env), "cli", { migrations: "apply" });
  try {
    await runtime.collectives.create({ slug, name: { fr: "Grève" }, primaryLanguage: "fr" });
    for (const [server, count] of followers) await seedFollowersOn(runtime, slug, server, count);
    return (await createEditor(runtime, slug, `editor@${slug}.example`)).token;
  } finally {
    await runtime.close();
  }
}

/** Publishes an event through the API of the Relais at `origin`; returns the id of its Create. */
export async function publishEvent(origin: string, slug: string, token: string): Promise<string> {
  const posted = await fetch(new URL(`/api/v1/collectives/${slug}/events`, origin), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: { fr: "Grève générale" }, startsAt: "2030-03-08T10:00", onlineUrl: "https://meet.example/g", published: true }),
  });
  if (posted.status !== 201) throw new Error(`publishing answered ${posted.status}: ${await posted.text()}`);
  return `${((await posted.json()) as { apId: string }).apId}#create`;
}
