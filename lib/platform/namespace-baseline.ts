import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PLATFORM_NAME } from './labels';
import { cpuQuantity, gibibytes, memoryQuantity } from './quantities';
import { IWorkload, WorkloadFootprint } from './workload-footprint';

export interface NamespaceBaselineProps {
  /** Name of the namespace. */
  readonly namespaceName: string;
  /**
   * Extra room in the ResourceQuota on top of what the workloads can request at most, for
   * short-lived pods (jobs, debugging) and a rollout that overlaps an autoscaler burst.
   * @default 20
   */
  readonly quotaHeadroomPercent?: number;
  /**
   * Namespace of the cluster DNS, whose pods every workload may query.
   * @default 'kube-system'
   */
  readonly dnsNamespace?: string;
  /**
   * Labels of the cluster DNS pods.
   * @default { 'k8s-app': 'kube-dns' } (CoreDNS keeps this label for compatibility)
   */
  readonly dnsPodLabels?: Readonly<Record<string, string>>;
}

/** Container defaults for pods that set none; small on purpose, so a forgotten limit shows. */
const DEFAULT_CONTAINER_CPU_MILLIS = 100;
const DEFAULT_CONTAINER_MEMORY_MI = 128;
const DEFAULT_CONTAINER_EPHEMERAL_MI = 1024;

/**
 * The namespace every workload runs in, locked down before anything is put in it: Pod Security
 * Admission `restricted`, a quota derived from the workloads, container limits, default-deny
 * NetworkPolicies in both directions and DNS as the only flow allowed to every pod.
 */
export class NamespaceBaseline extends Construct {
  public readonly namespaceName: string;
  /**
   * The namespace and the guard rails every workload in it is held to (quota, container limits,
   * default-deny policies, DNS): what a tenant must not be able to change from its own content.
   */
  public readonly guardRails: readonly ApiObject[];
  private readonly workloads: IWorkload[] = [];
  private readonly headroomPercent: number;

  public constructor(scope: Construct, id: string, props: NamespaceBaselineProps) {
    super(scope, id);
    this.namespaceName = props.namespaceName;
    this.headroomPercent = props.quotaHeadroomPercent ?? 20;
    if (!Number.isInteger(this.headroomPercent) || this.headroomPercent < 0 || this.headroomPercent > 100) {
      throw new Error(`NamespaceBaseline ${id}: quotaHeadroomPercent is ${this.headroomPercent}; use a whole number from 0 to 100`);
    }
    const labels = { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' };

    const namespace = new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: this.namespaceName,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'v1.27',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'v1.27',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'v1.27',
        },
      },
    });

    const quota = new k8s.KubeResourceQuota(this, 'ResourceQuota', {
      metadata: {
        name: 'workload-quota',
        namespace: this.namespaceName,
        labels,
        annotations: {
          'generator-platform.dev/quota-basis': Lazy.any({ produce: () => this.quotaBasis() }),
        },
      },
      spec: { hard: Lazy.any({ produce: () => this.quotaHard() }) },
    });

    const limits = new k8s.KubeLimitRange(this, 'LimitRange', {
      metadata: { name: 'container-limits', namespace: this.namespaceName, labels },
      spec: { limits: Lazy.any({ produce: () => this.limitRangeItems() }) },
    });

    const defaultDeny = new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny-all', namespace: this.namespaceName, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    const dns = new k8s.KubeNetworkPolicy(this, 'AllowDnsEgress', {
      metadata: { name: 'allow-dns-egress', namespace: this.namespaceName, labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.dnsNamespace ?? 'kube-system' } },
                podSelector: { matchLabels: { ...(props.dnsPodLabels ?? { 'k8s-app': 'kube-dns' }) } },
              },
            ],
            ports: [
              { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
              { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
            ],
          },
        ],
      },
    });
    this.guardRails = [namespace, quota, limits, defaultDeny, dns];
  }

  /** Counts a workload into the namespace's quota and limits; workloads call it when they are created. */
  public addWorkload(workload: IWorkload): void {
    this.workloads.push(workload);
  }

  private total(pick: (f: WorkloadFootprint) => number): number {
    const sum = this.workloads.reduce((acc, w) => acc + w.footprint.maxPods * pick(w.footprint), 0);
    return Math.ceil((sum * (100 + this.headroomPercent)) / 100);
  }

  private max(pick: (f: WorkloadFootprint) => number, floor: number): number {
    return this.workloads.reduce((acc, w) => Math.max(acc, pick(w.footprint)), floor);
  }

  private quotaHard(): Record<string, k8s.Quantity> {
    const cpu = cpuQuantity(roundUp(this.total((f) => f.podCpuMillis), 1000));
    const memory = memoryQuantity(roundUp(this.total((f) => f.podMemoryMi), 1024));
    const ephemeral = gibibytes(this.total((f) => f.podEphemeralStorageGi));
    return {
      'pods': k8s.Quantity.fromNumber(this.total(() => 1)),
      'requests.cpu': cpu,
      'limits.cpu': cpu,
      'requests.memory': memory,
      'limits.memory': memory,
      'requests.ephemeral-storage': ephemeral,
      'limits.ephemeral-storage': ephemeral,
      'requests.storage': gibibytes(this.total((f) => f.podClaimStorageGi)),
      'persistentvolumeclaims': k8s.Quantity.fromNumber(this.total((f) => f.podClaimCount)),
      'services.loadbalancers': k8s.Quantity.fromNumber(0),
      'services.nodeports': k8s.Quantity.fromNumber(0),
    };
  }

  private quotaBasis(): string {
    const pods = this.workloads.reduce((acc, w) => acc + w.footprint.maxPods, 0);
    return `sum over workloads of (max replicas + rollout surge) x per-pod requests (${pods} pods), plus ${this.headroomPercent}% headroom`;
  }

  private limitRangeItems(): k8s.LimitRangeItem[] {
    return [
      {
        type: 'Container',
        default: {
          'cpu': cpuQuantity(DEFAULT_CONTAINER_CPU_MILLIS),
          'memory': memoryQuantity(DEFAULT_CONTAINER_MEMORY_MI),
          'ephemeral-storage': memoryQuantity(DEFAULT_CONTAINER_EPHEMERAL_MI),
        },
        defaultRequest: {
          'cpu': cpuQuantity(DEFAULT_CONTAINER_CPU_MILLIS),
          'memory': memoryQuantity(DEFAULT_CONTAINER_MEMORY_MI),
          'ephemeral-storage': memoryQuantity(DEFAULT_CONTAINER_EPHEMERAL_MI),
        },
        max: {
          cpu: cpuQuantity(this.max((f) => f.largestContainerCpuMillis, DEFAULT_CONTAINER_CPU_MILLIS)),
          memory: memoryQuantity(this.max((f) => f.largestContainerMemoryMi, DEFAULT_CONTAINER_MEMORY_MI)),
        },
      },
      {
        type: 'PersistentVolumeClaim',
        max: { storage: gibibytes(this.max((f) => f.largestClaimGi, 1)) },
      },
    ];
  }
}

function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}
