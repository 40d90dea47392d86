// The README's examples run as written: its "Publish events" shell block (curl) against a real instance.
// Its list of CLI commands names every command `relais --help` prints.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** The README's ```sh block that contains `marker`. */
function shellBlock(marker: string): string {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  const found = blocks.filter((b) => b.includes(marker));
  if (found.length !== 1) throw new Error(`expected one README sh block with ${marker}, found ${found.length}`);
  return found[0] as string;
}

async function bash(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn("bash", ["-e", "-c", script], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

describe("README", { timeout: 120_000 }, () => {
  let relais: RelaisInstance;
  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "droits-lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("names every command of relais --help", async () => {
    const bin = new URL("../../bin/relais.js", import.meta.url).pathname;
    const help = await bash(`"${process.execPath}" "${bin}" --help`, {});
    expect(help.code, help.stderr).toBe(0);
    const commands = [...(help.stdout.split("\nCommands:\n")[1] ?? "").matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1] as string).filter((c) => c !== "help");
    expect(commands).toEqual(expect.arrayContaining(["start", "worker", "call", "keys", "backup", "restore", "slogan", "presskit"]));
    const from = readme.indexOf("`npx relais --help` lists every");
    expect(from).toBeGreaterThan(-1);
    const list = readme.slice(from, readme.indexOf("\n\n", from));
    expect(commands.filter((c) => !new RegExp(`\`${c}[\` |]`).test(list))).toEqual([]);
  });

  it("publishes the example event with curl, two weeks ahead", async () => {
    const { token } = await createEditor(relais.runtime, "droits-lyon", "ana@example.org");
    const script = shellBlock("curl -X POST").replaceAll("http://localhost:3000", relais.origin.origin);
    const run = await bash(script, { TOKEN: token });
    expect(run.code, run.stderr).toBe(0);
    const event = JSON.parse(run.stdout) as { url?: string; startsAt?: string; timezone?: string };
    expect(event.url).toMatch(new RegExp(`^${relais.origin.origin}/events/`));
    expect(event.timezone).toBe("Europe/Paris");
    const days = (Date.parse(event.startsAt ?? "") - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(13);
    expect(days).toBeLessThan(15);
  });
});
