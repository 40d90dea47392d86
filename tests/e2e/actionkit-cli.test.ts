// `relais actionkit …` as real processes against PostgreSQL: a kit created from a JSON file (a draft),
// a file whose letter names an unknown blank refused with the field's path and exit 1, published,
// changed (version 2), listed for the collective and the country, shown, its versions, deleted.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cafAccessRequest } from "../support/action-kits.ts";
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
