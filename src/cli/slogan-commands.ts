import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import type { PlacardOrientation, PlacardSize } from "../modules/slogan/placard.ts";
import { isSloganLanguage, type SloganView } from "../modules/slogan/slogan.types.ts";
import { invalid, notFound } from "../shared/errors.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { withRuntime } from "./admin-commands.ts";

const out = (...columns: string[]) => process.stdout.write(`${columns.map(visibleControls).join("\t")}\n`);

const known = /^--text(-[a-z]{2})?(=.*)?$/;

/** `--text <line>` (the collective's language) and `--text-<code> <line>` from the raw arguments. */
function texts(args: readonly string[], language: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--text(?:-([a-z]{2}))?(?:=(.*))?$/.exec(args[i] as string);
    if (!m) continue;
    const value = m[2] ?? args[++i];
    if (value === undefined || value.startsWith("--")) throw invalid(`${args[i - 1] ?? "--text"} needs a value`);
    map[m[1] ?? language] = value;
  }
  return map;
}

interface Options {
  tag?: string[];
  call?: string;
  event?: string;
  draft?: boolean;
  publish?: boolean;
}

function bodyFrom(args: readonly string[], opts: Options, language: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const text = texts(args, language);
  if (Object.keys(text).length > 0) body.text = text;
  if (opts.tag) body.tags = opts.tag;
  if (opts.call !== undefined) body.call = opts.call === "none" ? null : opts.call;
  if (opts.event !== undefined) body.event = opts.event === "none" ? null : opts.event;
  if (opts.draft) body.published = false;
  if (opts.publish) body.published = true;
  return body;
}

function show(s: SloganView): void {
  out("id", s.id);
  out("url", s.apId.href);
  out("version", String(s.version));
  out("published", String(s.published));
  for (const [lang, line] of Object.entries(s.text)) out(`text.${lang}`, line);
  if (s.tags.length > 0) out("tags", s.tags.join(" "));
  if (s.callId) out("call", s.callId);
  if (s.eventId) out("event", s.eventId);
  if (s.origin) out("adopted from", s.origin.url ?? s.origin.apId, s.origin.actorName ?? s.origin.actorApId);
}

/** `relais slogan create|update|list|show|delete|adopt|placard`: the operator acts on any collective's slogans. */
export function registerSloganCommands(program: Command, config: () => Config): void {
  const slogan = program.command("slogan").description("a collective's slogans and their placards");
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const checkUnknown = (cmd: Command, name: string) => {
    const unknown = cmd.args.slice(1).filter((a) => a.startsWith("-") && !known.test(a));
    if (unknown.length > 0) throw invalid(`unknown option ${unknown.join(", ")}; see relais slogan ${name} --help`);
  };
  slogan
    .command("create <slug>")
    .description("create a slogan (published at once unless --draft): --text <line> in the collective's language, --text-<fr|de|nl|en> for others")
    .option("--tag <word>", "a hashtag (repeat for several)", collect)
    .option("--call <id>", "a call to action of the collective")
    .option("--event <id>", "an event of the collective")
    .option("--draft", "keep it a draft (sent nowhere)")
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (slug: string, opts: Options, cmd: Command) => {
      checkUnknown(cmd, "create");
      await withRuntime(config(), async (r) => {
        const collective = await r.collectives.findBySlug(slug);
        if (!collective) throw notFound(`the collective "${slug}"`);
        const created = await r.slogans.create("cli", slug, bodyFrom(process.argv.slice(2), opts, collective.primaryLanguage));
        await r.relay.nudge();
        out(created.id, created.published ? "published" : "draft", created.apId.href);
      });
    });
  slogan
    .command("update <id>")
    .description("change a slogan (a new version): the options of create, --publish to publish a draft; --call none detaches")
    .option("--tag <word>", "the hashtags, replacing them (repeat for several)", collect)
    .option("--call <id>", "a call to action of the collective, or none")
    .option("--event <id>", "an event of the collective, or none")
    .option("--publish", "publish a draft")
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (id: string, opts: Options, cmd: Command) => {
      checkUnknown(cmd, "update");
      await withRuntime(config(), async (r) => {
        const current = await r.slogans.get("cli", id);
        const body = bodyFrom(process.argv.slice(2), opts, current.collective.primaryLanguage);
        if (body.text) body.text = { ...current.text, ...(body.text as object) };
        const changed = await r.slogans.update("cli", id, body);
        await r.relay.nudge();
        out(changed.id, changed.published ? "published" : "draft", `version ${changed.version}`);
      });
    });
  slogan
    .command("list <slug>")
    .description("list a collective's slogans, newest first: id, state, version, text, URL")
    .action((slug: string) =>
      withRuntime(config(), async (r) => {
        const list = await r.slogans.list(slug, "cli", { includeDrafts: true });
        if (list.length === 0) out(`@${slug} has no slogans yet: relais slogan create ${slug} --text <line>`);
        for (const s of list) out(s.id, s.published ? "published" : "draft", `v${s.version}`, s.text[s.collective.primaryLanguage] ?? Object.values(s.text)[0] ?? "", s.apId.href);
      }),
    );
  slogan
    .command("show <id>")
    .description("show a slogan: URL, version, lines, tags, call, event, origin")
    .action((id: string) => withRuntime(config(), async (r) => show(await r.slogans.get("cli", id))));
  slogan
    .command("delete <id>")
    .description("delete a slogan (once published, its URL answers 410 and followers get a Delete)")
    .action((id: string) =>
      withRuntime(config(), async (r) => {
        await r.slogans.delete("cli", id);
        await r.relay.nudge();
        out(`deleted ${id}`);
      }),
    );
  slogan
    .command("adopt <slug> <url>")
    .description("adopt a partner's slogan by the URL of its post: a slogan of the collective that names and links the original")
    .option("--draft", "keep it a draft")
    .action((slug: string, url: string, opts: { draft?: boolean }) =>
      withRuntime(config(), async (r) => {
        const read = await r.sloganReader.read(url);
        if (!read.ok) throw invalid(`the slogan could not be read: ${read.reason}`);
        const adopted = await r.slogans.adopt("cli", slug, read.slogan, { published: !opts.draft });
        await r.relay.nudge();
        out(adopted.id, adopted.published ? "published" : "draft", adopted.apId.href);
      }),
    );
  slogan
    .command("placard <id>")
    .description("write a placard (PDF) or, with --share, the 1200×630 share image (PNG) of a slogan to a file")
    .requiredOption("--language <code>", "fr, de, nl or en")
    .option("--size <size>", "a4 or a3", "a4")
    .option("--orientation <o>", "portrait or landscape", "portrait")
    .option("--share", "the share image instead of a placard")
    .requiredOption("--out <file>", "where to write it")
    .action((id: string, opts: { language: string; size: string; orientation: string; share?: boolean; out: string }) =>
      withRuntime(config(), async (r) => {
        if (!isSloganLanguage(opts.language)) throw invalid(`--language ${opts.language}: use fr, de, nl or en`);
        if (!["a4", "a3"].includes(opts.size)) throw invalid(`--size ${opts.size}: use a4 or a3`);
        if (!["portrait", "landscape"].includes(opts.orientation)) throw invalid(`--orientation ${opts.orientation}: use portrait or landscape`);
        const s = await r.slogans.get("cli", id);
        const bytes = opts.share
          ? await r.placards.shareImage(s, opts.language)
          : await r.placards.placard(s, opts.language, opts.size as PlacardSize, opts.orientation as PlacardOrientation);
        if (!bytes) throw invalid(`the slogan has no text in ${opts.language}; its languages: ${Object.keys(s.text).join(", ")}`);
        await writeFile(opts.out, bytes);
        out(`wrote ${opts.out} (${bytes.length} bytes)`);
      }),
    );
}
