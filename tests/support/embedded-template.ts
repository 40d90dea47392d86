import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmbeddedTemplate, seedEmbeddedDataDir } from "../../src/db/embedded-postgres.ts";

/**
 * A fresh embedded data folder that starts from an initialised PGlite folder instead of running initdb
 * (~5 s, more on a busy machine). The template is made once per PGlite version and user, in the system
 * temp folder, and appears atomically (made aside, then renamed), so parallel test files share it.
 */
export async function newEmbeddedDataDir(label = "emb"): Promise<{ dataDir: string; remove: () => Promise<void> }> {
  const template = await embeddedTemplate();
  // Short path under tmpdir: the unix socket lives in the data folder when its path fits.
  const dataDir = await mkdtemp(join(tmpdir(), `relais-${label}-`));
  await seedEmbeddedDataDir(template, dataDir);
  return { dataDir, remove: () => rm(dataDir, { recursive: true, force: true }) };
}

let pending: Promise<string> | undefined;

export function embeddedTemplate(): Promise<string> {
  pending ??= makeTemplate();
  return pending;
}

async function makeTemplate(): Promise<string> {
  const version = (JSON.parse(readFileSync(new URL("../../node_modules/@electric-sql/pglite/package.json", import.meta.url), "utf8")) as {
    version: string;
  }).version;
  const path = join(tmpdir(), `relais-pglite-template-${version}-${process.getuid?.() ?? "u"}`);
  if (await exists(join(path, "PG_VERSION"))) return path;
  const aside = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await createEmbeddedTemplate(aside);
    await rename(aside, path);
  } catch (e) {
    // Another test process renamed its template first: use that one.
    if (!(await exists(join(path, "PG_VERSION")))) throw e;
  } finally {
    await rm(aside, { recursive: true, force: true });
  }
  return path;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
