// Issue 12: the Helm chart deploy/helm/relais, checked without helm or a cluster (ADR "Helm chart
// checked without helm"). The templates are rendered by tests/support/helm-template.ts (the subset of
// Go templates the chart uses; stricter than helm) with several sets of values; every object is
// validated against the Kubernetes schemas of kubernetes-models, with fields those schemas do not
// know refused too (the API server's strict field validation); then the objects must fit together
// and Relais' configuration must accept the environment its containers get.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isMap, isScalar, parse, parseDocument, type YAMLMap } from "yaml";
import { shutdownGraceMs } from "../../src/cli/process-commands.ts";
import { loadConfig } from "../../src/config/config.ts";
import { heartbeatIntervalMs } from "../../src/ops/heartbeat.ts";
import { ChartRenderer, objectsOf } from "../support/helm-template.ts";
import { type K8sObject, validateObject } from "../support/kubernetes-schemas.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const chartDir = join(root, "deploy/helm/relais");

const values = {
  relais: { origin: "https://relais.example.org", env: { RELAIS_INBOX_RATE_LIMIT: "120" } },
  secret: { databaseUrl: "postgres://relais:pw@db.example:5432/relais", redisUrl: "redis://cache.example:6379", extra: { RELAIS_SMTP_URL: "smtp://mail.example:587" } },
  ingress: { host: "relais.example.org", className: "nginx", annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" } },
  podAnnotations: { "example.org/team": "ops" },
  imagePullSecrets: ["registry"],
  nodeSelector: { "kubernetes.io/os": "linux" },
};

function render(overrides: Record<string, unknown> = {}, release = "prod"): K8sObject[] {
  const merged = JSON.parse(JSON.stringify(values));
  for (const [k, v] of Object.entries(overrides)) merged[k] = typeof v === "object" && v !== null && !Array.isArray(v) ? { ...merged[k], ...v } : v;
  return objectsOf(new ChartRenderer().render(chartDir, { values: merged, release: { name: release, namespace: "relais" } })).map((o) => o.object as K8sObject);
}

const find = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind} ${o.metadata?.name}`).join(", ")}`);
  return found;
};
// biome-ignore lint/suspicious/noExplicitAny: rendered objects are checked by schema, then read freely
type Any = any;
const podSpec = (o: K8sObject): Any => (o.spec as Any).template.spec;
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

const variants: [string, Record<string, unknown>][] = [
  ["the documented production values", {}],
  ["no autoscaling", { web: { autoscaling: { enabled: false } } }],
  ["an existing Secret, no Redis", { secret: { existingSecret: "relais-credentials", databaseUrl: "", redisUrl: "", extra: {} } }],
  ["no ingress, an existing media claim", { ingress: { enabled: false }, media: { existingClaim: "shared-media" } }],
  ["metrics on their own port", { metrics: { enabled: true } }],
  ["a metrics token in the chart's Secret", { secret: { ...values.secret, metricsToken: "0123456789abcdef0123456789abcdef" } }],
  ["no media volume (trying the chart)", { media: { existingClaim: "", persistentVolumeClaim: { create: false } }, podAnnotations: {}, imagePullSecrets: [], nodeSelector: {} }],
];

describe("deploy/helm/relais: Chart.yaml and values.yaml", () => {
  it("has a Chart.yaml for Helm 3 whose appVersion is Relais' version", () => {
    const chart = parse(readFileSync(join(chartDir, "Chart.yaml"), "utf8"));
    expect(chart.apiVersion).toBe("v2");
    expect(chart.name).toBe("relais");
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(chart.appVersion).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
  });

  it("documents every key of values.yaml with a comment above it", () => {
    expect(documented("# a\nx: 1\n# b\ny:\n  # c\n  z: 2\n")).toEqual([]);
    expect(documented("# a\nx: 1\ny:\n  # c\n  z: 2\n  w: 3\n")).toEqual(["y", "y.w"]);
    expect(documented(readFileSync(join(chartDir, "values.yaml"), "utf8"))).toEqual([]);
  });
});

/** The keys of a values file without a comment above them. */
function documented(text: string): string[] {
    const doc = parseDocument(text);
    const undocumented: string[] = [];
    const walk = (map: YAMLMap, path: string, mapComment: string | null | undefined) => {
      map.items.forEach((pair, i) => {
        const key = isScalar(pair.key) ? String(pair.key.value) : "?";
        const comment = (isScalar(pair.key) ? pair.key.commentBefore : undefined) ?? (i === 0 ? mapComment : undefined);
        if (!comment?.trim()) undocumented.push(`${path}${key}`);
        // A `resources` map is Kubernetes' ResourceRequirements, documented as a whole.
        if (isMap(pair.value) && key !== "resources") walk(pair.value, `${path}${key}.`, pair.value.commentBefore);
      });
    };
    if (!isMap(doc.contents)) throw new Error("values are not a map");
    walk(doc.contents, "", doc.commentBefore);
    return undocumented;
}

describe("deploy/helm/relais", () => {

  it("refuses to render without the values it cannot guess", () => {
    const renderer = () => new ChartRenderer();
    expect(() => renderer().render(chartDir)).toThrow(/is required/);
    expect(() => renderer().render(chartDir, { values: { secret: { databaseUrl: "postgres://x" }, ingress: { host: "r.example" } } })).toThrow(/relais\.origin is required/);
    expect(() => renderer().render(chartDir, { values: { relais: { origin: "https://r.example" }, ingress: { host: "r.example" } } })).toThrow(/secret\.databaseUrl is required/);
    expect(() => renderer().render(chartDir, { values: { relais: { origin: "https://r.example" }, secret: { databaseUrl: "postgres://x" } } })).toThrow(/ingress\.host is required/);
  });

  it.each(variants)("renders objects valid against the Kubernetes schemas with %s", (_name, overrides) => {
    const objects = render(overrides);
    expect(objects.length).toBeGreaterThanOrEqual(6);
    for (const object of objects) expect(validateObject(object), `${object.kind} ${object.metadata?.name}`).toEqual([]);
  });

  it("makes the web Deployment with HPA, the worker Deployment, the migration hook, Secret, Ingress with TLS and PDBs", () => {
    const objects = render();
    expect(objects.map((o) => `${o.kind} ${o.metadata?.name}`).sort()).toEqual(
      [
        "Deployment prod-relais-web",
        "Deployment prod-relais-worker",
        "HorizontalPodAutoscaler prod-relais-web",
        "Ingress prod-relais",
        "Job prod-relais-migrate",
        "PersistentVolumeClaim prod-relais-media",
        "PodDisruptionBudget prod-relais-web",
        "PodDisruptionBudget prod-relais-worker",
        "Secret prod-relais",
        "Service prod-relais-web",
      ].sort(),
    );
    expect(render({}, "relais").map((o) => o.metadata?.name)).toContain("relais-web");
  });

  it("ties the objects together: HPA, PDBs, Service, Ingress, Secret keys and volumes point at what exists", () => {
    const objects = render();
    const web = find(objects, "Deployment", "prod-relais-web");
    const worker = find(objects, "Deployment", "prod-relais-worker");
    const hpa = find(objects, "HorizontalPodAutoscaler", "prod-relais-web").spec as Any;
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "prod-relais-web" });
    expect((web.spec as Any).replicas).toBeUndefined(); // the HPA decides
    expect((worker.spec as Any).replicas).toBe(2);
    const webLabels = (web.spec as Any).template.metadata.labels;
    const workerLabels = (worker.spec as Any).template.metadata.labels;
    for (const [deployment, labels] of [[web, webLabels], [worker, workerLabels]] as const) {
      expect(matches((deployment.spec as Any).selector.matchLabels, labels)).toBe(true);
    }
    const webPdb = (find(objects, "PodDisruptionBudget", "prod-relais-web").spec as Any).selector.matchLabels;
    const workerPdb = (find(objects, "PodDisruptionBudget", "prod-relais-worker").spec as Any).selector.matchLabels;
    expect([matches(webPdb, webLabels), matches(webPdb, workerLabels)]).toEqual([true, false]);
    expect([matches(workerPdb, workerLabels), matches(workerPdb, webLabels)]).toEqual([true, false]);

    const service = find(objects, "Service", "prod-relais-web").spec as Any;
    expect([matches(service.selector, webLabels), matches(service.selector, workerLabels)]).toEqual([true, false]);
    const portName = service.ports[0].targetPort;
    expect(podSpec(web).containers[0].ports.map((p: Any) => p.name)).toContain(portName);
    const ingress = find(objects, "Ingress", "prod-relais").spec as Any;
    expect(ingress.tls).toEqual([{ hosts: ["relais.example.org"], secretName: "prod-relais-tls" }]);
    expect(ingress.rules[0].host).toBe("relais.example.org");
    expect(ingress.rules[0].http.paths[0].backend.service).toEqual({ name: "prod-relais-web", port: { name: service.ports[0].name } });

    const secret = find(objects, "Secret", "prod-relais");
    const keys = Object.keys(secret.stringData as object);
    for (const deployment of [web, worker, find(objects, "Job", "prod-relais-migrate")]) {
      for (const env of podSpec(deployment).containers[0].env as Any[]) {
        const ref = env.valueFrom?.secretKeyRef;
        if (ref) {
          expect(ref.name).toBe("prod-relais");
          // A key the Secret may lack (the metrics token) is an optional reference: the variable is then unset.
          if (ref.optional !== true) expect(keys).toContain(ref.key);
          else expect(["REDIS_URL", "RELAIS_METRICS_TOKEN"]).toContain(ref.key);
        }
      }
    }
    for (const deployment of [web, worker]) {
      const data = podSpec(deployment).volumes.find((v: Any) => v.name === "data");
      expect(data.persistentVolumeClaim.claimName).toBe("prod-relais-media");
    }
    expect(find(objects, "PersistentVolumeClaim", "prod-relais-media").spec).toMatchObject({ accessModes: ["ReadWriteMany"] });
  });

  it("migrates in a hook before install and upgrade, after the Secret it reads", () => {
    const objects = render();
    const job = find(objects, "Job", "prod-relais-migrate");
    const secret = find(objects, "Secret", "prod-relais");
    const hooks = (o: K8sObject) => (o.metadata?.annotations ?? {}) as Record<string, string>;
    expect(hooks(job)["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    expect(hooks(secret)["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    expect(Number(hooks(secret)["helm.sh/hook-weight"])).toBeLessThan(Number(hooks(job)["helm.sh/hook-weight"]));
    expect(podSpec(job).containers[0].args).toEqual(["migrate"]);
    expect(podSpec(job).restartPolicy).toBe("Never");
  });

  it("probes web on /healthz and /readyz, and lets every process finish its work after SIGTERM", () => {
    const objects = render();
    const web = podSpec(find(objects, "Deployment", "prod-relais-web"));
    const container = web.containers[0];
    expect(container.args).toEqual(["serve"]);
    expect(container.livenessProbe.httpGet.path).toBe("/healthz");
    expect(container.startupProbe.httpGet.path).toBe("/healthz");
    expect(container.readinessProbe.httpGet.path).toBe("/readyz");
    expect(podSpec(find(objects, "Deployment", "prod-relais-worker")).containers[0].args).toEqual(["worker"]);
    // The worker's liveness: the heartbeat file it is told to write, checked by the probe script the image holds.
    const worker = podSpec(find(objects, "Deployment", "prod-relais-worker")).containers[0];
    const command = worker.livenessProbe.exec.command as string[];
    expect(command.slice(0, 2)).toEqual(["node", "bin/relais-alive.js"]);
    expect(readFileSync(join(root, command[1] as string), "utf8")).toMatch(/statSync/);
    const heartbeat = (worker.env as Any[]).find((e) => e.name === "RELAIS_HEARTBEAT_FILE")?.value;
    expect(command[2]).toBe(heartbeat);
    expect(heartbeat.startsWith("/tmp/")).toBe(true); // the writable emptyDir
    expect(Number(command[3]) * 1000).toBeGreaterThanOrEqual(6 * heartbeatIntervalMs);
    expect(loadConfig({ RELAIS_ORIGIN: "https://relais.example.org", RELAIS_HEARTBEAT_FILE: heartbeat }, [JSON.parse(readFileSync(join(root, "config/default.json"), "utf8"))]).heartbeatFile).toBe(heartbeat);
    expect(web.containers[0].env.some((e: Any) => e.name === "RELAIS_HEARTBEAT_FILE")).toBe(false);
    for (const name of ["prod-relais-web", "prod-relais-worker"]) {
      const grace = podSpec(find(objects, "Deployment", name)).terminationGracePeriodSeconds;
      expect(grace * 1000).toBeGreaterThan(shutdownGraceMs + 5000); // above Relais' own bound and web's preStop
    }
  });

  it("runs every container as a non-root user on a read-only root filesystem, with resource requests", () => {
    const objects = render();
    const dockerUser = readFileSync(join(root, "deploy/docker/Dockerfile"), "utf8").match(/^USER (\d+):(\d+)$/m);
    for (const o of objects.filter((x) => x.kind === "Deployment" || x.kind === "Job")) {
      const spec = podSpec(o);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: Number(dockerUser?.[1]), runAsGroup: Number(dockerUser?.[2]) });
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of spec.containers) {
        expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        expect(Object.keys(c.resources.requests).sort()).toEqual(["cpu", "memory"]);
        expect(c.resources.limits.memory).toBeDefined();
        expect(c.volumeMounts.map((m: Any) => m.mountPath)).toContain("/tmp");
      }
    }
  });

  it("gives the containers an environment Relais' configuration accepts, secrets coming from the Secret", () => {
    const objects = render();
    const secret = find(objects, "Secret", "prod-relais").stringData as Record<string, string>;
    const env: Record<string, string> = {};
    for (const e of podSpec(find(objects, "Deployment", "prod-relais-web")).containers[0].env as Any[]) {
      env[e.name] = e.value ?? secret[e.valueFrom.secretKeyRef.key];
    }
    const defaults = JSON.parse(readFileSync(join(root, "config/default.json"), "utf8"));
    const config = loadConfig(env, [defaults]);
    expect(config.origin.href).toBe("https://relais.example.org/");
    expect(config.databaseUrl).toBe(values.secret.databaseUrl);
    expect(config.redisUrl).toBe(values.secret.redisUrl);
    expect(config.inboxRateLimit).toBe(120);
    expect(config.smtpUrl).toBe("smtp://mail.example:587");
    expect(config.host).toBe("0.0.0.0");

    // With an existing Secret the chart makes none and points every reference at it.
    const external = render({ secret: { existingSecret: "relais-credentials", databaseUrl: "", redisUrl: "", extra: {} } });
    expect(external.some((o) => o.kind === "Secret")).toBe(false);
    const refs = (podSpec(find(external, "Deployment", "prod-relais-web")).containers[0].env as Any[]).flatMap((e) => (e.valueFrom ? [e.valueFrom.secretKeyRef] : []));
    expect(refs).toEqual([
      { name: "relais-credentials", key: "DATABASE_URL" },
      { name: "relais-credentials", key: "REDIS_URL", optional: true },
      { name: "relais-credentials", key: "RELAIS_METRICS_TOKEN", optional: true },
    ]);
  });

  it("serves /metrics on its own port in web and worker pods when asked, which the configuration accepts", () => {
    expect(render().some((o) => JSON.stringify(o).includes("RELAIS_METRICS_PORT"))).toBe(false);
    const objects = render({ metrics: { enabled: true, port: 9100 } });
    const defaults = JSON.parse(readFileSync(join(root, "config/default.json"), "utf8"));
    for (const name of ["prod-relais-web", "prod-relais-worker"]) {
      const spec = podSpec(find(objects, "Deployment", name));
      expect(spec.containers[0].ports).toContainEqual({ name: "metrics", containerPort: 9100, protocol: "TCP" });
      expect((find(objects, "Deployment", name).spec as Any).template.metadata.annotations).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/port": "9100", "prometheus.io/path": "/metrics" });
      const env = Object.fromEntries((spec.containers[0].env as Any[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
      const config = loadConfig({ ...env, DATABASE_URL: "postgres://x" }, [defaults]);
      expect(config.metrics).toMatchObject({ port: 9100, host: "0.0.0.0" });
    }
    // A token for scraping through the public port: in the chart's Secret, read by web and worker.
    const withToken = render({ secret: { ...values.secret, metricsToken: "t".repeat(32) } });
    expect((find(withToken, "Secret", "prod-relais").stringData as Record<string, string>).RELAIS_METRICS_TOKEN).toBe("t".repeat(32));
    expect(find(render(), "Secret", "prod-relais").stringData).not.toHaveProperty("RELAIS_METRICS_TOKEN");
    const annotation = (o: K8sObject[]) => (find(o, "Deployment", "prod-relais-worker").spec as Any).template.metadata.annotations["checksum/secret"];
    expect(annotation(withToken)).not.toBe(annotation(render())); // pods restart with a new token
    const tokenEnv = (podSpec(find(withToken, "Deployment", "prod-relais-web")).containers[0].env as Any[]).find((e) => e.name === "RELAIS_METRICS_TOKEN");
    expect(tokenEnv.valueFrom.secretKeyRef).toEqual({ name: "prod-relais", key: "RELAIS_METRICS_TOKEN", optional: true });
    expect(loadConfig({ RELAIS_ORIGIN: "https://relais.example.org", RELAIS_METRICS_TOKEN: "t".repeat(32) }, [defaults]).metrics.token).toBe("t".repeat(32));
    // Neither the Service nor the Ingress exposes it.
    expect((find(objects, "Service", "prod-relais-web").spec as Any).ports.map((p: Any) => p.targetPort)).toEqual(["http"]);
  });

  it("scales web by hand when autoscaling is off", () => {
    const objects = render({ web: { autoscaling: { enabled: false }, replicas: 3 } });
    expect(objects.some((o) => o.kind === "HorizontalPodAutoscaler")).toBe(false);
    expect((find(objects, "Deployment", "prod-relais-web").spec as Any).replicas).toBe(3);
  });
});
