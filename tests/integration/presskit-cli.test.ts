// `relais presskit …` as an operator runs it, in its own process against the instance's database: a
// bilingual kit under embargo, a photo added (cleaned), a secret link that shows it, revoked, then
// published at once; nothing of the kit is public before. (Each command is a process: few of them.)
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exiftool } from "../support/exif.ts";
import { gpsJpeg } from "../support/press-files.ts";
import { runCli } from "../support/relais-process.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

describe("relais presskit", () => {
  let relais: RelaisInstance;
  let env: Record<string, string>;
  beforeAll(async () => {
    relais = await startRelaisInstance();
    await relais.runtime.collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    env = { DATABASE_URL: relais.runtime.config.databaseUrl as string, REDIS_URL: "", RELAIS_ORIGIN: relais.origin.origin, RELAIS_MEDIA_DIR: relais.mediaDir };
  }, 60_000);
  afterAll(() => relais?.close());

  it("creates a kit with a file and a link, revokes the link and publishes the kit", async () => {
    const created = await runCli(
      ["presskit", "create", "gent", "--title-nl", "Actiedag", "--title-fr", "Journée d'action", "--lead-nl", "Oproep.", "--lead-fr", "Appel.", "--body-nl", "Tekst", "--body-fr", "Texte", "--contact-nl", "Persdienst", "--email", "pers@gent.example", "--embargo", "2099-01-01T09:00"],
      env,
    );
    expect(created.stderr).toContain("relais presskit file add");
    const id = /created ([0-9a-f-]{36})\tembargoed/.exec(created.stdout)?.[1] as string;
    expect(id).toBeDefined();
    const photo = join(relais.mediaDir, "photo.jpg");
    writeFileSync(photo, await gpsJpeg());
    const added = await runCli(["presskit", "file", "add", id, photo, "--kind", "photo", "--credit", "Foto: collectief", "--licence", "cc-by-sa", "--caption-nl", "Betoging"], env);
    expect(added.stdout).toMatch(/photo\timage\/jpeg/);
    const link = await runCli(["presskit", "link", "create", id, "--days", "2", "--label", "De Standaard"], env);
    const url = link.stdout.trim();
    expect(url).toMatch(/\/press-preview\//);
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(relais.url(`/presskits/${id}`))).status).toBe(404);
    const linkId = /^link ([0-9a-f-]{36}), valid until/m.exec(link.stderr)?.[1] as string;
    expect((await runCli(["presskit", "link", "revoke", id, linkId], env)).code).toBe(0);
    expect((await fetch(url)).status).toBe(404);

    expect((await runCli(["presskit", "publish", id], env)).stdout).toContain("published");
    const page = await fetch(relais.url(`/presskits/${id}`));
    expect(page.status).toBe(200);
    const kit = await relais.runtime.presskits.get(null, id);
    expect(kit.files.map((f) => [f.kind, f.licence, f.credit, f.caption.nl])).toEqual([["photo", "cc-by-sa", "Foto: collectief", "Betoging"]]);
    expect(kit.embargoAt?.toString()).toBe(kit.publishedAt?.toString());
    const bytes = Buffer.from(await (await fetch(relais.url(`/presskits/${id}/files/${kit.files[0]?.name}`))).arrayBuffer());
    expect(Object.keys(await exiftool(bytes)).filter((k) => /GPS/.test(k))).toEqual([]);
  }, 300_000);
});
