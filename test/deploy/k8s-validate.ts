import type { Model } from '@kubernetes-models/base';
import {
  ServiceMonitor,
  PrometheusRule,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';

type ModelClass = { prototype: Model<unknown> };

/** The models of every kind the chart renders, by `apiVersion/kind`. */
const MODELS: Record<string, ModelClass> = Object.fromEntries(
  (
    [
      ['v1', 'ConfigMap', ConfigMap],
      ['v1', 'Pod', Pod],
      ['v1', 'Secret', Secret],
      ['v1', 'Service', Service],
      ['v1', 'ServiceAccount', ServiceAccount],
      ['apps/v1', 'Deployment', Deployment],
      ['apps/v1', 'StatefulSet', StatefulSet],
      ['batch/v1', 'Job', Job],
      ['batch/v1', 'CronJob', CronJob],
      ['autoscaling/v2', 'HorizontalPodAutoscaler', HorizontalPodAutoscaler],
      ['networking.k8s.io/v1', 'NetworkPolicy', NetworkPolicy],
      ['policy/v1', 'PodDisruptionBudget', PodDisruptionBudget],
      ['monitoring.coreos.com/v1', 'ServiceMonitor', ServiceMonitor],
      ['monitoring.coreos.com/v1', 'PrometheusRule', PrometheusRule],
    ] as const
  ).map(([apiVersion, kind, model]) => [`${apiVersion}/${kind}`, model as ModelClass]),
);

interface Access {
  /** Keys the validator looked up (present or not). */
  read: Set<string>;
  /** The validator listed the keys: a map (labels, data) whose every key is allowed. */
  enumerated: boolean;
}

/**
 * Problems of one manifest: the model's schema validation, plus every field the schema does not know.
 *
 * kubernetes-models validates types and required fields but lets unknown fields through (so does a
 * real API server without `--validate=strict`), and a typo such as `securityContxt` silently drops the
 * setting. The compiled validators read each property their schema declares, so the object is handed
 * to them behind a proxy that records the keys read: a key of a typed object that was never read is
 * unknown. Objects whose keys the validator enumerates (maps) and objects it never looks into
 * (free-form fields) are not judged.
 */
export function validateManifest(doc: Record<string, unknown>): string[] {
  const key = `${String(doc.apiVersion)}/${String(doc.kind)}`;
  const model = MODELS[key];
  if (!model) return [`${key}: no model to validate this kind against`];

  const accesses = new Map<object, Access>();
  const proxies = new Map<object, object>();
  const watch = <T>(value: T): T => {
    if (value === null || typeof value !== 'object') return value;
    const target = value as object;
    const existing = proxies.get(target);
    if (existing) return existing as T;
    const access: Access = { read: new Set(), enumerated: false };
    accesses.set(target, access);
    const proxy = new Proxy(target, {
      get(obj, prop, receiver) {
        if (typeof prop === 'string') access.read.add(prop);
        return watch(Reflect.get(obj, prop, receiver));
      },
      has(obj, prop) {
        if (typeof prop === 'string') access.read.add(prop);
        return Reflect.has(obj, prop);
      },
      ownKeys(obj) {
        access.enumerated = true;
        return Reflect.ownKeys(obj);
      },
    });
    proxies.set(target, proxy);
    return proxy as T;
  };

  const problems: string[] = [];
  try {
    model.prototype.validate.call(watch(doc));
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  }

  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const access = accesses.get(value);
    for (const [name, child] of Object.entries(value)) {
      if (access && !access.enumerated && access.read.size > 0 && !access.read.has(name)) {
        problems.push(`${path}.${name} is not a field of ${key}`);
        continue;
      }
      walk(child, `${path}.${name}`);
    }
  };
  walk(doc, String((doc.metadata as { name?: string } | undefined)?.name ?? key));
  return problems;
}
