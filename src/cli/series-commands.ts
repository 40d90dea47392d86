import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import type { Occurrence } from "../modules/event/recurrence-expand.ts";
import type { Principal } from "../modules/user/user.service.ts";
import type { Runtime } from "../runtime.ts";
import { invalid, notFound } from "../shared/errors.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { withRuntime } from "./admin-commands.ts";

const out = (...columns: string[]) => process.stdout.write(`${columns.map(visibleControls).join("\t")}\n`);

function showOccurrence(o: Occurrence, timezone: string): void {
  const local = (i: Temporal.Instant) => i.toZonedDateTimeISO(timezone).toString({ timeZoneName: "never", smallestUnit: "minute" });
  const state = o.cancelled ? "cancelled" : o.moved ? "moved" : o.exception ? "elsewhere" : "as-planned";
  out(o.date, state, local(o.startsAt), o.endsAt ? local(o.endsAt) : "", o.exception?.location?.name ?? o.exception?.location?.locality ?? o.exception?.onlineUrl ?? "");
}

/** The member the operator acts as (changes are the collective's editors' to make, and audited as theirs). */
async function actingAs(r: Runtime, email: string | undefined): Promise<Principal> {
  if (!email) throw invalid("give --as <email> of an editor of the event's collective: the change is audited as theirs");
  const principal = await r.users.principalOf(await r.users.userIdByEmail(email));
  if (!principal) throw notFound(`the account ${email}`);
  return principal;
}

/** `--reason fr=Grève --reason de=Streik` → a language map. */
function languageMap(values: string[] | undefined): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const map: Record<string, string> = {};
  for (const v of values) {
    const at = v.indexOf("=");
    if (at < 1) throw invalid(`--reason ${v}: write it as language=text, e.g. --reason "fr=Grève"`);
    map[v.slice(0, at)] = v.slice(at + 1);
  }
  return map;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A JSON body given inline or as @file. */
function jsonArg(value: string): unknown {
  const text = value.startsWith("@") ? readFileSync(value.slice(1), "utf8") : value;
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`not JSON: ${value.slice(0, 80)}; give an object such as '{"name": {"fr": "…"}}' or @file.json`);
  }
}

/**
 * `relais series create|occurrences|cancel|move|place|restore|split|end`: recurring events from the
 * command line (docs/adr/0027), acting as an editor (`--as`), as the JSON API does.
 */
export function registerSeriesCommands(program: Command, config: () => Config): void {
  const series = program.command("series").description("recurring events: occurrences, exceptions, changes from a date on, end");
  series
    .command("create <slug>")
    .description("create a recurring event from a JSON body as the API takes it (recurrence included)")
    .requiredOption("--event <json>", 'the event, e.g. \'{"name":{"fr":"Permanence"},"startsAt":"2027-01-05T14:00","recurrence":"FREQ=WEEKLY;BYDAY=TU"}\' or @file.json')
    .option("--as <email>", "the editor acting")
    .action((slug: string, opts: { event: string; as?: string }) =>
      withRuntime(config(), async (r) => {
        const view = await r.events.create(await actingAs(r, opts.as), slug, jsonArg(opts.event));
        await r.relay.nudge();
        out(view.event.id, view.published ? "published" : "draft", view.event.apId.href);
      }),
    );
  series
    .command("occurrences <id>")
    .description("the next occurrences of a published recurring event, exceptions marked")
    .option("--from <date>", "from this date (default: now)")
    .option("--limit <n>", "how many (default 10)", "10")
    .action((id: string, opts: { from?: string; limit: string }) =>
      withRuntime(config(), async (r) => {
        let from = Temporal.Now.instant();
        if (opts.from) {
          try {
            from = Temporal.Instant.from(/^\d{4}-\d{2}-\d{2}$/.test(opts.from) ? `${opts.from}T00:00:00Z` : opts.from);
          } catch {
            throw invalid(`--from ${opts.from}: give a date such as 2027-01-05`);
          }
        }
        const view = await r.series.occurrences(null, id, { from, limit: Number(opts.limit) || 10 });
        for (const o of view.occurrences) showOccurrence(o, view.event.timezone);
      }),
    );
  const change = (name: string, description: string) =>
    series
      .command(`${name} <id> <date>`)
      .description(description)
      .option("--as <email>", "the editor acting");
  change("cancel", "cancel one occurrence (the date the rule gives it)")
    .option("--reason <language=text>", "why, per language (repeat)", collect)
    .action((id: string, date: string, opts: { as?: string; reason?: string[] }) =>
      withRuntime(config(), async (r) => {
        const reason = languageMap(opts.reason);
        const o = await r.series.changeOccurrence(await actingAs(r, opts.as), id, date, { cancelled: true, ...(reason ? { reason } : {}) });
        await r.relay.nudge();
        showOccurrence(o, (await r.series.occurrences(null, id, { limit: 1 })).event.timezone);
      }),
    );
  change("move", "move one occurrence to another time")
    .requiredOption("--starts <time>", "its new start, e.g. 2027-01-06T10:00 (in the event's zone) or with an offset")
    .option("--ends <time>", "its new end")
    .action((id: string, date: string, opts: { as?: string; starts: string; ends?: string }) =>
      withRuntime(config(), async (r) => {
        const o = await r.series.changeOccurrence(await actingAs(r, opts.as), id, date, { startsAt: opts.starts, ...(opts.ends ? { endsAt: opts.ends } : {}) });
        await r.relay.nudge();
        showOccurrence(o, (await r.series.occurrences(null, id, { limit: 1 })).event.timezone);
      }),
    );
  change("place", "hold one occurrence elsewhere")
    .requiredOption("--location <json>", 'the place, e.g. \'{"name":"Bourse du travail","locality":"Lyon"}\'')
    .action((id: string, date: string, opts: { as?: string; location: string }) =>
      withRuntime(config(), async (r) => {
        const o = await r.series.changeOccurrence(await actingAs(r, opts.as), id, date, { location: jsonArg(opts.location) });
        await r.relay.nudge();
        showOccurrence(o, (await r.series.occurrences(null, id, { limit: 1 })).event.timezone);
      }),
    );
  change("restore", "give one occurrence back to the series (its exception removed)").action((id: string, date: string, opts: { as?: string }) =>
    withRuntime(config(), async (r) => {
      const o = await r.series.restoreOccurrence(await actingAs(r, opts.as), id, date);
      await r.relay.nudge();
      showOccurrence(o, (await r.series.occurrences(null, id, { limit: 1 })).event.timezone);
    }),
  );
  change("split", "change the series from this date on: a new event continues it with the changes")
    .option("--changes <json>", "the fields that change from that date, as the API takes them", "{}")
    .action((id: string, date: string, opts: { as?: string; changes: string }) =>
      withRuntime(config(), async (r) => {
        const changes = jsonArg(opts.changes);
        if (typeof changes !== "object" || changes === null) throw invalid("--changes: give a JSON object");
        const view = await r.series.split(await actingAs(r, opts.as), id, { ...changes, from: date });
        await r.relay.nudge();
        out(view.event.id, "continues", id, "from", date, view.event.apId.href);
      }),
    );
  change("end", "end the series: no occurrence after this date").action((id: string, date: string, opts: { as?: string }) =>
    withRuntime(config(), async (r) => {
      const view = await r.series.end(await actingAs(r, opts.as), id, { after: date });
      await r.relay.nudge();
      out(view.event.id, "until", view.event.recurrence?.until ?? "");
    }),
  );
}
