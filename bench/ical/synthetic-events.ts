// Deterministic synthetic events for the iCal benchmark: realistic sizes and mixes (languages, zones,
// all-day, cancelled, HTML descriptions with lists, links, entities and emoji).
import type { EventCategory, EventStatus, PublishedEvent } from "../../src/modules/event/event.types.ts";

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

// Mostly European collectives, a few elsewhere: Paris weighs more.
const zones = [
  "Europe/Paris",
  "Europe/Paris",
  "Europe/Paris",
  "Europe/Brussels",
  "Europe/Amsterdam",
  "Europe/Berlin",
  "Europe/Zurich",
  "America/Montreal",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "UTC",
];
const languages = ["fr", "de", "nl", "en"];
const categories: EventCategory[] = ["MOVEMENTS_POLITICS", "COMMUNITY", "MEETING", "CAUSES", "MUSIC", "LEARNING"];
const words = (
  "manifestation rassemblement vélo climat quartier assemblée générale réunion publique solidarité " +
  "Fahrrad Demo Versammlung Nachbarschaft buurt fiets bijeenkomst meeting neighbourhood bike café " +
  "pique-nique atelier réparation jardin partagé cantine concert soutien été déjà-vu"
).split(" ");
const emoji = ["🚲", "🌍", "✊", "🎉", "🌱", "📣", "🇫🇷", "👩‍👩‍👧"];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function sentence(next: () => number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(pick(next, words));
  if (next() < 0.3) out.push(pick(next, emoji));
  const text = out.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function descriptionHtml(next: () => number): string {
  let html = `<p>${sentence(next, 12)}, ${sentence(next, 8)} ; <strong>${sentence(next, 3)}</strong>.<br />${sentence(next, 10)} &amp; ${sentence(next, 4)}.</p>`;
  if (next() < 0.6) {
    html += "<ul>";
    for (let i = 0, n = 2 + Math.floor(next() * 4); i < n; i++) html += `<li>${sentence(next, 4)}</li>`;
    html += "</ul>";
  }
  html += `<p>Infos : <a href="https://example.org/${Math.floor(next() * 1e6)}" rel="nofollow noopener noreferrer ugc">${sentence(next, 2)}</a> — &quot;${sentence(next, 3)}&quot;</p>`;
  if (next() < 0.4) html += `<p>${sentence(next, 30)}</p>`;
  return html;
}

function multilingual(next: () => number, primary: string, make: () => string): Record<string, string> {
  const map: Record<string, string> = { [primary]: make() };
  for (const language of languages) if (language !== primary && next() < 0.3) map[language] = make();
  return map;
}

export function syntheticEvents(count: number, seed = 1): PublishedEvent[] {
  const next = random(seed);
  const base = Date.UTC(2025, 0, 1);
  const events: PublishedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const primary = pick(next, languages);
    const timezone = pick(next, zones);
    const allDay = next() < 0.1;
    const start = base + Math.floor(next() * 540) * 86_400_000 + Math.floor(next() * 48) * 1_800_000;
    const end = allDay ? start + Math.floor(next() * 3) * 86_400_000 : start + (1 + Math.floor(next() * 6)) * 1_800_000;
    const statusRoll = next();
    const status: EventStatus = statusRoll < 0.05 ? "cancelled" : statusRoll < 0.08 ? "postponed" : "scheduled";
    const updated = base - 86_400_000 + i * 1000;
    const tags: string[] = [];
    for (let t = 0, n = Math.floor(next() * 5); t < n; t++) tags.push(pick(next, words));
    events.push({
      id: `e${i}`,
      apId: new URL(`https://relais${i % 7}.example/events/${i.toString(36)}-${Math.floor(next() * 1e9).toString(36)}`),
      organizer: {
        apId: new URL(`https://relais${i % 7}.example/c/collectif-${i % 50}`),
        slug: `collectif-${i % 50}`,
        primaryLanguage: primary,
        name: { [primary]: `Collectif ${i % 50}` },
      },
      sequence: Math.floor(next() * 4),
      publishedAt: Temporal.Instant.fromEpochMilliseconds(updated - 86_400_000),
      updatedAt: Temporal.Instant.fromEpochMilliseconds(updated),
      name: multilingual(next, primary, () => sentence(next, 3 + Math.floor(next() * 5))),
      summary: next() < 0.3 ? { [primary]: sentence(next, 12) } : undefined,
      description: multilingual(next, primary, () => descriptionHtml(next)),
      startsAt: Temporal.Instant.fromEpochMilliseconds(start),
      endsAt: next() < 0.9 ? Temporal.Instant.fromEpochMilliseconds(end) : undefined,
      timezone,
      allDay,
      location:
        next() < 0.85
          ? {
              name: sentence(next, 3),
              streetAddress: `${1 + Math.floor(next() * 120)} rue ${pick(next, words)}`,
              postalCode: String(10_000 + Math.floor(next() * 89_999)),
              locality: pick(next, ["Paris", "Lyon", "Bruxelles", "Amsterdam", "Berlin", "Montréal"]),
              country: pick(next, ["FR", "BE", "NL", "DE", "CA"]),
              latitude: 45 + next() * 7,
              longitude: -73 + next() * 80,
            }
          : undefined,
      onlineUrl: next() < 0.1 ? `https://visio.example/r/${i}` : undefined,
      category: next() < 0.8 ? pick(next, categories) : undefined,
      tags,
      status,
      statusReason: status === "scheduled" ? undefined : { [primary]: sentence(next, 8) },
      links: [],
      contact: next() < 0.2 ? `contact${i % 50}@collectif.example` : undefined,
      visibility: "public",
    });
  }
  return events;
}
