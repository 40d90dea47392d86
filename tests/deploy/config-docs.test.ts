// Every RELAIS_ variable the configuration reads (src/config/config.ts, configVariables) is explained
// where operators look: a row of the README's "Configuration" table, and a line of the Docker Compose
// examples (deploy/compose/env.example or relais.env.example, commented out or set). docs/operations.md
// points to both. The reverse (no name there that the configuration does not read) is
// tests/deploy/references.test.ts.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configVariables } from "../../src/config/config.ts";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const readme = read("README.md");
const relaisVariables = configVariables.filter((name) => name.startsWith("RELAIS_"));

describe("the configuration's documentation", () => {
  it("reads enough RELAIS_ variables for the check to mean something", () => {
    expect(relaisVariables.length).toBeGreaterThan(25);
    expect(relaisVariables).toEqual(expect.arrayContaining(["RELAIS_ORIGIN", "RELAIS_OCCURRENCE_LEAD_HOURS", "RELAIS_WATCHDOG_SECONDS"]));
  });

  it("has a row of the README's Configuration table for each, its name spelt in full", () => {
    const section = readme.slice(readme.indexOf("\n## Configuration\n"), readme.indexOf("\n## ", readme.indexOf("\n## Configuration\n") + 1));
    const rows = section.split("\n").filter((line) => line.startsWith("| `"));
    expect(rows.length).toBeGreaterThan(20);
    const named = new Set(rows.flatMap((row) => [...(row.split(" | ")[0] ?? "").matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1])));
    expect(relaisVariables.filter((name) => !named.has(name))).toEqual([]);
  });

  it("names each in deploy/compose/env.example or relais.env.example, with a comment before it", () => {
    const lines = [...read("deploy/compose/env.example").split("\n"), "", ...read("deploy/compose/relais.env.example").split("\n")];
    const missing = relaisVariables.filter((name) => {
      const at = lines.findIndex((line) => new RegExp(`^#? ?${name}=`).test(line));
      // A setting line (`NAME=` or `# NAME=`) under an explaining comment (other settings may come between),
      // or the name in a comment that says where it is set.
      if (at >= 0) {
        let above = at - 1;
        while (above >= 0 && /^#? ?[A-Z_][A-Z0-9_]*=/.test(lines[above] ?? "")) above--;
        return !(lines[above] ?? "").startsWith("# ");
      }
      return !lines.some((line) => line.startsWith("# ") && new RegExp(`\\b${name}\\b`).test(line));
    });
    expect(missing).toEqual([]);
  });

  it("is pointed to from docs/operations.md", () => {
    const ops = read("docs/operations.md");
    expect(ops).toContain("## Configuration");
    expect(ops).toContain("deploy/compose/env.example");
    expect(ops).toContain("tests/deploy/config-docs.test.ts");
  });
});
