import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import type { ActionKitView, KitCountDetail } from "../modules/actionkit/actionkit.types.ts";
import { invalid, notFound } from "../shared/errors.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { withRuntime } from "./admin-commands.ts";

const out = (...columns: string[]) => process.stdout.write(`${columns.map(visibleControls).join("\t")}\n`);

/** The JSON object in `file` (a kit as the API takes it), or a message that says what is wrong. */
async function readKitFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw invalid(`--file ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw invalid(`--file ${file}: not JSON (${(error as Error).message})`);
  }
  throw invalid(`--file ${file}: must hold one JSON object, the kit as the API takes it (see /api/v1/openapi.json, ActionKitInput)`);
}

const titleOf = (k: ActionKitView) => k.title[k.collective.primaryLanguage] ?? Object.values(k.title)[0] ?? "";
const line = (k: ActionKitView) => out(k.id, k.published ? "published" : "draft", `v${k.version}`, k.country, titleOf(k), k.apId.href);

/** `relais actionkit create|update|list|country|show|versions|delete|adopt`: the operator acts on any collective's kits. */
export function registerActionKitCommands(program: Command, config: () => Config): void {
  const kit = program.command("actionkit").description("a collective's action kits: letters people fill in their own browser");
  kit
    .command("create <slug>")
    .description("create a kit from a JSON file (title, explanation, country, institution, legalBasis, steps, fields, letters); a draft unless --publish")
    .requiredOption("--file <kit.json>", "the kit as the API takes it")
    .option("--publish", "publish it at once (version 1, sent to followers)")
    .action((slug: string, opts: { file: string; publish?: boolean }) =>
      withRuntime(config(), async (r) => {
        const body = await readKitFile(opts.file);
        if (opts.publish) body.published = true;
        const created = await r.actionkits.create("cli", slug, body);
        await r.relay.nudge();
        out(created.id, created.published ? "published" : "draft", created.apId.href);
      }),
    );
  kit
    .command("update <id>")
    .description("change a kit with the fields of a JSON file (lists replace the stored ones); each change of a published kit is a new version")
    .option("--file <patch.json>", "the fields to change")
    .option("--publish", "publish a draft")
    .action((id: string, opts: { file?: string; publish?: boolean }) =>
      withRuntime(config(), async (r) => {
        if (!opts.file && !opts.publish) throw invalid("give --file <patch.json>, --publish, or both");
        const body = opts.file ? await readKitFile(opts.file) : {};
        if (opts.publish) body.published = true;
        const changed = await r.actionkits.update("cli", id, body);
        await r.relay.nudge();
        out(changed.id, changed.published ? "published" : "draft", `version ${changed.version}`);
      }),
    );
  kit
    .command("list <slug>")
    .description("a collective's kits, newest first: id, state, version, country, title, URL")
    .action((slug: string) =>
      withRuntime(config(), async (r) => {
        const list = await r.actionkits.list(slug, "cli", { includeDrafts: true });
        if (list.length === 0) out(`@${slug} has no action kits yet: relais actionkit create ${slug} --file kit.json`);
        for (const k of list) line(k);
      }),
    );
  kit
    .command("country <code>")
    .description("the published kits of a country (FR, DE, NL, BE…), newest first")
    .action((code: string) =>
      withRuntime(config(), async (r) => {
        for (const k of (await r.actionkits.pageOfCountry(code, { limit: 100 })).items) line(k);
      }),
    );
  kit
    .command("show <id>")
    .description("show a kit: URL, pages, version, state, count, origin (--json: everything, as JSON)")
    .option("--json", "the whole kit as JSON")
    .action((id: string, opts: { json?: boolean }) =>
      withRuntime(config(), async (r) => {
        const k = await r.actionkits.get("cli", id);
        const count = await r.actionkits.countDetail(k);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ...k, collective: k.collective.slug, count }, null, 2)}\n`);
          return;
        }
        out("id", k.id);
        out("url", k.apId.href);
        out("collective", k.collective.slug);
        out("version", String(k.version));
        out("published", String(k.published));
        out("country", k.country);
        for (const [lang, title] of Object.entries(k.title)) out(`title.${lang}`, title, r.urls.actionKitPage(k.id, lang).href);
        out("fields", k.fields.map((f) => `${f.name}${f.required ? "*" : ""}`).join(" "));
        out("letters", k.letters.map((l) => l.key).join(" "));
        const perLanguage = (pick: (l: KitCountDetail["languages"][number]) => number) =>
          count.languages.filter((l) => pick(l) > 0).map((l) => `${l.language}:${pick(l)}`).join(" ");
        out("count", String(count.total), Object.entries(count.byLanguage).map(([l, n]) => `${l}:${n}`).join(" "));
        out("count.here", String(count.total - count.otherServers), perLanguage((l) => l.here));
        out("count.other-servers", String(count.otherServers), perLanguage((l) => l.otherServers));
        for (const s of count.servers) {
          const langs = Object.entries(s.byLanguage).map(([l, n]) => `${l}:${n}`).join(" ");
          out("count.server", s.server, String(s.total), langs, `${s.copies} ${s.copies === 1 ? "copy" : "copies"}`, `last report ${s.lastReportAt.toString()}`);
        }
        if (k.origin) out("adopted from", k.origin.url ?? k.origin.apId, k.origin.actorName ?? k.origin.actorApId);
      }),
    );
  kit
    .command("versions <id>")
    .description("the versions of a kit: number, date, title")
    .action((id: string) =>
      withRuntime(config(), async (r) => {
        const k = await r.actionkits.get("cli", id);
        for (const v of await r.actionkits.versions(k.id)) out(String(v.version), v.createdAt.toString(), v.title[k.collective.primaryLanguage] ?? Object.values(v.title)[0] ?? "");
      }),
    );
  kit
    .command("delete <id>")
    .description("delete a kit (once published, its URL answers 410 and followers get a Delete)")
    .action((id: string) =>
      withRuntime(config(), async (r) => {
        await r.actionkits.delete("cli", id);
        await r.relay.nudge();
        out(`deleted ${id}`);
      }),
    );
  kit
    .command("adopt <slug> <url>")
    .description("adopt a partner's kit (here or on another server) by its URL: a draft copy that names and links the original, to translate")
    .option("--publish", "publish the copy at once")
    .action((slug: string, url: string, opts: { publish?: boolean }) =>
      withRuntime(config(), async (r) => {
        const read = await r.actionKitReader.read(url);
        if (!read.ok) throw notFound(`a published action kit at ${url}: ${read.reason}`);
        const adopted = await r.actionkits.adopt("cli", slug, read.kit, { published: opts.publish === true });
        await r.relay.nudge();
        out(adopted.id, adopted.published ? "published" : "draft", adopted.apId.href);
      }),
    );
}
