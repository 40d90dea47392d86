import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import type { CallView } from "../modules/call/call.types.ts";
import { invalid, notFound } from "../shared/errors.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { withRuntime } from "./admin-commands.ts";
import { registerCosignCommands } from "./cosign-commands.ts";
import { registerJoinCommands } from "./join-commands.ts";

const out = (...columns: string[]) => process.stdout.write(`${columns.map(visibleControls).join("\t")}\n`);

const titleOf = (c: CallView) => c.title[c.collective.primaryLanguage] ?? Object.values(c.title)[0] ?? "";

/** `--title-de Titel` style options from the raw arguments (commander cannot declare them). */
export function localized(args: readonly string[], option: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const m = new RegExp(`^--${option}-([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)(?:=(.*))?$`).exec(args[i] as string);
    if (!m) continue;
    const value = m[2] ?? args[++i];
    if (value === undefined || value.startsWith("--")) throw invalid(`--${option}-${m[1]} needs a value`);
    map[m[1] as string] = value;
  }
  return map;
}

/** Every value of a repeated option (`--demand a --demand b`), in order. */
function repeated(args: readonly string[], option: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const m = new RegExp(`^--${option}(?:=(.*))?$`).exec(args[i] as string);
    if (!m) continue;
    const value = m[1] ?? args[++i];
    if (value === undefined || value.startsWith("--")) throw invalid(`--${option} needs a value`);
    values.push(value);
  }
  return values;
}

/** A JSON body from a file, or from standard input with `-`. */
export async function readJson(path: string): Promise<unknown> {
  let text: string;
  if (path === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString("utf8");
  } else {
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw invalid(`--json ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(`--json ${path}: not valid JSON (${(error as Error).message})`);
  }
}

const known = /^--(title|pitch|body|demand)(-[a-z]{2,3}(-[A-Za-z0-9]{2,8})?)?(=.*)?$/;

/**
 * The body of `call create`/`call update`: `--json <file|->` as the API takes it, or the options
 * (`--title`, `--title-<lang>`, `--pitch…`, `--body…` in Markdown, `--demand` repeated, `--deadline`,
 * `--event` repeated), the options' values overriding the file's.
 */
async function bodyFrom(args: readonly string[], opts: { json?: string; deadline?: string; timezone?: string; event?: string[] }, language: string | undefined) {
  const body: Record<string, unknown> = opts.json ? ((await readJson(opts.json)) as Record<string, unknown>) : {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid(`--json ${opts.json}: must hold a JSON object`);
  for (const field of ["title", "pitch", "body"]) {
    const plain = repeated(args, field);
    const map = { ...(plain.length > 0 && language ? { [language]: plain.at(-1) } : {}), ...localized(args, field) };
    if (plain.length > 0 && !language) throw invalid(`--${field}: say its language with --${field}-<code> (e.g. --${field}-fr)`);
    if (Object.keys(map).length > 0) body[field] = { ...((body[field] as object) ?? {}), ...map };
  }
  const demands = repeated(args, "demand");
  if (demands.length > 0) {
    if (!language) throw invalid("--demand: the call's language is needed; give --language");
    body.demands = demands.map((d) => ({ [language]: d }));
  }
  if (opts.deadline !== undefined) body.deadline = opts.deadline === "none" ? null : opts.deadline;
  if (opts.timezone !== undefined) body.timezone = opts.timezone;
  if (opts.event && opts.event.length > 0) body.relatedEvents = opts.event;
  return body;
}

function show(c: CallView, urls: { call(id: string): URL }): void {
  out("id", c.id);
  out("status", c.status);
  out("version", String(c.version));
  out("url", urls.call(c.id).href);
  for (const [lang, title] of Object.entries(c.title)) out(`title.${lang}`, title);
  if (c.deadline) out("deadline", c.deadline.toZonedDateTimeISO(c.timezone).toString({ smallestUnit: "minute" }));
  c.demands.forEach((d, i) => {
    out(`demand.${i + 1}`, d[c.collective.primaryLanguage] ?? Object.values(d)[0] ?? "");
  });
  for (const e of c.events) out("event", e.apId.href);
}

/** `relais call create|update|list|show|consult|open|close|withdraw|delete`: the operator acts on any collective's calls. */
export function registerCallCommands(program: Command, config: () => Config): void {
  const call = program.command("call").description("a collective's calls to action");
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  call
    .command("create <slug>")
    .description("create a call (a draft): --title, --body (Markdown) and --demand in the collective's language, --title-<code> etc. for others, or --json <file|->")
    .option("--json <file>", "the call as the API takes it (- reads standard input)")
    .option("--deadline <when>", "signing closes then: 2027-03-01 (end of that day) or 2027-03-01T18:00")
    .option("--timezone <zone>", "IANA zone of the deadline (default: the collective's)")
    .option("--event <id>", "a published event of this instance (repeat for several)", collect)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (slug: string, opts: { json?: string; deadline?: string; timezone?: string; event?: string[] }, cmd: Command) => {
      const raw = process.argv.slice(2);
      const unknown = cmd.args.slice(1).filter((a) => a.startsWith("-") && !known.test(a));
      if (unknown.length > 0) throw invalid(`unknown option ${unknown.join(", ")}; see relais call create --help`);
      await withRuntime(config(), async (r) => {
        const collective = await r.collectives.findBySlug(slug);
        if (!collective) throw notFound(`the collective "${slug}"`);
        const created = await r.calls.create("cli", slug, await bodyFrom(raw, opts, collective?.primaryLanguage));
        out(`created a draft: ${created.id}`);
        process.stderr.write(`open it with: relais call open ${created.id}\n`);
      });
    });
  call
    .command("update <id>")
    .description("change a call (outside a draft, a new version): the options of create")
    .option("--json <file>", "the fields to change (- reads standard input); null clears an optional one")
    .option("--deadline <when>", "a new deadline, or none")
    .option("--timezone <zone>", "IANA zone of the deadline")
    .option("--event <id>", "the related events, replacing the list (repeat for several)", collect)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (id: string, opts: { json?: string; deadline?: string; timezone?: string; event?: string[] }, cmd: Command) => {
      const raw = process.argv.slice(2);
      const unknown = cmd.args.slice(1).filter((a) => a.startsWith("-") && !known.test(a));
      if (unknown.length > 0) throw invalid(`unknown option ${unknown.join(", ")}; see relais call update --help`);
      await withRuntime(config(), async (r) => {
        const current = await r.calls.get("cli", id);
        const changed = await r.calls.update("cli", id, await bodyFrom(raw, opts, current.collective.primaryLanguage));
        await r.relay.nudge();
        out(changed.id, changed.status, `version ${changed.version}`);
      });
    });
  call
    .command("list <slug>")
    .description("list a collective's calls, newest first: id, status, version, title, URL")
    .action((slug: string) =>
      withRuntime(config(), async (r) => {
        const list = await r.calls.list(slug, "cli", { includePrivate: true });
        if (list.length === 0) out(`@${slug} has no calls yet: relais call create ${slug} --title <text> --body <markdown>`);
        for (const c of list) out(c.id, c.status, `v${c.version}`, titleOf(c), r.urls.call(c.id).href);
      }),
    );
  call
    .command("show <id>")
    .description("show a call: status, version, URL, titles, deadline, demands, related events")
    .action((id: string) => withRuntime(config(), async (r) => show(await r.calls.get("cli", id), r.urls)));
  for (const [action, description] of [
    ["consult", "draft → consultation: only invited partners may read it"],
    ["open", "draft or consultation → open: public, sent to the collective's followers"],
    ["close", "open → closed: signing ends"],
    ["withdraw", "consultation, open or closed → withdrawn"],
  ] as const) {
    call
      .command(`${action} <id>`)
      .description(description)
      .action((id: string) =>
        withRuntime(config(), async (r) => {
          const changed = await r.calls[action]("cli", id);
          await r.relay.nudge();
          out(changed.id, changed.status, `version ${changed.version}`);
        }),
      );
  }
  call
    .command("delete <id>")
    .description("delete a call (once it was open, its URL answers 410 and followers get a Delete)")
    .action((id: string) =>
      withRuntime(config(), async (r) => {
        await r.calls.delete("cli", id);
        await r.relay.nudge();
        out(`deleted ${id}`);
      }),
    );
  registerCosignCommands(call, config);
  registerJoinCommands(call, config);
}
