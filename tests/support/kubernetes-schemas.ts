// Validates Kubernetes objects against the API's OpenAPI schemas as compiled by kubernetes-models, and
// refuses the fields those schemas do not know, as the API server's strict field validation does (the
// OpenAPI schemas themselves allow unknown fields, so a misspelt `readinesProbe` would pass them). A
// field is known when the compiled validator reads it: each declared property is read by name, and
// maps (labels, resources) are read key by key.
import { validate as deployment } from "kubernetes-models/_schemas/IoK8sApiAppsV1Deployment";
import { validate as horizontalPodAutoscaler } from "kubernetes-models/_schemas/IoK8sApiAutoscalingV2HorizontalPodAutoscaler";
import { validate as job } from "kubernetes-models/_schemas/IoK8sApiBatchV1Job";
import { validate as persistentVolumeClaim } from "kubernetes-models/_schemas/IoK8sApiCoreV1PersistentVolumeClaim";
import { validate as secret } from "kubernetes-models/_schemas/IoK8sApiCoreV1Secret";
import { validate as service } from "kubernetes-models/_schemas/IoK8sApiCoreV1Service";
import { validate as ingress } from "kubernetes-models/_schemas/IoK8sApiNetworkingV1Ingress";
import { validate as podDisruptionBudget } from "kubernetes-models/_schemas/IoK8sApiPolicyV1PodDisruptionBudget";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

type Validator = ((data: unknown) => boolean) & { errors?: { instancePath: string; keyword: string; params: unknown; message?: string }[] | null };

const validators: Record<string, Validator> = {
  "apps/v1 Deployment": deployment,
  "autoscaling/v2 HorizontalPodAutoscaler": horizontalPodAutoscaler,
  "batch/v1 Job": job,
  "v1 PersistentVolumeClaim": persistentVolumeClaim,
  "v1 Secret": secret,
  "v1 Service": service,
  "networking.k8s.io/v1 Ingress": ingress,
  "policy/v1 PodDisruptionBudget": podDisruptionBudget,
};

/** `value`, with every own property the validator reads recorded in `read` (as /a/b paths). */
function tracked(value: unknown, path: string, read: Set<string>): unknown {
  if (value === null || typeof value !== "object") return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== "string" || !Object.hasOwn(target, key)) return v;
      read.add(`${path}/${key}`);
      return tracked(v, `${path}/${key}`, read);
    },
  });
}

function unknownFields(value: unknown, path: string, read: Set<string>, out: string[]): void {
  if (value === null || typeof value !== "object") return;
  for (const [key, child] of Object.entries(value)) {
    const p = `${path}/${key}`;
    if (read.has(p)) unknownFields(child, p, read, out);
    else out.push(`${p}: unknown field`);
  }
}

/** The problems of `object` (empty: valid), each as `/path: message`. */
export function validateObject(object: K8sObject): string[] {
  const validator = validators[`${object.apiVersion} ${object.kind}`];
  if (!validator) return [`no schema here for ${object.apiVersion} ${object.kind}`];
  const read = new Set<string>();
  const problems: string[] = [];
  if (!validator(tracked(object, "", read))) {
    for (const e of validator.errors ?? []) problems.push(`${e.instancePath || "/"}: ${e.message ?? `${e.keyword} ${JSON.stringify(e.params)}`}`);
  }
  unknownFields(object, "", read, problems);
  if (!object.metadata?.name) problems.push("/metadata/name: missing");
  return problems;
}
