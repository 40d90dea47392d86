// Issue 12: deploy/compose/compose.yaml checked without a container engine. The file, with its
// variables filled from env.example as Compose fills them, must validate against the Compose
// Specification's JSON schema (tests/fixtures/schemas/compose-spec.json, from compose-spec/compose-spec)
// with ajv; then what the issue asks of it, and Relais' own configuration loaded from the environment
// each Relais service gets.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../src/config/config.ts";
import { interpolate, readEnvFile } from "../support/compose.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = join(root, "deploy/compose");
const raw = readFileSync(join(dir, "compose.yaml"), "utf8");
const example = readEnvFile(readFileSync(join(dir, "env.example"), "utf8"));

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  user?: string;
  read_only?: boolean;
  tmpfs?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  stop_grace_period?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const compose = interpolate(parse(raw, { merge: true }), example) as ComposeFile;
const relaisServices = ["migrate", "web", "worker"] as const;

describe("deploy/compose/compose.yaml", () => {
  it("validates against the Compose Specification schema, its variables filled from env.example", () => {
    // A draft-07 schema, which is Ajv's default; its $schema spells draft 07's URI with https, which Ajv does not know by that name.
    const { $schema, ...schema } = JSON.parse(readFileSync(join(root, "tests/fixtures/schemas/compose-spec.json"), "utf8"));
    expect($schema).toMatch(/draft-07/);
    const ajv = new Ajv({ allErrors: true, strict: false });
    const check = ajv.compile(schema);
    const valid = check(compose);
    expect(check.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The schema does refuse what Compose refuses.
    expect(check({ ...compose, services: { web: { ...compose.services.web, depends_on: 42 } } })).toBe(false);
    expect(check({ ...compose, services: { web: { ...compose.services.web, restart_policy: "always" } } })).toBe(false);
  });

  it("fills every variable from env.example, and refuses to start without the required ones", () => {
    const used = new Set([...raw.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1] as string));
    expect(used.size).toBeGreaterThan(3);
    for (const name of used) expect(Object.hasOwn(example, name) || raw.includes(`\${${name}:-`), `${name} is neither in env.example nor defaulted`).toBe(true);
    expect(() => interpolate(parse(raw, { merge: true }), { ...example, POSTGRES_PASSWORD: undefined })).toThrow(/set POSTGRES_PASSWORD in \.env/);
    expect(() => interpolate(parse(raw, { merge: true }), { ...example, RELAIS_ORIGIN: undefined })).toThrow(/set RELAIS_ORIGIN in \.env/);
  });

  it("runs Redis with an append-only file and noeviction", () => {
    const command = compose.services.redis?.command ?? [];
    const value = (option: string) => command[command.indexOf(option) + 1];
    expect(value("--appendonly")).toBe("yes");
    expect(value("--maxmemory-policy")).toBe("noeviction");
    expect(value("--maxmemory")).toMatch(/^\d+[kmg]b$/);
    expect(compose.services.redis?.volumes).toContain("redis-data:/data");
  });

  it("migrates once before web and worker start, on one image built from deploy/docker/Dockerfile", () => {
    const { migrate, web, worker } = compose.services;
    expect(migrate?.command).toEqual(["migrate"]);
    expect(migrate?.restart).toBe("no");
    expect(web?.command).toEqual(["serve"]);
    expect(worker?.command).toEqual(["worker"]);
    for (const s of [web, worker]) {
      expect(s?.depends_on?.migrate?.condition).toBe("service_completed_successfully");
      expect(s?.depends_on?.postgres?.condition).toBe("service_healthy");
      expect(s?.depends_on?.redis?.condition).toBe("service_healthy");
    }
    expect(migrate?.depends_on?.postgres?.condition).toBe("service_healthy");
    const images = new Set(relaisServices.map((n) => compose.services[n]?.image));
    expect(images.size).toBe(1);
    for (const name of relaisServices) {
      const build = compose.services[name]?.build;
      expect(build).toBeDefined();
      expect(existsSync(join(dir, build?.context ?? "", build?.dockerfile ?? ""))).toBe(true);
    }
  });

  it("runs Relais as a non-root user on a read-only root filesystem, writing to /tmp and the data volume only", () => {
    for (const name of relaisServices) {
      const s = compose.services[name] as Service;
      expect(s.read_only, name).toBe(true);
      expect(Number(s.user?.split(":")[0])).toBeGreaterThan(0);
      expect(s.tmpfs).toEqual(["/tmp"]);
      expect(s.volumes).toEqual(["relais-data:/data"]);
      expect(Number.parseInt(s.stop_grace_period ?? "0", 10)).toBeGreaterThan(35);
    }
    for (const volume of ["postgres-data", "redis-data", "relais-data"]) expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it("checks health where there is something to ask, and says so where there is not", () => {
    expect(compose.services.postgres?.healthcheck?.test).toContain("pg_isready");
    expect(compose.services.redis?.healthcheck?.test).toContain("ping");
    expect(compose.services.web?.healthcheck?.test?.join(" ")).toMatch(/\/readyz/);
    // The worker's: the heartbeat file its environment names, checked by the script the image holds.
    const check = compose.services.worker?.healthcheck?.test ?? [];
    expect(check.slice(0, 3)).toEqual(["CMD", "node", "bin/relais-alive.js"]);
    expect(readFileSync(join(root, check[2] as string), "utf8")).toMatch(/statSync/);
    expect(check[3]).toBe(compose.services.worker?.environment?.RELAIS_HEARTBEAT_FILE);
    expect(check[3]?.startsWith("/tmp/")).toBe(true); // the tmpfs, writable on the read-only root
    expect(compose.services.worker?.healthcheck?.disable).toBeUndefined();
    expect(compose.services.migrate?.healthcheck?.disable).toBe(true);
  });

  it("has web and worker end themselves when their event loop stalls, and restarts what exits", () => {
    const defaults = JSON.parse(readFileSync(join(root, "config/default.json"), "utf8"));
    for (const name of ["web", "worker"]) {
      const s = compose.services[name] as Service;
      // Compose restarts only a container that exits: the watchdog (src/ops/watchdog.ts) makes it exit.
      expect(s.restart, name).toBe("unless-stopped");
      const config = loadConfig({ ...s.environment, NODE_ENV: "production", RELAIS_DATA_DIR: "/data" }, [defaults]);
      expect(config.watchdogSeconds, name).toBe(60);
    }
    // No later than the worker's health check calls its heartbeat stale.
    const test = compose.services.worker?.healthcheck?.test ?? [];
    expect(60).toBeLessThanOrEqual(Number(test[4]));
    const other = interpolate(parse(raw, { merge: true }), { ...example, RELAIS_WATCHDOG_SECONDS: "0" }) as ComposeFile;
    expect(loadConfig({ ...other.services.worker?.environment, RELAIS_DATA_DIR: "/data" }, [defaults]).watchdogSeconds).toBe(0);
  });

  it("gives Relais an environment its configuration accepts, in production, on PostgreSQL and Redis", () => {
    const defaults = JSON.parse(readFileSync(join(root, "config/default.json"), "utf8"));
    const env = compose.services.web?.environment as Record<string, string>;
    const config = loadConfig({ ...env, NODE_ENV: "production", RELAIS_DATA_DIR: "/data", HOST: "0.0.0.0", PORT: "3000" }, [defaults]);
    expect(config.databaseUrl).toMatch(/^postgres:\/\/relais:change-me@postgres:5432\/relais$/);
    expect(config.redisUrl).toBe("redis://redis:6379");
    expect(config.origin.href).toBe("https://relais.example.org/");
    expect(config.trustProxy).toBe("loopback, uniquelocal");
    expect(config.mediaDir).toBe("/data/media");
    expect(config.heartbeatFile).toBe("/tmp/relais-worker.alive");
    // Metrics are off unless .env sets them; set, the configuration takes them.
    expect(config.metrics).toMatchObject({ token: undefined, port: undefined });
    const withMetrics = interpolate(parse(raw, { merge: true }), { ...example, RELAIS_METRICS_TOKEN: "m".repeat(32), RELAIS_METRICS_PORT: "9464" }) as ComposeFile;
    for (const name of ["web", "worker"]) {
      const e = withMetrics.services[name]?.environment as Record<string, string>;
      const c = loadConfig({ ...e, NODE_ENV: "production", RELAIS_DATA_DIR: "/data", HOST: "0.0.0.0", PORT: "3000" }, [defaults]);
      expect(c.metrics).toEqual({ token: "m".repeat(32), port: 9464, host: "0.0.0.0" });
    }
    // Every setting relais.env.example mentions is one the configuration knows.
    for (const [, name] of readFileSync(join(dir, "relais.env.example"), "utf8").matchAll(/^# (RELAIS_[A-Z_]+)=/gm)) {
      expect(raw.includes(name as string) || readFileSync(join(root, "src/config/config.ts"), "utf8").includes(`${name}:`), name).toBe(true);
    }
  });
});
