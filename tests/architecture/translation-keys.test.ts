// Every interface key the code asks for exists in the locale files (and so, by src/shared/i18n.test.ts,
// in fr, de, nl and en): literal keys found in the sources, the leading part of keys built from a value,
// and the keys built from the lists of values the pages show (roles, outcomes, audit actions…).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { auditActions } from "../../src/modules/audit/audit.entity.ts";
import { eventStatuses } from "../../src/modules/event/event.types.ts";
import { memberRoles } from "../../src/modules/user/user.entity.ts";
import { fallbackLanguage, loadLocaleResources } from "../../src/shared/i18n.ts";
import { doneKeys } from "../../src/web/editor/pages/editor-layout.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const english = loadLocaleResources()[fallbackLanguage] ?? {};

function flatKeys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => flatKeys(v, prefix ? `${prefix}.${k}` : k));
}
const known = new Set(Object.entries(english).flatMap(([ns, content]) => flatKeys(content).map((k) => `${ns}:${k}`)));
/** A key exists as it is or with i18next's plural suffixes. */
const exists = (key: string) => known.has(key) || [...known].some((k) => k.startsWith(`${key}_`) && /_(zero|one|two|few|many|other)$/.test(k));

const sources = readdirSync(join(root, "src"), { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
  .map((e) => relative(root, join(e.parentPath, e.name)));
const namespaces = Object.keys(english).join("|");
const keyPattern = new RegExp(`["'\`]((?:${namespaces}):[A-Za-z0-9_.]*)(\\$\\{)?`, "g");

describe("interface keys used by the code", () => {
  it("finds keys in the sources (the check itself works)", () => {
    const found = sources.flatMap((f) => [...readFileSync(join(root, f), "utf8").matchAll(keyPattern)]);
    expect(found.length).toBeGreaterThan(200);
  });

  it("exist in the locale files: every literal key, and the leading part of every key built from a value", () => {
    const missing = sources.flatMap((file) =>
      [...readFileSync(join(root, file), "utf8").matchAll(keyPattern)].flatMap((m) => {
        const key = m[1] as string;
        // City names: each locale lists only its exonyms (English none), the zone's city is the default.
        if (key.startsWith("event:cities")) return [];
        const built = m[2] !== undefined;
        if (built) return [...known].some((k) => k.startsWith(key)) ? [] : [`${file}: ${key}…`];
        // A key, or a group of keys named in a comment.
        return exists(key) || [...known].some((k) => k.startsWith(`${key}.`)) ? [] : [`${file}: ${key}`];
      }),
    );
    expect(missing).toEqual([]);
  });

  it("exist for every value of the lists the pages word: outcomes, roles, audit actions, event statuses", () => {
    const wanted = [
      ...doneKeys.map((k) => `editor:done.${k}`),
      ...memberRoles.map((r) => `editor:role.${r}`),
      ...auditActions.map((a) => `editor:audit.actions.${a}`),
      // A scheduled event shows no status.
      ...eventStatuses.filter((s) => s !== "scheduled").map((s) => `event:status.${s}`),
      ...["not-an-image", "unreadable", "too-many-pixels"].map((r) => `editor:event.problem.image_${r}`),
      ...["csrf", "forbidden", "not_found", "unauthorized", "throttled", "too_large", "invalid"].map((k) => `editor:errors.${k}`),
      ...["notFound", "gone", "generic"].map((k) => `web:error.${k}`),
    ];
    expect(wanted.filter((k) => !exists(k))).toEqual([]);
  });
});
