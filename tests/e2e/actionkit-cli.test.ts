// `relais actionkit …` as real processes against PostgreSQL: a kit created from a JSON file (a draft),
// a file whose letter names an unknown blank refused with the field's path and exit 1, published,
// changed (version 2), listed for the collective and the country, shown, its versions, deleted; and a
// partner's kit on another instance adopted by its URL.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cafAccessRequest } from "../support/action-kits.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { runCli } from "../support/relais-process.ts";
import { createTestDatabase } from "../support/services.ts";

describe("relais actionkit", { timeout: 300_000 }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), "relais-actionkit-cli-"));
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  beforeAll(async () => {
    db = await createTestDatabase("actionkit_cli");
    env = { DATABASE_URL: db.url, REDIS_URL: "", RELAIS_ORIGIN: "https://relais.example", RELAIS_MEDIA_DIR: join(dir, "media") };
    expect((await runCli(["migrate"], env)).code).toBe(0);
    expect((await runCli(["collective", "create", "lyon", "--name", "Droits sociaux Lyon", "--language", "fr"], env)).code).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates from a file, refuses an unknown blank, publishes, changes, lists, shows and deletes", async () => {
    const bad = { ...cafAccessRequest, letters: [{ ...cafAccessRequest.letters[0], body: { fr: "{{nom}}", en: "{{name}}" } }] };
    const refused = await runCli(["actionkit", "create", "lyon", "--file", file("bad.json", bad)], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('letters.0.body.fr: refers to the field "{{nom}}", which does not exist');
    const notJson = await runCli(["actionkit", "create", "lyon", "--file", join(dir, "missing.json")], env);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain("cannot be read");

    const created = await runCli(["actionkit", "create", "lyon", "--file", file("kit.json", cafAccessRequest)], env);
    expect(created.code).toBe(0);
    const id = /^([0-9a-f-]{36})\tdraft\t/.exec(created.stdout)?.[1] as string;
    expect(id).toBeDefined();
    expect((await runCli(["actionkit", "update", id, "--publish"], env)).stdout.trim()).toBe(`${id}\tpublished\tversion 1`);
    const patch = file("patch.json", { legalBasis: { fr: "RGPD, art. 15", en: "GDPR, Art. 15" } });
    expect((await runCli(["actionkit", "update", id, "--file", patch], env)).stdout.trim()).toBe(`${id}\tpublished\tversion 2`);
    const list = await runCli(["actionkit", "list", "lyon"], env);
    expect(list.stdout.trim()).toBe(`${id}\tpublished\tv2\tFR\t${cafAccessRequest.title.fr}\thttps://relais.example/kits/${id}`);
    expect((await runCli(["actionkit", "country", "fr"], env)).stdout).toContain(id);
    const shown = await runCli(["actionkit", "show", id], env);
    expect(shown.stdout).toContain(`title.en\t${cafAccessRequest.title.en}\thttps://relais.example/kits/${id}/en`);
    expect(shown.stdout).toContain("fields\tname* address* file_number* date details");
    expect(shown.stdout).toContain("count\t0");
    const versions = await runCli(["actionkit", "versions", id], env);
    expect(versions.stdout.split("\n").filter(Boolean).map((l) => l.split("\t")[0])).toEqual(["1", "2"]);
    const json = JSON.parse((await runCli(["actionkit", "show", id, "--json"], env)).stdout) as { legalBasis: unknown; letters: unknown[] };
    expect(json.legalBasis).toEqual({ fr: "RGPD, art. 15", en: "GDPR, Art. 15" });
    expect(json.letters).toHaveLength(1);

    // A URL where no kit can be read (exit 3, not found), said so with the reason.
    const elsewhere = await runCli(["actionkit", "adopt", "lyon", "https://elsewhere.example/kits/x"], env);
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toContain("a published action kit at https://elsewhere.example/kits/x: ");
    expect((await runCli(["actionkit", "delete", id], env)).stdout.trim()).toBe(`deleted ${id}`);
    expect((await runCli(["actionkit", "show", id], env)).code).toBe(3);
  });
});

// `relais actionkit adopt` of a kit on another instance: the real CLI process reads it with signed GETs
// from its instance actor and keeps the origin; a second time it is refused.
describe("relais actionkit adopt from another server", { timeout: 300_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  const envOf = (at: RelaisInstance) => ({
    DATABASE_URL: at.runtime.config.databaseUrl as string,
    REDIS_URL: "",
    RELAIS_ORIGIN: at.origin.href.replace(/\/$/, ""),
    RELAIS_ALLOW_PRIVATE_ADDRESSES: "true",
    RELAIS_MEDIA_DIR: at.mediaDir,
  });

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    await followPartner(a, "lyon", handleOf(b, "gent"));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("adopts a partner's kit by the URL of its Article, a draft that keeps its origin", async () => {
    const original = await b.runtime.actionkits.create("cli", "gent", { ...cafAccessRequest, published: true });
    const adopted = await runCli(["actionkit", "adopt", "lyon", original.apId.href], envOf(a));
    expect(adopted.stderr).toBe("");
    expect(adopted.code).toBe(0);
    const [id, state] = adopted.stdout.trim().split("\t");
    expect(state).toBe("draft");
    const copy = await a.runtime.actionkits.load(id as string);
    expect(copy?.origin).toEqual({ apId: original.apId.href, actorApId: b.url("/@gent").href, actorName: "Sociale rechten Gent", url: original.apId.href });
    expect(copy?.letters).toEqual(original.letters);
    const twice = await runCli(["actionkit", "adopt", "lyon", original.apId.href], envOf(a));
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain("adopted this action kit already");
  });
});
