import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AnalysisTemplate, AnalysisTemplateSpecMetricsCount, AnalysisTemplateSpecMetricsFailureLimit } from '../../imports/argoproj.io';
import { ImageReference } from '../platform/image-reference';
import { selectorLabels, workloadLabels } from '../platform/labels';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { INetworkPeer, tcpPorts } from '../platform/network-peer';
import { memoryQuantity } from '../platform/quantities';
import { guaranteedResources } from '../workloads/container-resources';
import { restrictedContainerSecurityContext, RUN_AS_ID } from '../platform/security-contexts';
import { PropError } from '../platform/prop-error';
import { IWorkload, WorkloadFootprint, singleContainerFootprint } from '../platform/workload-footprint';
import { VaultSecret } from '../security/vault-secret';
import { imageReference } from '../platform/image-reference';
import { IHttpsService } from '../workloads/https-service';
import { restrictedPodSpec } from '../workloads/restricted-pod-spec';
import { SERVICE_HTTP_PORT, TRUSTED_CA_ROOT } from '../workloads/workload-conventions';
import { ANALYSIS_ARGS } from './release-analysis';

export interface PreviewTrafficProps {
  /** The namespace to run in; the traffic pod counts itself into its quota. */
  readonly namespace: NamespaceBaseline;
  /** An image with `node` (20 or newer, for `fetch`) on its PATH, e.g. the target's own image. */
  readonly image: ImageReference;
  /**
   * Seconds the traffic lasts: long enough to cover the gate's measurements and its rate window.
   * @default 120
   */
  readonly durationSeconds?: number;
  /**
   * Requests per second sent to the preview Service.
   * @default 5
   */
  readonly requestsPerSecond?: number;
  /**
   * Path requested.
   * @default '/'
   */
  readonly path?: string;
}

/** Sends `requestsPerSecond` GETs for `durationSeconds`; exits 1 when any request fails or answers 5xx. */
const TRAFFIC_SCRIPT = [
  'const url = process.env.TARGET_URL;',
  'const end = Date.now() + Number(process.env.DURATION_SECONDS) * 1000;',
  'const gap = 1000 / Number(process.env.REQUESTS_PER_SECOND);',
  'let sent = 0; let failed = 0;',
  '(async () => {',
  '  while (Date.now() < end) {',
  '    sent++;',
  '    try { const r = await fetch(url, { signal: AbortSignal.timeout(5000) }); await r.arrayBuffer(); if (r.status >= 500) failed++; } catch { failed++; }',
  '    await new Promise((resolve) => setTimeout(resolve, gap));',
  '  }',
  '  console.log(JSON.stringify({ url, sent, failed }));',
  '  process.exit(failed === 0 ? 0 : 1);',
  '})();',
].join('\n');

/**
 * Traffic for the preview pods of a blue-green release, which no user reaches before promotion:
 * an AnalysisTemplate, `<id>`, whose one metric is a Job that requests the preview Service for
 * the length of the gate, so the gate's Prometheus queries measure real requests (a silent
 * preview fails the gate). The Job fails the analysis itself on any failed request. It speaks
 * HTTPS and verifies the preview against the CA of the target's server certificate; a request
 * that fails verification counts as failed.
 */
export class PreviewTraffic extends Construct implements INetworkPeer, IWorkload {
  public readonly peerName: string;
  public readonly templateName: string;
  public readonly durationSeconds: number;
  /** Seconds after which Kubernetes stops the Job: the most the traffic metric can take. */
  public readonly activeDeadlineSeconds: number;
  public readonly footprint: WorkloadFootprint;
  private readonly namespaceName: string;
  private target?: IHttpsService;
  private readonly imagePullSecrets: k8s.LocalObjectReference[] = [];
  /** The target's CA (only `ca.crt` of its server certificate's Secret), added by sendTo(). */
  private readonly volumes: k8s.Volume[] = [];
  private readonly volumeMounts: k8s.VolumeMount[] = [];
  private readonly env: k8s.EnvVar[];

  public constructor(scope: Construct, id: string, props: PreviewTrafficProps) {
    super(scope, id);
    this.peerName = id;
    this.templateName = id;
    this.namespaceName = props.namespace.namespaceName;
    this.durationSeconds = props.durationSeconds ?? 120;
    const requestsPerSecond = props.requestsPerSecond ?? 5;
    const path = props.path ?? '/';
    if (!Number.isInteger(this.durationSeconds) || this.durationSeconds < 30 || this.durationSeconds > 600) {
      throw new PropError(id, 'durationSeconds', this.durationSeconds, 'use a whole number of seconds from 30 to 600');
    }
    if (!Number.isInteger(requestsPerSecond) || requestsPerSecond < 1 || requestsPerSecond > 50) {
      throw new PropError(id, 'requestsPerSecond', requestsPerSecond, 'use a whole number from 1 to 50');
    }
    if (!path.startsWith('/')) {
      throw new PropError(id, 'path', path, 'use an absolute path such as /');
    }
    // Pod start and the last request's timeout on top of the traffic itself.
    this.activeDeadlineSeconds = this.durationSeconds + 30;
    const cpuMillis = 100;
    const memoryMi = 128;
    this.footprint = singleContainerFootprint({ maxPods: 1, cpuMillis, memoryMi, ephemeralStorageGi: 1 });
    props.namespace.addWorkload(this);

    const labels = workloadLabels(id, 'release-analysis');
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: id, namespace: this.namespaceName, labels },
      automountServiceAccountToken: false,
      imagePullSecrets: Lazy.any({ produce: () => (this.imagePullSecrets.length > 0 ? this.imagePullSecrets : undefined) }),
    });
    this.env = [
      {
        name: 'TARGET_URL',
        // The preview Service's name is in the target's server certificate, so fetch verifies it by name.
        value: `https://{{args.${ANALYSIS_ARGS.service}}}.{{args.${ANALYSIS_ARGS.namespace}}}.svc.cluster.local:${SERVICE_HTTP_PORT}${path}`,
      },
      { name: 'DURATION_SECONDS', value: String(this.durationSeconds) },
      { name: 'REQUESTS_PER_SECOND', value: String(requestsPerSecond) },
    ];
    const pod: k8s.PodTemplateSpec = {
      metadata: { labels },
      spec: {
        ...restrictedPodSpec(id, [
          {
            name: 'traffic',
            image: imageReference(props.image),
            imagePullPolicy: 'Always',
            command: ['node', '-e', TRAFFIC_SCRIPT],
            env: this.env,
            resources: guaranteedResources(cpuMillis, memoryMi, memoryQuantity(1024)),
            securityContext: restrictedContainerSecurityContext(RUN_AS_ID),
            volumeMounts: this.volumeMounts,
          },
        ], this.volumes),
        restartPolicy: 'Never',
      },
    };
    new AnalysisTemplate(this, 'Resource', {
      metadata: { name: id, namespace: this.namespaceName, labels },
      spec: {
        args: [{ name: ANALYSIS_ARGS.service }, { name: ANALYSIS_ARGS.namespace }],
        metrics: [
          {
            name: 'preview-traffic',
            count: AnalysisTemplateSpecMetricsCount.fromNumber(1),
            failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(0),
            provider: {
              job: {
                metadata: { labels },
                spec: {
                  backoffLimit: 0,
                  activeDeadlineSeconds: this.activeDeadlineSeconds,
                  // The generated class types the pod template field by field; it is the same PodTemplateSpec.
                  // Lazy: sendTo() adds the target's CA after construction.
                  template: Lazy.any({ produce: () => k8s.toJson_PodTemplateSpec(pod) }) as never,
                },
              },
            },
          },
        ],
      },
    });

    this.node.addValidation({
      validate: () => (this.target ? [] : [`${id} sends traffic to no service; call sendTo() with the service whose preview it exercises`]),
    });
  }

  /** Pulls the traffic Job's image (a platform image) with `credentials`, through its ServiceAccount. */
  public pullImagesWith(credentials: VaultSecret): void {
    const reference = credentials.imagePullSecret();
    if (!this.imagePullSecrets.some((existing) => existing.name === reference.name)) {
      this.imagePullSecrets.push(reference);
    }
  }

  /**
   * Opens the flow from the traffic pod to `target`'s pods (preview pods carry the same labels) on
   * its traffic port. The service is built with this template in its blue-green strategy first,
   * so the flow is opened afterwards.
   */
  public sendTo(target: IHttpsService): void {
    if (this.target) {
      throw new Error(`${this.peerName} already sends traffic to ${this.target.name}; one PreviewTraffic per service`);
    }
    const httpPort = target.httpPort;
    if (httpPort === undefined) {
      throw new Error(`${this.peerName}: ${target.name} serves no traffic port to send preview traffic to`);
    }
    this.target = target;
    // Node's fetch trusts NODE_EXTRA_CA_CERTS (read at start) besides its bundled roots.
    const caFolder = `${TRUSTED_CA_ROOT}/${target.serverTlsSecretName}`;
    this.volumes.push({ name: 'target-ca', secret: { secretName: target.serverTlsSecretName, items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } });
    this.volumeMounts.push({ name: 'target-ca', mountPath: caFolder, readOnly: true });
    this.env.push({ name: 'NODE_EXTRA_CA_CERTS', value: `${caFolder}/ca.crt` });
    target.allowTrafficFrom(this);
    new k8s.KubeNetworkPolicy(this, `AllowEgress-to-${target.name}`, {
      metadata: {
        name: `${this.peerName}-allow-egress-to-${target.name}`,
        namespace: this.namespaceName,
        labels: workloadLabels(this.peerName, 'release-analysis'),
      },
      spec: {
        podSelector: { matchLabels: selectorLabels(this.peerName) },
        policyTypes: ['Egress'],
        egress: [{ to: [target.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(httpPort) }],
      },
    });
  }

  public toNetworkPolicyPeer(fromNamespace: string): k8s.NetworkPolicyPeer {
    const podSelector = { matchLabels: selectorLabels(this.peerName) };
    if (fromNamespace === this.namespaceName) {
      return { podSelector };
    }
    return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespaceName } }, podSelector };
  }
}
