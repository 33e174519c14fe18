import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IPV4_CIDR } from '../platform/input-patterns';
import { PLATFORM_NAME } from '../platform/labels';
import { INetworkPeer, tcpPorts } from '../platform/network-peer';
import { LOGGING_NAMESPACE, LokiDeploymentMode } from './logging-settings';

/** Loki's HTTP port (`loki.server.http_listen_port`): push, query, and the components' own HTTP calls (the compactor's). */
export const LOKI_HTTP_PORT = 3100;
/** Loki's gRPC port (`loki.server.grpc_listen_port`): queriers to ingesters, index gateway, query scheduler. */
export const LOKI_GRPC_PORT = 9095;
/** Loki's memberlist port: the hash rings' gossip, over TCP only (dskit's TCP transport). */
export const LOKI_MEMBERLIST_PORT = 7946;
/** The chart's memcached caches (chunks, results), simple scalable mode only. */
export const LOKI_CACHE_PORT = 11211;

/** The chart's `app.kubernetes.io/component` of the pods serving each path, per mode. */
const WRITE_COMPONENTS: Readonly<Record<LokiDeploymentMode, readonly string[]>> = {
  [LokiDeploymentMode.SINGLE_BINARY]: ['single-binary'],
  [LokiDeploymentMode.SIMPLE_SCALABLE]: ['write'],
};
const READ_COMPONENTS: Readonly<Record<LokiDeploymentMode, readonly string[]>> = {
  [LokiDeploymentMode.SINGLE_BINARY]: ['single-binary'],
  [LokiDeploymentMode.SIMPLE_SCALABLE]: ['read'],
};
/** Where the rules sidecar (k8s-sidecar, which watches ConfigMaps through the API server) runs: the backend StatefulSet only. */
const RULES_SIDECAR_COMPONENTS: Readonly<Record<LokiDeploymentMode, readonly string[]>> = {
  [LokiDeploymentMode.SINGLE_BINARY]: [],
  [LokiDeploymentMode.SIMPLE_SCALABLE]: ['backend'],
};
const CACHE_COMPONENTS = ['memcached-chunks-cache', 'memcached-results-cache'];

export interface LoggingNetworkPoliciesProps {
  /** How Loki runs: which pods serve the write path, the read path and the rules sidecar. */
  readonly deploymentMode: LokiDeploymentMode;
  /** Loki's Helm release, the `app.kubernetes.io/instance` of its pods. */
  readonly lokiRelease: string;
  /** Fluent Bit's Helm releases: the only pods that may push to Loki. */
  readonly fluentBitReleases: readonly string[];
  /** The pods that may query Loki (Grafana), each in its own namespace. */
  readonly lokiReaders: readonly INetworkPeer[];
  /** Addresses of the bucket's endpoint, Loki's only destination outside the cluster. */
  readonly objectStorageCidrs: readonly string[];
  /**
   * Port of the bucket's endpoint.
   * @default 443
   */
  readonly objectStoragePort?: number;
  /** Addresses of the Kubernetes API server endpoints (NetworkPolicies see endpoint addresses, not the Service's). */
  readonly kubernetesApiCidrs: readonly string[];
  /**
   * Ports of the API server behind `kubernetesApiCidrs`.
   * @default [443, 6443]
   */
  readonly kubernetesApiPorts?: readonly number[];
  /**
   * Whether the chart runs its memcached caches (it does in simple scalable mode).
   * @default - true in simple scalable mode
   */
  readonly caches?: boolean;
  /**
   * Namespace of Loki and Fluent Bit.
   * @default LOGGING_NAMESPACE
   */
  readonly namespace?: string;
  /**
   * Namespace of the cluster DNS.
   * @default 'kube-system'
   */
  readonly dnsNamespace?: string;
  /**
   * Labels of the cluster DNS pods.
   * @default { 'k8s-app': 'kube-dns' }
   */
  readonly dnsPodLabels?: Readonly<Record<string, string>>;
}

/**
 * The logging namespace closed to everything but the log pipeline's own flows: default deny both
 * ways, DNS, Loki's push port for Fluent Bit only, its query port for the readers (Grafana) only,
 * Loki's components to each other (HTTP, gRPC, memberlist, caches), Loki to the bucket and Fluent
 * Bit and the rules sidecar to the API server. In simple scalable mode push and query are
 * different pods (write, read), so a reader cannot push and Fluent Bit cannot query; a single
 * binary serves both on one port. Only these pods reach Loki, and each sends the one tenant: no
 * other `X-Scope-OrgID` can arrive.
 */
export class LoggingNetworkPolicies extends Construct {
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: LoggingNetworkPoliciesProps) {
    super(scope, id);
    this.namespace = props.namespace ?? LOGGING_NAMESPACE;
    const fail = (field: string, value: unknown, fix: string): never => {
      throw new Error(`LoggingNetworkPolicies ${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
    };
    for (const [field, cidrs] of [['objectStorageCidrs', props.objectStorageCidrs], ['kubernetesApiCidrs', props.kubernetesApiCidrs]] as const) {
      if (cidrs.length === 0 || cidrs.some((cidr) => !IPV4_CIDR.test(cidr) || cidr.endsWith('/0'))) {
        fail(field, cidrs, 'list the destination\'s IPv4 CIDRs, never a /0');
      }
    }
    if (props.fluentBitReleases.length === 0) {
      fail('fluentBitReleases', props.fluentBitReleases, 'name the Fluent Bit releases that push to Loki');
    }
    const mode = props.deploymentMode;
    const objectStoragePort = props.objectStoragePort ?? 443;
    const apiPorts = props.kubernetesApiPorts ?? [443, 6443];
    const caches = props.caches ?? mode === LokiDeploymentMode.SIMPLE_SCALABLE;

    const loki = (components?: readonly string[]): k8s.LabelSelector => ({
      matchLabels: { 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/instance': props.lokiRelease, ...(components ? {} : { 'app.kubernetes.io/part-of': 'memberlist' }) },
      matchExpressions: components ? [{ key: 'app.kubernetes.io/component', operator: 'In', values: [...components] }] : undefined,
    });
    const members = loki();
    const fluentBit: k8s.LabelSelector = {
      matchLabels: { 'app.kubernetes.io/name': 'fluent-bit' },
      matchExpressions: [{ key: 'app.kubernetes.io/instance', operator: 'In', values: [...props.fluentBitReleases] }],
    };
    const cidrPeers = (cidrs: readonly string[]): k8s.NetworkPolicyPeer[] => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    const policy = (name: string, spec: k8s.NetworkPolicySpec) =>
      new k8s.KubeNetworkPolicy(this, name, { metadata: { name, namespace: this.namespace, labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME } }, spec });

    policy('default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    policy('allow-dns-egress', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.dnsNamespace ?? 'kube-system' } }, podSelector: { matchLabels: { ...(props.dnsPodLabels ?? { 'k8s-app': 'kube-dns' }) } } }],
        ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
      }],
    });
    const memberPorts = tcpPorts(LOKI_HTTP_PORT, LOKI_GRPC_PORT, LOKI_MEMBERLIST_PORT);
    policy('loki-components', {
      podSelector: members,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: members }], ports: memberPorts }],
      egress: [
        { to: [{ podSelector: members }], ports: memberPorts },
        ...(caches ? [{ to: [{ podSelector: loki(CACHE_COMPONENTS) }], ports: tcpPorts(LOKI_CACHE_PORT) }] : []),
        { to: cidrPeers(props.objectStorageCidrs), ports: tcpPorts(objectStoragePort) },
      ],
    });
    policy('loki-push-from-fluent-bit', {
      podSelector: loki(WRITE_COMPONENTS[mode]),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: fluentBit }], ports: tcpPorts(LOKI_HTTP_PORT) }],
    });
    if (props.lokiReaders.length > 0) {
      policy('loki-query-from-readers', {
        podSelector: loki(READ_COMPONENTS[mode]),
        policyTypes: ['Ingress'],
        ingress: [{ from: props.lokiReaders.map((reader) => reader.toNetworkPolicyPeer(this.namespace)), ports: tcpPorts(LOKI_HTTP_PORT) }],
      });
    }
    if (caches) {
      policy('loki-caches', {
        podSelector: loki(CACHE_COMPONENTS),
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: members }], ports: tcpPorts(LOKI_CACHE_PORT) }],
      });
    }
    if (RULES_SIDECAR_COMPONENTS[mode].length > 0) {
      policy('loki-rules-sidecar-to-kubernetes-api', {
        podSelector: loki(RULES_SIDECAR_COMPONENTS[mode]),
        policyTypes: ['Egress'],
        egress: [{ to: cidrPeers(props.kubernetesApiCidrs), ports: tcpPorts(...apiPorts) }],
      });
    }
    policy('fluent-bit-egress', {
      podSelector: fluentBit,
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: loki(WRITE_COMPONENTS[mode]) }], ports: tcpPorts(LOKI_HTTP_PORT) },
        { to: cidrPeers(props.kubernetesApiCidrs), ports: tcpPorts(...apiPorts) },
      ],
    });
  }
}

/** The in-cluster address of Loki's push API in `mode`: the write Service, or the single binary's. */
export function lokiPushHost(mode: LokiDeploymentMode, release: string, namespace: string = LOGGING_NAMESPACE): string {
  return `${mode === LokiDeploymentMode.SINGLE_BINARY ? release : `${release}-write`}.${namespace}.svc.cluster.local`;
}

/** The in-cluster URL of Loki's query API in `mode`: the read Service, or the single binary's. */
export function lokiQueryUrl(mode: LokiDeploymentMode, release: string, namespace: string = LOGGING_NAMESPACE): string {
  return `http://${mode === LokiDeploymentMode.SINGLE_BINARY ? release : `${release}-read`}.${namespace}.svc.cluster.local:${LOKI_HTTP_PORT}`;
}
