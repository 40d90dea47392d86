// Starts an instance with a demo collective and events for looking at the pages by hand:
// node tests/support/demo-server.ts  (needs the local PostgreSQL; prints the URLs, stops on Ctrl-C).
import "../../src/temporal.ts";
import { startRelaisInstance } from "./relais-instance.ts";
import { createEditor } from "./editor.ts";

const relais = await startRelaisInstance();
const { collectives, events } = relais.runtime;
await collectives.create({
  slug: "lyon",
  name: { fr: "Droits sociaux Lyon", de: "Soziale Rechte Lyon" },
  summary: { fr: "Collectif contre le contrôle algorithmique des allocataires." },
  primaryLanguage: "fr",
});
const { principal: editor } = await createEditor(relais.runtime, "lyon", "demo@example.org", "owner");
const ev = await events.create(editor, "lyon", {
  name: { fr: "Rassemblement devant la CAF", de: "Kundgebung vor der Familienkasse" },
  summary: { fr: "Contre le contrôle algorithmique des allocataires" },
  description: { fr: "Venez **nombreux·ses** !\n\n- banderoles\n- thermos\n\nPlus d'infos : [site](https://example.org)" },
  startsAt: "2030-03-09T14:00",
  endsAt: "2030-03-09T17:00",
  location: { name: "CAF de Lyon", streetAddress: "67 boulevard Vivier-Merle", postalCode: "69003", locality: "Lyon", country: "FR", latitude: 45.76, longitude: 4.86 },
  onlineUrl: "https://meet.example/caf",
  category: "MOVEMENTS_POLITICS",
  tags: ["caf", "controle"],
  links: [{ url: "https://example.org/appel", title: "L'appel" }],
  contact: "contact@example.org",
  published: true,
});
await events.create(editor, "lyon", { name: { fr: "Assemblée générale" }, startsAt: "2030-03-15", allDay: true, onlineUrl: "https://meet.example/ag", published: true });
await events.cancel(editor, ev.event.id, { reason: { fr: "Interdiction préfectorale" } });
process.stdout.write(`${relais.url("/@lyon").href}\n${ev.event.apId.href}\n`);
process.on("SIGINT", () => void relais.close().then(() => process.exit(0)));
process.on("SIGTERM", () => void relais.close().then(() => process.exit(0)));
