import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MetricsServiceMonitor } from '../observability/metrics-service-monitor';
import { selectorLabels, workloadLabels } from '../platform/labels';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { INetworkPeer, tcpPorts } from '../platform/network-peer';
import { PropError } from '../platform/prop-error';
import { Replicas } from '../platform/replicas';
import { IWorkload, WorkloadFootprint } from '../platform/workload-footprint';
import { VaultSecret } from '../security/vault-secret';
import { CpuAutoscaler, WorkloadReference } from './cpu-autoscaler';
import { DisruptionBudget, UnhealthyPodEviction } from './disruption-budget';
import { HostSeparation, podPlacement, restrictedPodSpec } from './restricted-pod-spec';

/** Old ReplicaSets kept for `kubectl rollout undo` and Argo CD's history. */
export const REVISION_HISTORY_LIMIT = 5;
/** Seconds a new pod must stay ready before it counts as available: a pod that crashes at once does not advance a release. */
export const MIN_READY_SECONDS = 5;

/** Object names are `<id>` and `<id>-<suffix>`; 42 characters leave room for the longest suffix. */
const WORKLOAD_NAME = /^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/;

export interface RestrictedWorkloadProps {
  /** The namespace to run in; the workload counts its footprint into the namespace quota. */
  readonly namespace: NamespaceBaseline;
  /** Recommended-label component, e.g. `frontend`, `cache`, `authentication`. */
  readonly component: string;
  /** Availability zones the pods run in and are spread over. */
  readonly zones: readonly string[];
  /** The most the workload asks of its namespace at once. */
  readonly footprint: WorkloadFootprint;
  /**
   * How messages of rejected props name the workload, e.g. `RedisCluster redis`.
   * @default - the construct id
   */
  readonly errorLabel?: string;
}

export interface WorkloadPodSpecOptions {
  /** The pod's containers; the list is kept by reference. */
  readonly containers: k8s.Container[];
  /**
   * The pod's volumes; the list is kept by reference.
   * @default - none
   */
  readonly volumes?: k8s.Volume[];
  /** Seconds between SIGTERM and SIGKILL. */
  readonly terminationGracePeriodSeconds: number;
  /** How the pods are kept on different machines. */
  readonly hostSeparation: HostSeparation;
  /**
   * Refuse to schedule rather than break the spread over zones and machines.
   * @default true
   */
  readonly strictTopologySpread?: boolean;
  /**
   * The label that tells one ReplicaSet's pods from another's (Argo Rollouts: `rollouts-pod-template-hash`).
   * @default 'pod-template-hash'
   */
  readonly revisionLabel?: string;
}

export interface RollingDeploymentOptions {
  /** The pod template; it may be rendered lazily (a `Lazy` value) so that later additions reach it. */
  readonly template: k8s.PodTemplateSpec;
  /** The replica count, or the bounds an autoscaler keeps it in. */
  readonly replicas: Replicas;
  /** Share of the pods added before any old pod goes. */
  readonly maxSurgePercent: number;
  /**
   * Annotations of the Deployment, e.g. Reloader's.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/**
 * The restricted base of every pod-running construct of the platform (in the sense of
 * cdk8s-plus's `Workload` under `Deployment` and `StatefulSet`): one place for its name and labels,
 * its ServiceAccount without a token, the restricted pod spec with zone affinity and spread, its
 * Services, PodDisruptionBudget, CPU autoscaler, ServiceMonitor and NetworkPolicies. A subclass
 * renders the object that owns the pods and calls these in the order its objects are rendered.
 */
export abstract class RestrictedWorkload extends Construct implements IWorkload, INetworkPeer {
  public readonly name: string;
  public readonly peerName: string;
  public readonly namespaceName: string;
  /** The namespace it runs in. */
  public readonly namespace: NamespaceBaseline;
  public readonly footprint: WorkloadFootprint;
  /** DNS name of the workload's Service inside the cluster. */
  public readonly serviceHost: string;
  /** Labels of every object of the workload. */
  protected readonly labels: Readonly<Record<string, string>>;
  /** Labels that select the workload's pods. */
  protected readonly selector: Readonly<Record<string, string>>;
  private readonly zones: readonly string[];
  private readonly imagePullSecrets: k8s.LocalObjectReference[] = [];

  protected constructor(scope: Construct, id: string, props: RestrictedWorkloadProps) {
    // Before the construct joins the tree, so a rejected workload leaves nothing behind.
    const label = props.errorLabel ?? id;
    if (!WORKLOAD_NAME.test(id)) {
      throw new PropError(id, 'the construct id (used as the object name)', id, 'use a lower-case DNS label of at most 42 characters', label);
    }
    if (props.zones.length === 0) {
      throw new PropError(id, 'zones', props.zones, 'list at least one zone', label);
    }
    super(scope, id);
    this.name = id;
    this.peerName = id;
    this.namespace = props.namespace;
    this.namespaceName = props.namespace.namespaceName;
    this.serviceHost = `${id}.${this.namespaceName}.svc.cluster.local`;
    this.labels = workloadLabels(id, props.component);
    this.selector = selectorLabels(id);
    this.zones = props.zones;
    this.footprint = props.footprint;
    props.namespace.addWorkload(this);
  }

  /**
   * Pulls the workload's images with `credentials` (registry credentials from
   * `VaultSecret.registryCredentials()`), through its ServiceAccount's `imagePullSecrets`.
   */
  public pullImagesWith(credentials: VaultSecret): void {
    const reference = credentials.imagePullSecret();
    if (!this.imagePullSecrets.some((existing) => existing.name === reference.name)) {
      this.imagePullSecrets.push(reference);
    }
  }

  public toNetworkPolicyPeer(fromNamespace: string): k8s.NetworkPolicyPeer {
    const podSelector = { matchLabels: { ...this.selector } };
    if (fromNamespace === this.namespaceName) {
      return { podSelector };
    }
    return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespaceName } }, podSelector };
  }

  /**
   * Opens this workload's egress to `peer` on `ports`. The peer opens its own ingress: a flow needs
   * a policy on both sides because the namespace denies both directions.
   */
  public allowEgressTo(peer: INetworkPeer, ports: readonly number[]): void {
    this.createNetworkPolicy(`AllowEgress-to-${peer.peerName}`, `${this.name}-allow-egress-to-${peer.peerName}`, this.selector, {
      policyTypes: ['Egress'],
      egress: [{ to: [peer.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(...ports) }],
    });
  }

  /** Lets `peer` reach the workload's pods on `ports`: the policy `<name>-allow-<purpose>`. */
  protected allowIngressFrom(peer: INetworkPeer, ports: readonly number[], purpose: string): void {
    this.createNetworkPolicy(`AllowIngress-${purpose}`, `${this.name}-allow-${purpose}`, this.selector, {
      policyTypes: ['Ingress'],
      ingress: [{ from: [peer.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(...ports) }],
    });
  }

  /** A NetworkPolicy of the workload for the pods labelled `podSelector` (its own, or those of a Job it runs). */
  protected createNetworkPolicy(constructId: string, name: string, podSelector: Readonly<Record<string, string>>, spec: Omit<k8s.NetworkPolicySpec, 'podSelector'>): void {
    new k8s.KubeNetworkPolicy(this, constructId, {
      metadata: this.objectMetadata(name),
      spec: { podSelector: { matchLabels: { ...podSelector } }, ...spec },
    });
  }

  /** Name, namespace and the workload's labels, for an object of the workload. */
  protected objectMetadata(name: string = this.name): k8s.ObjectMeta {
    return { name, namespace: this.namespaceName, labels: { ...this.labels } };
  }

  /** The workload's own ServiceAccount, named after it: no token, and the image pull Secrets of `pullImagesWith()`. */
  protected createServiceAccount(): void {
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: this.objectMetadata(),
      automountServiceAccountToken: false,
      // On the ServiceAccount, so every pod of it (a Rollout's, a Job's too) pulls with them.
      imagePullSecrets: Lazy.any({ produce: () => (this.imagePullSecrets.length > 0 ? this.imagePullSecrets : undefined) }),
    });
  }

  /** The restricted pod spec of the workload's pods, run as its ServiceAccount and placed over its zones and machines. */
  protected podSpec(options: WorkloadPodSpecOptions): k8s.PodSpec {
    return {
      ...restrictedPodSpec(this.name, options.containers, options.volumes),
      terminationGracePeriodSeconds: options.terminationGracePeriodSeconds,
      ...podPlacement({
        selector: this.selector,
        zones: this.zones,
        strict: options.strictTopologySpread ?? true,
        hostSeparation: options.hostSeparation,
        revisionLabel: options.revisionLabel,
      }),
    };
  }

  /**
   * The workload's Deployment, released by a rolling update without downtime: `maxSurgePercent`
   * of the pods are added before any old pod goes, and none goes first. No `replicas` when an
   * autoscaler owns the count.
   */
  protected createRollingDeployment(options: RollingDeploymentOptions): void {
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { ...this.objectMetadata(), annotations: options.annotations },
      spec: {
        replicas: options.replicas.isAutoscaled ? undefined : options.replicas.min,
        revisionHistoryLimit: REVISION_HISTORY_LIMIT,
        progressDeadlineSeconds: 300,
        minReadySeconds: MIN_READY_SECONDS,
        selector: { matchLabels: { ...this.selector } },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromString(`${options.maxSurgePercent}%`),
            maxUnavailable: k8s.IntOrString.fromNumber(0),
          },
        },
        template: options.template,
      },
    });
  }

  /** A Service `name` that selects the workload's pods: a ClusterIP, or headless (every pod by its own address, ready or not). */
  protected createService(constructId: string, name: string, ports: k8s.ServicePort[], options: { readonly headless?: boolean } = {}): void {
    new k8s.KubeService(this, constructId, {
      metadata: this.objectMetadata(name),
      spec: options.headless
        ? { clusterIp: 'None', publishNotReadyAddresses: true, selector: { ...this.selector }, ports }
        : { type: 'ClusterIP', selector: { ...this.selector }, ports },
    });
  }

  /** The workload's PodDisruptionBudget: node drains take one pod at a time. */
  protected createDisruptionBudget(unhealthyPodEviction: UnhealthyPodEviction = UnhealthyPodEviction.ALWAYS_ALLOW): void {
    new DisruptionBudget(this, 'PodDisruptionBudget', {
      name: this.name,
      namespace: this.namespaceName,
      labels: this.labels,
      selector: this.selector,
      unhealthyPodEviction,
    });
  }

  /** The workload's CPU HorizontalPodAutoscaler, scaling `target` within `replicas`. */
  protected createAutoscaler(target: WorkloadReference, replicas: Replicas, targetCpuUtilizationPercent?: number): void {
    new CpuAutoscaler(this, 'HorizontalPodAutoscaler', { namespace: this.namespaceName, labels: this.labels, target, replicas, targetCpuUtilizationPercent });
  }

  /** Prometheus scrapes the pods behind the workload's Services over HTTPS, verified against the CA of `tlsCaSecretName` by `tlsServerName`. */
  protected createServiceMonitor(tlsCaSecretName: string, tlsServerName: string): void {
    new MetricsServiceMonitor(this, 'ServiceMonitor', { namespace: this.namespaceName, serviceLabels: { ...this.selector }, tlsCaSecretName, tlsServerName });
  }
}
