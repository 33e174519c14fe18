import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Rollout, toJson_RolloutSpecStrategy } from '../../imports/argoproj.io';
import { DeliveryKind, DeliveryStrategy } from '../delivery/delivery-strategy';
import { imageReference } from '../platform/image-reference';
import { DNS_LABEL } from '../platform/input-patterns';
import { INetworkPeer } from '../platform/network-peer';
import { PropError } from '../platform/prop-error';
import { gibibytes } from '../platform/quantities';
import { Replicas } from '../platform/replicas';
import { restrictedContainerSecurityContext, RUN_AS_ID } from '../platform/security-contexts';
import { IStoreClient } from '../platform/store-client';
import { CLUSTER_INTERNAL_CA } from '../security/internal-certificate-authority';
import { ingressBackendTlsAnnotations } from '../security/ingress-backend-tls';
import { secretReloadAnnotations } from '../security/secret-reload';
import { CertificateLifetime, DEFAULT_CERTIFICATE_LIFETIME, ICertificateIssuer, TlsCertificate } from '../security/tls-certificate';
import { guaranteedResources } from '../workloads/container-resources';
import { WorkloadReference } from '../workloads/cpu-autoscaler';
import { IExternallyScaledWorkload } from '../workloads/externally-scaled-workload';
import { IHttpsService } from '../workloads/https-service';
import { httpsGet, livenessProbe, readinessProbe, startupProbe } from '../workloads/probes';
import { HostSeparation } from '../workloads/restricted-pod-spec';
import { MIN_READY_SECONDS, RestrictedWorkload, REVISION_HISTORY_LIMIT } from '../workloads/restricted-workload';
import { ISignInProxy } from '../workloads/sign-in-proxy';
import { SERVER_TLS_ROOT, SERVICE_HTTP_PORT, TRUSTED_CA_ROOT, trustedCaFile } from '../workloads/workload-conventions';
import { ingressBackendClientCertificate } from './ingress-backend-client-certificate';
import { ephemeralStorageGi, LongRunningServiceProps, serviceFootprint, shutdownTimeoutSeconds, validateLongRunningServiceProps } from './long-running-service-props';
import { servicePodEnvironment, servicePodVolumes } from './service-pod';
import { IngressOptions, ingressLimits, ServiceIngress } from './service-ingress';
import { SignInIngresses, SignInOptions } from './sign-in-ingresses';

export { LongRunningServiceProps, ScratchVolume } from './long-running-service-props';
export { IngressOptions } from './service-ingress';
export { SignInOptions } from './sign-in-ingresses';
export { WorkloadReference } from '../workloads/cpu-autoscaler';

/**
 * The shared base of every long-running container of the platform: a Deployment (or, with a
 * blue-green or canary `deliveryStrategy`, an Argo Rollout with the same pod template) that is
 * secure by default, zero-downtime on update, spread over zones and nodes, autoscaled, protected by
 * a PodDisruptionBudget, reachable through a Service and closed to every flow not asked for.
 */
export class LongRunningService extends RestrictedWorkload implements IStoreClient, IHttpsService, IExternallyScaledWorkload {
  /** Service port that forwards to the traffic port. */
  public static readonly SERVICE_HTTP_PORT = SERVICE_HTTP_PORT;
  /** Folder under which `trustCertificateAuthority()` mounts each trusted CA. */
  public static readonly TRUSTED_CA_ROOT = TRUSTED_CA_ROOT;
  /** Folder holding the service's own key pair (`tls.crt`, `tls.key`, `ca.crt`), refreshed in place by the kubelet on renewal. */
  public static readonly SERVER_TLS_ROOT = SERVER_TLS_ROOT;
  public readonly httpPort?: number;
  public readonly metricsPort: number;
  /** Secret of the certificate the traffic and metrics ports serve HTTPS with: `<name>-server-tls`. */
  public readonly serverTlsSecretName: string;
  /** The name clients verify the service's certificate against: `<name>.<namespace>.svc`. */
  public readonly serverTlsName: string;
  /** The replica count or bounds the service was configured with. */
  public readonly replicas: Replicas;
  /** How new versions replace the running one. */
  public readonly deliveryStrategy: DeliveryStrategy;
  /** The object that owns the pods, for an autoscaler's `scaleTargetRef`: the Deployment or the Rollout. */
  public readonly workloadReference: WorkloadReference;
  private readonly serverTlsIssuer: ICertificateIssuer;
  private readonly serverTlsCertificateLifetime: CertificateLifetime;
  private readonly env: k8s.EnvVar[];
  private readonly volumes: k8s.Volume[];
  private readonly volumeMounts: k8s.VolumeMount[];
  private externalScaler?: string;
  /** The Ingress of exposeViaIngress(), which requireSignIn() puts behind the proxy. */
  private ingressExposure?: ServiceIngress;
  /** Ingresses besides the exposed one that route to this service (requireSignIn()'s public paths): a canary shifts their traffic too. */
  private readonly additionalStableIngresses: string[] = [];

  public constructor(scope: Construct, id: string, props: LongRunningServiceProps) {
    const deliveryStrategy = props.deliveryStrategy ?? DeliveryStrategy.rollingUpdate();
    validateLongRunningServiceProps(id, props, deliveryStrategy);
    super(scope, id, { namespace: props.namespace, component: props.component, zones: props.zones, footprint: serviceFootprint(props, deliveryStrategy) });
    this.deliveryStrategy = deliveryStrategy;
    this.replicas = props.replicas;
    this.httpPort = props.httpPort;
    this.metricsPort = props.metricsPort ?? 9090;
    this.serverTlsSecretName = `${id}-server-tls`;
    this.serverTlsName = `${id}.${this.namespaceName}.svc`;
    this.serverTlsIssuer = props.serverTlsIssuer ?? CLUSTER_INTERNAL_CA;
    this.serverTlsCertificateLifetime = props.serverTlsCertificateLifetime ?? DEFAULT_CERTIFICATE_LIFETIME;
    const progressive = deliveryStrategy.isProgressive;
    this.workloadReference = progressive
      ? { apiVersion: Rollout.GVK.apiVersion, kind: Rollout.GVK.kind, name: id }
      : { apiVersion: 'apps/v1', kind: 'Deployment', name: id };

    this.createServiceAccount();
    const newVersionService = progressive ? `${id}-${deliveryStrategy.newVersionServiceSuffix}` : undefined;
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
    const { volumes, volumeMounts } = servicePodVolumes(props, this.serverTlsSecretName, this.labels);
    this.volumes = volumes;
    this.volumeMounts = volumeMounts;
    this.env = servicePodEnvironment(props, this.metricsPort);
    const podTemplate = this.podTemplate(props);

    if (newVersionService !== undefined) {
      this.renderRollout(podTemplate, newVersionService);
      // Same selector and ports as the stable Service; Argo Rollouts adds the new ReplicaSet's
      // rollouts-pod-template-hash to its selector while a release runs.
      this.createService('NewVersionService', newVersionService, this.servicePorts());
      if (deliveryStrategy.kind === DeliveryKind.CANARY && deliveryStrategy.trafficRouting) {
        this.node.addValidation({
          validate: () => (this.ingressExposure ? [] : [`${id} releases as a canary through ingress-nginx, which needs the stable Ingress; call exposeViaIngress()`]),
        });
      }
    } else {
      this.renderDeployment(podTemplate);
    }
    this.createService('Service', id, this.servicePorts());
    // A pod that never became ready protects nothing; letting it go keeps node drains moving.
    this.createDisruptionBudget();

    if (props.externallyScaled && props.replicas.isAutoscaled) {
      this.node.addValidation({
        validate: () => (this.externalScaler ? [] : [`${id} is externallyScaled but no scaler was attached; call useExternalScaler() (e.g. through JobQueue.scaleConsumer)`]),
      });
    }
    if (props.replicas.isAutoscaled && !props.externallyScaled) {
      this.createAutoscaler(this.workloadReference, props.replicas, props.targetCpuUtilizationPercent);
    }
    this.allowIngressFrom(props.metricsScraper, [this.metricsPort], 'metrics-scrape');
    // Every Service of the workload (stable, preview, canary) reaches pods with the same certificate.
    this.createServiceMonitor(this.serverTlsSecretName, this.serverTlsName);
  }

  /**
   * Lets `peer` reach this service's traffic port. When the peer is another service of the
   * platform, its egress to this service is opened too, since the namespace denies both directions.
   */
  public allowTrafficFrom(peer: INetworkPeer): void {
    if (this.httpPort === undefined) {
      throw new Error(`${this.name} serves no traffic port; ${peer.peerName} cannot be allowed to reach it`);
    }
    this.allowIngressFrom(peer, [this.httpPort], `from-${peer.peerName}`);
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
    // Rejects a bad hostname or limit before any flow is opened.
    ingressLimits(this.name, options);
    this.allowTrafficFrom(options.ingressController);
    this.ingressExposure = new ServiceIngress(this, 'IngressExposure', {
      ...options,
      serviceName: this.name,
      namespace: this.namespaceName,
      labels: this.labels,
      backendTlsAnnotations: this.ingressBackendTlsAnnotations(),
    });
  }

  /**
   * Puts the Ingress of exposeViaIngress() behind `proxy` (see SignInIngresses), tells the
   * container how to verify the ID token the proxy forwards and which paths need none
   * (`AUTH_PUBLIC_PATHS`), and lets the pods fetch the identity provider's keys: the container
   * trusts that token alone, never an identity header (README, container contract).
   */
  public requireSignIn(proxy: ISignInProxy, options: SignInOptions = {}): void {
    if (this.ingressExposure === undefined) {
      throw new Error(`${this.name} has no Ingress to put behind ${proxy.name}; call exposeViaIngress() first`);
    }
    const signIn = new SignInIngresses(this, 'SignIn', {
      ...options,
      serviceName: this.name,
      namespace: this.namespaceName,
      labels: this.labels,
      ingress: this.ingressExposure.ingress,
      proxy,
      backendTlsAnnotations: this.ingressBackendTlsAnnotations(),
    });
    if (signIn.publicIngressName !== undefined) {
      this.additionalStableIngresses.push(signIn.publicIngressName);
    }
    this.addEnvironment(
      ...proxy.tokenVerificationEnvironment(),
      // The same list, and notation, as the public Ingress: a trailing / is a prefix, anything else exact.
      { name: 'AUTH_PUBLIC_PATHS', value: (options.publicPaths ?? []).join(',') },
    );
    for (const peer of proxy.identityProviderPeers) {
      this.allowEgressTo(peer, [proxy.identityProviderPort]);
    }
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
      throw new PropError(this.name, 'secretName', secretName, 'use a lower-case DNS label of at most 60 characters (the volume is named ca-<secretName>)');
    }
    const folder = `${TRUSTED_CA_ROOT}/${secretName}`;
    if (!this.volumes.some((v) => v.name === volumeName)) {
      this.volumes.push({ name: volumeName, secret: { secretName, items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } });
      this.volumeMounts.push({ name: volumeName, mountPath: folder, readOnly: true });
    }
    return trustedCaFile(secretName);
  }

  /** The pod template of the Deployment or Rollout; its env and volume lists stay open to addEnvironment() and trustCertificateAuthority(). */
  private podTemplate(props: LongRunningServiceProps): k8s.PodTemplateSpec {
    const drainSeconds = props.drainSeconds ?? 10;
    const probePort = this.httpPort !== undefined ? 'http' : 'metrics';
    const livenessCheck = httpsGet(props.livenessPath ?? '/healthz', probePort);
    return {
      metadata: { labels: { ...this.labels, 'app.kubernetes.io/version': props.image.tag } },
      spec: this.podSpec({
        terminationGracePeriodSeconds: drainSeconds + shutdownTimeoutSeconds(props) + 5,
        hostSeparation: HostSeparation.SPREAD_AND_PREFER_APART,
        strictTopologySpread: props.strictTopologySpread,
        // Argo Rollouts labels its ReplicaSets' pods with rollouts-pod-template-hash.
        revisionLabel: this.deliveryStrategy.isProgressive ? 'rollouts-pod-template-hash' : 'pod-template-hash',
        containers: [
          {
            name: this.name,
            image: imageReference(props.image),
            imagePullPolicy: 'Always',
            ports: [
              ...(this.httpPort !== undefined ? [{ name: 'http', containerPort: this.httpPort, protocol: 'TCP' }] : []),
              { name: 'metrics', containerPort: this.metricsPort, protocol: 'TCP' },
            ],
            env: this.env,
            resources: guaranteedResources(props.resources.cpuMillis, props.resources.memoryMi, gibibytes(ephemeralStorageGi(props))),
            securityContext: restrictedContainerSecurityContext(RUN_AS_ID),
            startupProbe: startupProbe(livenessCheck, props.startupTimeoutSeconds ?? 120),
            readinessProbe: readinessProbe(httpsGet(props.readinessPath ?? '/readyz', probePort)),
            livenessProbe: livenessProbe(livenessCheck),
            lifecycle: { preStop: { exec: { command: ['sleep', String(drainSeconds)] } } },
            volumeMounts: this.volumeMounts,
          },
        ],
        volumes: this.volumes,
      }),
    };
  }

  /** Pods read Secrets as environment variables only at start: Reloader restarts them on a change. */
  private reloadAnnotations(podTemplate: k8s.PodTemplateSpec): Record<string, string> {
    return secretReloadAnnotations(() => podTemplate.spec?.containers ?? []);
  }

  private renderDeployment(podTemplate: k8s.PodTemplateSpec): void {
    this.createRollingDeployment({
      template: podTemplate,
      replicas: this.replicas,
      maxSurgePercent: this.deliveryStrategy.maxSurgePercent,
      annotations: this.reloadAnnotations(podTemplate),
    });
  }

  /**
   * A plain ApiObject rather than the generated Rollout class: the pod template is the same
   * k8s.PodTemplateSpec as a Deployment's, rendered lazily so that addEnvironment() still reaches it.
   */
  private renderRollout(podTemplate: k8s.PodTemplateSpec, newVersionService: string): void {
    new ApiObject(this, 'Rollout', {
      ...Rollout.GVK,
      metadata: { ...this.objectMetadata(), annotations: this.reloadAnnotations(podTemplate) },
      spec: {
        replicas: this.replicas.isAutoscaled ? undefined : this.replicas.min,
        revisionHistoryLimit: REVISION_HISTORY_LIMIT,
        minReadySeconds: MIN_READY_SECONDS,
        progressDeadlineSeconds: this.deliveryStrategy.progressDeadlineSeconds,
        // A release that makes no progress for progressDeadlineSeconds is aborted and rolled back, not left half done.
        progressDeadlineAbort: true,
        selector: { matchLabels: { ...this.selector } },
        // Lazy: requireSignIn() adds the public paths' Ingress after construction.
        strategy: Lazy.any({
          produce: () => toJson_RolloutSpecStrategy(this.deliveryStrategy.rolloutStrategy({
            namespace: this.namespaceName,
            stableService: this.name,
            newVersionService,
            additionalStableIngresses: this.additionalStableIngresses,
          })),
        }),
        template: Lazy.any({ produce: () => k8s.toJson_PodTemplateSpec(podTemplate) }),
      },
    });
  }

  /** `http` (when the service has a traffic port) and `metrics`; both speak HTTPS. */
  private servicePorts(): k8s.ServicePort[] {
    return [
      ...(this.httpPort !== undefined
        ? [{ name: 'http', port: SERVICE_HTTP_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP', appProtocol: 'https' }]
        : []),
      // Port names stay `http` and `metrics` (Ingress backends, ServiceMonitors, Rollouts name them); both speak HTTPS.
      { name: 'metrics', port: this.metricsPort, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP', appProtocol: 'https' },
    ];
  }

  /** ingress-nginx annotations for this service as a backend: HTTPS, verified against the namespace's client certificate's CA. */
  private ingressBackendTlsAnnotations(): Record<string, string> {
    const clientCertificate = ingressBackendClientCertificate(this.namespace, this.serverTlsIssuer, this.serverTlsCertificateLifetime, this.name);
    return ingressBackendTlsAnnotations(this.namespaceName, this.serverTlsName, clientCertificate.secretName);
  }
}
