import { readFile, stat } from "node:fs/promises";
import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import type { PressKitView } from "../modules/presskit/presskit.types.ts";
import { invalid } from "../shared/errors.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { withRuntime } from "./admin-commands.ts";
import { localized, readJson } from "./call-commands.ts";

const out = (...columns: string[]) => process.stdout.write(`${columns.map(visibleControls).join("\t")}\n`);
const status = (k: PressKitView) => (k.publishedAt ? "published" : k.embargoAt ? "embargoed" : "draft");
const titleOf = (k: PressKitView) => k.title[k.collective.primaryLanguage] ?? Object.values(k.title)[0] ?? "";
const known = /^--(title|lead|body|contact|caption)-[a-z]{2,3}(-[A-Za-z0-9]{2,8})?(=.*)?$/;

/** The body of `presskit create|update`: `--json <file|->`, then `--title-<code>`, `--lead-<code>`, `--body-<code>` (Markdown), the contact and the embargo. */
async function bodyFrom(args: readonly string[], opts: { json?: string; email?: string; phone?: string; embargo?: string; timezone?: string }) {
  const body: Record<string, unknown> = opts.json ? ((await readJson(opts.json)) as Record<string, unknown>) : {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid(`--json ${opts.json}: must hold a JSON object`);
  for (const field of ["title", "lead", "body"]) {
    const map = localized(args, field);
    if (Object.keys(map).length > 0) body[field] = { ...((body[field] as object) ?? {}), ...map };
  }
  const label = localized(args, "contact");
  if (opts.email || opts.phone || Object.keys(label).length > 0) {
    const contact = { ...((body.contact as object) ?? {}) } as Record<string, unknown>;
    if (opts.email) contact.email = opts.email;
    if (opts.phone) contact.phone = opts.phone;
    if (Object.keys(label).length > 0) contact.label = label;
    body.contact = contact;
  }
  if (opts.embargo !== undefined) body.embargo = opts.embargo === "none" ? null : opts.embargo;
  if (opts.timezone !== undefined) body.timezone = opts.timezone;
  return body;
}

function show(k: PressKitView, urls: { pressKit(id: string): URL; pressKitZip(id: string, lang: string): URL }): void {
  out("id", k.id);
  out("status", status(k));
  out("url", urls.pressKit(k.id).href);
  if (k.embargoAt) out("embargo", k.embargoAt.toZonedDateTimeISO(k.timezone).toString({ smallestUnit: "minute" }));
  for (const [lang, title] of Object.entries(k.title)) out(`title.${lang}`, title);
  out("contact", [k.contact.email, k.contact.phone].filter(Boolean).join(" "));
  for (const f of k.files) out("file", f.id, f.kind, f.licence, f.credit, f.caption[k.collective.primaryLanguage] ?? Object.values(f.caption)[0] ?? "");
  for (const lang of Object.keys(k.title)) out(`zip.${lang}`, urls.pressKitZip(k.id, lang).href);
}

/** `relais presskit …`: the operator acts on any collective's press kits. */
export function registerPressKitCommands(program: Command, config: () => Config): void {
  const kit = program.command("presskit").description("a collective's press kits (release, contact, files, embargo, secret links)");
  const withBody = (c: Command) =>
    c
      .option("--json <file>", "the kit as the API takes it (- reads standard input)")
      .option("--email <address>", "the press contact's e-mail (an address of the collective)")
      .option("--phone <number>", "the press contact's phone line")
      .option("--embargo <when>", "invisible until then: 2027-03-08T08:00 (in --timezone) or with an offset; none removes it")
      .option("--timezone <zone>", "IANA zone of the embargo (default: the collective's)")
      .allowUnknownOption(true)
      .allowExcessArguments(true);
  const checkUnknown = (cmd: Command, name: string) => {
    const unknown = cmd.args.slice(1).filter((a) => a.startsWith("-") && !known.test(a));
    if (unknown.length > 0) throw invalid(`unknown option ${unknown.join(", ")}; see relais presskit ${name} --help`);
  };
  withBody(kit.command("create <slug>").description("create a kit: --title-<code>, --lead-<code>, --body-<code> (Markdown) per language, --email or --phone, --contact-<code> (a role, e.g. Service presse), --embargo")).action(
    async (slug: string, opts: Parameters<typeof bodyFrom>[1], cmd: Command) => {
      checkUnknown(cmd, "create");
      await withRuntime(config(), async (r) => {
        const created = await r.presskits.create("cli", slug, await bodyFrom(process.argv.slice(2), opts));
        out(`created ${created.id}`, status(created));
        process.stderr.write(`add files with: relais presskit file add ${created.id} <path> --kind photo --credit <text> --licence cc-by --caption-<code> <text>\n`);
      });
    },
  );
  withBody(kit.command("update <id>").description("change a kit: the options of create")).action(async (id: string, opts: Parameters<typeof bodyFrom>[1], cmd: Command) => {
    checkUnknown(cmd, "update");
    await withRuntime(config(), async (r) => {
      const changed = await r.presskits.update("cli", id, await bodyFrom(process.argv.slice(2), opts));
      await r.relay.nudge();
      out(changed.id, status(changed));
    });
  });
  kit
    .command("list <slug>")
    .description("a collective's kits, newest first: id, status, title, URL")
    .action((slug: string) =>
      withRuntime(config(), async (r) => {
        for (const k of await r.presskits.list(slug, "cli", { includePrivate: true })) out(k.id, status(k), titleOf(k), r.urls.pressKit(k.id).href);
      }),
    );
  kit
    .command("show <id>")
    .description("a kit: status, URL, embargo, titles, contact, files, ZIPs")
    .action((id: string) => withRuntime(config(), async (r) => show(await r.presskits.get("cli", id), r.urls)));
  kit
    .command("publish <id>")
    .description("publish now, whatever the embargo (it is sent to the collective's followers)")
    .action((id: string) =>
      withRuntime(config(), async (r) => {
        const k = await r.presskits.publishNow("cli", id);
        await r.relay.nudge();
        out(k.id, status(k), r.urls.pressKit(k.id).href);
      }),
    );
  kit
    .command("delete <id>")
    .description("delete a kit and its files (once published, its URL answers 410 and followers get a Delete)")
    .action((id: string) =>
      withRuntime(config(), async (r) => {
        await r.presskits.delete("cli", id);
        await r.relay.nudge();
        out(`deleted ${id}`);
      }),
    );
  const file = kit.command("file").description("the files of a kit");
  file
    .command("add <id> <path>")
    .description("add a photo, logo (JPEG, PNG, WebP) or document (PDF): cleaned of its metadata; --caption-<code> per language")
    .requiredOption("--kind <kind>", "photo, logo or document")
    .requiredOption("--credit <text>", 'the credit line, e.g. "Photo: Collectif Droits Lyon"')
    .requiredOption("--licence <licence>", "cc-by, cc-by-sa, cc0 or all-rights-reserved")
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (id: string, path: string, opts: { kind: string; credit: string; licence: string }) => {
      await withRuntime(config(), async (r) => {
        const size = (await stat(path).catch(() => undefined))?.size;
        if (size === undefined) throw invalid(`${path}: no such file`);
        if (size > r.config.maxUploadBytes) throw invalid(`${path} is larger than RELAIS_MAX_UPLOAD_BYTES (${r.config.maxUploadBytes} bytes)`);
        const added = await r.presskits.addFile("cli", id, await readFile(path), { ...opts, caption: localized(process.argv.slice(2), "caption") });
        await r.relay.nudge();
        out(added.id, added.kind, added.mediaType, `${added.bytes} bytes`);
      });
    });
  file
    .command("remove <id> <fileId>")
    .description("remove a file from a kit")
    .action((id: string, fileId: string) =>
      withRuntime(config(), async (r) => {
        await r.presskits.removeFile("cli", id, fileId);
        await r.relay.nudge();
        out(`removed ${fileId}`);
      }),
    );
  const link = kit.command("link").description("secret read-only links for journalists, before the embargo");
  link
    .command("create <id>")
    .description("a new secret link (shown once): --days (7 by default, 90 at most), --label (who it is for)")
    .option("--days <n>", "days before it expires", "7")
    .option("--label <text>", "who the link is for (only editors see it)")
    .action((id: string, opts: { days: string; label?: string }) =>
      withRuntime(config(), async (r) => {
        const made = await r.presskits.createLink("cli", id, { expiresInDays: Number(opts.days), ...(opts.label ? { label: opts.label } : {}) });
        out(r.urls.pressPreview(made.token).href);
        process.stderr.write(`link ${made.link.id}, valid until ${made.link.expiresAt.toString()}; revoke it with: relais presskit link revoke ${id} ${made.link.id}\n`);
      }),
    );
  link
    .command("list <id>")
    .description("a kit's links: id, label, expiry, revoked")
    .action((id: string) =>
      withRuntime(config(), async (r) => {
        for (const l of await r.presskits.links("cli", id)) out(l.id, l.label ?? "", l.expiresAt.toString(), l.revokedAt ? `revoked ${l.revokedAt.toString()}` : "active");
      }),
    );
  link
    .command("revoke <id> <linkId>")
    .description("revoke a link: it stops working at once")
    .action((id: string, linkId: string) =>
      withRuntime(config(), async (r) => {
        await r.presskits.revokeLink("cli", id, linkId);
        out(`revoked ${linkId}`);
      }),
    );
}
