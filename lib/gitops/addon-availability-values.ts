import { stringify } from 'yaml';
import { ClusterAddonSizing, HOSTNAME, addonSpread, admissionControllerReplicas, isHighlyAvailable } from './addon-availability';
import { LOKI_RELEASE } from './logging-settings';

/** A strategic-merge patch of one object of a kustomize add-on (the catalog's KustomizePatch). */
export interface AvailabilityPatch {
  readonly target: { readonly group: string; readonly kind: string; readonly name: string; readonly namespace?: string };
  readonly patch: string;
}

/** What makes one add-on highly available: Helm values merged into its own, or kustomize patches. */
export interface AddonAvailabilityValues {
  readonly helmValues?: Readonly<Record<string, unknown>>;
  readonly kustomizePatches?: readonly AvailabilityPatch[];
}

/** The Deployment selector labels of a Helm release's component (`app.kubernetes.io/name` and `instance`, and `component` where the chart sets it). */
function releasePods(name: string, instance: string, component?: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': instance, ...(component ? { 'app.kubernetes.io/component': component } : {}) };
}

/**
 * Replicas, disruption budgets and spread of every add-on whose chart or kustomization allows them,
 * by add-on name; each value is named as the pinned chart's values.yaml names it. None on a
 * cluster of single copies (the charts' defaults). Not here, and why (docs/gitops.md, "Add-on
 * availability"): Grafana (its sessions and users live in a per-pod SQLite file; Grafana's HA
 * needs a shared MySQL or PostgreSQL database), kube-prometheus-stack's operator (the chart
 * writes `replicas: 1`; the operator elects no leader), CloudNativePG (a release manifest Argo CD
 * applies as a directory: nothing to set), fluent-bit-events (a second copy would ship every event
 * twice), Loki's counts (lokiReplicas in LOGGING_SETTINGS).
 */
export function addonAvailabilityValues(sizing: ClusterAddonSizing): Readonly<Record<string, AddonAvailabilityValues>> {
  if (!isHighlyAvailable(sizing)) {
    return {};
  }
  const replicas = sizing.controllerReplicas;
  const spread = (podLabels: Record<string, string>) => addonSpread(podLabels, sizing);
  // cert-manager v1.14.7 values.yaml: replicaCount, podDisruptionBudget.{enabled,maxUnavailable},
  // topologySpreadConstraints, the same under webhook and cainjector. The controller and cainjector
  // elect a leader; the webhook is stateless (https://cert-manager.io/docs/installation/best-practice/#high-availability).
  const certManager = (name: string, component: string) => ({
    replicaCount: replicas,
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    topologySpreadConstraints: spread(releasePods(name, 'cert-manager', component)),
  });
  // external-secrets 0.9.20 values.yaml: replicaCount, podDisruptionBudget.{enabled,minAvailable},
  // topologySpreadConstraints, the same under webhook and certController. The controller elects a
  // leader only with leaderElect; the cert controller only with --enable-leader-election
  // (cmd/certcontroller.go at v0.9.20), which the chart passes through certController.extraArgs.
  const externalSecrets = (name: string) => ({
    replicaCount: replicas,
    podDisruptionBudget: { enabled: true, minAvailable: replicas - 1 },
    topologySpreadConstraints: spread(releasePods(name, 'external-secrets')),
  });
  // kyverno chart 3.1.5 values.yaml: <controller>.replicas, .podDisruptionBudget.{enabled,minAvailable}
  // (maxUnavailable is refused beside the default minAvailable), .topologySpreadConstraints. The
  // admission controller serves every webhook request from every replica; the other three elect a
  // leader (https://kyverno.io/docs/high-availability/).
  const kyverno = (component: string, count: number) => ({
    replicas: count,
    podDisruptionBudget: { enabled: true, minAvailable: count - 1 },
    topologySpreadConstraints: spread({ 'app.kubernetes.io/component': component, 'app.kubernetes.io/instance': 'kyverno', 'app.kubernetes.io/part-of': 'kyverno' }),
  });
  return {
    'cert-manager': {
      helmValues: { ...certManager('cert-manager', 'controller'), webhook: certManager('webhook', 'webhook'), cainjector: certManager('cainjector', 'cainjector') },
    },
    'external-secrets': {
      helmValues: {
        ...externalSecrets('external-secrets'),
        leaderElect: true,
        webhook: externalSecrets('external-secrets-webhook'),
        certController: { ...externalSecrets('external-secrets-cert-controller'), extraArgs: { 'enable-leader-election': true } },
      },
    },
    // keda 2.13.2 values.yaml: operator.replicaCount (leader-elected standbys), metricsServer.replicaCount
    // (the chart notes that one instance serves: the second shortens the outage of the external metrics
    // API, and with it of the generator's scaling, when a node goes), webhooks.replicaCount,
    // podDisruptionBudget.{operator,metricServer,webhooks},
    // topologySpreadConstraints.{operator,metricsServer,webhooks} (https://keda.sh/docs/2.13/operate/cluster/#high-availability).
    'keda': {
      helmValues: {
        operator: { replicaCount: replicas },
        metricsServer: { replicaCount: replicas },
        webhooks: { replicaCount: replicas },
        podDisruptionBudget: { operator: { maxUnavailable: 1 }, metricServer: { maxUnavailable: 1 }, webhooks: { maxUnavailable: 1 } },
        topologySpreadConstraints: {
          operator: spread({ app: 'keda-operator' }),
          metricsServer: spread({ app: 'keda-operator-metrics-apiserver' }),
          webhooks: spread({ app: 'keda-admission-webhooks' }),
        },
      },
    },
    'ingress-nginx': { helmValues: { controller: ingressNginxController(sizing) } },
    'kyverno': {
      helmValues: {
        admissionController: kyverno('admission-controller', admissionControllerReplicas(sizing)),
        backgroundController: kyverno('background-controller', replicas),
        cleanupController: kyverno('cleanup-controller', replicas),
        reportsController: kyverno('reports-controller', replicas),
      },
    },
    // reloader 1.0.67 values.yaml: reloader.enableHA (leader election; "If you wish to run multiple
    // replicas set reloader.enableHA = true"), reloader.deployment.{replicas,topologySpreadConstraints},
    // reloader.podDisruptionBudget.{enabled,minAvailable}.
    'reloader': {
      helmValues: {
        reloader: {
          enableHA: true,
          deployment: { replicas, topologySpreadConstraints: spread({ app: 'reloader-reloader', release: 'reloader' }) },
          podDisruptionBudget: { enabled: true, minAvailable: replicas - 1 },
        },
      },
    },
    // loki 6.12.0 values.yaml: write, read, backend .topologySpreadConstraints. The chart's own
    // required anti-affinity (`affinity`, "Hard node anti-affinity") keeps their hosts apart; with
    // three writers and replication_factor 3 a write needs two of them, so no zone may hold two.
    [LOKI_RELEASE]: {
      helmValues: Object.fromEntries(
        ['write', 'read', 'backend'].map((component) => [component, { topologySpreadConstraints: spread(releasePods('loki', LOKI_RELEASE, component)).filter((c) => c.topologyKey !== HOSTNAME) }]),
      ),
    },
    // Kustomizations: replicas and spread by patch. Every one of these operators elects a leader
    // (argo-rollouts controller/controller.go DefaultLeaderElect = true at v1.6.6; LeaderElection: true
    // in main.go of cluster-operator v2.7.0 and messaging-topology-operator v1.13.0). A patch cannot
    // add an object, so their PodDisruptionBudgets are not here (docs/gitops.md).
    'argo-rollouts': { kustomizePatches: [deploymentPatch('argo-rollouts', undefined, { 'app.kubernetes.io/name': 'argo-rollouts' }, sizing)] },
    'rabbitmq-cluster-operator': {
      kustomizePatches: [deploymentPatch('rabbitmq-cluster-operator', 'rabbitmq-system', { 'app.kubernetes.io/name': 'rabbitmq-cluster-operator' }, sizing)],
    },
    'rabbitmq-messaging-topology-operator': {
      kustomizePatches: [deploymentPatch('messaging-topology-operator', 'rabbitmq-system', { 'app.kubernetes.io/name': 'messaging-topology-operator' }, sizing)],
    },
  };
}

/**
 * ingress-nginx chart 4.11.5 values.yaml, `controller.`: replicaCount, or autoscaling.{enabled,
 * minReplicas,maxReplicas,targetCPUUtilizationPercentage,targetMemoryUtilizationPercentage,behavior}
 * (the Deployment then carries no `replicas`, so Argo CD never fights the autoscaler);
 * maxUnavailable ("If set, 'minAvailable' is ignored"; the chart renders the budget once the count
 * or minReplicas exceeds 1); topologySpreadConstraints. It scales on CPU only: nginx's memory does
 * not fall with load, so a memory target only ratchets up (templates/controller-hpa.yaml renders
 * each metric `with` its target: 0 leaves memory out). Scale-down is one pod per three minutes
 * after five calm ones, as the chart's example: each pod that goes drains its connections first.
 */
function ingressNginxController(sizing: ClusterAddonSizing): Record<string, unknown> {
  const { ingressReplicas } = sizing;
  const count = ingressReplicas.isAutoscaled
    ? {
        autoscaling: {
          enabled: true,
          minReplicas: ingressReplicas.min,
          maxReplicas: ingressReplicas.max,
          targetCPUUtilizationPercentage: 50,
          targetMemoryUtilizationPercentage: 0,
          behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 180 }] } },
        },
      }
    : { replicaCount: ingressReplicas.min };
  return {
    ...count,
    maxUnavailable: 1,
    topologySpreadConstraints: addonSpread(releasePods('ingress-nginx', 'ingress-nginx', 'controller'), sizing),
  };
}

/** A patch that gives a kustomize add-on's Deployment (`name`, in `namespace` when its kustomization sets one) its replicas and spread. */
function deploymentPatch(name: string, namespace: string | undefined, podLabels: Record<string, string>, sizing: ClusterAddonSizing): AvailabilityPatch {
  return {
    target: { group: 'apps', kind: 'Deployment', name, ...(namespace ? { namespace } : {}) },
    patch: stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, ...(namespace ? { namespace } : {}) },
      spec: { replicas: sizing.controllerReplicas, template: { spec: { topologySpreadConstraints: addonSpread(podLabels, sizing) } } },
    }),
  };
}

/** The fields an add-on of the catalog has that availability changes. */
interface AvailabilityTarget {
  readonly name: string;
  readonly helmValues?: Readonly<Record<string, unknown>>;
  readonly kustomizePatches?: readonly AvailabilityPatch[];
}

/**
 * The add-ons with their availability values applied: Helm values merged into each add-on's own
 * (a key both set is an error, never a silent override), patches appended to its own.
 */
export function withHighAvailability<T extends AvailabilityTarget>(addons: readonly T[], sizing: ClusterAddonSizing): T[] {
  const values = addonAvailabilityValues(sizing);
  const unknown = Object.keys(values).filter((name) => !addons.some((addon) => addon.name === name));
  if (unknown.length > 0) {
    throw new Error(`addonAvailabilityValues names ${unknown.join(', ')}, which the catalog does not have. Fix: rename the entry in lib/gitops/addon-availability-values.ts`);
  }
  return addons.map((addon) => {
    const extra = values[addon.name];
    if (!extra) {
      return addon;
    }
    return {
      ...addon,
      ...(extra.helmValues ? { helmValues: mergedValues(addon.helmValues ?? {}, extra.helmValues, addon.name) } : {}),
      ...(extra.kustomizePatches ? { kustomizePatches: [...(addon.kustomizePatches ?? []), ...extra.kustomizePatches] } : {}),
    };
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `base` with `extra` merged in, mapping by mapping as Helm merges values files; a leaf both set throws. */
export function mergedValues(base: Readonly<Record<string, unknown>>, extra: Readonly<Record<string, unknown>>, addon: string, path: string = ''): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const at = path ? `${path}.${key}` : key;
    const existing = merged[key];
    if (existing === undefined) {
      merged[key] = value;
    } else if (isPlainObject(existing) && isPlainObject(value)) {
      merged[key] = mergedValues(existing, value, addon, at);
    } else {
      throw new Error(`add-on ${addon}: the availability values set ${at}, which its catalog entry already sets. Fix: set it in one place, lib/gitops/addon-availability-values.ts or lib/gitops/addon-catalog.ts`);
    }
  }
  return merged;
}
