// `relais start` with NODE_ENV=production, as a real process on PostgreSQL: every log line is one JSON
// object, and what strangers send (their address, through a trusted proxy's X-Forwarded-For; the
// bodies they post; the tokens, e-mails and passwords they try) appears in none of them, while the
// refusals and failed logins are logged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type RelaisProcess, startProcess } from "../support/relais-process.ts";
import { createTestDatabase } from "../support/services.ts";
import { WebClient } from "../support/web-client.ts";

const address = "203.0.113.77";
const marker = "Sekret-Body-Marker-4711";
const email = "ana.marker@example.org";

describe("production logs", { timeout: 180_000 }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let relais: RelaisProcess;
  let origin: string;

  beforeAll(async () => {
    db = await createTestDatabase("prodlogs");
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    relais = await startProcess(
      ["start"],
      { NODE_ENV: "production", RELAIS_ORIGIN: origin, PORT: String(port), DATABASE_URL: db.url, REDIS_URL: "", RELAIS_LOG_LEVEL: "info", RELAIS_LOG_FORMAT: "auto" },
      /listening on port/,
    );
  });
  afterAll(async () => {
    await relais?.stop();
    await db?.drop();
  });

  it("writes JSON lines without addresses, bodies or tokens", async () => {
    const headers = { "x-forwarded-for": address, "content-type": "application/activity+json" };
    const body = JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams", type: "Create", actor: "https://elsewhere.example/users/x", object: { type: "Note", content: marker } });
    expect((await fetch(`${origin}/inbox`, { method: "POST", headers, body })).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${origin}/inbox`, { method: "POST", headers, body: `{"broken": "${marker}"` })).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${origin}/api/v1/tokens`, { headers: { "x-forwarded-for": address, authorization: `Bearer ${marker}` } })).status).toBe(401);
    expect((await fetch(`${origin}/nowhere-${marker}`, { headers: { "x-forwarded-for": address } })).status).toBe(404);
    expect((await fetch(`${origin}/`, { headers: { "x-forwarded-for": address } })).status).toBe(200);
    // Failed logins, then throttled ones, from another client address: logged without e-mail or address.
    const web = new WebClient(new URL(origin), { localAddress: "127.0.0.5" });
    await web.get("/manage/login");
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await web.post("/manage/login", { email: email, password: `guess ${marker} ${i}` })).status);
    expect(statuses).toContain(401);
    expect(statuses).toContain(429);
    await new Promise((r) => setTimeout(r, 500));
    await relais.stop();

    const lines = relais
      .output()
      .split("\n")
      .filter((l) => l.trim() !== "" && !/^relais: listening on port \d+$/.test(l));
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(record).toEqual(expect.objectContaining({ "@timestamp": expect.any(String), level: expect.any(String), logger: expect.any(String), message: expect.any(String) }));
    }
    const text = lines.join("\n");
    // The refusals are there, saying what was refused and why, not who sent it.
    const refusals = lines.map((l) => JSON.parse(l) as { logger: string; message: string }).filter((r) => r.logger === "relais.inbox");
    expect(refusals.map((r) => r.message)).toContainEqual(expect.stringMatching(/inbox POST .*\/inbox.* refused: 400/));
    expect(refusals.length).toBeGreaterThan(0);
    expect(text).toMatch(/a login failed/);
    expect(text).toMatch(/a login was throttled/);
    for (const leak of [address, marker, email, "127.0.0.5"]) expect(text).not.toContain(leak);
  });
});
