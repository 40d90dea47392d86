// The operator CLI as a real process against PostgreSQL: every wrong input names the problem, exits
// non-zero and leaves nothing half-written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { runCli } from "../support/relais-process.ts";
import { createTestDatabase } from "../support/services.ts";

// Each command is a fresh Node process (about 2 s of CPU to load): generous timeouts for a busy machine.
describe("relais CLI", { timeout: 180_000 }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase("cli");
    env = { DATABASE_URL: db.url, REDIS_URL: "", RELAIS_ORIGIN: "https://relais.example" };
    expect((await runCli(["migrate"], env)).code).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("lists every command in --help", async () => {
    const help = await runCli(["--help"], env);
    for (const command of ["start", "serve", "worker", "migrate", "collective", "follower", "user", "member", "token", "outbox", "block"]) {
      expect(help.stdout).toContain(command);
    }
  });

  it("creates collectives in several languages and refuses bad input without writing anything", async () => {
    const ok = await runCli(
      ["collective", "create", "bxl", "--name", "Droits sociaux Bruxelles", "--language", "fr", "--name-nl", "Sociale rechten Brussel", "--manual-approval"],
      env,
    );
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toContain("@bxl@relais.example");

    const badSlug = await runCli(["collective", "create", "Bad Slug!", "--name", "x", "--language", "fr"], env);
    expect(badSlug.code).toBe(1);
    expect(badSlug.stderr).toMatch(/slug: must be 1–64 lower-case letters/);
    const badLang = await runCli(["collective", "create", "ok", "--name", "x", "--language", "french"], env);
    expect(badLang.code).toBe(1);
    expect(badLang.stderr).toMatch(/--language "french" is not a language code/);
    const missingName = await runCli(["collective", "create", "ok2", "--language", "fr"], env);
    expect(missingName.code).not.toBe(0);
    expect(missingName.stderr).toMatch(/--name/);
    const taken = await runCli(["collective", "create", "bxl", "--name", "x", "--language", "fr"], env);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/already exists/);

    const list = await runCli(["collective", "list"], env);
    expect(list.stdout.trim().split("\n")).toEqual([expect.stringMatching(/^bxl\tDroits sociaux Bruxelles\tfr\t/)]);
  });

  it("creates users from standard input, members and tokens", async () => {
    const short = await runCli(["user", "create", "ana@example.org"], env, "short\n");
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 12 characters/);
    const badEmail = await runCli(["user", "create", "not-an-email"], env, "correct horse battery\n");
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr).toMatch(/email/);
    const created = await runCli(["user", "create", "Ana@Example.org"], env, "correct horse battery\n");
    expect(created.stdout).toContain("created user ana@example.org");

    const noCollective = await runCli(["member", "add", "nowhere", "ana@example.org", "--role", "editor"], env);
    expect(noCollective.code).not.toBe(0);
    expect(noCollective.stderr).toMatch(/collective "nowhere" does not exist/);
    const badRole = await runCli(["member", "add", "bxl", "ana@example.org", "--role", "admin"], env);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toMatch(/owner, editor/);
    expect((await runCli(["member", "add", "bxl", "ana@example.org", "--role", "editor"], env)).code).toBe(0);

    const token = await runCli(["token", "create", "ana@example.org"], env);
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toMatch(/^relais_[A-Za-z0-9_-]{40,}$/);
  });

  it("lists, expires and revokes tokens", async () => {
    expect((await runCli(["user", "create", "bram@example.org"], env, "correct horse battery\n")).code).toBe(0);
    expect((await runCli(["member", "add", "bxl", "bram@example.org", "--role", "owner"], env)).code).toBe(0);
    const made = await runCli(["token", "create", "bram@example.org", "--name", "laptop", "--expires-in", "7"], env);
    expect(made.code).toBe(0);
    expect(made.stdout.trim()).toMatch(/^relais_[A-Za-z0-9_-]{40,}$/);
    const id = /token ([0-9a-f-]{36}) expires/.exec(made.stderr)?.[1] as string;
    expect(id).toBeDefined();
    const badDays = await runCli(["token", "create", "bram@example.org", "--expires-in", "forever"], env);
    expect(badDays.code).toBe(1);
    expect(badDays.stderr).toMatch(/--expires-in "forever" is not a whole number of days/);

    const listed = await runCli(["token", "list", "bram@example.org"], env);
    const line = listed.stdout.split("\n").find((l) => l.startsWith(id)) as string;
    const [, name, created, lastUsed, expires] = line.split("\t");
    expect([name, lastUsed]).toEqual(["laptop", "never used"]);
    expect(Math.round((Date.parse(expires as string) - Date.parse(created as string)) / 86_400_000)).toBe(7);
    expect(listed.stdout).not.toContain(made.stdout.trim());

    expect((await runCli(["token", "revoke", id], env)).stdout).toContain(`revoked token ${id}`);
    expect((await runCli(["token", "list", "bram@example.org"], env)).stdout).not.toContain(id);
    const again = await runCli(["token", "revoke", id], env);
    expect(again.code).toBe(3); // not found
    expect(again.stderr).toMatch(/token .* does not exist/);
  });

  it("lists and removes members, keeping the last owner", async () => {
    const members = await runCli(["member", "list", "bxl"], env);
    expect(members.stdout).toMatch(/^editor\tana@example.org\t/m);
    expect(members.stdout).toMatch(/^owner\tbram@example.org\t/m);
    expect((await runCli(["member", "remove", "bxl", "ana@example.org"], env)).stdout).toContain("ana@example.org is no longer a member of @bxl");
    const lastOwner = await runCli(["member", "remove", "bxl", "bram@example.org"], env);
    expect(lastOwner.code).toBe(1);
    expect(lastOwner.stderr).toMatch(/at least one owner/);
    expect((await runCli(["member", "list", "bxl"], env)).stdout.trim().split("\n")).toEqual([expect.stringMatching(/^owner\tbram@example.org\t/)]);
  });

  it("names the problem when approving a follow request that does not exist", async () => {
    const res = await runCli(["follower", "approve", "bxl", "https://mastodon.example/users/zoe"], env);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/follow request from https:\/\/mastodon.example\/users\/zoe/);
  });

  it("lists the outbox rows that failed for good, with control characters neutralised, and retries them", async () => {
    expect((await runCli(["outbox", "failed"], env)).stdout).toBe("no failed outbox rows\n");
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query(
        `insert into outbox (activity_id, kind, payload, created_at, attempts, failed_at, last_error)
         values ('https://relais.example/@bxl#x', 'no-such-kind', '{}', now(), 10, now(), $1)`,
        ["refused by \u001b]0;owned\u0007 remote"],
      );
      const failed = await runCli(["outbox", "failed"], env);
      expect(failed.code).toBe(0);
      expect(failed.stdout).not.toContain("\u001b");
      const [id, kind, attempts, , activityId, error] = failed.stdout.trim().split("\t");
      expect([kind, attempts, activityId, error]).toEqual(["no-such-kind", "10", "https://relais.example/@bxl#x", "refused by \\x1b]0;owned\\x07 remote"]);

      const unknown = await runCli(["outbox", "retry", "999999"], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/no failed outbox row 999999/);
      const bad = await runCli(["outbox", "retry", "abc"], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/"abc" is not an outbox row id/);
      const retried = await runCli(["outbox", "retry", String(id)], env);
      expect(retried.stdout).toContain("1 row(s) retried");
      const { rows } = await admin.query("select failed_at, attempts from outbox where activity_id = 'https://relais.example/@bxl#x'");
      // Pending again, and taken at once by the CLI's relay.
      expect(rows).toEqual([{ failed_at: null, attempts: 1 }]);
    } finally {
      await admin.end();
    }
  });

  it("blocks servers and actors instance-wide or for a collective, lists and lifts them, and names bad targets", async () => {
    const instance = await runCli(["block", "add", "Bücher.Example", "--reason", "spam wave"], env);
    expect(instance.stderr).toBe("");
    expect(instance.stdout.trim()).toBe("blocked xn--bcher-kva.example instance-wide: removed 0 follower(s), 0 partner follow(s) undone, 0 partner event(s) removed");
    const forBxl = await runCli(["block", "add", "https://rival.example/users/x#main-key", "--collective", "bxl"], env);
    expect(forBxl.stdout.trim()).toMatch(/^blocked https:\/\/rival\.example\/users\/x for @bxl: removed 0 follower\(s\)/);
    expect((await runCli(["block", "add", "xn--bcher-kva.example"], env)).stdout.trim()).toBe("xn--bcher-kva.example was already blocked instance-wide");

    const tld = await runCli(["block", "add", "org"], env);
    expect(tld.code).toBe(1);
    expect(tld.stderr).toMatch(/"org" is a top-level domain, not a server: give a server's domain such as spam\.org/);
    const own = await runCli(["block", "add", "relais.example"], env);
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/relais\.example is this instance's own domain/);
    const nowhere = await runCli(["block", "add", "spam.example", "--collective", "nowhere"], env);
    expect(nowhere.code).toBe(3);
    expect(nowhere.stderr).toMatch(/collective "nowhere" does not exist/);

    const all = await runCli(["block", "list", "--all"], env);
    expect(all.stdout.trim().split("\n").map((l) => l.split("\t").slice(0, 4))).toEqual([
      ["instance", "domain", "xn--bcher-kva.example", "cli"],
      ["@bxl", "actor", "https://rival.example/users/x", "cli"],
    ]);
    expect((await runCli(["block", "list"], env)).stdout).not.toContain("rival");
    expect((await runCli(["block", "remove", "bücher.example"], env)).stdout.trim()).toBe("bücher.example is no longer blocked instance-wide");
    const gone = await runCli(["block", "remove", "bücher.example"], env);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/a block of xn--bcher-kva\.example instance-wide does not exist/);
    expect((await runCli(["block", "list"], env)).stdout.trim()).toBe("nothing is blocked instance-wide");
  });

  it("exits 1 when verify-signature finds no valid signature (its outcome on standard output)", async () => {
    const res = await runCli(["verify-signature", "http://127.0.0.1:9/calls/x", "http://127.0.0.1:9/@nobody"], { ...env, RELAIS_ALLOW_PRIVATE_ADDRESSES: "true" });
    expect(res.stdout).toMatch(/^unverifiable\t/);
    expect(res.code).toBe(1);
  });

  it("reports every configuration problem at once", async () => {
    const res = await runCli(["collective", "list"], { ...env, PORT: "http", RELAIS_ORIGIN: "ftp://x" });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/PORT must be a whole number/);
    expect(res.stderr).toMatch(/RELAIS_ORIGIN must start with http/);
  });
});
