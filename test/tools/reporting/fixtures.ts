import { ModelOptions } from '../../../tools/reporting/budget-constants';
import { RenderedObject } from '../../../tools/reporting/manifests';

/** The model's inputs, spelled out so that every expected number below can be checked by hand. */
export const OPTIONS: ModelOptions = {
  imagePullSeconds: 30,
  defaultExpectedStartSeconds: 20,
  expectedStartSecondsByService: {},
  trafficSwitchSeconds: 5,
  syncWaveDelaySeconds: 2,
  githubWebhookDeliverySeconds: 10,
  argoCdRefreshSeconds: 15,
  reconciliationTimeoutSeconds: 180,
  reconciliationJitterSeconds: 0,
  storeStopSeconds: 10,
  switchoverSeconds: 10,
};

/**
 * A pod whose one container starts in 20 s on a 5 s startup probe and is ready after one 5 s
 * readiness period: with minReadySeconds 5, 30 + 20 + 5 + 5 = 60 s to available.
 */
export const POD_TEMPLATE = {
  metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
  spec: {
    terminationGracePeriodSeconds: 35,
    containers: [{
      name: 'web',
      image: 'ghcr.io/acme/generator-platform-web:1.0.0',
      startupProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5, failureThreshold: 24 },
      readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, successThreshold: 1 },
    }],
  },
};

interface ObjectOptions {
  readonly environment?: string;
  readonly file?: string;
  readonly namespace?: string;
  readonly annotations?: Record<string, string>;
}

/** A rendered object as `npm run report` reads it from dist/. */
export function object(apiVersion: string, kind: string, name: string, spec: Record<string, unknown>, options: ObjectOptions = {}): RenderedObject {
  const environment = options.environment ?? 'production';
  const namespace = options.namespace ?? (kind === 'ClusterAnalysisTemplate' || kind === 'Application' ? undefined : 'generator-platform');
  return {
    environment,
    file: options.file ?? `${environment}/${name}.yaml`,
    apiVersion,
    kind,
    name,
    namespace,
    body: {
      apiVersion,
      kind,
      metadata: { name, ...(namespace ? { namespace } : {}), labels: { 'app.kubernetes.io/name': name }, ...(options.annotations ? { annotations: options.annotations } : {}) },
      spec,
    },
  };
}

export function deployment(name: string, spec: Record<string, unknown> = {}, options: ObjectOptions = {}): RenderedObject {
  return object('apps/v1', 'Deployment', name, {
    minReadySeconds: 5,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
    template: POD_TEMPLATE,
    ...spec,
  }, options);
}

export function rollout(name: string, strategy: Record<string, unknown>, spec: Record<string, unknown> = {}, options: ObjectOptions = {}): RenderedObject {
  return object('argoproj.io/v1alpha1', 'Rollout', name, { minReadySeconds: 5, strategy, template: POD_TEMPLATE, ...spec }, options);
}

export function hpa(kind: string, target: string, maxReplicas: number): RenderedObject {
  return object('autoscaling/v2', 'HorizontalPodAutoscaler', target, {
    minReplicas: 3, maxReplicas, scaleTargetRef: { apiVersion: kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1', kind, name: target },
  });
}

export function analysisTemplate(name: string, metrics: Record<string, unknown>[]): RenderedObject {
  return object('argoproj.io/v1alpha1', 'AnalysisTemplate', name, { metrics });
}
