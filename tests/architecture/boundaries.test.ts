// Domain modules never import Fedify, Express or BullMQ; domain and federation code are given a
// translator; nothing but the config loader reads process.env; what ships (src/ but its tests) imports no development dependency and no test support;
// every public URL pattern is spelled once (src/shared/paths.ts) and AS2 documents are made in src/federation only.
// Fails with the offending file and import.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { paths } from "../../src/shared/paths.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+["']([^"']+)["']/g),
    ...text.matchAll(/(?:^|\n)\s*import\s+["']([^"']+)["']/g),
    ...text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1] as string);
}

const devDependencies = Object.keys(
  (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies?: Record<string, string> }).devDependencies ??
    {},
);

/** Whether an import specifier names a development dependency (the package or a path inside it). */
function isDevDependency(specifier: string): boolean {
  return devDependencies.some((name) => specifier === name || specifier.startsWith(name + "/"));
}

describe("architecture", () => {
  it("keeps Fedify, Express, BullMQ and ioredis out of the domain modules", () => {
    const offending = sources("src/modules").flatMap((f) =>
      imports(f)
        .filter((i) => /^(@fedify\/|express$|bullmq$|ioredis$)/.test(i) || /\/(federation|web|api|cli|jobs)\//.test(i))
        .map((i) => `${f} imports ${i}`),
    );
    expect(offending).toEqual([]);
  });

  it("imports Fedify only under src/federation", () => {
    const offending = sources("src")
      .filter((f) => !f.startsWith("src/federation/") && f !== "src/runtime.ts")
      .flatMap((f) => imports(f).filter((i) => i.startsWith("@fedify/")).map((i) => `${f} imports ${i}`));
    expect(offending).toEqual([]);
  });

  it("gives domain and federation code a translator instead of the web pages' one", () => {
    const usesPagesTranslator = /import\s*\{[^}]*\bt\b[^}]*\}\s*from\s*["'][^"']*shared\/i18n\.ts["']/;
    expect(usesPagesTranslator.test('import { t } from "../../shared/i18n.ts";')).toBe(true);
    const offending = [...sources("src/modules"), ...sources("src/federation")].filter(
      (f) => !f.endsWith(".test.ts") && usesPagesTranslator.test(readFileSync(join(root, f), "utf8")),
    );
    expect(offending).toEqual([]);
  });

  it("reads process.env only in the configuration loader and the CLI entry", () => {
    const allowed = new Set(["src/config/config.ts", "src/config/config-files.ts", "src/db/make-migration.ts"]);
    const offending = sources("src").filter(
      (f) => !allowed.has(f) && !f.endsWith(".test.ts") && /process\.env\b/.test(readFileSync(join(root, f), "utf8")),
    );
    expect(offending).toEqual([]);
  });

  it("keeps development dependencies and test support out of what src ships (tests beside the code may use them)", () => {
    // The check sees development dependencies where they belong.
    expect(imports("src/modules/ical/ical-renderer.test.ts").filter(isDevDependency)).toContain("vitest");
    const offending = sources("src")
      .filter((f) => !f.endsWith(".test.ts"))
      .flatMap((f) =>
        imports(f)
          .filter((i) => isDevDependency(i) || /(^|\/)tests\//.test(i))
          .map((i) => `${f} imports ${i}`),
      );
    expect(offending).toEqual([]);
  });

  it("spells every public URL pattern only in the path table", () => {
    const quote = "[\"'`]";
    const variable = String.raw`(?::\w+|\{\w+\}|\$\{[^}]*\})`;
    const literal = (text: string) => text.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&");
    const patterns = Object.values(paths)
      .filter((p) => p !== paths.home)
      .map((p) => ({
        pattern: p,
        // A pattern written with any variable syntax (Fedify's {x}, Express's :x, a template's ${x});
        // concrete URLs ("/@lyon/inbox") are what tests should name.
        anyForm: new RegExp(quote + p.split(/\{\w+\}/).map(literal).join(variable) + `(?=${quote}|[?#])`),
        withVariables: p.includes("{")
          ? new RegExp(quote + p.split(/\{\w+\}/).map(literal).join(String.raw`(?::\w+|\{\w+\})`) + `(?=${quote}|[?#])`)
          : undefined,
      }));
    // The check sees the forms it is meant to see.
    const event = patterns.find((p) => p.pattern === paths.event);
    expect(event?.anyForm.test('router.get("/events/:id", h)')).toBe(true);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text a template literal spells, as the pattern must find it
    expect(event?.anyForm.test("new URL(`/events/${encodeURIComponent(id)}`, origin)")).toBe(true);
    expect(event?.anyForm.test('get("/events/:id/edit")')).toBe(false);
    expect(event?.withVariables?.test('"/events/0e1b.ics"')).toBe(false);

    // The editor (/manage) and the API (/api/v1) route under their own prefixes with their own tables.
    const ownPrefix = (f: string) => /^src\/(web\/editor\/[^/]+\.routes\.ts|api\/)/.test(f);
    const shipped = sources("src").filter((f) => !f.endsWith(".test.ts") && f !== "src/shared/paths.ts" && !ownPrefix(f));
    const testing = [...sources("src").filter((f) => f.endsWith(".test.ts")), ...sources("tests")].filter(
      (f) => f !== "tests/architecture/boundaries.test.ts" && f !== "src/shared/paths.test.ts",
    );
    // Comments may name a pattern (`/@{slug}/agenda`); code may not.
    const code = (f: string) =>
      readFileSync(join(root, f), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/(^|\s)\/\/.*$/gm, "$1");
    const offending = [
      ...shipped.flatMap((f) => {
        const text = code(f);
        return patterns.filter((p) => p.anyForm.test(text)).map((p) => `${f} spells ${p.pattern}`);
      }),
      ...testing.flatMap((f) => {
        const text = code(f);
        return patterns.filter((p) => p.withVariables?.test(text)).map((p) => `${f} spells ${p.pattern}`);
      }),
    ];
    expect(offending).toEqual([]);
  });

  it("makes AS2 documents in src/federation only (no AS2 mapper imported elsewhere)", () => {
    const offending = sources("src")
      .filter((f) => !f.startsWith("src/federation/") && !f.endsWith(".test.ts"))
      .flatMap((f) => imports(f).filter((i) => /(^|\/)federation\/mappers\//.test(i)).map((i) => `${f} imports ${i}`));
    expect(offending).toEqual([]);
  });

  it("gives routes and pages their dependencies instead of the composition root (only routers.ts and the CLI take a Runtime)", () => {
    const allowed = new Set(["src/web/routers.ts"]);
    const offending = [...sources("src/web"), ...sources("src/api"), ...sources("src/federation"), ...sources("src/modules")]
      .filter((f) => !f.endsWith(".test.ts") && !allowed.has(f))
      .flatMap((f) => imports(f).filter((i) => /(^|\/)runtime\.ts$/.test(i)).map((i) => `${f} imports ${i}`));
    expect(offending).toEqual([]);
  });
});
