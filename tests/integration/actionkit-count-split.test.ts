// A kit's count split for its editors (issue 11, ADR 0032): the editor's kit page and `relais actionkit
// show` say, per language, what was counted here and what other servers reported, and per server its
// letters, copies and the time of its last report. Two real instances over real HTTP: the copy's server
// reports with a signed POST from its instance actor; the page is read in fr/de/nl/en by an editor
// (WebClient), the CLI runs as its own process against the origin's database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionKitView } from "../../src/modules/actionkit/actionkit.types.ts";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { cafAccessRequest } from "../support/action-kits.ts";
import { createEditor } from "../support/editor.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { runCli } from "../support/relais-process.ts";
import { WebClient } from "../support/web-client.ts";

describe("a kit's count, here and on other servers, for its editors", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let kit: ActionKitView;
  let reportedAt: Date;
  const count = async (at: RelaisInstance, k: ActionKitView, lang: string, times: number) => {
    for (let i = 0; i < times; i++) expect((await fetch(at.url(`/kits/${k.id}/${lang}/count`), { method: "POST" })).status).toBe(204);
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    await createEditor(a.runtime, "lyon", "ana@example.org");
    kit = await a.runtime.actionkits.create("cli", "lyon", { ...cafAccessRequest, published: true });
    await followPartner(b, "gent", handleOf(a, "lyon"));
    const read = await b.runtime.actionKitReader.read(kit.apId.href);
    if (!read.ok) throw new Error(read.reason);
    const copy = await b.runtime.actionkits.adopt("cli", "gent", read.kit, { published: true });
    await count(a, kit, "fr", 2);
    await count(b, copy, "fr", 3);
    await count(b, copy, "en", 1);
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 1, refused: 0, failed: 0 });
    const [row] = await a.runtime.em.fork().getConnection().execute<{ received_at: Date }[]>("select received_at from action_kit_remote_count");
    reportedAt = new Date(row?.received_at as Date);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("shows the editor, in each language, per language here and elsewhere, and the server that reported", async () => {
    const ana = new WebClient(a.origin);
    await ana.login("ana@example.org", "correct horse battery");
    const missingBefore = missingTranslationKeys().length;
    const heads = { en: "On other servers", fr: "Sur d'autres serveurs", de: "Auf anderen Servern", nl: "Op andere servers" };
    for (const [lang, head] of Object.entries(heads)) {
      const page = await ana.get(`/manage/kits/${kit.id}?lang=${lang}`);
      expect(page.status).toBe(200);
      expect(page.text.replaceAll("&#39;", "'")).toContain(`<th scope="col">${head}</th>`);
    }
    expect(missingTranslationKeys().length).toBe(missingBefore);
    const page = (await ana.get(`/manage/kits/${kit.id}?lang=en`)).text;
    expect(page).toContain('<tr data-language="en"><th scope="row">English</th><td>0</td><td>1</td></tr>');
    expect(page).toContain('<tr data-language="fr"><th scope="row">French</th><td>2</td><td>3</td></tr>');
    expect(page).toContain('<tfoot><tr><th scope="row">Total</th><td>2</td><td>4</td></tr></tfoot>');
    const server = new RegExp(`<tr data-server="${b.origin.host}"><th scope="row">${b.origin.host}</th><td>4 <span class="muted">\\(EN 1, FR 3\\)</span></td><td>1</td><td><time datetime="([^"]+)">`).exec(page);
    expect(server?.[1]).toBe(Temporal.Instant.fromEpochMilliseconds(reportedAt.getTime()).toString());
  });

  it("shows the same split with relais actionkit show", async () => {
    const env = { DATABASE_URL: a.runtime.config.databaseUrl as string, REDIS_URL: "", RELAIS_ORIGIN: a.origin.href.replace(/\/$/, ""), RELAIS_MEDIA_DIR: a.mediaDir };
    const shown = await runCli(["actionkit", "show", kit.id], env);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split("\n").filter((l) => /^count[\t.]/.test(l));
    expect(lines).toEqual([
      "count\t6\tfr:5 en:1",
      "count.here\t2\tfr:2",
      "count.other-servers\t4\ten:1 fr:3",
      `count.server\t${b.origin.host}\t4\ten:1 fr:3\t1 copy\tlast report ${Temporal.Instant.fromEpochMilliseconds(reportedAt.getTime()).toString()}`,
    ]);
    const json = JSON.parse((await runCli(["actionkit", "show", kit.id, "--json"], env)).stdout) as { count: { servers: { server: string; total: number }[] } };
    expect(json.count.servers.map((s) => [s.server, s.total])).toEqual([[b.origin.host, 4]]);
  }, 120_000);
});
