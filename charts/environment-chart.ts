import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../lib/config/environment-config';
import { isFullSize } from '../lib/config/spec-minimums';
import { DeliveryKind, DeliveryStrategy } from '../lib/delivery/delivery-strategy';
import { GeneratorReleaseAnalysis } from '../lib/delivery/generator-release-analysis';
import { SignInReleaseAnalysis } from '../lib/delivery/sign-in-release-analysis';
import { ServiceRelease } from '../lib/delivery/service-release';
import { PLATFORM_NAME } from '../lib/platform/labels';
import { CidrPeer } from '../lib/platform/cidr-peer';
import { NamespaceBaseline } from '../lib/platform/namespace-baseline';
import { ClusterPeer } from '../lib/platform/network-peer';
import { ApiService } from '../lib/services/api-service';
import { GeneratorService } from '../lib/services/generator-service';
import { WebService } from '../lib/services/web-service';
import { JobQueue } from '../lib/stores/job-queue';
import { MessageBroker } from '../lib/stores/message-broker';
import { PostgresCluster } from '../lib/stores/postgres-cluster';
import { RedisCluster } from '../lib/stores/redis-cluster';
import { ImageAdmissionPolicy } from '../lib/security/image-admission-policy';
import { ImageSignaturePolicy } from '../lib/security/image-signature-policy';
import { CLIENT_SECRET_KEY, COOKIE_SECRET_KEY, OAUTH2_PROXY_MAX_SURGE_PERCENT, OAuth2Proxy } from '../lib/security/oauth2-proxy';
import { AcmeClusterIssuer } from '../lib/security/acme-cluster-issuer';
import { CLUSTER_INTERNAL_CA } from '../lib/security/internal-certificate-authority';
import { CertificateLifetime, ICertificateIssuer } from '../lib/security/tls-certificate';
import { PasswordGenerator } from '../lib/security/password-generator';
import { VaultSecret, generateVaultSecretsIn, readVaultSecretsFrom } from '../lib/security/vault-secret';
import { VaultSecretStore } from '../lib/security/vault-secret-store';
import { CaBundle } from '../lib/security/ca-bundle';
import { applySyncWaves } from '../lib/gitops/sync-waves';
import { INGRESS_NGINX_METRICS_SERVICE } from '../lib/gitops/ingress-nginx-metrics-values';
import { GrafanaDashboards } from '../lib/observability/dashboards/grafana-dashboards';
import { PlatformAlertRules } from '../lib/observability/platform-alert-rules';
import { RabbitmqMonitor, RedisExporterMonitor } from '../lib/observability/store-monitors';
import { PointInTimeRecovery } from '../lib/stores/postgres/point-in-time-recovery';

export interface EnvironmentChartProps {
  readonly config: EnvironmentConfig;
}

/** The pods and addresses outside the namespace that the environment's objects admit or reach. */
interface ClusterPeers {
  readonly ingressController: ClusterPeer;
  readonly prometheus: ClusterPeer;
  readonly kedaOperator: ClusterPeer;
  readonly kubernetesApi: CidrPeer;
}

/** One environment of the platform, composed from its config; every decision comes from the config. */
export class EnvironmentChart extends Chart {
  public readonly baseline: NamespaceBaseline;
  /**
   * The cluster's CA of in-cluster certificates (and, in development and previews, of the public
   * hostnames): a ClusterIssuer rendered with the cluster's Argo CD objects, never by an environment.
   */
  public readonly internalCa: ICertificateIssuer = CLUSTER_INTERNAL_CA;
  public readonly web: WebService;
  public readonly api: ApiService;
  public readonly generator: GeneratorService;
  public readonly postgres: PostgresCluster;
  public readonly redis: RedisCluster;
  public readonly messageBroker: MessageBroker;
  public readonly jobQueue: JobQueue;
  public readonly signIn: OAuth2Proxy;
  /** The environment's own Vault store, through which every secret of the environment is read. */
  public readonly secretStore: VaultSecretStore;

  private readonly config: EnvironmentConfig;
  private readonly peers: ClusterPeers;
  private readonly tlsCertificateLifetime: CertificateLifetime;

  public constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    const { config } = props;
    super(scope, id, {
      labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'generator-platform.dev/environment': config.name },
    });
    this.config = config;
    this.peers = {
      ingressController: new ClusterPeer('ingress-nginx', config.ingressController.namespace, config.ingressController.podLabels),
      prometheus: new ClusterPeer('prometheus', config.prometheus.namespace, config.prometheus.podLabels),
      kedaOperator: new ClusterPeer('keda', config.kedaOperator.namespace, config.kedaOperator.podLabels),
      kubernetesApi: new CidrPeer('kubernetes-api', config.kubernetesApiCidr),
    };
    this.tlsCertificateLifetime = { durationHours: config.certificates.durationHours, renewBeforeHours: config.certificates.renewBeforeHours };
    // KEDA owns the generator's replica count wherever it autoscales: it scales on the job queue's depth.
    const generatorScaledByQueueDepth = config.generator.replicas.isAutoscaled;

    this.baseline = new NamespaceBaseline(this, 'namespace', {
      namespaceName: config.namespace,
      quotaHeadroomPercent: config.quotaHeadroomPercent,
    });
    const tlsIssuer = this.publicTlsIssuer();
    // The AnalysisTemplates that gate web and api releases (and the preview traffic) live in delivery.yaml.
    const delivery = new Construct(this, 'delivery');
    const apiRelease = this.release(delivery, 'api', config.delivery.apiLatencyP95Ms);
    const webRelease = this.release(delivery, 'web', config.delivery.webLatencyP95Ms);
    this.api = new ApiService(this, 'api', {
      ...this.serviceProps('api', apiRelease.strategy),
      hostname: config.apiHostname,
      ingressController: this.peers.ingressController,
      tlsIssuer,
      tlsCertificateLifetime: this.tlsCertificateLifetime,
    });
    this.web = new WebService(this, 'web', {
      ...this.serviceProps('web', webRelease.strategy),
      hostname: config.webHostname,
      api: this.api,
      ingressController: this.peers.ingressController,
      tlsIssuer,
      tlsCertificateLifetime: this.tlsCertificateLifetime,
    });
    apiRelease.sendPreviewTrafficTo(this.api);
    webRelease.sendPreviewTrafficTo(this.web);
    // Before the generator: its release analysis reads the job queue's depth.
    this.messageBroker = this.messageBrokerCluster();
    this.jobQueue = new JobQueue(this, 'generation-jobs', { broker: this.messageBroker, vaultPathPrefix: config.vaultPathPrefix });
    this.generator = this.generatorService(delivery, generatorScaledByQueueDepth);

    this.postgres = this.postgresCluster();
    this.postgres.connect(this.api);
    this.postgres.connect(this.generator);

    // Credentials the stores and services share live in one file, secrets.yaml, as ExternalSecrets.
    const secrets = new Construct(this, 'secrets');
    this.secretStore = this.vaultSecretStore(secrets);
    this.registryCredentials(secrets, [this.web, this.api, this.generator, webRelease, apiRelease]);
    this.redis = this.redisCluster();
    this.redis.connect(this.api);
    this.redis.connect(this.generator);

    this.signIn = this.signInProxy(secrets, delivery);
    this.web.requireSignIn(this.signIn, { publicPaths: config.authentication.webPublicPaths });
    this.api.requireSignIn(this.signIn, { publicPaths: config.authentication.apiPublicPaths });

    this.jobQueue.grantPublish(this.api);
    this.jobQueue.grantConsume(this.generator);
    if (generatorScaledByQueueDepth) {
      this.jobQueue.scaleConsumer(this.generator, { kedaOperator: this.peers.kedaOperator });
    }

    this.observability();
    if (config.imageSigner !== undefined) {
      new ImageSignaturePolicy(this, 'image-signatures', {
        signer: config.imageSigner,
        imageReferences: [config.web, config.api, config.generator].flatMap((service) => [`${service.image.repository}:*`, `${service.image.repository}@*`]),
      });
    }
    if (config.ownsClusterScopedObjects) {
      // Cluster-scoped: the environment that owns its cluster's objects admits its previews' Pods too.
      new ImageAdmissionPolicy(this, 'image-admission', {
        platformRepositories: [config.web, config.api, config.generator].map((service) => service.image.repository),
        requireDigest: isFullSize(config.name),
      });
    }
    if (config.pullRequestPreviews !== undefined) {
      // One preview per pull request: no Vault path per pull request; what only the platform uses is generated in the namespace.
      generateVaultSecretsIn(this, new PasswordGenerator(secrets, 'password-generator', { namespace: config.namespace }));
    }
    readVaultSecretsFrom(this, this.secretStore);
    applySyncWaves(this);
  }

  /**
   * The issuer of the web and api hostnames' certificates. The ACME ClusterIssuer lives in
   * certificates.yaml (each Certificate lives with what uses its Secret, web-tls in web.yaml); it is
   * cluster-scoped, so an environment that does not own its cluster's objects only names it.
   */
  private publicTlsIssuer(): ICertificateIssuer {
    const certificates = new Construct(this, 'certificates');
    const { publicIssuer } = this.config.certificates;
    if (publicIssuer.kind !== 'acme') {
      return this.internalCa;
    }
    if (!this.config.ownsClusterScopedObjects) {
      return { issuerName: publicIssuer.clusterIssuerName, issuerKind: 'ClusterIssuer' };
    }
    return new AcmeClusterIssuer(certificates, publicIssuer.clusterIssuerName, {
      server: publicIssuer.server,
      email: publicIssuer.email,
      solverNamespace: this.baseline,
      // One challenge per public hostname at a time.
      maxConcurrentChallenges: this.publicHostnames().length,
      ingressController: this.peers.ingressController,
    });
  }

  /** The hostnames the environment serves to users: web's and api's. */
  private publicHostnames(): string[] {
    return [this.config.webHostname, this.config.apiHostname];
  }

  /** How web or api releases, and the analysis that judges a release, from `config.delivery`. */
  private release(scope: Construct, service: 'web' | 'api', latencyP95Ms: number): ServiceRelease {
    const { delivery } = this.config;
    return new ServiceRelease(scope, service, {
      kind: delivery[service],
      namespace: this.baseline,
      prometheusUrl: this.config.prometheusUrl,
      image: this.config[service].image,
      successRateObjectivePercent: delivery.successRateObjectivePercent,
      latencyP95Ms,
      analysisIntervalSeconds: delivery.analysisIntervalSeconds,
      analysisCount: delivery.analysisCount,
    });
  }

  /** What web, api and the generator take alike: the service's config, the cluster's zones and scraper, and in-cluster TLS. */
  private serviceProps(service: 'web' | 'api' | 'generator', deliveryStrategy: DeliveryStrategy) {
    const { config } = this;
    return {
      zones: config.zones,
      metricsScraper: this.peers.prometheus,
      strictTopologySpread: config.features.strictTopologySpread,
      logLevel: config.features.debugLogging ? 'debug' : 'info',
      namespace: this.baseline,
      image: config[service].image,
      replicas: config[service].replicas,
      resources: config[service].resources,
      targetCpuUtilizationPercent: config[service].targetCpuUtilizationPercent,
      startupTimeoutSeconds: config[service].startupTimeoutSeconds,
      deliveryStrategy,
      serverTlsIssuer: this.internalCa,
      serverTlsCertificateLifetime: this.tlsCertificateLifetime,
    };
  }

  /**
   * The generator, whose one flow out of the cluster is the AI provider's API over HTTPS. A canary
   * release moves a share of its workers (no traffic routing: it takes jobs from the queue), judged
   * by its own metrics (GeneratorReleaseAnalysis, in delivery.yaml).
   */
  private generatorService(delivery: Construct, scaledByQueueDepth: boolean): GeneratorService {
    const { config } = this;
    const kind = config.delivery.generator;
    const analysis = kind === DeliveryKind.ROLLING_UPDATE
      ? undefined
      : new GeneratorReleaseAnalysis(delivery, 'generator', {
        namespace: config.namespace,
        prometheusUrl: config.prometheusUrl,
        queueVhost: this.messageBroker.vhostName,
        queueName: this.jobQueue.queueName,
        intervalSeconds: config.delivery.analysisIntervalSeconds,
        count: config.delivery.analysisCount,
      });
    const strategy = DeliveryStrategy.of(kind, { analysis, trafficRouting: false, maxSurgePercent: config.delivery.generatorMaxSurgePercent });
    const generator = new GeneratorService(this, 'generator', {
      ...this.serviceProps('generator', strategy),
      workspaceStorageClass: config.generatorWorkspaceStorageClass,
      scaledByQueueDepth,
    });
    for (const [index, cidr] of config.egress.aiProviderCidrs.entries()) {
      generator.allowEgressTo(new CidrPeer(`ai-provider-${index + 1}`, cidr), [443]);
    }
    return generator;
  }

  private postgresCluster(): PostgresCluster {
    const { config } = this;
    return new PostgresCluster(this, 'postgres', {
      namespace: this.baseline,
      instances: config.postgres.instances,
      cpuMillis: config.postgres.cpuMillis,
      memoryMi: config.postgres.memoryMi,
      storageGi: config.postgres.storageGi,
      walStorageGi: config.postgres.walStorageGi,
      storageClass: config.postgres.storageClass,
      zones: config.zones,
      strictTopologySpread: config.features.strictTopologySpread,
      metricsScraper: this.peers.prometheus,
      backupDestinationPath: config.postgres.backupDestinationPath,
      backupEndpointUrl: config.postgres.backupEndpointUrl,
      backupEndpointCaBundle: config.postgres.backupEndpointCaBundlePem !== undefined ? CaBundle.fromPem(config.postgres.backupEndpointCaBundlePem) : undefined,
      backupCredentialsVaultPath: `${config.vaultPathPrefix}/postgres-backup`,
      vaultPathPrefix: config.vaultPathPrefix,
      backupServerName: config.postgres.backupServerName,
      kubernetesApiCidrs: [config.kubernetesApiCidr],
      objectStoreEgressCidrs: config.egress.objectStorageCidrs,
      recovery: config.postgres.recoverFromBackup ? PointInTimeRecovery.fromBackups(config.postgres.recoverFromBackup) : undefined,
      image: config.storeImages.postgres,
      poolerImage: config.storeImages.pgbouncer,
      tlsIssuer: this.internalCa,
      tlsCertificateLifetime: this.tlsCertificateLifetime,
    });
  }

  /**
   * The environment's own Vault store (secrets.yaml's ClusterSecretStore, rendered with the cluster
   * baseline, being cluster-scoped), serving its namespace (or the previews') only, with its own Vault role.
   */
  private vaultSecretStore(secrets: Construct): VaultSecretStore {
    const { config } = this;
    return new VaultSecretStore(secrets, 'vault', {
      storeName: `vault-${config.name}`,
      server: config.vaultAddress,
      caBundle: CaBundle.fromPem(config.vaultCaBundlePem),
      role: `generator-platform-${config.name}`,
      ...(config.vaultStoreNamespacePattern !== undefined ? { namespacePatterns: [config.vaultStoreNamespacePattern] } : { namespaces: [config.namespace] }),
    });
  }

  /** The registry credentials `pullers` pull the platform's own images with (the stores' and the sign-in proxy's images are public). */
  private registryCredentials(secrets: Construct, pullers: readonly { pullImagesWith(credentials: VaultSecret): void }[]): void {
    const { config } = this;
    const registryCredentials = VaultSecret.registryCredentials(secrets, 'registry-pull-secret', {
      namespace: config.namespace,
      secretName: 'registry-pull-secret',
      vaultPath: `${config.vaultPathPrefix}/registry`,
      registryServer: config.imageRegistry.server,
    });
    for (const puller of pullers) {
      puller.pullImagesWith(registryCredentials);
    }
  }

  /** Its users' credentials (one per client, from `<vaultPathPrefix>/redis/<user>`) are rendered with it, in redis.yaml. */
  private redisCluster(): RedisCluster {
    const { config } = this;
    return new RedisCluster(this, 'redis', {
      namespace: this.baseline,
      vaultPathPrefix: config.vaultPathPrefix,
      primaries: config.redis.primaries,
      replicasPerPrimary: config.redis.replicasPerPrimary,
      cpuMillis: config.redis.cpuMillis,
      memoryMi: config.redis.memoryMi,
      storageGi: config.redis.storageGi,
      storageClass: config.redis.storageClass,
      image: config.storeImages.redis,
      exporterImage: config.storeImages.redisExporter,
      zones: config.zones,
      strictTopologySpread: config.features.strictTopologySpread,
      metricsScraper: this.peers.prometheus,
      tlsIssuer: this.internalCa,
      tlsCertificateLifetime: this.tlsCertificateLifetime,
    });
  }

  /**
   * Sign-in (OIDC, MFA) in front of web and api; sessions live in Redis. Its own file, oauth2-proxy.yaml.
   * A canary release moves a share of its pods behind its own Service (which keeps selecting every
   * pod), judged on their 5xx share (SignInReleaseAnalysis, in delivery.yaml).
   */
  private signInProxy(secrets: Construct, delivery: Construct): OAuth2Proxy {
    const { config } = this;
    const auth = config.authentication;
    const kind = config.delivery.signInProxy;
    const analysis = kind === DeliveryKind.ROLLING_UPDATE
      ? undefined
      : new SignInReleaseAnalysis(delivery, 'oauth2-proxy', {
        namespace: config.namespace,
        prometheusUrl: config.prometheusUrl,
        successRateObjectivePercent: config.delivery.successRateObjectivePercent,
        intervalSeconds: config.delivery.analysisIntervalSeconds,
        count: config.delivery.analysisCount,
      });
    return new OAuth2Proxy(this, 'oauth2-proxy', {
      namespace: this.baseline,
      image: auth.proxyImage,
      issuerUrl: auth.issuerUrl,
      clientId: auth.clientId,
      groupsClaim: auth.groupsClaim,
      allowedGroups: auth.allowedGroups,
      mfaClaim: auth.mfa.claim,
      mfaAcceptedValues: auth.mfa.acceptedValues,
      acrValues: auth.mfa.acrValues,
      sessionHours: auth.sessionHours,
      refreshMinutes: auth.refreshMinutes,
      hostnames: this.publicHostnames(),
      credentials: new VaultSecret(secrets, 'oauth2-proxy', {
        namespace: config.namespace,
        secretName: 'oauth2-proxy',
        vaultPath: `${config.vaultPathPrefix}/oauth2-proxy`,
        keys: [CLIENT_SECRET_KEY, COOKIE_SECRET_KEY],
        // The cookie key only the proxy uses; the client secret is the identity provider's.
        generatableKeys: [COOKIE_SECRET_KEY],
      }),
      sessionStore: this.redis,
      identityProviderCidrs: config.egress.identityProviderCidrs,
      ingressController: this.peers.ingressController,
      metricsScraper: this.peers.prometheus,
      zones: config.zones,
      strictTopologySpread: config.features.strictTopologySpread,
      replicas: auth.proxyReplicas,
      deliveryStrategy: DeliveryStrategy.of(kind, { analysis, trafficRouting: false, pinStableService: false, maxSurgePercent: OAUTH2_PROXY_MAX_SURGE_PERCENT }),
      serverTlsIssuer: this.internalCa,
      serverTlsCertificateLifetime: this.tlsCertificateLifetime,
    });
  }

  private messageBrokerCluster(): MessageBroker {
    const { config } = this;
    return new MessageBroker(this, 'rabbitmq', {
      namespace: this.baseline,
      replicas: config.messageBroker.replicas,
      cpuMillis: config.messageBroker.cpuMillis,
      memoryMi: config.messageBroker.memoryMi,
      storageGi: config.messageBroker.storageGi,
      storageClass: config.messageBroker.storageClass,
      image: config.storeImages.rabbitmq,
      zones: config.zones,
      metricsScraper: this.peers.prometheus,
      kubernetesApi: this.peers.kubernetesApi,
      tlsIssuer: this.internalCa,
      tlsCertificateLifetime: this.tlsCertificateLifetime,
    });
  }

  /**
   * Scrape targets of the stores, and where the environment has them, the alerting and recording
   * rules (release analysis reads the recording rules) and the dashboards; the rules that watch
   * the whole cluster come with the environment that owns its cluster's objects.
   */
  private observability(): void {
    const { config } = this;
    const observability = new Construct(this, 'observability');
    new RedisExporterMonitor(observability, 'redis-metrics', { redis: this.redis });
    new RabbitmqMonitor(observability, 'rabbitmq-metrics', { broker: this.messageBroker });
    if (config.features.alertingAndDashboards) {
      new PlatformAlertRules(observability, 'alerting-rules', {
        namespace: this.baseline,
        jobQueue: this.jobQueue,
        broker: this.messageBroker,
        environment: config.name,
        includeClusterWideRules: config.ownsClusterScopedObjects,
        publicHosts: [{ service: this.web.name, hostname: config.webHostname }, { service: this.api.name, hostname: config.apiHostname }],
        ingressController: { namespace: config.ingressController.namespace, metricsServiceName: INGRESS_NGINX_METRICS_SERVICE },
      });
      new GrafanaDashboards(this, 'dashboards', { namespace: config.namespace });
    }
  }
}
