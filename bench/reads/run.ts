// Reads that the fediverse and API clients make, against Relais as it runs (`relais start`, a child
// process on its own core), each compared with Express's hello world measured in the same run (its own
// process): issue 15's table. Also the server's CPU time per request.
//
//   node bench/reads/run.ts                  PostgreSQL (the test server), 200,000 events in the API's collective
//   node bench/reads/run.ts --embedded       the embedded default (PGlite in the server process)
//   node bench/reads/run.ts --quick          1 round of 1 s, 20,000 events
//   node bench/reads/run.ts --events 50000 --rounds 5 --seconds 3 --connections 16
//   node bench/reads/run.ts --profile actor  a CPU profile of the server during that scenario only, summarised
//
// The load client is a minimal keep-alive HTTP/1.1 client over raw sockets (bench/shared/http-load.ts).
// Scenarios run round robin so that the machine's load weighs on each side of a ratio alike; medians
// are reported, with the load average before and after.
import "../../src/temporal.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEditor } from "../../tests/support/editor.ts";
import { load, loadAverage, markdownTable, median, processMemory, rawRequest, type Sample } from "../shared/http-load.ts";
import { monotonicMicros, profileMarkdown, summarizeProfile } from "../shared/profile-summary.ts";
import { benchDatabase, benchEnv, freePort, seed, startHelloWorld, startRelais } from "../shared/relais-server.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const quick = args.includes("--quick");
const embedded = args.includes("--embedded");
const eventCount = option("events", quick ? 20_000 : 200_000);
const rounds = option("rounds", quick ? 1 : 3);
const seconds = option("seconds", quick ? 1 : 2);
const connections = option("connections", 8);
const profile = args.includes("--profile") ? String(args[args.indexOf("--profile") + 1]) : undefined;

const as2 = "application/activity+json";

/** The collective, its event and the 200,000 events of the API's collective. */
async function seedData(env: Record<string, string>) {
  return seed(env, async (runtime) => {
    const t0 = performance.now();
    await runtime.collectives.create({
      slug: "bench",
      name: { fr: "Collectif de banc d'essai", de: "Prüfstand-Kollektiv" },
      summary: { fr: "Contre le contrôle algorithmique des allocataires", de: "Gegen algorithmische Kontrolle" },
      primaryLanguage: "fr",
    });
    const big = await runtime.collectives.create({ slug: "big", name: { fr: "Grand collectif" }, primaryLanguage: "fr" });
    const editor = await createEditor(runtime, "bench", "bench@example.org", "owner");
    await runtime.users.addMember("big", "bench@example.org", "owner");
    const event = await runtime.events.create(editor.principal, "bench", {
      name: { fr: "Rassemblement devant la CAF", de: "Kundgebung vor der Familienkasse" },
      summary: { fr: "Contre le contrôle algorithmique des allocataires" },
      description: { fr: "**Venez nombreux·ses** avec vos questions.\n\n- café\n- banderoles" },
      startsAt: "2030-03-08T14:00",
      endsAt: "2030-03-08T17:00",
      timezone: "Europe/Paris",
      location: { name: "CAF", streetAddress: "67 boulevard Vivier-Merle", postalCode: "69003", locality: "Lyon", country: "FR", latitude: 45.76, longitude: 4.86 },
      category: "MOVEMENTS_POLITICS",
      tags: ["CAF", "Contrôle"],
      published: true,
    });
    // The API's collective: `eventCount` events, one every 25 minutes, 95 % of them over, half with an end.
    const upcoming = Math.round(eventCount * 0.05);
    await runtime.orm.em.getConnection().execute(
      `insert into event (id, collective_id, name, summary, starts_at, ends_at, timezone, tags, status, links, visibility, published, published_at, created_at, updated_at)
       select gen_random_uuid(), ?, jsonb_build_object('fr', 'Évènement ' || g), jsonb_build_object('fr', 'Résumé de l''évènement ' || g),
              now() - interval '25 minutes' * (? - g), case when g % 2 = 1 then now() - interval '25 minutes' * (? - g) + interval '2 hours' end,
              'Europe/Paris', '["grève"]', 'scheduled', '[]', 'public', true, now(), now(), now()
       from generate_series(1, ?) g`,
      [big.id, eventCount - upcoming, eventCount - upcoming, eventCount],
    );
    await runtime.orm.em.getConnection().execute("analyze event");
    return { eventId: event.event.id, token: editor.token, seededMs: performance.now() - t0 };
  });
}

const db = await benchDatabase(embedded);
const port = await freePort();
const env = benchEnv(db, port);
console.error(`seeding ${eventCount} events (${db.kind})…`);
const data = await seedData(env);
console.error(`seeded in ${(data.seededMs / 1000).toFixed(1)} s`);
const profileDir = profile ? mkdtempSync(join(tmpdir(), "relais-bench-prof-")) : undefined;
const relais = await startRelais(env, profileDir ? { cpuProfileDir: profileDir } : {});
const hello = await startHelloWorld();
const host = `127.0.0.1:${port}`;

interface Scenario {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly raw: Buffer;
  readonly status: number;
  /** Goal: at least this share of the hello world's requests per second. */
  readonly goal?: number;
}
const at = (path: string, headers: Record<string, string> = {}) => rawRequest(path, { Host: host, ...headers });
// A server that has the actor revalidates it: its ETag, taken once from a first GET.
const actorEtag = (await fetch(`http://${host}/@bench`, { headers: { Accept: as2 } })).headers.get("etag") ?? "";
const apiAuth = { Authorization: `Bearer ${data.token}` };
const listEtag = (await fetch(`http://${host}/api/v1/collectives/big/events`, { headers: apiAuth })).headers.get("etag") ?? "";
const scenarios: Scenario[] = [
  { name: "Express hello world", port: hello.port, pid: hello.pid, raw: rawRequest("/"), status: 200 },
  { name: "GET /@slug as AS2 (actor)", port, pid: relais.pid, raw: at("/@bench", { Accept: as2 }), status: 200, goal: 0.5 },
  { name: "GET /@slug as AS2, If-None-Match (304)", port, pid: relais.pid, raw: at("/@bench", { Accept: as2, "If-None-Match": actorEtag }), status: 304 },
  { name: "WebFinger", port, pid: relais.pid, raw: at(`/.well-known/webfinger?resource=${encodeURIComponent(`acct:bench@${host}`)}`), status: 200, goal: 0.5 },
  { name: "GET /events/<id> as AS2", port, pid: relais.pid, raw: at(`/events/${data.eventId}`, { Accept: as2 }), status: 200, goal: 0.5 },
  { name: "GET /events/<id>/note (Note form)", port, pid: relais.pid, raw: at(`/events/${data.eventId}/note`, { Accept: as2 }), status: 200 },
  { name: "NodeInfo 2.1", port, pid: relais.pid, raw: at("/nodeinfo/2.1"), status: 200 },
  { name: "collective HTML page", port, pid: relais.pid, raw: at("/@bench", { Accept: "text/html" }), status: 200, goal: 0.2 },
  {
    name: `API list, collective with ${eventCount.toLocaleString("en")} events (20 per page)`,
    port,
    pid: relais.pid,
    raw: at("/api/v1/collectives/big/events", apiAuth),
    status: 200,
    goal: 0.3,
  },
  { name: "API list, If-None-Match (304)", port, pid: relais.pid, raw: at("/api/v1/collectives/big/events", { ...apiAuth, "If-None-Match": listEtag }), status: 304 },
  // What a miss costs: an editor's list with drafts is rendered for them on every request, never kept.
  { name: "API list rendered per request (an editor's, drafts=true)", port, pid: relais.pid, raw: at("/api/v1/collectives/big/events?drafts=true", apiAuth), status: 200 },
];

const measured: [number, number] = [0, 0];
try {
  const chosen = profile ? scenarios.filter((s) => s.name === "Express hello world" || s.name.toLowerCase().includes(profile.toLowerCase())) : scenarios;
  if (profile && chosen.length < 2) throw new Error(`no scenario matches "${profile}"`);
  const loadBefore = loadAverage();
  const memoryAtRest = processMemory(relais.pid);
  const samples = new Map(chosen.map((s) => [s.name, [] as Sample[]]));
  // Warm-up (JIT, caches, connections), then rounds in round robin.
  for (const s of chosen) await load({ port: s.port, raw: s.raw, expected: s.status, ms: quick ? 1000 : 3000, connections });
  measured[0] = monotonicMicros();
  for (let round = 0; round < rounds; round++) {
    for (const s of chosen) {
      samples.get(s.name)?.push(await load({ port: s.port, raw: s.raw, expected: s.status, ms: seconds * 1000, connections, pid: s.pid }));
    }
  }
  measured[1] = monotonicMicros();
  const loadAfter = loadAverage();
  const memoryAfter = processMemory(relais.pid);
  const result = (name: string) => {
    const s = samples.get(name) ?? [];
    return { perSecond: median(s.map((x) => x.perSecond)), cpu: median(s.map((x) => x.cpuPerRequest)) };
  };
  const floor = result("Express hello world");
  const rows = chosen
    .filter((s) => s.name !== "Express hello world")
    .map((s) => {
      const r = result(s.name);
      const ratio = r.perSecond / floor.perSecond;
      return [
        s.name,
        r.perSecond.toFixed(0),
        floor.perSecond.toFixed(0),
        ratio.toFixed(3),
        r.cpu.toFixed(0),
        floor.cpu.toFixed(0),
        s.goal === undefined ? "—" : ratio >= s.goal ? `≥ ${s.goal} ok` : `≥ ${s.goal} missed`,
      ];
    });
  const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
  process.stdout.write(`${
    [
      `### Reads (${db.kind}), ${new Date().toISOString().slice(0, 16)}Z`,
      "",
      `Node ${process.version}; ${connections} keep-alive connections, ${rounds} rounds of ${seconds} s per scenario (medians); load average before ${loadBefore}, after ${loadAfter}.`,
      `Relais RSS at rest ${mb(memoryAtRest.rss)}, after the run ${mb(memoryAfter.rss)} (peak ${mb(memoryAfter.hwm)}).`,
      "",
      markdownTable(["path", "req/s", "hello world req/s", "ratio", "server CPU µs/req", "hello CPU µs/req", "goal"], rows),
      "",
    ].join("\n")
  }\n`);
} finally {
  await hello.stop();
  const profileFile = await relais.stop();
  await db.drop();
  if (profile && profileFile) console.error(`profile: ${profileFile}`);
  if (profile && profileFile) process.stdout.write(`${profileMarkdown(summarizeProfile(profileFile, 25, measured), `Profile of the server during the timed rounds (${profile})`)}\n`);
}
