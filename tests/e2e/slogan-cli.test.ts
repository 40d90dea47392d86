// `relais slogan …` as a real process against PostgreSQL: a slogan written from the command line in two
// languages, listed, shown, changed (a new version), its placard and share image written to files and
// read back, deleted; wrong input names the problem and exits non-zero.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/relais-process.ts";
import { createTestDatabase } from "../support/services.ts";

describe("relais slogan", { timeout: 300_000 }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), "relais-slogan-cli-"));
  beforeAll(async () => {
    db = await createTestDatabase("slogan_cli");
    env = { DATABASE_URL: db.url, REDIS_URL: "", RELAIS_ORIGIN: "https://relais.example", RELAIS_MEDIA_DIR: join(dir, "media") };
    expect((await runCli(["migrate"], env)).code).toBe(0);
    expect((await runCli(["collective", "create", "lyon", "--name", "Droits sociaux Lyon", "--language", "fr"], env)).code).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes, lists, changes, prints and deletes a slogan", async () => {
    const created = await runCli(["slogan", "create", "lyon", "--text", "Pas de tri des pauvres", "--text-de", "Keine Sortierung der Armen", "--tag", "allocs"], env);
    expect(created.code).toBe(0);
    const id = /^([0-9a-f-]{36})\tpublished\t/.exec(created.stdout)?.[1] as string;
    expect(id).toBeDefined();
    const list = await runCli(["slogan", "list", "lyon"], env);
    expect(list.stdout.trim()).toBe(`${id}\tpublished\tv1\tPas de tri des pauvres\thttps://relais.example/slogans/${id}`);
    expect((await runCli(["slogan", "update", id, "--text-nl", "Geen sortering van de armen"], env)).stdout.trim()).toBe(`${id}\tpublished\tversion 2`);
    const shown = await runCli(["slogan", "show", id], env);
    expect(shown.stdout).toContain("text.de\tKeine Sortierung der Armen");
    expect(shown.stdout).toContain("text.nl\tGeen sortering van de armen");
    expect(shown.stdout).toContain("tags\tallocs");

    const pdfPath = join(dir, "placard.pdf");
    expect((await runCli(["slogan", "placard", id, "--language", "nl", "--size", "a3", "--orientation", "landscape", "--out", pdfPath], env)).code).toBe(0);
    const pdf = await getDocument({ data: new Uint8Array(readFileSync(pdfPath)), useSystemFonts: false }).promise;
    const page = await pdf.getPage(1);
    expect(page.view.map(Math.round)).toEqual([0, 0, 1191, 842]);
    expect((await page.getTextContent()).items.map((i) => ("str" in i ? i.str : "")).join(" ")).toContain("Geen sortering van de armen");
    const pngPath = join(dir, "share.png");
    expect((await runCli(["slogan", "placard", id, "--language", "de", "--share", "--out", pngPath], env)).code).toBe(0);
    const meta = await sharp(readFileSync(pngPath)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", 1200, 630]);

    expect((await runCli(["slogan", "delete", id], env)).stdout.trim()).toBe(`deleted ${id}`);
    expect((await runCli(["slogan", "show", id], env)).code).toBe(3);
  });

  it("names what is wrong and writes nothing", async () => {
    const tooLong = await runCli(["slogan", "create", "lyon", "--text", "x".repeat(121)], env);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/at most 120 characters/);
    const spanish = await runCli(["slogan", "create", "lyon", "--text-es", "No pasarán"], env);
    expect(spanish.code).toBe(1);
    expect(spanish.stderr).toMatch(/text\.es/);
    expect((await runCli(["slogan", "create", "lyon", "--text", "ok", "--colour", "red"], env)).stderr).toMatch(/unknown option --colour/);
    expect((await runCli(["slogan", "list", "lyon"], env)).stdout).toMatch(/no slogans yet/);
  });
});
