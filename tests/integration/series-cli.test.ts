// `relais series …` as an operator runs it, each command its own process against the instance's
// database: a weekly series created, an occurrence cancelled and one moved, listed, then ended.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { runCli } from "../support/relais-process.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

describe("relais series", () => {
  let relais: RelaisInstance;
  let env: Record<string, string>;
  beforeAll(async () => {
    relais = await startRelaisInstance();
    await relais.runtime.collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    await createEditor(relais.runtime, "gent", "bram@example.org");
    env = { DATABASE_URL: relais.runtime.config.databaseUrl as string, REDIS_URL: "", RELAIS_ORIGIN: relais.origin.origin, RELAIS_MEDIA_DIR: relais.mediaDir };
  }, 60_000);
  afterAll(() => relais?.close());

  it("creates a series, cancels and moves occurrences, lists them and ends the series", async () => {
    const event = { name: { nl: "Spreekuur" }, startsAt: "2031-03-18T14:00", endsAt: "2031-03-18T16:00", timezone: "Europe/Brussels", onlineUrl: "https://meet.example.org/spreekuur", recurrence: "FREQ=WEEKLY;BYDAY=TU;COUNT=4", published: true };
    const noEditor = await runCli(["series", "create", "gent", "--event", JSON.stringify(event)], env);
    expect(noEditor.code).toBe(1);
    expect(noEditor.stderr).toContain("--as <email>");
    const created = await runCli(["series", "create", "gent", "--as", "bram@example.org", "--event", JSON.stringify(event)], env);
    expect(created.code).toBe(0);
    const id = /^([0-9a-f-]{36})\tpublished/.exec(created.stdout)?.[1] as string;
    expect(id).toBeDefined();
    expect((await runCli(["series", "cancel", id, "2031-03-25", "--as", "bram@example.org", "--reason", "nl=Staking"], env)).stdout).toContain("2031-03-25\tcancelled");
    expect((await runCli(["series", "move", id, "2031-04-01", "--as", "bram@example.org", "--starts", "2031-04-02T10:00", "--ends", "2031-04-02T12:00"], env)).stdout).toContain("2031-04-01\tmoved\t2031-04-02T10:00+02:00");
    const wrong = await runCli(["series", "cancel", id, "2031-03-26", "--as", "bram@example.org"], env);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain("has no occurrence on 2031-03-26; its next dates are 2031-04-01, 2031-04-08");
    const list = await runCli(["series", "occurrences", id, "--from", "2031-03-01"], env);
    expect(list.stdout.split("\n").filter(Boolean)).toEqual([
      "2031-03-18\tas-planned\t2031-03-18T14:00+01:00\t2031-03-18T16:00+01:00\t",
      "2031-03-25\tcancelled\t2031-03-25T14:00+01:00\t2031-03-25T16:00+01:00\t",
      "2031-04-01\tmoved\t2031-04-02T10:00+02:00\t2031-04-02T12:00+02:00\t",
      "2031-04-08\tas-planned\t2031-04-08T14:00+02:00\t2031-04-08T16:00+02:00\t",
    ]);
    expect((await runCli(["series", "end", id, "2031-04-05", "--as", "bram@example.org"], env)).stdout).toBe(`${id}\tuntil\t2031-04-05\n`);
    const after = await runCli(["series", "occurrences", id, "--from", "2031-03-01"], env);
    expect(after.stdout.trim().split("\n")).toHaveLength(3);
  }, 180_000);
});
