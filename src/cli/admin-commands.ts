import { editorPaths } from "../web/editor/paths.ts";
import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import { createRuntime, type Runtime } from "../runtime.ts";
import { invalid } from "../shared/errors.ts";
import { isLanguageTag } from "../shared/language.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { tokenLifetimeDays } from "../modules/user/user.service.ts";

/** Runs a one-shot command against the database (the embedded one through the server's socket when it runs). */
export async function withRuntime<T>(config: Config, fn: (r: Runtime) => Promise<T>): Promise<T> {
  const runtime = await createRuntime(config, "cli");
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

/**
 * One line of output; several columns are separated by tabs. Remote servers choose names, handles and
 * URLs: control characters (ESC sequences that rewrite the terminal, CR, tabs that fake columns) are
 * shown as visible escapes, never written as they are.
 */
const out = (...columns: string[]) => process.stdout.write(`${columns.map(visibleControls).join("\t")}\n`);

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write("password (input is shown; pipe it in to hide it): ");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

/** `--name-de Kollektiv` style options, collected from the raw arguments (commander cannot declare them). */
function localizedOptions(args: readonly string[], option: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const m = new RegExp(`^--${option}-([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)(?:=(.*))?$`).exec(args[i] as string);
    if (!m) continue;
    const lang = m[1] as string;
    const value = m[2] ?? args[++i];
    if (value === undefined || value.startsWith("--")) throw invalid(`--${option}-${lang} needs a value`);
    map[lang] = value;
  }
  return map;
}

export function registerAdminCommands(program: Command, config: () => Config): void {
  const run = <T>(fn: (r: Runtime) => Promise<T>) => withRuntime(config(), fn);
  const collective = program.command("collective").description("manage collectives");
  collective
    .command("create <slug>")
    .description("create a collective (more languages: --name-<code> <text>, --summary-<code> <text>)")
    .requiredOption("--name <text>", "name in the primary language")
    .requiredOption("--language <code>", "primary language, e.g. fr, de, nl, en")
    .option("--summary <text>", "one-paragraph presentation in the primary language")
    .option("--manual-approval", "followers must be approved (relais follower approve)")
    .option("--icon <url>", "an https URL of the collective's avatar")
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(
      async (
        slug: string,
        opts: { name: string; language: string; summary?: string; manualApproval?: boolean; icon?: string },
        cmd: Command,
      ) => {
      const raw = process.argv.slice(2);
      const unknown = cmd.args.slice(1).filter((a) => a.startsWith("-") && !/^--(name|summary)-[a-z]/.test(a));
      if (unknown.length > 0) throw invalid(`unknown option ${unknown.join(", ")}; see relais collective create --help`);
      if (!isLanguageTag(opts.language)) throw invalid(`--language "${opts.language}" is not a language code; use e.g. fr, de, nl or en`);
      const names = { [opts.language]: opts.name, ...localizedOptions(raw, "name") };
      const summaries = { ...(opts.summary ? { [opts.language]: opts.summary } : {}), ...localizedOptions(raw, "summary") };
      await run(async (r) => {
        const c = await r.collectives.create({
          slug,
          name: names,
          summary: Object.keys(summaries).length > 0 ? summaries : undefined,
          primaryLanguage: opts.language,
          manuallyApprovesFollowers: opts.manualApproval ?? false,
          iconUrl: opts.icon,
        });
        out(`created @${c.slug}@${r.urls.handleHost}  ${r.urls.collective(c.slug).href}`);
      });
      },
    );
  collective
    .command("list")
    .description("list collectives")
    .action(() =>
      run(async (r) => {
        const list = await r.collectives.list();
        if (list.length === 0) out("no collectives yet: create one with relais collective create <slug> --name <text> --language <code>");
        for (const c of list) {
          const name = c.name[c.primaryLanguage] ?? Object.values(c.name)[0];
          out(c.slug, name ?? "", c.primaryLanguage, r.urls.collective(c.slug).href);
        }
      }),
    );

  const follower = program.command("follower").description("see and decide on a collective's followers");
  follower
    .command("list <slug>")
    .description("list followers and pending requests")
    .action((slug: string) =>
      run(async (r) => {
        const list = await r.followers.list(slug);
        if (list.length === 0) out(`@${slug} has no followers yet`);
        for (const f of list) out(f.state, f.actorApId, f.handle ?? "", f.since.toISOString());
      }),
    );
  follower
    .command("approve <slug> <actor-url>")
    .description("accept a pending follow request")
    .action((slug: string, actor: string) =>
      run(async (r) => {
        await r.followers.approve(slug, actor);
        await r.relay.nudge();
        out(`approved ${actor}; the Accept is on its way`);
      }),
    );
  follower
    .command("reject <slug> <actor-url>")
    .description("refuse a follow request (or remove a follower)")
    .action((slug: string, actor: string) =>
      run(async (r) => {
        await r.followers.reject(slug, actor);
        await r.relay.nudge();
        out(`rejected ${actor}`);
      }),
    );

  const user = program.command("user").description("manage editor accounts");
  user
    .command("create <email>")
    .description("create a user; the password is read from standard input")
    .option("--admin", "instance admin: creates collectives in the web interface")
    .action(async (email: string, opts: { admin?: boolean }) => {
      const password = await readStdin();
      await run(async (r) => {
        const u = await r.users.create(email, password, { admin: opts.admin ?? false });
        out(`created ${opts.admin ? "instance admin" : "user"} ${u.email}; log in at ${new URL(editorPaths.login, r.urls.origin).href}`);
      });
    });
  user
    .command("reset-link <email>")
    .description("print a one-time link (valid 24 hours) with which the user sets a new password")
    .action((email: string) =>
      run(async (r) => {
        const link = await r.links.createReset("cli", email);
        if (link) out(new URL(editorPaths.reset(link.token), r.urls.origin).href);
      }),
    );
  user
    .command("reset-second-factor <email>")
    .description("turn off a user's two-step login (TOTP) when both the phone and the recovery codes are lost; ends the user's sessions")
    .action((email: string) =>
      run(async (r) => {
        const userId = await r.users.userIdByEmail(email);
        const { wasEnabled } = await r.secondFactor.resetByOperator(userId);
        if (!wasEnabled) {
          out(`${email} has no two-step login: nothing changed`);
          return;
        }
        const ended = await r.sessions.endAll(userId);
        out(`two-step login turned off for ${email} (${ended} session${ended === 1 ? "" : "s"} ended); they log in with their password and can turn it on again from their account page`);
      }),
    );

  const member = program.command("member").description("manage who edits a collective");
  member
    .command("add <slug> <email>")
    .description("give a user a role in a collective")
    .requiredOption("--role <role>", "owner or editor")
    .action((slug: string, email: string, opts: { role: string }) =>
      run(async (r) => {
        await r.users.addMember(slug, email, opts.role);
        out(`${email} is now ${opts.role} of @${slug}`);
      }),
    );
  member
    .command("list <slug>")
    .description("list a collective's members and their roles")
    .action((slug: string) =>
      run(async (r) => {
        const { members } = await r.memberships.list("cli", slug);
        if (members.length === 0) out(`@${slug} has no members yet: relais member add ${slug} <email> --role owner`);
        for (const m of members) out(m.role, m.email, m.since.toISOString());
      }),
    );
  member
    .command("remove <slug> <email>")
    .description("take a user's role in a collective away (the last owner stays)")
    .action((slug: string, email: string) =>
      run(async (r) => {
        await r.memberships.remove("cli", slug, await r.users.userIdByEmail(email));
        out(`${email} is no longer a member of @${slug}`);
      }),
    );

  const token = program.command("token").description("manage API tokens");
  token
    .command("create <email>")
    .description("create an API token for the JSON API (printed once, on standard output)")
    .option("--name <text>", "what the token is for, e.g. laptop")
    .option("--expires-in <days>", `days before it expires (default ${tokenLifetimeDays.default}, at most ${tokenLifetimeDays.max})`)
    .action((email: string, opts: { name?: string; expiresIn?: string }) =>
      run(async (r) => {
        const days = opts.expiresIn === undefined ? undefined : Number(opts.expiresIn);
        if (days !== undefined && !Number.isInteger(days)) throw invalid(`--expires-in "${opts.expiresIn}" is not a whole number of days`);
        const issued = await r.users.createToken(email, { name: opts.name, expiresInDays: days });
        out(issued.token);
        process.stderr.write(`token ${issued.id} expires ${issued.expiresAt.toISOString()}; revoke it with: relais token revoke ${issued.id}\n`);
      }),
    );
  token
    .command("list <email>")
    .description("list a user's tokens (id, name, created, last used, expires); never the tokens themselves")
    .action((email: string) =>
      run(async (r) => {
        const list = await r.users.listTokens({ email });
        if (list.length === 0) out(`${email} has no API tokens`);
        const when = (d: Date | null, none: string) => (d ? d.toISOString() : none);
        for (const t of list) {
          out(t.id, t.name ?? "-", t.createdAt.toISOString(), when(t.lastUsedAt, "never used"), when(t.expiresAt, "no expiry"));
        }
      }),
    );
  token
    .command("revoke <id>")
    .description("revoke an API token at once (its id from relais token list)")
    .action((id: string) =>
      run(async (r) => {
        await r.users.revokeToken(id);
        out(`revoked token ${id}`);
      }),
    );
}
