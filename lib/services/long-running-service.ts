import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Rollout, toJson_RolloutSpecStrategy } from '../../imports/argoproj.io';
import { DeliveryKind, DeliveryStrategy } from '../delivery/delivery-strategy';
import { imageReference } from '../platform/image-reference';
import { Replicas } from '../platform/replicas';
import { PUBLIC_PATHS_ANNOTATION, selectorLabels, workloadLabels } from '../platform/labels';
import { DNS_LABEL, HOSTNAME } from '../platform/input-patterns';
import { INetworkPeer, tcpPorts } from '../platform/network-peer';
import { cpuQuantity, gibibytes, memoryQuantity } from '../platform/quantities';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, RUN_AS_ID } from '../platform/security-contexts';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { IWorkload, WorkloadFootprint } from '../platform/workload-footprint';
import { zoneAndHostSpread } from '../platform/zone-and-host-spread';
import { zoneNodeAffinity } from '../platform/zone-node-affinity';
import { PROBE_PERIOD_SECONDS } from '../platform/probes';
import { MetricsServiceMonitor } from '../observability/metrics-service-monitor';
import { CLUSTER_INTERNAL_CA } from '../security/internal-certificate-authority';
import { CertificateLifetime, DEFAULT_CERTIFICATE_LIFETIME, ICertificateIssuer, TlsCertificate } from '../security/tls-certificate';
import { secretReloadAnnotations } from '../security/secret-reload';
import { VaultSecret } from '../security/vault-secret';
import { INGRESS_BACKEND_CLIENT_SECRET, ingressBackendTlsAnnotations } from '../security/ingress-backend-tls';
import type { OAuth2Proxy } from '../security/oauth2-proxy';
import { ApplicationServiceProps } from './application-service-props';

/** Name of the namespace's client Certificate (and Secret) ingress-nginx presents to, and verifies, the services' HTTPS listeners with. */

/** A writable folder on an emptyDir; the root filesystem itself is read-only. */
export interface ScratchVolume {
  readonly name: string;
  readonly mountPath: string;
  readonly sizeLimitMi: number;
}

export interface IngressOptions {
  /** Public hostname. */
  readonly hostname: string;
  /** The ingress controller's pods, allowed to reach the traffic port. */
  readonly ingressController: INetworkPeer;
  /** cert-manager issuer of the hostname's certificate. */
  readonly tlsIssuer: ICertificateIssuer;
  /** Lifetime and renewal of the hostname's certificate. */
  readonly tlsCertificateLifetime: CertificateLifetime;
  /**
   * IngressClass of ingress-nginx.
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
  /**
   * Secret that holds the TLS certificate.
   * @default '<service name>-tls'
   */
  readonly tlsSecretName?: string;
  /**
   * Requests per second one client address may send (ingress-nginx `limit-rps`); bursts of five
   * times this are queued, the rest answered 503.
   * @default 20
   */
  readonly rateLimitPerSecond?: number;
  /**
   * Concurrent connections one client address may hold (`limit-connections`).
   * @default 20
   */
  readonly connectionLimit?: number;
  /**
   * Largest request body accepted, in MiB (`proxy-body-size`).
   * @default 10
   */
  readonly maxBodySizeMi?: number;
  /**
   * Seconds ingress-nginx waits for the service to answer or accept data (`proxy-read-timeout`, `proxy-send-timeout`).
   * @default 60
   */
  readonly upstreamTimeoutSeconds?: number;
}


export interface SignInOptions {
  /**
   * Paths that bypass sign-in, published by an Ingress of their own: a path ending in `/` as a
   * prefix (`/webhooks/`), any other exactly (`/healthz`).
   * @default - none: every path needs a session
   */
  readonly publicPaths?: readonly string[];
  /**
   * Why the public paths may skip sign-in; the value of `security.generator-platform.dev/public-paths`.
   * @default 'health checks and webhooks, which authenticate their callers themselves'
   */
  readonly publicPathsReason?: string;
}

export interface LongRunningServiceProps extends ApplicationServiceProps {
  /** Recommended-label component, e.g. `frontend`, `backend`, `worker`. */
  readonly component: string;
  /**
   * Port serving the application's traffic; no Service port for traffic when undefined.
   * @default - no traffic port (a worker)
   */
  readonly httpPort?: number;
  /**
   * Port serving `/metrics` (and the health endpoints when there is no traffic port).
   * @default 9090
   */
  readonly metricsPort?: number;
  /**
   * Liveness endpoint: fails only when a restart would help.
   * @default '/healthz'
   */
  readonly livenessPath?: string;
  /**
   * Readiness endpoint: fails while the pod should get no traffic (starting, draining, dependency down).
   * @default '/readyz'
   */
  readonly readinessPath?: string;
  /**
   * How long a pod may take to start before it is restarted.
   * @default 120
   */
  readonly startupTimeoutSeconds?: number;
  /**
   * Seconds the preStop hook waits so that endpoints and the ingress controller stop sending
   * traffic before the process gets SIGTERM.
   * @default 10
   */
  readonly drainSeconds?: number;
  /**
   * Seconds the process has after SIGTERM to finish in-flight work.
   * @default 20
   */
  readonly shutdownTimeoutSeconds?: number;
  /**
   * Writable emptyDir folders.
   * @default - a 1Gi /tmp
   */
  readonly scratchVolumes?: readonly ScratchVolume[];
  /**
   * Mount path of a per-pod PersistentVolumeClaim (a generic ephemeral volume) of `resources.storageGi`.
   * @default - no workspace volume; `resources.storageGi` is ephemeral storage
   */
  readonly workspaceMountPath?: string;
  /**
   * StorageClass of the workspace volume.
   * @default - the cluster's default StorageClass
   */
  readonly workspaceStorageClass?: string;
  /**
   * Ephemeral storage per pod when a workspace volume holds the bulk of the data.
   * @default 2
   */
  readonly workspaceEphemeralStorageGi?: number;
  /**
   * Another autoscaler (a KEDA ScaledObject) owns the replica count: no HorizontalPodAutoscaler is
   * rendered, and synth fails unless one is attached with `useExternalScaler`.
   * @default false
   */
  readonly externallyScaled?: boolean;
  /**
   * Extra environment variables for the container.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * How a new version replaces the running one: a Deployment's rolling update, or an Argo Rollout
   * (blue-green or canary) with the same pod template, judged by Prometheus analysis.
   * @default DeliveryStrategy.rollingUpdate()
   */
  readonly deliveryStrategy?: DeliveryStrategy;
}

/** What an autoscaler's `scaleTargetRef` names: the Deployment or the Rollout that owns the pods. */
export interface WorkloadReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/**
 * The shared base of every long-running container of the platform: a Deployment (or, with a
 * blue-green or canary `deliveryStrategy`, an Argo Rollout with the same pod template) that is
 * secure by default, zero-downtime on update, spread over zones and nodes, autoscaled, protected by
 * a PodDisruptionBudget, reachable through a Service and closed to every flow not asked for.
 */
export class LongRunningService extends Construct implements IWorkload, INetworkPeer {
  public readonly name: string;
  public readonly peerName: string;
  public readonly namespaceName: string;
  public readonly httpPort?: number;
  public readonly metricsPort: number;
  public readonly footprint: WorkloadFootprint;
  /** DNS name of the Service inside the cluster. */
  public readonly serviceHost: string;
  /** Service port that forwards to the traffic port. */
  public static readonly SERVICE_HTTP_PORT = 80;
  /** Folder under which `trustCertificateAuthority()` mounts each trusted CA. */
  public static readonly TRUSTED_CA_ROOT = '/etc/generator-platform/ca';
  /** Folder holding the service's own key pair (`tls.crt`, `tls.key`, `ca.crt`), refreshed in place by the kubelet on renewal. */
  public static readonly SERVER_TLS_ROOT = '/etc/generator-platform/tls';
  /** Secret of the certificate the traffic and metrics ports serve HTTPS with: `<name>-server-tls`. */
  public readonly serverTlsSecretName: string;
  /** The name clients verify the service's certificate against: `<name>.<namespace>.svc`. */
  public readonly serverTlsName: string;
  private readonly serverTlsIssuer: ICertificateIssuer;
  private readonly namespaceBaseline: NamespaceBaseline;
  private readonly serverTlsCertificateLifetime: CertificateLifetime;
  private readonly componentLabels: Record<string, string>;
  private readonly env: k8s.EnvVar[];
  private readonly volumes: k8s.Volume[];
  private readonly volumeMounts: k8s.VolumeMount[];
  /** The replica count or bounds the service was configured with. */
  public readonly replicas: Replicas;
  /** How new versions replace the running one. */
  public readonly deliveryStrategy: DeliveryStrategy;
  /** The object that owns the pods, for an autoscaler's `scaleTargetRef`: the Deployment or the Rollout. */
  public readonly workloadReference: WorkloadReference;
  private externalScaler?: string;
  private ingressExposed = false;
  /** The Ingress of exposeViaIngress(), which requireSignIn() puts behind the proxy. */
  private ingress?: k8s.KubeIngress;
  /** Ingresses besides `ingress` that route to this service (requireSignIn()'s public paths): a canary shifts their traffic too. */
  private readonly additionalStableIngresses: string[] = [];
  private readonly imagePullSecrets: k8s.LocalObjectReference[] = [];

  public constructor(scope: Construct, id: string, props: LongRunningServiceProps) {
    super(scope, id);
    this.name = id;
    this.peerName = id;
    this.namespaceName = props.namespace.namespaceName;
    this.namespaceBaseline = props.namespace;
    this.httpPort = props.httpPort;
    this.metricsPort = props.metricsPort ?? 9090;
    this.serviceHost = `${id}.${this.namespaceName}.svc.cluster.local`;
    this.serverTlsSecretName = `${id}-server-tls`;
    this.serverTlsName = `${id}.${this.namespaceName}.svc`;
    this.serverTlsIssuer = props.serverTlsIssuer ?? CLUSTER_INTERNAL_CA;
    this.serverTlsCertificateLifetime = props.serverTlsCertificateLifetime ?? DEFAULT_CERTIFICATE_LIFETIME;
    this.componentLabels = workloadLabels(id, props.component);
    this.deliveryStrategy = props.deliveryStrategy ?? DeliveryStrategy.rollingUpdate();
    validateProps(id, props, this.deliveryStrategy);
    const progressive = this.deliveryStrategy.isProgressive;
    this.workloadReference = progressive
      ? { apiVersion: Rollout.GVK.apiVersion, kind: Rollout.GVK.kind, name: id }
      : { apiVersion: 'apps/v1', kind: 'Deployment', name: id };

    const drainSeconds = props.drainSeconds ?? 10;
    const shutdownTimeoutSeconds = props.shutdownTimeoutSeconds ?? 20;
    const scratchVolumes = props.scratchVolumes ?? [{ name: 'tmp', mountPath: '/tmp', sizeLimitMi: 1024 }];
    const ephemeralStorageGi = props.workspaceMountPath ? (props.workspaceEphemeralStorageGi ?? 2) : props.resources.storageGi;
    this.footprint = {
      maxPods: this.deliveryStrategy.maxPodsDuringRelease(props.replicas.max),
      podCpuMillis: props.resources.cpuMillis,
      podMemoryMi: props.resources.memoryMi,
      podEphemeralStorageGi: ephemeralStorageGi,
      podClaimStorageGi: props.workspaceMountPath ? props.resources.storageGi : 0,
      podClaimCount: props.workspaceMountPath ? 1 : 0,
      largestContainerCpuMillis: props.resources.cpuMillis,
      largestContainerMemoryMi: props.resources.memoryMi,
      largestClaimGi: props.workspaceMountPath ? props.resources.storageGi : 0,
    };
    props.namespace.addWorkload(this);

    const metadata = (name: string) => ({ name, namespace: this.namespaceName, labels: this.componentLabels });

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(id),
      automountServiceAccountToken: false,
      // On the ServiceAccount, so every pod of it (a Rollout's too) pulls with them.
      imagePullSecrets: Lazy.any({ produce: () => (this.imagePullSecrets.length > 0 ? this.imagePullSecrets : undefined) }),
    });
    // Pods read Secrets as environment variables only at start: Reloader restarts them on a change.
    const workloadMetadata = { ...metadata(id), annotations: secretReloadAnnotations(() => podTemplate.spec?.containers ?? []) };

    const ports: k8s.ContainerPort[] = [
      ...(this.httpPort !== undefined ? [{ name: 'http', containerPort: this.httpPort, protocol: 'TCP' }] : []),
      { name: 'metrics', containerPort: this.metricsPort, protocol: 'TCP' },
    ];
    const probePort = k8s.IntOrString.fromString(this.httpPort !== undefined ? 'http' : 'metrics');
    // Every listener serves HTTPS; the kubelet does not verify the certificate, every other client does.
    const probeGet = (path: string): k8s.HttpGetAction => ({ path, port: probePort, scheme: 'HTTPS' });
    const newVersionService = progressive ? `${id}-${this.deliveryStrategy.newVersionServiceSuffix}` : undefined;
    // Valid for every Service that routes to the pods, so a client of the preview or canary
    // Service verifies the same certificate as one of the stable Service.
    new TlsCertificate(this, 'ServerCertificate', {
      namespace: this.namespaceName,
      secretName: this.serverTlsSecretName,
      dnsNames: [id, ...(newVersionService !== undefined ? [newVersionService] : [])].flatMap((service) => [
        `${service}.${this.namespaceName}.svc`,
        `${service}.${this.namespaceName}.svc.cluster.local`,
      ]),
      issuer: this.serverTlsIssuer,
      durationHours: this.serverTlsCertificateLifetime.durationHours,
      renewBeforeHours: this.serverTlsCertificateLifetime.renewBeforeHours,
    });
    const quantities = {
      'cpu': cpuQuantity(props.resources.cpuMillis),
      'memory': memoryQuantity(props.resources.memoryMi),
      'ephemeral-storage': gibibytes(ephemeralStorageGi),
    };
    const volumes: k8s.Volume[] = this.volumes = scratchVolumes.map((v) => ({
      name: v.name,
      emptyDir: { sizeLimit: memoryQuantity(v.sizeLimitMi) },
    }));
    const volumeMounts: k8s.VolumeMount[] = this.volumeMounts = scratchVolumes.map((v) => ({ name: v.name, mountPath: v.mountPath }));
    // The folder, not the files (subPath), so that the kubelet swaps in a renewed key pair; the
    // process re-reads it (container contract): no restart, which for a Rollout would be a release.
    volumes.push({
      name: 'server-tls',
      secret: {
        secretName: this.serverTlsSecretName,
        items: ['tls.crt', 'tls.key', 'ca.crt'].map((key) => ({ key, path: key })),
        defaultMode: 0o440,
      },
    });
    volumeMounts.push({ name: 'server-tls', mountPath: LongRunningService.SERVER_TLS_ROOT, readOnly: true });
    if (props.workspaceMountPath) {
      volumes.push({
        name: 'workspace',
        ephemeral: {
          volumeClaimTemplate: {
            metadata: { labels: this.componentLabels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: props.workspaceStorageClass,
              resources: { requests: { storage: gibibytes(props.resources.storageGi) } },
            },
          },
        },
      });
      volumeMounts.push({ name: 'workspace', mountPath: props.workspaceMountPath });
    }

    this.env = [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      ...(this.httpPort !== undefined ? [{ name: 'PORT', value: String(this.httpPort) }] : []),
      { name: 'METRICS_PORT', value: String(this.metricsPort) },
      { name: 'TLS_CERT_FILE', value: `${LongRunningService.SERVER_TLS_ROOT}/tls.crt` },
      { name: 'TLS_KEY_FILE', value: `${LongRunningService.SERVER_TLS_ROOT}/tls.key` },
      { name: 'SHUTDOWN_TIMEOUT_SECONDS', value: String(shutdownTimeoutSeconds) },
      { name: 'LOG_LEVEL', value: props.logLevel ?? 'info' },
      ...Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value })),
    ];

    const strict = props.strictTopologySpread ?? true;

    const podTemplate: k8s.PodTemplateSpec = {
      metadata: { labels: { ...this.componentLabels, 'app.kubernetes.io/version': props.image.tag } },
      spec: {
        serviceAccountName: id,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        terminationGracePeriodSeconds: drainSeconds + shutdownTimeoutSeconds + 5,
        securityContext: restrictedPodSecurityContext(),
        affinity: {
          nodeAffinity: zoneNodeAffinity(props.zones),
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels(id) } },
              },
            ],
          },
        },
        // Argo Rollouts labels its ReplicaSets' pods with rollouts-pod-template-hash.
        topologySpreadConstraints: zoneAndHostSpread(selectorLabels(id), strict, progressive ? 'rollouts-pod-template-hash' : 'pod-template-hash'),
        containers: [
          {
            name: id,
            image: imageReference(props.image),
            imagePullPolicy: 'Always',
            ports,
            env: this.env,
            resources: { requests: quantities, limits: quantities },
            securityContext: restrictedContainerSecurityContext(RUN_AS_ID),
            startupProbe: {
              httpGet: probeGet(props.livenessPath ?? '/healthz'),
              periodSeconds: PROBE_PERIOD_SECONDS,
              timeoutSeconds: 2,
              failureThreshold: Math.ceil((props.startupTimeoutSeconds ?? 120) / PROBE_PERIOD_SECONDS),
            },
            readinessProbe: {
              httpGet: probeGet(props.readinessPath ?? '/readyz'),
              periodSeconds: PROBE_PERIOD_SECONDS,
              timeoutSeconds: 2,
              failureThreshold: 2,
              successThreshold: 1,
            },
            livenessProbe: {
              httpGet: probeGet(props.livenessPath ?? '/healthz'),
              periodSeconds: 10,
              timeoutSeconds: 3,
              failureThreshold: 3,
            },
            lifecycle: { preStop: { exec: { command: ['sleep', String(drainSeconds)] } } },
            volumeMounts,
          },
        ],
        volumes,
      },
    };

    const replicas = props.replicas.isAutoscaled ? undefined : props.replicas.min;
    const revisionHistoryLimit = 5;
    const minReadySeconds = 5;
    if (progressive && newVersionService !== undefined) {
      // A plain ApiObject rather than the generated Rollout class: the pod template is the same
      // k8s.PodTemplateSpec as a Deployment's, rendered lazily so that addEnvironment() still reaches it.
      new ApiObject(this, 'Rollout', {
        ...Rollout.GVK,
        metadata: workloadMetadata,
        spec: {
          replicas,
          revisionHistoryLimit,
          minReadySeconds,
          progressDeadlineSeconds: this.deliveryStrategy.progressDeadlineSeconds,
          // A release that makes no progress for progressDeadlineSeconds is aborted and rolled back, not left half done.
          progressDeadlineAbort: true,
          selector: { matchLabels: selectorLabels(id) },
          // Lazy: requireSignIn() adds the public paths' Ingress after construction.
          strategy: Lazy.any({
            produce: () => toJson_RolloutSpecStrategy(this.deliveryStrategy.rolloutStrategy({
              namespace: this.namespaceName,
              stableService: id,
              newVersionService,
              additionalStableIngresses: this.additionalStableIngresses,
            })),
          }),
          template: Lazy.any({ produce: () => k8s.toJson_PodTemplateSpec(podTemplate) }),
        },
      });
      // Same selector and ports as the stable Service; Argo Rollouts adds the new ReplicaSet's
      // rollouts-pod-template-hash to its selector while a release runs.
      this.renderService('NewVersionService', newVersionService);
      if (this.deliveryStrategy.kind === DeliveryKind.CANARY) {
        this.node.addValidation({
          validate: () => (this.ingressExposed ? [] : [`${id} releases as a canary through ingress-nginx, which needs the stable Ingress; call exposeViaIngress()`]),
        });
      }
    } else {
      new k8s.KubeDeployment(this, 'Deployment', {
        metadata: workloadMetadata,
        spec: {
          replicas,
          revisionHistoryLimit,
          progressDeadlineSeconds: 300,
          minReadySeconds,
          selector: { matchLabels: selectorLabels(id) },
          strategy: {
            type: 'RollingUpdate',
            rollingUpdate: {
              // This share of pods is added before any old pod goes; none goes first (zero downtime).
              maxSurge: k8s.IntOrString.fromString(`${this.deliveryStrategy.maxSurgePercent}%`),
              maxUnavailable: k8s.IntOrString.fromNumber(0),
            },
          },
          template: podTemplate,
        },
      });
    }

    this.renderService('Service', id);

    new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata: metadata(id),
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selectorLabels(id) },
        // A pod that never became ready protects nothing; letting it go keeps node drains moving.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });

    this.replicas = props.replicas;
    if (props.externallyScaled && props.replicas.isAutoscaled) {
      this.node.addValidation({
        validate: () => (this.externalScaler ? [] : [`${id} is externallyScaled but no scaler was attached; call useExternalScaler() (e.g. through JobQueue.scaleConsumer)`]),
      });
    }
    if (props.replicas.isAutoscaled && !props.externallyScaled) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'HorizontalPodAutoscaler', {
        metadata: metadata(id),
        spec: {
          scaleTargetRef: { ...this.workloadReference },
          minReplicas: props.replicas.min,
          maxReplicas: props.replicas.max,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: props.targetCpuUtilizationPercent ?? 70 } },
            },
          ],
          behavior: {
            scaleUp: {
              stabilizationWindowSeconds: 0,
              selectPolicy: 'Max',
              policies: [
                { type: 'Percent', value: 100, periodSeconds: 30 },
                { type: 'Pods', value: 4, periodSeconds: 30 },
              ],
            },
            scaleDown: {
              stabilizationWindowSeconds: 300,
              selectPolicy: 'Min',
              policies: [{ type: 'Percent', value: 25, periodSeconds: 60 }],
            },
          },
        },
      });
    }

    this.allowIngressFrom(props.metricsScraper, this.metricsPort, 'metrics-scrape');
    new MetricsServiceMonitor(this, 'ServiceMonitor', {
      namespace: this.namespaceName,
      serviceLabels: selectorLabels(id),
      // Every Service of the workload (stable, preview, canary) reaches pods with the same certificate.
      tlsCaSecretName: this.serverTlsSecretName,
      tlsServerName: this.serverTlsName,
    });
  }

  private renderService(constructId: string, name: string): void {
    new k8s.KubeService(this, constructId, {
      metadata: { name, namespace: this.namespaceName, labels: this.componentLabels },
      spec: {
        type: 'ClusterIP',
        selector: selectorLabels(this.name),
        ports: [
          ...(this.httpPort !== undefined
            ? [{ name: 'http', port: LongRunningService.SERVICE_HTTP_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP', appProtocol: 'https' }]
            : []),
          // Port names stay `http` and `metrics` (Ingress backends, ServiceMonitors, Rollouts name them); both speak HTTPS.
          { name: 'metrics', port: this.metricsPort, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP', appProtocol: 'https' },
        ],
      },
    });
  }

  public toNetworkPolicyPeer(fromNamespace: string): k8s.NetworkPolicyPeer {
    const podSelector = { matchLabels: selectorLabels(this.name) };
    if (fromNamespace === this.namespaceName) {
      return { podSelector };
    }
    return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespaceName } }, podSelector };
  }

  /**
   * Lets `peer` reach this service's traffic port. When the peer is another service of the
   * platform, its egress to this service is opened too, since the namespace denies both directions.
   */
  public allowTrafficFrom(peer: INetworkPeer): void {
    if (this.httpPort === undefined) {
      throw new Error(`${this.name} serves no traffic port; ${peer.peerName} cannot be allowed to reach it`);
    }
    this.allowIngressFrom(peer, this.httpPort, `from-${peer.peerName}`);
    if (peer instanceof LongRunningService) {
      peer.allowEgressTo(this, [this.httpPort]);
    }
  }

  /**
   * Publishes the traffic port at `hostname` through ingress-nginx over TLS, and lets the
   * controller's pods reach this service.
   */
  public exposeViaIngress(options: IngressOptions): void {
    if (this.httpPort === undefined) {
      throw new Error(`${this.name} serves no traffic port to expose at ${options.hostname}`);
    }
    if (!HOSTNAME.test(options.hostname)) {
      throw new Error(`${this.name}: hostname is ${JSON.stringify(options.hostname)}; use a fully qualified lower-case DNS name such as app.example.com`);
    }
    const limits = {
      rateLimitPerSecond: options.rateLimitPerSecond ?? 20,
      connectionLimit: options.connectionLimit ?? 20,
      maxBodySizeMi: options.maxBodySizeMi ?? 10,
      upstreamTimeoutSeconds: options.upstreamTimeoutSeconds ?? 60,
    };
    for (const [field, value, max] of [
      ['rateLimitPerSecond', limits.rateLimitPerSecond, 10000],
      ['connectionLimit', limits.connectionLimit, 10000],
      ['maxBodySizeMi', limits.maxBodySizeMi, 1024],
      ['upstreamTimeoutSeconds', limits.upstreamTimeoutSeconds, 3600],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > max) {
        throw new Error(`${this.name}: ${field} is ${value}; use a whole number from 1 to ${max}: every Ingress is limited`);
      }
    }
    this.allowTrafficFrom(options.ingressController);
    this.ingressExposed = true;
    // An explicit Certificate rather than ingress-shim's annotation: its issuer, lifetime and key
    // are reviewed in dist/, and it is applied (and issued) in an earlier sync wave than the Ingress.
    const tlsSecretName = options.tlsSecretName ?? `${this.name}-tls`;
    new TlsCertificate(this, 'Certificate', {
      namespace: this.namespaceName,
      secretName: tlsSecretName,
      dnsNames: [options.hostname],
      issuer: options.tlsIssuer,
      durationHours: options.tlsCertificateLifetime.durationHours,
      renewBeforeHours: options.tlsCertificateLifetime.renewBeforeHours,
    });
    this.ingress = new k8s.KubeIngress(this, 'Ingress', {
      metadata: {
        name: this.name,
        namespace: this.namespaceName,
        labels: this.componentLabels,
        annotations: {
          ...this.ingressBackendTlsAnnotations(),
          'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
          // Per client address, so one abusive client cannot exhaust the service for the others.
          'nginx.ingress.kubernetes.io/limit-rps': String(limits.rateLimitPerSecond),
          'nginx.ingress.kubernetes.io/limit-burst-multiplier': '5',
          'nginx.ingress.kubernetes.io/limit-connections': String(limits.connectionLimit),
          'nginx.ingress.kubernetes.io/proxy-body-size': `${limits.maxBodySizeMi}m`,
          'nginx.ingress.kubernetes.io/proxy-connect-timeout': '5',
          'nginx.ingress.kubernetes.io/proxy-read-timeout': String(limits.upstreamTimeoutSeconds),
          'nginx.ingress.kubernetes.io/proxy-send-timeout': String(limits.upstreamTimeoutSeconds),
        },
      },
      spec: {
        ingressClassName: options.ingressClassName ?? 'nginx',
        tls: [{ hosts: [options.hostname], secretName: tlsSecretName }],
        rules: [
          {
            host: options.hostname,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: this.name, port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    });
  }

  /**
   * Puts the Ingress of exposeViaIngress() behind `proxy` (ingress-nginx external authentication:
   * a subrequest to the proxy decides every request), publishes the proxy's sign-in endpoints on
   * the same host, and the public paths, and only those, without sign-in. The extra Ingresses
   * share the host's TLS Secret and per-client limits. The container learns the MFA claim to check
   * on the ID token the proxy forwards (see OAuth2Proxy).
   */
  public requireSignIn(proxy: OAuth2Proxy, options: SignInOptions = {}): void {
    if (this.ingress === undefined) {
      throw new Error(`${this.name} has no Ingress to put behind ${proxy.name}; call exposeViaIngress() first`);
    }
    const publicPaths = options.publicPaths ?? [];
    for (const path of publicPaths) {
      if (!/^\/[A-Za-z0-9._~/-]*$/.test(path) || path === '/' || path.startsWith(proxy.pathPrefix)) {
        throw new Error(`${this.name}: public path ${JSON.stringify(path)} is not a path below / outside ${proxy.pathPrefix}; list only health and webhook paths such as /healthz or /webhooks/`);
      }
    }
    const published = this.ingress.toJson() as { metadata: { annotations: Record<string, string> }; spec: k8s.IngressSpec };
    const rule = published.spec.rules![0];
    const host = rule.host!;
    const backend = rule.http!.paths[0].backend;
    // Copied before the authentication annotations are added: the same limits, nothing else. The
    // backend TLS settings name this service's certificate, so only Ingresses to this service get them.
    const backendTls = this.ingressBackendTlsAnnotations();
    const limits = Object.fromEntries(Object.entries(published.metadata.annotations).filter(([key]) => !(key in backendTls)));
    const sibling = (constructId: string, name: string, reason: string, paths: k8s.HttpIngressPath[], annotations: Record<string, string> = {}) =>
      new k8s.KubeIngress(this, constructId, {
        metadata: {
          name,
          namespace: this.namespaceName,
          labels: this.componentLabels,
          annotations: { ...annotations, ...limits, [PUBLIC_PATHS_ANNOTATION]: reason },
        },
        spec: { ingressClassName: published.spec.ingressClassName, tls: published.spec.tls, rules: [{ host, http: { paths } }] },
      });

    // A canary Ingress (Argo Rollouts') inherits every non-canary annotation from this one in
    // ingress-nginx, so canary traffic signs in too; keep the name, it is the Rollout's (first) stable Ingress.
    this.ingress.metadata.addAnnotation('nginx.ingress.kubernetes.io/auth-url', proxy.authUrl);
    this.ingress.metadata.addAnnotation('nginx.ingress.kubernetes.io/auth-signin', `https://$host${proxy.pathPrefix}/start?rd=$escaped_request_uri`);
    this.ingress.metadata.addAnnotation('nginx.ingress.kubernetes.io/auth-response-headers', proxy.responseHeaders.join(','));
    sibling('SignInIngress', `${this.name}-sign-in`, `${proxy.name} sign-in, callback and sign-out endpoints`, [
      { path: proxy.pathPrefix, pathType: 'Prefix', backend: proxy.ingressBackend() },
    ], { ...proxy.backendTlsAnnotations });
    if (publicPaths.length > 0) {
      const publicIngress = sibling('PublicIngress', `${this.name}-public`, options.publicPathsReason ?? 'health checks and webhooks, which authenticate their callers themselves',
        publicPaths.map((path) => ({ path, pathType: path.endsWith('/') ? 'Prefix' : 'Exact', backend })), backendTls);
      // It routes to this service (the sign-in Ingress routes to the proxy), so a canary shifts its traffic too.
      this.additionalStableIngresses.push(publicIngress.name);
    }
    this.addEnvironment(...proxy.mfaEnvironment());
  }

  /** ingress-nginx annotations for this service as a backend: HTTPS, verified against the namespace's client certificate's CA. */
  private ingressBackendTlsAnnotations(): Record<string, string> {
    const clientCertificate = ingressBackendClientCertificate(this.namespaceBaseline, this.serverTlsIssuer, this.serverTlsCertificateLifetime, this.name);
    return ingressBackendTlsAnnotations(this.namespaceName, this.serverTlsName, clientCertificate.secretName);
  }

  private allowIngressFrom(peer: INetworkPeer, port: number, purpose: string): void {
    new k8s.KubeNetworkPolicy(this, `AllowIngress-${purpose}`, {
      metadata: { name: `${this.name}-allow-${purpose}`, namespace: this.namespaceName, labels: this.componentLabels },
      spec: {
        podSelector: { matchLabels: selectorLabels(this.name) },
        policyTypes: ['Ingress'],
        ingress: [{ from: [peer.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(port) }],
      },
    });
  }

  /**
   * Opens this service's egress to `peer` on `ports`. The peer opens its own ingress: a flow needs
   * a policy on both sides because the namespace denies both directions.
   */
  public allowEgressTo(peer: INetworkPeer, ports: readonly number[]): void {
    new k8s.KubeNetworkPolicy(this, `AllowEgress-to-${peer.peerName}`, {
      metadata: { name: `${this.name}-allow-egress-to-${peer.peerName}`, namespace: this.namespaceName, labels: this.componentLabels },
      spec: {
        podSelector: { matchLabels: selectorLabels(this.name) },
        policyTypes: ['Egress'],
        egress: [{ to: [peer.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(...ports) }],
      },
    });
  }

  /**
   * Records that `scalerName` owns the replica count. Only a service built with
   * `externallyScaled: true` accepts one, and only one.
   */
  public useExternalScaler(scalerName: string): void {
    if (this.externalScaler !== undefined) {
      throw new Error(`${this.name} is already scaled by ${this.externalScaler}; ${scalerName} cannot scale it too`);
    }
    if (!this.replicas.isAutoscaled) {
      throw new Error(`${this.name} runs ${this.replicas.toString()}; give it Replicas.autoscaled(...) to scale it with ${scalerName}`);
    }
    if (this.node.tryFindChild('HorizontalPodAutoscaler')) {
      throw new Error(`${this.name} already has a HorizontalPodAutoscaler; build it with externallyScaled: true to scale it with ${scalerName}`);
    }
    this.externalScaler = scalerName;
  }

  /**
   * Pulls the service's image with `credentials` (registry credentials from
   * `VaultSecret.registryCredentials()`), through its ServiceAccount's `imagePullSecrets`.
   */
  public pullImagesWith(credentials: VaultSecret): void {
    const reference = credentials.imagePullSecret();
    if (!this.imagePullSecrets.some((existing) => existing.name === reference.name)) {
      this.imagePullSecrets.push(reference);
    }
  }

  /** Adds environment variables to the container, e.g. a store's connection settings. */
  public addEnvironment(...variables: k8s.EnvVar[]): void {
    for (const variable of variables) {
      if (this.env.some((existing) => existing.name === variable.name)) {
        throw new Error(`${this.name} already has an environment variable ${variable.name}`);
      }
      this.env.push(variable);
    }
  }

  /**
   * Mounts the `ca.crt` item of `secretName` (e.g. the Secret of a store's cert-manager
   * Certificate) read-only and returns its path, so that the container can verify the store's TLS
   * certificate. Only `ca.crt` is projected: the same Secret holds the store's private key. The
   * folder is mounted, not the file (`subPath`), so that the kubelet refreshes a rotated CA.
   * Trusting the same Secret twice returns the same path.
   */
  public trustCertificateAuthority(secretName: string): string {
    const volumeName = `ca-${secretName}`;
    if (!DNS_LABEL.test(volumeName)) {
      throw new Error(`${this.name}: secretName is ${JSON.stringify(secretName)}; use a lower-case DNS label of at most 60 characters (the volume is named ca-<secretName>)`);
    }
    const folder = `${LongRunningService.TRUSTED_CA_ROOT}/${secretName}`;
    if (!this.volumes.some((v) => v.name === volumeName)) {
      this.volumes.push({ name: volumeName, secret: { secretName, items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } });
      this.volumeMounts.push({ name: volumeName, mountPath: folder, readOnly: true });
    }
    return `${folder}/ca.crt`;
  }

}

const INGRESS_BACKEND_CLIENT_ID = 'IngressBackendClientCertificate';

/**
 * The namespace's one client certificate for ingress-nginx (`ingress-backend-client`), made on
 * first use and kept with the namespace baseline (namespace.yaml). The controller verifies every
 * service of the namespace against its `ca.crt`, so every service must name the same issuer.
 */
function ingressBackendClientCertificate(namespace: NamespaceBaseline, issuer: ICertificateIssuer, lifetime: CertificateLifetime, requester: string): TlsCertificate {
  const existing = namespace.node.tryFindChild(INGRESS_BACKEND_CLIENT_ID) as TlsCertificate | undefined;
  if (existing !== undefined) {
    const existingIssuer = existing.issuer;
    if (existingIssuer.issuerName !== issuer.issuerName || existingIssuer.issuerKind !== issuer.issuerKind) {
      throw new Error(`${requester}: serverTlsIssuer is ${issuer.issuerKind} ${issuer.issuerName}, but ingress-nginx verifies the services of namespace ${namespace.namespaceName} against ${existingIssuer.issuerKind} ${existingIssuer.issuerName}; give every service exposed through an Ingress the same serverTlsIssuer`);
    }
    return existing;
  }
  return new TlsCertificate(namespace, INGRESS_BACKEND_CLIENT_ID, {
    namespace: namespace.namespaceName,
    secretName: INGRESS_BACKEND_CLIENT_SECRET,
    dnsNames: [`${INGRESS_BACKEND_CLIENT_SECRET}.${namespace.namespaceName}.svc`],
    issuer,
    clientAuth: true,
    durationHours: lifetime.durationHours,
    renewBeforeHours: lifetime.renewBeforeHours,
  });
}

function validateProps(id: string, props: LongRunningServiceProps, strategy: DeliveryStrategy): void {
  const fail = (field: string, value: unknown, fix: string): never => {
    throw new Error(`${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
  };
  if (!/^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/.test(id)) {
    fail('the construct id (used as the object name)', id, 'use a lower-case DNS label of at most 42 characters');
  }
  if (strategy.isProgressive && props.httpPort === undefined) {
    fail('deliveryStrategy', strategy.kind, 'a blue-green or canary release shifts HTTP traffic, and this service serves none; use DeliveryStrategy.rollingUpdate()');
  }
  if (strategy.isProgressive && props.externallyScaled) {
    fail('deliveryStrategy', strategy.kind, 'an externally scaled service (KEDA) scales a Deployment; use DeliveryStrategy.rollingUpdate()');
  }
  if (props.zones.length === 0) {
    fail('zones', props.zones, 'list at least one zone');
  }
  for (const [field, port] of [['httpPort', props.httpPort], ['metricsPort', props.metricsPort]] as const) {
    if (port !== undefined && (!Number.isInteger(port) || port < 1024 || port > 65535)) {
      fail(field, port, 'use an unprivileged port from 1024 to 65535 (containers run without NET_BIND_SERVICE)');
    }
  }
  if (props.httpPort !== undefined && props.httpPort === props.metricsPort) {
    fail('metricsPort', props.metricsPort, 'serve metrics on a port of its own, so /metrics never reaches the ingress');
  }
  for (const [field, value] of [
    ['drainSeconds', props.drainSeconds],
    ['shutdownTimeoutSeconds', props.shutdownTimeoutSeconds],
    ['startupTimeoutSeconds', props.startupTimeoutSeconds],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 3600)) {
      fail(field, value, 'use a whole number of seconds from 1 to 3600');
    }
  }
  const scratchMi = (props.scratchVolumes ?? []).reduce((acc, v) => acc + v.sizeLimitMi, 0);
  const ephemeralMi = (props.workspaceMountPath ? (props.workspaceEphemeralStorageGi ?? 2) : props.resources.storageGi) * 1024;
  if (scratchMi > ephemeralMi) {
    fail('scratchVolumes', scratchMi, `their size limits add up to more than the pod's ${ephemeralMi}Mi of ephemeral storage; shrink them`);
  }
}
