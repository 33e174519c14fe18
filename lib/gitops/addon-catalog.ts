import { FLUENT_BIT_EVENTS_RELEASE, FLUENT_BIT_RELEASE, fluentBitEventsHelmValues, fluentBitHelmValues } from './fluent-bit-values';
import { ApplicationWave } from './application-waves';
import { ClusterMonitoring, GRAFANA_RELEASE, grafanaHelmValues } from './grafana-values';
import { GroupKind } from './group-kind';
import { kubePrometheusStackHelmValues } from './kube-prometheus-stack-values';
import { KYVERNO_HELM_VALUES } from './kyverno-values';
import { ClusterLogging, LOGGING_NAMESPACE, LOKI_RELEASE, checkedLogging } from './logging-settings';
import { lokiHelmValues } from './loki-values';
import { MONITORING_NAMESPACE } from './monitoring-secret-store';
import { INGRESS_NGINX_EDGE_STATUS_CONFIG, INGRESS_NGINX_METRICS_VALUES } from './ingress-nginx-metrics-values';
import { KustomizePatch, MESSAGING_TOPOLOGY_OPERATOR, NAMESPACE_OF_CLUSTER_OPERATOR_PATCH, TRUST_INTERNAL_CA_PATCH } from './messaging-topology-operator-patches';

export { MESSAGING_TOPOLOGY_OPERATOR };

/** How an add-on's manifests are fetched. */
export enum AddonSourceType {
  /** A Helm chart from a chart repository (`chart` at `targetRevision`). */
  HELM = 'helm',
  /** One release manifest file (`manifestFile`) inside `path` of a Git repository at a tag. */
  MANIFEST = 'manifest',
  /** A kustomization (`path`) of a Git repository at a tag, with its operator image pinned. */
  KUSTOMIZE = 'kustomize',
}

/** One operator (or controller) the rendered manifests rely on, pinned to the version of its pinned CRDs. */
export interface Addon {
  /** Application name and Helm release name. */
  readonly name: string;
  readonly sourceType: AddonSourceType;
  /** Helm chart repository or Git repository. */
  readonly repoUrl: string;
  /** Chart name (HELM only). */
  readonly chart?: string;
  /** Path inside the Git repository (MANIFEST and KUSTOMIZE). */
  readonly path?: string;
  /** File inside `path` that is the release manifest (MANIFEST only). */
  readonly manifestFile?: string;
  /** `kustomize edit set image` arguments, `[old=]name:tag` (KUSTOMIZE only): upstream kustomizations name `latest`; an argument replaces the entry of its name whole. */
  readonly images?: readonly string[];
  /**
   * Strategic-merge patches of the kustomization's output, each naming its target (KUSTOMIZE
   * only): what this platform needs that the upstream installation lacks.
   * @default - none
   */
  readonly kustomizePatches?: readonly KustomizePatch[];
  /** Exact chart version or Git tag: never a range, `latest` or `HEAD`. */
  readonly targetRevision: string;
  /** Namespace the operator runs in. */
  readonly namespace: string;
  /**
   * Namespaces other than its own the add-on's manifests write into (leader-election Roles,
   * auth-reader RoleBindings and exporter Services in kube-system), for the add-ons' AppProject.
   * @default - none
   */
  readonly otherNamespaces?: readonly string[];
  /** The app version the chart or manifest installs; equals `crdVersion`. */
  readonly appVersion: string;
  /** The version of the CRDs pinned in schemas.lock.json (`../shared/crds/<project>-<version>`) that this add-on must serve. */
  readonly crdVersion: string;
  /** API groups of the CRDs it installs. */
  readonly crdGroups: readonly string[];
  /** Cluster-scoped kinds its manifests create, for the add-ons' AppProject. */
  readonly clusterResourceKinds: readonly GroupKind[];
  /** Where the chart/app version mapping was checked. */
  readonly verifiedAt: string;
  /** Argo CD sync wave inside the root Application: CRDs other add-ons use go first. */
  readonly syncWave: number;
  /**
   * Helm values: minimal, secure defaults only (HELM only).
   * @default - the chart's defaults
   */
  readonly helmValues?: Readonly<Record<string, unknown>>;
}

export type { KustomizePatch } from './messaging-topology-operator-patches';

/** Pods of an add-on that the platform's NetworkPolicies admit or reach, located by namespace and labels. */
export interface AddonPods {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

/** ingress-nginx as its official Helm chart labels the controller pods. */
export const INGRESS_NGINX_CONTROLLER: AddonPods = {
  namespace: 'ingress-nginx',
  podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
};

/** Prometheus as kube-prometheus-stack labels its server pods. */
export const KUBE_PROMETHEUS: AddonPods = {
  namespace: MONITORING_NAMESPACE,
  podLabels: { 'app.kubernetes.io/name': 'prometheus' },
};

/** The HTTP API of kube-prometheus-stack's Prometheus (release name kube-prometheus-stack, namespace monitoring). */
export const KUBE_PROMETHEUS_URL = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';

/** KEDA as its official Helm chart labels the operator pods. */
export const KEDA_OPERATOR: AddonPods = {
  namespace: 'keda',
  podLabels: { 'app.kubernetes.io/name': 'keda-operator' },
};

const CRD: GroupKind = { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' };
const CLUSTER_ROLE: GroupKind = { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' };
const CLUSTER_ROLE_BINDING: GroupKind = { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' };
const VALIDATING_WEBHOOK: GroupKind = { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' };
const MUTATING_WEBHOOK: GroupKind = { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' };
const NAMESPACE: GroupKind = { group: '', kind: 'Namespace' };
const OPERATOR_KINDS = [CRD, CLUSTER_ROLE, CLUSTER_ROLE_BINDING];

/** Wave of add-ons whose CRDs or webhooks other add-ons need (cert-manager issues the topology operator's webhook certificate; ServiceMonitor CRDs). */
export const FOUNDATION_ADDON_WAVE = ApplicationWave.FOUNDATION;
/** Wave of every other operator, the node log agent included (it buffers until Loki answers). */
export const OPERATOR_ADDON_WAVE = ApplicationWave.OPERATORS;

/** Argo CD itself is installed when a cluster is bootstrapped (docs/gitops.md), not by an Application. */
export const ARGO_CD_VERSION = '2.10.18';

/** The node agent and the events collector are two releases of one chart: one pin keeps them in step. */
const FLUENT_BIT_CHART = {
  sourceType: AddonSourceType.HELM,
  repoUrl: 'https://fluent.github.io/helm-charts',
  chart: 'fluent-bit',
  targetRevision: '0.47.0',
  namespace: LOGGING_NAMESPACE,
  appVersion: '3.1.0',
  crdVersion: 'none (no CRDs)',
  crdGroups: [],
  clusterResourceKinds: [CLUSTER_ROLE, CLUSTER_ROLE_BINDING],
} as const;

/**
 * Every add-on of a cluster, pinned, the log pipeline's with the cluster's settings, Grafana's with its
 * admin credentials' Vault path; clusterAddonsOf (lib/config/addon-sizing.ts) adds replicas, budgets and
 * spread. A test asserts that every CRD group used in dist/ has an add-on and that no revision floats.
 */
export function addonsOf(clusterLogging: ClusterLogging, monitoring: ClusterMonitoring): readonly Addon[] {
  const logging = checkedLogging(clusterLogging);
  return [
    {
      name: 'cert-manager',
      sourceType: AddonSourceType.HELM,
      repoUrl: 'https://charts.jetstack.io',
      chart: 'cert-manager',
      targetRevision: 'v1.14.7',
      namespace: 'cert-manager',
      otherNamespaces: ['kube-system'],
      appVersion: 'v1.14.7',
      crdVersion: '1.14.7',
      crdGroups: ['cert-manager.io', 'acme.cert-manager.io'],
      clusterResourceKinds: [...OPERATOR_KINDS, VALIDATING_WEBHOOK, MUTATING_WEBHOOK],
      verifiedAt: 'cert-manager charts are versioned with the app (chart v1.14.7 = app v1.14.7); ../shared/crds/README.md renders the CRDs with Chart.AppVersion v1.14.7',
      syncWave: FOUNDATION_ADDON_WAVE,
      // The ServiceMonitor exports certmanager_certificate_expiration_timestamp_seconds for the expiry alert.
      helmValues: { installCRDs: true, prometheus: { enabled: true, servicemonitor: { enabled: true } } },
    },
    {
      name: 'kube-prometheus-stack',
      sourceType: AddonSourceType.HELM,
      repoUrl: 'https://prometheus-community.github.io/helm-charts',
      chart: 'kube-prometheus-stack',
      targetRevision: '57.2.1',
      namespace: KUBE_PROMETHEUS.namespace,
      otherNamespaces: ['kube-system'],
      appVersion: 'v0.72.0',
      crdVersion: '0.72.0',
      crdGroups: ['monitoring.coreos.com'],
      clusterResourceKinds: [...OPERATOR_KINDS, VALIDATING_WEBHOOK, MUTATING_WEBHOOK],
      verifiedAt:
        'prometheus-community/helm-charts#4352 (2024-03-09) bumped the operator to 0.72.0 (major 57); kube-prometheus-stack-58.0.0 bumped it to 0.73.0 (#4422), so 57.2.1, the last 57.x, ships v0.72.0',
      syncWave: FOUNDATION_ADDON_WAVE,
      helmValues: kubePrometheusStackHelmValues(logging),
    },
    {
      name: GRAFANA_RELEASE,
      sourceType: AddonSourceType.HELM,
      repoUrl: 'https://grafana.github.io/helm-charts',
      chart: 'grafana',
      targetRevision: '7.3.7',
      namespace: MONITORING_NAMESPACE,
      appVersion: '10.4.0',
      crdVersion: 'none (no CRDs)',
      crdGroups: [],
      clusterResourceKinds: [CLUSTER_ROLE, CLUSTER_ROLE_BINDING],
      verifiedAt: 'grafana/helm-charts charts/grafana/Chart.yaml at tag grafana-7.3.7 (commit 8a725bc5): version 7.3.7, appVersion 10.4.0; the chart kube-prometheus-stack 57.2.1 bundles (grafana 7.3.*)',
      // Its admin credentials come through the monitoring secret store (CLUSTER_BASELINE); kube-prometheus-stack cannot wait that long.
      syncWave: ApplicationWave.LOGGING,
      helmValues: grafanaHelmValues(monitoring),
    },
    {
      name: 'cloudnative-pg',
      sourceType: AddonSourceType.MANIFEST,
      repoUrl: 'https://github.com/cloudnative-pg/cloudnative-pg.git',
      path: 'releases',
      manifestFile: 'cnpg-1.22.5.yaml',
      targetRevision: 'v1.22.5',
      namespace: 'cnpg-system',
      appVersion: '1.22.5',
      crdVersion: '1.22.5',
      crdGroups: ['postgresql.cnpg.io'],
      clusterResourceKinds: [...OPERATOR_KINDS, VALIDATING_WEBHOOK, MUTATING_WEBHOOK, NAMESPACE],
      verifiedAt:
        'the release manifest releases/cnpg-1.22.5.yaml at tag v1.22.5 (commit b1ecae2d, the commit the pinned CRDs come from); no cloudnative-pg chart ships 1.22.5 (0.20.2 = 1.22.2, 0.21.x = 1.23.x; cloudnative-pg/charts#517)',
      syncWave: OPERATOR_ADDON_WAVE,
    },
    {
      name: 'rabbitmq-cluster-operator',
      sourceType: AddonSourceType.KUSTOMIZE,
      repoUrl: 'https://github.com/rabbitmq/cluster-operator.git',
      path: 'config/installation',
      // Replaces the kustomization's own `-dev` -> `:latest` entry (a second entry would run first, matching nothing).
      images: ['rabbitmqoperator/cluster-operator-dev=rabbitmqoperator/cluster-operator:2.7.0'],
      targetRevision: 'v2.7.0',
      namespace: 'rabbitmq-system',
      appVersion: '2.7.0',
      crdVersion: '2.7.0',
      crdGroups: ['rabbitmq.com'],
      clusterResourceKinds: [...OPERATOR_KINDS, NAMESPACE],
      verifiedAt: 'config/installation is the kustomization the release cluster-operator.yml is built from; tag v2.7.0 = commit 35d52934, the commit the pinned CRD comes from',
      syncWave: OPERATOR_ADDON_WAVE,
    },
    {
      name: 'rabbitmq-messaging-topology-operator',
      sourceType: AddonSourceType.KUSTOMIZE,
      repoUrl: 'https://github.com/rabbitmq/messaging-topology-operator.git',
      path: 'config/installation/cert-manager',
      images: ['rabbitmqoperator/messaging-topology-operator-dev=rabbitmqoperator/messaging-topology-operator:1.13.0'],
      targetRevision: 'v1.13.0',
      namespace: 'rabbitmq-system',
      appVersion: '1.13.0',
      crdVersion: '1.13.0',
      crdGroups: ['rabbitmq.com'],
      // No Namespace: the cluster operator's Application brings rabbitmq-system (NAMESPACE_OF_CLUSTER_OPERATOR_PATCH).
      clusterResourceKinds: [...OPERATOR_KINDS, VALIDATING_WEBHOOK],
      verifiedAt:
        'config/installation/cert-manager is the kustomization of the release messaging-topology-operator-with-certmanager.yaml (its webhook certificate comes from cert-manager); tag v1.13.0 = commit fbe1ad11, the commit the pinned CRDs come from; config/manager/manager.yaml names the Deployment operator (prefixed messaging-topology-) and its container manager',
      // With the internal CA, whose trust Secret its pod mounts (CLUSTER_BASELINE): in the wave before, it would wait for ever.
      syncWave: ApplicationWave.CLUSTER_BASELINE,
      kustomizePatches: [NAMESPACE_OF_CLUSTER_OPERATOR_PATCH, TRUST_INTERNAL_CA_PATCH],
    },
    {
      name: 'argo-rollouts',
      // The kustomization, not manifests/install.yaml: both make the same 15 objects (checked with
      // kubectl kustomize at the tag), but the release manifest names the controller image
      // `:latest` with imagePullPolicy Always, and only a kustomization takes an image override.
      sourceType: AddonSourceType.KUSTOMIZE,
      repoUrl: 'https://github.com/argoproj/argo-rollouts.git',
      path: 'manifests/cluster-install',
      images: ['quay.io/argoproj/argo-rollouts:v1.6.6'],
      targetRevision: 'v1.6.6',
      namespace: 'argo-rollouts',
      appVersion: 'v1.6.6',
      crdVersion: '1.6.6',
      crdGroups: ['argoproj.io'],
      clusterResourceKinds: OPERATOR_KINDS,
      verifiedAt: 'manifests/cluster-install at tag v1.6.6 (commit 737ca89b) builds the objects of the release manifest install.yaml, with manifests/crds of the same commit, which the pinned CRDs come from; its base names quay.io/argoproj/argo-rollouts:latest, overridden here',
      syncWave: OPERATOR_ADDON_WAVE,
    },
    {
      name: 'external-secrets',
      sourceType: AddonSourceType.HELM,
      repoUrl: 'https://charts.external-secrets.io',
      chart: 'external-secrets',
      targetRevision: '0.9.20',
      namespace: 'external-secrets',
      appVersion: 'v0.9.20',
      crdVersion: '0.9.20',
      crdGroups: ['external-secrets.io', 'generators.external-secrets.io'],
      clusterResourceKinds: [...OPERATOR_KINDS, VALIDATING_WEBHOOK],
      verifiedAt: 'external-secrets charts are released with the app under the same version (chart 0.9.20 = app v0.9.20); not re-checked against the chart index',
      syncWave: OPERATOR_ADDON_WAVE,
      // The ServiceMonitor exports externalsecret_status_condition for the ExternalSecretSyncFailing alert.
      helmValues: { installCRDs: true, serviceMonitor: { enabled: true } },
    },
    {
      name: 'keda',
      sourceType: AddonSourceType.HELM,
      repoUrl: 'https://kedacore.github.io/charts',
      chart: 'keda',
      targetRevision: '2.13.2',
      namespace: KEDA_OPERATOR.namespace,
      otherNamespaces: ['kube-system'],
      appVersion: '2.13.1',
      crdVersion: '2.13.1',
      crdGroups: ['keda.sh', 'eventing.keda.sh'],
      clusterResourceKinds: [...OPERATOR_KINDS, VALIDATING_WEBHOOK, { group: 'apiregistration.k8s.io', kind: 'APIService' }],
      verifiedAt: 'kedacore/charts tag v2.13.2 (commit c77f8af2) keda/Chart.yaml: version 2.13.2, appVersion 2.13.1 (chart 2.13.1 installs KEDA 2.13.0, whose CRDs are not the pinned 2.13.1 ones)',
      syncWave: OPERATOR_ADDON_WAVE,
    },
    {
      name: 'ingress-nginx',
      sourceType: AddonSourceType.HELM,
      repoUrl: 'https://kubernetes.github.io/ingress-nginx',
      chart: 'ingress-nginx',
      targetRevision: '4.11.5',
      namespace: INGRESS_NGINX_CONTROLLER.namespace,
      appVersion: '1.11.5',
      crdVersion: 'none (no CRDs)',
      crdGroups: [],
      clusterResourceKinds: [CLUSTER_ROLE, CLUSTER_ROLE_BINDING, VALIDATING_WEBHOOK, { group: 'networking.k8s.io', kind: 'IngressClass' }],
      verifiedAt:
        'kubernetes/ingress-nginx README "Supported Versions" (kubernetes/ingress-nginx#11650): controller v1.11.x = chart 4.11.x, tested on Kubernetes 1.26-1.30; 4.11.5 (v1.11.5) is the patch release of that line that fixes CVE-2025-1974',
      syncWave: OPERATOR_ADDON_WAVE,
      helmValues: {
        controller: {
          allowSnippetAnnotations: false,
          metrics: INGRESS_NGINX_METRICS_VALUES,
          // HSTS for one year on every host, and the real client address for per-client rate limits.
          config: {
            'hsts': 'true',
            'hsts-max-age': '31536000',
            'hsts-include-subdomains': 'true',
            'ssl-protocols': 'TLSv1.2 TLSv1.3',
            'use-forwarded-headers': 'false',
            // Each Ingress verifies its own backend (proxy-ssl-name differs per Service): without this
            // the first Ingress of a host lends its proxy-ssl settings to the whole server block,
            // and the sign-in subrequest to oauth2-proxy would be checked against the web's name.
            'proxy-ssl-location-only': 'true',
            // No Ingress may name another namespace's Secret (ours: the ingress-backend-client key pair).
            'allow-cross-namespace-resources': 'false',
            ...INGRESS_NGINX_EDGE_STATUS_CONFIG,
          },
          service: { externalTrafficPolicy: 'Local' },
          // No backend of type ExternalName: otherwise an Ingress in any namespace could point a
          // Service at web or api by DNS name and reach them without the sign-in annotations.
          // A command-line flag (--disable-svc-external-name), not a ConfigMap key.
          extraArgs: { 'disable-svc-external-name': 'true' },
        },
      },
    },
    {
      name: 'kyverno',
      sourceType: AddonSourceType.HELM,
      repoUrl: 'https://kyverno.github.io/kyverno',
      chart: 'kyverno',
      targetRevision: '3.1.5',
      namespace: 'kyverno',
      appVersion: 'v1.11.5',
      crdVersion: '1.11.5',
      crdGroups: ['kyverno.io', 'wgpolicyk8s.io', 'reports.kyverno.io'],
      clusterResourceKinds: [...OPERATOR_KINDS, VALIDATING_WEBHOOK, MUTATING_WEBHOOK],
      verifiedAt: 'kyverno charts 3.1.x ship Kyverno 1.11.x with equal patch numbers (chart 3.1.5 = app v1.11.5); not re-checked against the chart index',
      syncWave: OPERATOR_ADDON_WAVE,
      helmValues: KYVERNO_HELM_VALUES,
    },
    {
      name: LOKI_RELEASE,
      sourceType: AddonSourceType.HELM,
      repoUrl: 'https://grafana.github.io/helm-charts',
      chart: 'loki',
      targetRevision: '6.12.0',
      namespace: LOGGING_NAMESPACE,
      appVersion: '3.1.1',
      crdVersion: 'none (no CRDs)',
      crdGroups: [],
      clusterResourceKinds: [CLUSTER_ROLE, CLUSTER_ROLE_BINDING],
      verifiedAt:
        'grafana/loki production/helm/loki/README.md at chart 6.12.0 shows Version 6.12.0, AppVersion 3.1.1 (chart 6.2.0 = 3.0.0, 5.43.2 = 2.9.4); Loki 3.1 has the compactor retention with limits_config.retention_stream and requires compactor.delete_request_store; ClusterRole/Binding are the rules sidecar\'s',
      // Its object-store credentials come through the logging secret store (CLUSTER_BASELINE).
      syncWave: ApplicationWave.LOGGING,
      helmValues: lokiHelmValues(logging),
    },
    {
      name: FLUENT_BIT_RELEASE,
      ...FLUENT_BIT_CHART,
      verifiedAt:
        'fluent/helm-charts charts/fluent-bit/Chart.yaml (commit 00c882e0): version 0.47.0, appVersion 3.1.0 ("Updated Fluent Bit OCI image to v3.1.0"); Fluent Bit 3.1 has the cri multiline parser, rewrite_tag and the loki output with record-accessor labels',
      syncWave: OPERATOR_ADDON_WAVE,
      helmValues: fluentBitHelmValues(logging),
    },
    {
      name: FLUENT_BIT_EVENTS_RELEASE,
      ...FLUENT_BIT_CHART,
      verifiedAt:
        'the same chart and version as fluent-bit (Chart.yaml 0.47.0 = 3.1.0), as a one-replica Deployment; kubernetes_events input since Fluent Bit 2.1; rbac.eventsAccess (events in the ClusterRole) came with fluent/helm-charts#408 (merged 2023, chart 0.37.x), before 0.47.0',
      syncWave: OPERATOR_ADDON_WAVE,
      helmValues: fluentBitEventsHelmValues(logging),
    },
    {
      name: 'reloader',
      sourceType: AddonSourceType.HELM,
      repoUrl: 'https://stakater.github.io/stakater-charts',
      chart: 'reloader',
      targetRevision: '1.0.67',
      namespace: 'reloader',
      appVersion: 'v1.0.67',
      crdVersion: 'none (no CRDs)',
      crdGroups: [],
      clusterResourceKinds: [CLUSTER_ROLE, CLUSTER_ROLE_BINDING],
      verifiedAt:
        'renovate PR elfhosted/infra#89 (2023-11-15) moves the stakater reloader chart 1.0.51 -> 1.0.67 with the release notes of app v1.0.67, so 1.0.67 was released before 2024-06 and the 1.0.x charts carry the app version; not re-checked against the chart index; isArgoRollouts, reloadStrategy and namespaceSelector are chart values since v0.0.129 (stakater/Reloader commit 82ee3ef)',
      syncWave: OPERATOR_ADDON_WAVE,
      helmValues: {
        reloader: {
          // web and api are Argo Rollouts: a restart is a new revision, released (and analysed) like any other.
          isArgoRollouts: true,
          // A pod-template annotation rather than an injected env var: Argo CD's diff ignores a
          // map key it does not manage, whereas a changed env list is drift that self-heal reverts.
          reloadStrategy: 'annotations',
          // Only the platform's namespaces (previews included), matched as the Vault store matches them.
          namespaceSelector: 'app.kubernetes.io/part-of=generator-platform',
          readOnlyRootFileSystem: true,
        },
      },
    },
  ];
}

/** The add-ons that install the CRDs of `group`. */
export function addonsInstalling(addons: readonly Addon[], group: string): Addon[] {
  return addons.filter((addon) => addon.crdGroups.includes(group));
}
