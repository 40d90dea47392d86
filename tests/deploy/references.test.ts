// Issue 12: no container engine runs here, so the image is never built and a name in a deployment file
// that points at nothing would first fail on an operator's machine. What the deployment files name must
// exist: the Dockerfile's COPY sources (every stage), the files the image, compose and the chart run
// with `node <file>` (in the repository and copied into the image), the Relais commands they run, the
// environment variables they give Relais (read by the configuration's schema, src/config/config.ts),
// and the chart's `.Values` paths (in values.yaml; every value there used by a template).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { type Copy, DockerfileParser, type Instruction } from "dockerfile-ast";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configVariables } from "../../src/config/config.ts";
import { interpolate, readEnvFile } from "../support/compose.ts";
import { ChartRenderer, objectsOf } from "../support/helm-template.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const chartDir = join(root, "deploy/helm/relais");
const composeDir = join(root, "deploy/compose");
const instructions = DockerfileParser.parse(readFileSync(join(root, "deploy/docker/Dockerfile"), "utf8")).getInstructions();
const args = (i: Instruction): string[] => i.getArguments().map((a) => a.getValue());
const stages: Instruction[][] = [];
for (const i of instructions) {
  if (i.getKeyword() === "FROM") stages.push([]);
  stages.at(-1)?.push(i);
}
const finalStage = stages.at(-1) ?? [];
const fromContext = (stage: Instruction[]) =>
  stage
    .filter((i): i is Copy => i.getKeyword() === "COPY")
    .filter((c) => !c.getFlags().some((f) => f.getName() === "from"))
    .flatMap((c) => args(c).slice(0, -1));
/** A path relative to the image's WORKDIR (/app) that the final stage copies from the repository. */
const inImage = (path: string) => fromContext(finalStage).some((source) => normalize(path) === normalize(source) || normalize(path).startsWith(`${normalize(source)}/`));
const execForm = (i: Instruction | undefined): string[] => JSON.parse(i?.getArgumentsContent() ?? "[]");

const compose = interpolate(parse(readFileSync(join(composeDir, "compose.yaml"), "utf8"), { merge: true }), readEnvFile(readFileSync(join(composeDir, "env.example"), "utf8"))) as {
  services: Record<string, { image?: string; command?: string[]; environment?: Record<string, string>; healthcheck?: { test?: string[] } }>;
};
const relaisServices = Object.entries(compose.services).filter(([, s]) => s.image?.startsWith("relais"));
// biome-ignore lint/suspicious/noExplicitAny: rendered objects, read freely
type Any = any;
const chartValues = { relais: { origin: "https://relais.example.org" }, secret: { databaseUrl: "postgres://relais@db/relais" }, ingress: { host: "relais.example.org" }, metrics: { enabled: true } };
const containers: Any[] = objectsOf(new ChartRenderer().render(chartDir, { values: chartValues, release: { name: "prod", namespace: "relais" } })).flatMap(({ object }) => {
  const pod = (object as Any).spec?.template?.spec;
  return pod ? [...(pod.initContainers ?? []), ...pod.containers] : [];
});

/** The files a command line runs with node (`node bin/x.js …`; not `node -e`). */
const nodeScripts = (command: readonly string[]): string[] => (command[0] === "node" && command[1] && !command[1].startsWith("-") ? [command[1]] : []);

describe("what the deployment files name exists", () => {
  it("copies from the build context only paths the repository has, in every stage", () => {
    expect(stages.length).toBeGreaterThan(1);
    for (const stage of stages) for (const source of fromContext(stage)) expect(existsSync(join(root, source)), source).toBe(true);
  });

  it("runs with node only files the repository has and the image holds", () => {
    const scripts = [
      ...nodeScripts(execForm(finalStage.find((i) => i.getKeyword() === "ENTRYPOINT"))),
      ...relaisServices.flatMap(([, s]) => nodeScripts((s.healthcheck?.test ?? []).slice(1))),
      ...containers.flatMap((c) => [c.command ?? [], c.livenessProbe?.exec?.command ?? [], c.readinessProbe?.exec?.command ?? [], c.startupProbe?.exec?.command ?? []].flatMap(nodeScripts)),
    ];
    expect(scripts).toContain("bin/relais.js");
    expect(scripts).toContain("bin/relais-alive.js");
    for (const script of scripts) {
      expect(existsSync(join(root, script)), `${script} is not in the repository`).toBe(true);
      expect(inImage(script), `${script} is not copied into the image`).toBe(true);
    }
    expect(finalStage.find((i) => i.getKeyword() === "WORKDIR")?.getArgumentsContent()).toBe("/app");
  });

  it("runs Relais commands that exist", () => {
    const help = execFileSync(process.execPath, [join(root, "bin/relais.js"), "--help"], { encoding: "utf8" });
    const known = new Set([...help.slice(help.indexOf("Commands:")).matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]));
    expect(known.has("worker")).toBe(true);
    const commands = [
      execForm(finalStage.find((i) => i.getKeyword() === "CMD"))[0],
      ...relaisServices.map(([, s]) => s.command?.[0]),
      ...containers.filter((c) => (c.image as string).includes("relais")).map((c) => c.args?.[0]),
    ];
    expect(commands.length).toBeGreaterThan(4);
    for (const command of commands) expect(known.has(command as string), `relais ${command} is not a command`).toBe(true);
  });

  it("gives Relais only environment variables its configuration reads", () => {
    const known = new Set(configVariables);
    const given = new Map<string, string>();
    for (const i of finalStage.filter((i) => i.getKeyword() === "ENV")) for (const [, name] of (i.getArgumentsContent() ?? "").matchAll(/(?:^|\s)([A-Z_][A-Z0-9_]*)=/g)) given.set(name as string, "Dockerfile");
    for (const [name, service] of relaisServices) for (const variable of Object.keys(service.environment ?? {})) given.set(variable, `compose service ${name}`);
    for (const file of ["env.example", "relais.env.example"]) {
      // relais.env goes to Relais whole; .env fills compose.yaml, where only RELAIS_ names reach Relais.
      for (const [, name] of readFileSync(join(composeDir, file), "utf8").matchAll(/^#? ?([A-Z_][A-Z0-9_]*)=/gm)) {
        if (file === "relais.env.example" || name?.startsWith("RELAIS_")) given.set(name as string, file);
      }
    }
    for (const c of containers) for (const e of c.env ?? []) given.set(e.name, `chart container ${c.name}`);
    expect(given.size).toBeGreaterThan(10);
    const unknown = [...given].filter(([name]) => !known.has(name) && !["RELAIS_IMAGE", "RELAIS_PUBLISH"].includes(name));
    expect(unknown, "variables Relais does not read").toEqual([]);
    // The two names above only fill compose.yaml: they never reach a container.
    for (const [, s] of relaisServices) expect(Object.keys(s.environment ?? {}).filter((n) => n === "RELAIS_IMAGE" || n === "RELAIS_PUBLISH")).toEqual([]);
  });

  it("has the chart read only values values.yaml defines, and use every one it defines", () => {
    const values = parse(readFileSync(join(chartDir, "values.yaml"), "utf8")) as Record<string, unknown>;
    const used = new Set<string>();
    for (const file of readdirSync(join(chartDir, "templates"))) {
      const text = readFileSync(join(chartDir, "templates", file), "utf8");
      for (const [, path] of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) used.add((path as string).slice(1));
      // Only `.Values.a.b` is read; other forms would escape this check.
      expect(text.match(/index\s+\$?\.Values|\.Values\s*\}\}|\.Values\s*\|/g), file).toBeNull();
    }
    expect(used.size).toBeGreaterThan(20);
    const defined = (path: string) => {
      let node: unknown = values;
      for (const key of path.split(".")) {
        if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return false;
        node = (node as Record<string, unknown>)[key];
      }
      return true;
    };
    expect([...used].filter((p) => !defined(p)), "read by a template, not in values.yaml").toEqual([]);
    const leaves: string[] = [];
    const walk = (node: Record<string, unknown>, prefix: string) => {
      for (const [key, value] of Object.entries(node)) {
        const path = prefix ? `${prefix}.${key}` : key;
        if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) walk(value as Record<string, unknown>, path);
        else leaves.push(path);
      }
    };
    walk(values, "");
    expect(leaves.filter((leaf) => ![...used].some((p) => leaf === p || leaf.startsWith(`${p}.`))), "in values.yaml, read by no template").toEqual([]);
  });
});
