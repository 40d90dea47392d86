// `relais call …` as a real process against PostgreSQL: a call written from the command line in two
// languages, listed, shown, opened, changed (a new version), closed, withdrawn and deleted; every
// wrong input names the problem and exits non-zero.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/relais-process.ts";
import { createTestDatabase } from "../support/services.ts";

describe("relais call", { timeout: 300_000 }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase("call_cli");
    env = { DATABASE_URL: db.url, REDIS_URL: "", RELAIS_ORIGIN: "https://relais.example" };
    expect((await runCli(["migrate"], env)).code).toBe(0);
    expect((await runCli(["collective", "create", "lyon", "--name", "Droits sociaux Lyon", "--language", "fr"], env)).code).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("writes, opens, changes, closes, withdraws and deletes a call", async () => {
    const created = await runCli(
      [
        "call", "create", "lyon",
        "--title", "Stop au contrôle algorithmique", "--title-de", "Schluss mit der Algorithmen-Kontrolle",
        "--body", "Nous **exigeons**", "--body-de", "Wir **fordern**",
        "--demand", "Fin du score de risque", "--demand", "Transparence",
        "--deadline", "2030-03-01",
      ],
      env,
    );
    expect(created.stderr).toContain("open it with: relais call open");
    const id = /created a draft: ([0-9a-f-]{36})/.exec(created.stdout)?.[1] as string;
    expect(id).toBeDefined();

    const list = await runCli(["call", "list", "lyon"], env);
    expect(list.stdout.trim()).toBe(`${id}\tdraft\tv0\tStop au contrôle algorithmique\thttps://relais.example/calls/${id}`);

    expect((await runCli(["call", "open", id], env)).stdout.trim()).toBe(`${id}\topen\tversion 1`);
    const updated = await runCli(["call", "update", id, "--json", "-"], env, JSON.stringify({ pitch: { fr: "Les CAF notent nos vies." } }));
    expect(updated.stdout.trim()).toBe(`${id}\topen\tversion 2`);
    const shown = await runCli(["call", "show", id], env);
    expect(shown.stdout).toContain("status\topen");
    expect(shown.stdout).toContain("title.de\tSchluss mit der Algorithmen-Kontrolle");
    expect(shown.stdout).toContain("deadline\t2030-03-01T23:59+01:00[Europe/Paris]");
    expect(shown.stdout).toContain("demand.2\tTransparence");

    expect((await runCli(["call", "close", id], env)).stdout.trim()).toBe(`${id}\tclosed\tversion 2`);
    const again = await runCli(["call", "close", id], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/a closed call cannot become closed/);
    expect((await runCli(["call", "withdraw", id], env)).stdout.trim()).toBe(`${id}\twithdrawn\tversion 2`);
    expect((await runCli(["call", "delete", id], env)).stdout.trim()).toBe(`deleted ${id}`);
    expect((await runCli(["call", "show", id], env)).code).toBe(3);
  });

  it("names what is wrong and writes nothing", async () => {
    const bad = await runCli(["call", "create", "lyon", "--title", "Titre", "--body", "Texte", "--deadline", "demain"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/deadline/);
    const unknown = await runCli(["call", "create", "lyon", "--title", "Titre", "--body", "Texte", "--colour", "red"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown option --colour/);
    const noCollective = await runCli(["call", "create", "nowhere", "--title", "Titre", "--title-fr", "Titre", "--body-fr", "Texte"], env);
    expect(noCollective.code).toBe(3);
    expect(noCollective.stderr).toMatch(/collective "nowhere" does not exist/);
    const badJson = await runCli(["call", "create", "lyon", "--json", "-"], env, "{not json");
    expect(badJson.code).toBe(1);
    expect(badJson.stderr).toMatch(/not valid JSON/);
    expect((await runCli(["call", "list", "lyon"], env)).stdout).toMatch(/has no calls yet/);
  });
});
