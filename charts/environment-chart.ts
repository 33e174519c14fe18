import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentConfig, EnvironmentName } from '../lib/config/environment-config';
import { CANARY_STEP_PAUSE_SECONDS, DeliveryKind, DeliveryStrategy } from '../lib/delivery/delivery-strategy';
import { PreviewTraffic } from '../lib/delivery/preview-traffic';
import { RATE_WINDOW_SECONDS, ReleaseAnalysis } from '../lib/delivery/release-analysis';
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
import { ImageSignaturePolicy } from '../lib/security/image-signature-policy';
import { CLIENT_SECRET_KEY, COOKIE_SECRET_KEY, OAuth2Proxy } from '../lib/security/oauth2-proxy';
import { Replicas } from '../lib/platform/replicas';
import { isFullSize } from '../lib/config/spec-minimums';
import { AcmeClusterIssuer } from '../lib/security/acme-cluster-issuer';
import { CLUSTER_INTERNAL_CA } from '../lib/security/internal-certificate-authority';
import { ICertificateIssuer } from '../lib/security/tls-certificate';
import { VaultSecret } from '../lib/security/vault-secret';
import { VaultSecretStore } from '../lib/security/vault-secret-store';
import { applySyncWaves } from '../lib/gitops/sync-waves';
import { GrafanaDashboards } from '../lib/observability/dashboards/grafana-dashboards';
import { PlatformAlertRules } from '../lib/observability/platform-alert-rules';
import { RabbitmqMonitor, RedisExporterMonitor } from '../lib/observability/store-monitors';
import { PointInTimeRecovery } from '../lib/stores/postgres/point-in-time-recovery';

export interface EnvironmentChartProps {
  readonly config: EnvironmentConfig;
}

/** One environment of the platform, composed from its config; it holds no logic of its own. */
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

  public constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    const { config } = props;
    super(scope, id, {
      labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'generator-platform.dev/environment': config.name },
    });
    const ingressController = new ClusterPeer('ingress-nginx', config.ingressController.namespace, config.ingressController.podLabels);
    const prometheus = new ClusterPeer('prometheus', config.prometheus.namespace, config.prometheus.podLabels);
    const kedaOperator = new ClusterPeer('keda', config.kedaOperator.namespace, config.kedaOperator.podLabels);
    const kubernetesApi = new CidrPeer('kubernetes-api', config.kubernetesApiCidr);
    const logLevel = config.features.debugLogging ? 'debug' : 'info';
    const shared = {
      zones: config.zones,
      metricsScraper: prometheus,
      strictTopologySpread: config.features.strictTopologySpread,
      logLevel,
    };

    this.baseline = new NamespaceBaseline(this, 'namespace', {
      namespaceName: config.namespace,
      quotaHeadroomPercent: config.quotaHeadroomPercent,
    });
    // The ACME ClusterIssuer lives in certificates.yaml; each Certificate lives with what uses its
    // Secret (web-tls in web.yaml).
    const certificates = new Construct(this, 'certificates');
    const { publicIssuer } = config.certificates;
    let tlsIssuer: ICertificateIssuer = this.internalCa;
    if (publicIssuer.kind === 'acme') {
      // Cluster-scoped: only an environment that owns its cluster renders it; previews never do.
      tlsIssuer =
        config.name === EnvironmentName.PREVIEW
          ? { issuerName: publicIssuer.clusterIssuerName, issuerKind: 'ClusterIssuer' }
          : new AcmeClusterIssuer(certificates, publicIssuer.clusterIssuerName, {
            server: publicIssuer.server,
            email: publicIssuer.email,
            solverNamespace: this.baseline,
            // web and api: one hostname each.
            maxConcurrentChallenges: 2,
            ingressController,
          });
    }
    const tlsCertificateLifetime = { durationHours: config.certificates.durationHours, renewBeforeHours: config.certificates.renewBeforeHours };
    // The AnalysisTemplates that gate web and api releases (and the preview traffic) live in delivery.yaml.
    const delivery = new Construct(this, 'delivery');
    const releaseOf = (service: 'web' | 'api', kind: DeliveryKind, latencyP95Ms: number) => {
      if (kind === DeliveryKind.ROLLING_UPDATE) {
        return { strategy: DeliveryStrategy.rollingUpdate() };
      }
      const blueGreen = kind === DeliveryKind.BLUE_GREEN;
      const analysis = new ReleaseAnalysis(delivery, service, {
        namespace: config.namespace,
        prometheusUrl: config.prometheusUrl,
        successRateObjectivePercent: config.delivery.successRateObjectivePercent,
        latencyP95Ms,
        intervalSeconds: config.delivery.analysisIntervalSeconds,
        count: config.delivery.analysisCount,
        // A gate measures once one rate window of traffic lies behind it: a blue-green preview's
        // traffic starts with the analysis, a canary's one pause (after its first weight) earlier.
        initialDelaySeconds: blueGreen ? RATE_WINDOW_SECONDS : RATE_WINDOW_SECONDS - CANARY_STEP_PAUSE_SECONDS,
      });
      const previewTraffic = blueGreen
        ? new PreviewTraffic(delivery, `${service}-preview-traffic`, { namespace: this.baseline, image: config[service].image, durationSeconds: analysis.gateSeconds })
        : undefined;
      return { strategy: DeliveryStrategy.of(kind, { analysis, previewTraffic }), previewTraffic };
    };
    const apiRelease = releaseOf('api', config.delivery.api, config.delivery.apiLatencyP95Ms);
    const webRelease = releaseOf('web', config.delivery.web, config.delivery.webLatencyP95Ms);

    this.api = new ApiService(this, 'api', {
      ...shared,
      namespace: this.baseline,
      image: config.api.image,
      replicas: config.api.replicas,
      resources: config.api.resources,
      targetCpuUtilizationPercent: config.api.targetCpuUtilizationPercent,
      startupTimeoutSeconds: config.api.startupTimeoutSeconds,
      deliveryStrategy: apiRelease.strategy,
      hostname: config.apiHostname,
      ingressController,
      tlsIssuer,
      tlsCertificateLifetime,
      serverTlsIssuer: this.internalCa,
      serverTlsCertificateLifetime: tlsCertificateLifetime,
    });
    this.web = new WebService(this, 'web', {
      ...shared,
      namespace: this.baseline,
      image: config.web.image,
      replicas: config.web.replicas,
      resources: config.web.resources,
      targetCpuUtilizationPercent: config.web.targetCpuUtilizationPercent,
      startupTimeoutSeconds: config.web.startupTimeoutSeconds,
      deliveryStrategy: webRelease.strategy,
      hostname: config.webHostname,
      api: this.api,
      ingressController,
      tlsIssuer,
      tlsCertificateLifetime,
      serverTlsIssuer: this.internalCa,
      serverTlsCertificateLifetime: tlsCertificateLifetime,
    });
    apiRelease.previewTraffic?.sendTo(this.api);
    webRelease.previewTraffic?.sendTo(this.web);
    this.generator = new GeneratorService(this, 'generator', {
      ...shared,
      namespace: this.baseline,
      image: config.generator.image,
      replicas: config.generator.replicas,
      resources: config.generator.resources,
      targetCpuUtilizationPercent: config.generator.targetCpuUtilizationPercent,
      startupTimeoutSeconds: config.generator.startupTimeoutSeconds,
      deliveryStrategy: DeliveryStrategy.rollingUpdate({ maxSurgePercent: config.delivery.generatorMaxSurgePercent }),
      workspaceStorageClass: config.generatorWorkspaceStorageClass,
      scaledByQueueDepth: config.generator.replicas.isAutoscaled,
      serverTlsIssuer: this.internalCa,
      serverTlsCertificateLifetime: tlsCertificateLifetime,
    });
    // The generator's one flow out of the cluster: the AI provider's API over HTTPS.
    for (const [index, cidr] of config.egress.aiProviderCidrs.entries()) {
      this.generator.allowEgressTo(new CidrPeer(`ai-provider-${index + 1}`, cidr), [443]);
    }

    this.postgres = new PostgresCluster(this, 'postgres', {
      namespace: this.baseline,
      instances: config.postgres.instances,
      cpuMillis: config.postgres.cpuMillis,
      memoryMi: config.postgres.memoryMi,
      storageGi: config.postgres.storageGi,
      walStorageGi: config.postgres.walStorageGi,
      storageClass: config.postgres.storageClass,
      zones: config.zones,
      strictTopologySpread: config.features.strictTopologySpread,
      metricsScraper: prometheus,
      backupDestinationPath: config.postgres.backupDestinationPath,
      backupEndpointUrl: config.postgres.backupEndpointUrl,
      backupCredentialsVaultPath: `${config.vaultPathPrefix}/postgres-backup`,
      vaultPathPrefix: config.vaultPathPrefix,
      backupServerName: config.postgres.backupServerName,
      kubernetesApiCidrs: [config.kubernetesApiCidr],
      objectStoreEgressCidrs: config.egress.objectStorageCidrs,
      recovery: config.postgres.recoverFromBackup ? PointInTimeRecovery.fromBackups(config.postgres.recoverFromBackup) : undefined,
      tlsIssuer: this.internalCa,
      tlsCertificateLifetime,
    });
    this.postgres.connect(this.api);
    this.postgres.connect(this.generator);

    // Credentials the stores and services share live in one file, secrets.yaml, as ExternalSecrets.
    const secrets = new Construct(this, 'secrets');
    if (config.name !== EnvironmentName.PREVIEW) {
      // Cluster-scoped: one per cluster, so previews use the development cluster's store.
      new VaultSecretStore(secrets, 'vault', { server: config.vaultAddress, role: `generator-platform-${config.name}` });
    }
    // Only the platform's own images are private; the stores' and the sign-in proxy's images are public.
    const registryCredentials = VaultSecret.registryCredentials(secrets, 'registry-pull-secret', {
      namespace: config.namespace,
      secretName: 'registry-pull-secret',
      vaultPath: `${config.vaultPathPrefix}/registry`,
      registryServer: config.imageRegistry.server,
    });
    for (const workload of [this.web, this.api, this.generator, webRelease.previewTraffic, apiRelease.previewTraffic]) {
      workload?.pullImagesWith(registryCredentials);
    }
    this.redis = new RedisCluster(this, 'redis', {
      namespace: this.baseline,
      passwordSecret: new VaultSecret(secrets, 'redis-password', {
        namespace: config.namespace,
        secretName: 'redis-password',
        vaultPath: `${config.vaultPathPrefix}/redis`,
        keys: ['password'],
      }),
      primaries: config.redis.primaries,
      replicasPerPrimary: config.redis.replicasPerPrimary,
      cpuMillis: config.redis.cpuMillis,
      memoryMi: config.redis.memoryMi,
      storageGi: config.redis.storageGi,
      storageClass: config.redis.storageClass,
      zones: config.zones,
      strictTopologySpread: config.features.strictTopologySpread,
      metricsScraper: prometheus,
      tlsIssuer: this.internalCa,
      tlsCertificateLifetime: { durationHours: config.certificates.durationHours, renewBeforeHours: config.certificates.renewBeforeHours },
    });
    this.redis.connect(this.api);
    this.redis.connect(this.generator);

    // Sign-in (OIDC, MFA) in front of web and api; sessions live in Redis. Its own file, oauth2-proxy.yaml.
    const auth = config.authentication;
    this.signIn = new OAuth2Proxy(this, 'oauth2-proxy', {
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
      hostnames: [config.webHostname, config.apiHostname],
      credentials: new VaultSecret(secrets, 'oauth2-proxy', {
        namespace: config.namespace,
        secretName: 'oauth2-proxy',
        vaultPath: `${config.vaultPathPrefix}/oauth2-proxy`,
        keys: [CLIENT_SECRET_KEY, COOKIE_SECRET_KEY],
      }),
      sessionStore: this.redis,
      identityProviderCidrs: config.egress.identityProviderCidrs,
      ingressController,
      metricsScraper: prometheus,
      zones: config.zones,
      strictTopologySpread: config.features.strictTopologySpread,
      // Every request to web and api waits for it: two pods at least where one may fail.
      replicas: isFullSize(config.name) ? Replicas.autoscaled({ min: 2, max: 4 }) : Replicas.fixed(1),
      serverTlsIssuer: this.internalCa,
      serverTlsCertificateLifetime: tlsCertificateLifetime,
    });
    this.web.requireSignIn(this.signIn, { publicPaths: auth.webPublicPaths });
    this.api.requireSignIn(this.signIn, { publicPaths: auth.apiPublicPaths });

    this.messageBroker = new MessageBroker(this, 'rabbitmq', {
      namespace: this.baseline,
      replicas: config.messageBroker.replicas,
      cpuMillis: config.messageBroker.cpuMillis,
      memoryMi: config.messageBroker.memoryMi,
      storageGi: config.messageBroker.storageGi,
      storageClass: config.messageBroker.storageClass,
      zones: config.zones,
      metricsScraper: prometheus,
      kubernetesApi,
      tlsIssuer: this.internalCa,
      tlsCertificateLifetime,
    });
    this.jobQueue = new JobQueue(this, 'generation-jobs', { broker: this.messageBroker, vaultPathPrefix: config.vaultPathPrefix });
    this.jobQueue.grantPublish(this.api);
    this.jobQueue.grantConsume(this.generator);
    if (config.generator.replicas.isAutoscaled) {
      this.jobQueue.scaleConsumer(this.generator, { kedaOperator });
    }

    // Scrape targets, alerting and recording rules (release analysis reads the recording rules) and dashboards.
    const observability = new Construct(this, 'observability');
    new RedisExporterMonitor(observability, 'redis-metrics', { redis: this.redis });
    new RabbitmqMonitor(observability, 'rabbitmq-metrics', { broker: this.messageBroker });
    // Previews run on the development cluster: they page no one (no alerting rules; they release
    // with rolling updates, so no analysis needs the recording rules) and the development
    // dashboards select a preview through $namespace.
    if (config.name !== EnvironmentName.PREVIEW) {
      new PlatformAlertRules(observability, 'alerting-rules', {
        namespace: this.baseline,
        jobQueue: this.jobQueue,
        broker: this.messageBroker,
        environment: config.name,
        includeClusterWideRules: true,
      });
      new GrafanaDashboards(this, 'dashboards', { namespace: config.namespace });
    }

    if (config.imageSigner !== undefined) {
      new ImageSignaturePolicy(this, 'image-signatures', {
        signer: config.imageSigner,
        imageReferences: [config.web, config.api, config.generator].flatMap((service) => [`${service.image.repository}:*`, `${service.image.repository}@*`]),
      });
    }
    applySyncWaves(this);
  }
}
