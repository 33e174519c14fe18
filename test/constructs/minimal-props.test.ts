import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart, Testing, Yaml } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { DeliveryKind } from '../../lib/delivery/delivery-strategy';
import { GeneratorReleaseAnalysis } from '../../lib/delivery/generator-release-analysis';
import { PreviewTraffic } from '../../lib/delivery/preview-traffic';
import { ReleaseAnalysis } from '../../lib/delivery/release-analysis';
import { ServiceRelease } from '../../lib/delivery/service-release';
import { SignInReleaseAnalysis } from '../../lib/delivery/sign-in-release-analysis';
import { Addon, AddonSourceType, OPERATOR_ADDON_WAVE } from '../../lib/gitops/addon-catalog';
import { AddonApplication } from '../../lib/gitops/addon-application';
import { AddonProject } from '../../lib/gitops/addon-project';
import { ArgoCdWebhookSecret } from '../../lib/gitops/argocd-webhook-secret';
import { CertificateAuthorityApplication } from '../../lib/gitops/certificate-authority-application';
import { EnvironmentApplication } from '../../lib/gitops/environment-application';
import { PlatformProject } from '../../lib/gitops/platform-project';
import { PreviewApplicationSet } from '../../lib/gitops/preview-application-set';
import { PreviewNamespaceApplicationSet } from '../../lib/gitops/preview-namespace-application-set';
import { ClusterBaselineApplication } from '../../lib/gitops/cluster-baseline-application';
import { RenderedObject, renderedObjectsOf } from '../../lib/gitops/rendered-objects';
import { PREVIEW_PROBE_ID } from '../../lib/gitops/preview-parametrization';
import { RootApplication } from '../../lib/gitops/root-application';
import { LoggingNetworkPolicies } from '../../lib/gitops/logging-network-policies';
import { LokiDeploymentMode } from '../../lib/gitops/logging-settings';
import { GrafanaDashboards } from '../../lib/observability/dashboards/grafana-dashboards';
import { MetricsServiceMonitor } from '../../lib/observability/metrics-service-monitor';
import { PlatformAlertRules } from '../../lib/observability/platform-alert-rules';
import { RabbitmqMonitor, RedisExporterMonitor } from '../../lib/observability/store-monitors';
import { CidrPeer } from '../../lib/platform/cidr-peer';
import { NamespaceBaseline } from '../../lib/platform/namespace-baseline';
import { Replicas } from '../../lib/platform/replicas';
import { AcmeClusterIssuer } from '../../lib/security/acme-cluster-issuer';
import { CertificateAuthorityTrust } from '../../lib/security/certificate-authority-trust';
import { ImageAdmissionPolicy } from '../../lib/security/image-admission-policy';
import { InternalIssuerPolicy } from '../../lib/security/internal-issuer-policy';
import { ImageSignaturePolicy, ImageSigner } from '../../lib/security/image-signature-policy';
import { CertificateAuthoritySigner, InternalCertificateAuthority } from '../../lib/security/internal-certificate-authority';
import { CLIENT_SECRET_KEY, COOKIE_SECRET_KEY, OAuth2Proxy } from '../../lib/security/oauth2-proxy';
import { TlsCertificate } from '../../lib/security/tls-certificate';
import { VaultSecret } from '../../lib/security/vault-secret';
import { PasswordGenerator } from '../../lib/security/password-generator';
import { PullRequestGeneratorToken } from '../../lib/gitops/pull-request-generator-token';
import { VaultSecretStore } from '../../lib/security/vault-secret-store';
import { ApiService } from '../../lib/services/api-service';
import { GeneratorService } from '../../lib/services/generator-service';
import { LongRunningService } from '../../lib/services/long-running-service';
import { ServiceIngress } from '../../lib/services/service-ingress';
import { SignInIngresses } from '../../lib/services/sign-in-ingresses';
import { WebService } from '../../lib/services/web-service';
import { JobQueue } from '../../lib/stores/job-queue';
import { MessageBroker } from '../../lib/stores/message-broker';
import { PostgresCluster } from '../../lib/stores/postgres-cluster';
import { CnpgInstancePeer } from '../../lib/stores/postgres/cnpg-instance-peer';
import { PgBouncerPooler } from '../../lib/stores/postgres/pgbouncer-pooler';
import { TcpFlowPolicy } from '../../lib/stores/postgres/tcp-flow-policy';
import { RedisCluster } from '../../lib/stores/redis-cluster';
import { RedisUsers } from '../../lib/stores/redis/redis-users';
import { RedisBootstrap } from '../../lib/stores/redis/redis-bootstrap';
import { RedisClusterPolicies } from '../../lib/stores/redis/redis-cluster-policies';
import { CpuAutoscaler } from '../../lib/workloads/cpu-autoscaler';
import { DisruptionBudget } from '../../lib/workloads/disruption-budget';
import { platformProject } from '../gitops/fixtures';
import { requiredPostgresProps } from '../stores/support/postgres-fixtures';
import { brokerScope } from '../stores/support/rabbitmq-fixtures';
import { minimalRedis, redisScope, TLS_ISSUER, redisBootstrapProps } from '../stores/support/redis-fixtures';
import { emptyChart } from '../support/kube';
import { IMAGE, ingressController, oneReplica, prometheus, publicTls, serviceScope, smallResources } from '../support/service-fixtures';
import { requiredProxyProps } from '../security/support/oauth2-proxy-fixtures';
import { BACKEND_TLS, MINIMAL_SERVICE_INGRESS, SIGN_IN_PROXY } from '../services/support/ingress-fixtures';

/**
 * One snapshot per public construct of lib/, built with only its required props, so that a change
 * to a construct shows once in review, apart from any environment's data (dist/ shows those).
 *
 * A case builds the smallest dependencies the construct needs in a fresh chart, then the construct.
 * Its snapshot holds, as YAML: the objects under the construct; the objects of its dependencies it
 * added or changed (a NetworkPolicy it opened on a store, the namespace quota it counts into); and
 * the names of the dependency objects it left as they were, which are snapshotted in their own case.
 */
interface MinimalCase {
  /** The dependencies alone, in a fresh chart. */
  readonly dependencies: () => Chart;
  /** The dependencies again, in another fresh chart, and the construct under test among them. */
  readonly build: () => { readonly chart: Chart; readonly construct: IConstruct };
}

/** A case whose construct `build` makes from the dependencies `scope` returns. */
function minimal<S extends { readonly chart: Chart }>(scope: () => S, build: (scope: S) => IConstruct): MinimalCase {
  return {
    dependencies: () => scope().chart,
    build: () => {
      const dependencies = scope();
      return { chart: dependencies.chart, construct: build(dependencies) };
    },
  };
}

/** A case whose construct needs nothing but a chart. */
function standalone(build: (chart: Chart) => IConstruct): MinimalCase {
  return minimal(() => ({ chart: emptyChart() }), ({ chart }) => build(chart));
}

// Props as the existing per-construct tests build them (their test files do not export them).
const PROMETHEUS_URL = 'http://prometheus.monitoring.svc:9090';
const INGRESS = MINIMAL_SERVICE_INGRESS;
const REDIS = { name: 'redis', namespaceName: 'apps', caSecretName: 'redis-tls', metricsServerName: 'redis-headless.apps.svc' };
const RABBITMQ = { name: 'rabbitmq', namespaceName: 'apps', vhostName: 'generator-platform', serviceHost: 'rabbitmq.apps.svc.cluster.local', tlsSecretName: 'rabbitmq-tls' };
const CLUSTER_CA = { issuerName: 'internal-ca', issuerKind: 'ClusterIssuer' as const };
const CERTIFICATE_LIFETIME = { durationHours: 2160, renewBeforeHours: 720 };
const POOLER_LABELS = { 'app.kubernetes.io/name': 'pg' };

/** An add-on with only the fields a Helm add-on needs, rather than a catalog entry that follows its cluster's settings. */
const HELM_ADDON: Addon = {
  name: 'example-operator',
  sourceType: AddonSourceType.HELM,
  repoUrl: 'https://charts.example.com',
  chart: 'example-operator',
  targetRevision: '1.0.0',
  namespace: 'example-system',
  appVersion: '1.0.0',
  crdVersion: '1.0.0',
  crdGroups: [],
  clusterResourceKinds: [],
  verifiedAt: 'a test add-on',
  syncWave: OPERATOR_ADDON_WAVE,
};

function addonScope() {
  const chart = emptyChart();
  return { chart, project: new AddonProject(chart, 'platform-addons', { addons: [HELM_ADDON] }) };
}

/** The smallest preview namespace a PreviewNamespaceApplicationSet parametrizes, rendered for the base id or the probe id. */
function previewChart(namespaceName: string): Chart {
  const chart = emptyChart();
  new NamespaceBaseline(chart, 'namespace', { namespaceName });
  return chart;
}

/** The smallest preview content a PreviewApplicationSet parametrizes: one ConfigMap in the preview's namespace. */
function previewContent(namespaceName: string): RenderedObject[] {
  const chart = emptyChart();
  new k8s.KubeConfigMap(chart, 'settings', { metadata: { name: 'settings', namespace: namespaceName }, data: { namespace: namespaceName } });
  return renderedObjectsOf(chart);
}

function apiScope() {
  const { chart, namespace } = serviceScope();
  const api = new ApiService(chart, 'api', {
    namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'],
    hostname: 'api.example.com', ingressController, metricsScraper: prometheus, ...publicTls,
  });
  return { chart, namespace, api };
}

function sessionStoreScope() {
  const { chart, redis } = minimalRedis();
  const credentials = new VaultSecret(chart, 'oauth2-proxy-secret', {
    namespace: 'apps', secretName: 'oauth2-proxy', vaultPath: 'generator-platform/test/oauth2-proxy', keys: [CLIENT_SECRET_KEY, COOKIE_SECRET_KEY],
  });
  return { chart, namespace: redis.namespace, redis, credentials };
}

/** Class name -> its minimal case. */
const CASES: Readonly<Record<string, MinimalCase>> = {
  // gitops
  PlatformProject: standalone((chart) => new PlatformProject(chart, 'generator-platform', { namespaces: ['generator-platform'], clusterResourceKinds: [{ group: '', kind: 'Namespace' }] })),
  AddonProject: standalone((chart) => new AddonProject(chart, 'platform-addons', { addons: [HELM_ADDON] })),
  ArgoCdWebhookSecret: standalone((chart) => new ArgoCdWebhookSecret(chart, 'argocd-webhook', { vaultPath: 'generator-platform/production/argocd' })),
  AddonApplication: minimal(addonScope, ({ chart, project }) => new AddonApplication(chart, HELM_ADDON.name, { addon: HELM_ADDON, project })),
  CertificateAuthorityApplication: minimal(
    () => {
      const chart = emptyChart();
      return { chart, project: new PlatformProject(chart, 'platform-certificate-authority', { namespaces: ['cert-manager'], clusterResourceKinds: [{ group: 'cert-manager.io', kind: 'ClusterIssuer' }] }) };
    },
    ({ chart, project }) => new CertificateAuthorityApplication(chart, 'ca', { clusterName: 'staging', project, clusterResourceNamespace: 'cert-manager' }),
  ),
  RootApplication: minimal(
    () => {
      const chart = emptyChart();
      return { chart, project: new PlatformProject(chart, 'platform-bootstrap', { namespaces: ['argocd'], clusterResourceKinds: [], namespaceResourceKinds: [{ group: 'argoproj.io', kind: 'Application' }] }) };
    },
    ({ chart, project }) => new RootApplication(chart, 'root', { clusterName: 'production', project }),
  ),
  EnvironmentApplication: minimal(
    () => {
      const chart = emptyChart();
      return { chart, project: platformProject(chart) };
    },
    // An empty environment chart: nothing autoscaled, so no ignored differences.
    ({ chart, project }) => new EnvironmentApplication(chart, 'staging', { environmentName: 'staging', namespace: 'generator-platform', environmentChart: emptyChart(), project }),
  ),
  PreviewApplicationSet: minimal(
    () => {
      const chart = emptyChart();
      return { chart, project: platformProject(chart) };
    },
    ({ chart, project }) => new PreviewApplicationSet(chart, 'previews', {
      applicationRepository: { owner: 'acme', repo: 'generator-platform' },
      project,
      imageRepositories: [IMAGE.repository],
      baseObjects: previewContent('generator-platform-preview'),
      probeObjects: previewContent(`generator-platform-${PREVIEW_PROBE_ID}`),
    }),
  ),
  PullRequestGeneratorToken: standalone((chart) => new PullRequestGeneratorToken(chart, 'pull-request-token', { vaultPath: 'generator-platform/development/argocd' })),
  PreviewNamespaceApplicationSet: minimal(
    () => {
      const chart = emptyChart();
      return { chart, project: platformProject(chart) };
    },
    ({ chart, project }) => new PreviewNamespaceApplicationSet(chart, 'preview-namespaces', {
      applicationRepository: { owner: 'acme', repo: 'generator-platform' },
      project,
      baseObjects: renderedObjectsOf(previewChart('generator-platform-preview')),
      probeObjects: renderedObjectsOf(previewChart(`generator-platform-${PREVIEW_PROBE_ID}`)),
      folder: 'argocd/development/preview-namespace',
    }),
  ),
  ClusterBaselineApplication: minimal(
    () => {
      const chart = emptyChart();
      return { chart, project: new PlatformProject(chart, 'platform-cluster-baseline', { namespaces: ['argocd'], clusterResourceKinds: [{ group: '', kind: 'Namespace' }], namespaceResourceKinds: [] }) };
    },
    ({ chart, project }) => new ClusterBaselineApplication(chart, 'cluster-baseline', { clusterName: 'production', project }),
  ),

  // stores
  MessageBroker: minimal(serviceScope, ({ chart, namespace }) => new MessageBroker(chart, 'rabbitmq', {
    namespace, replicas: 3, cpuMillis: 2000, memoryMi: 4096, storageGi: 20, zones: ['z1', 'z2', 'z3'],
    metricsScraper: prometheus, kubernetesApi: new CidrPeer('kubernetes-api', '10.0.0.1/32'), tlsIssuer: TLS_ISSUER,
  })),
  JobQueue: minimal(brokerScope, ({ chart, broker }) => new JobQueue(chart, 'jobs', { broker, vaultPathPrefix: 'platform/test' })),
  // As minimalRedis() builds it, with its Vault secret as a dependency.
  RedisCluster: minimal(redisScope, ({ chart, namespace, vaultPathPrefix }) => new RedisCluster(chart, 'redis', {
    namespace, vaultPathPrefix, zones: ['z1', 'z2', 'z3'], metricsScraper: prometheus, tlsIssuer: TLS_ISSUER,
  })),
  RedisBootstrap: minimal(serviceScope, ({ chart, namespace }) => new RedisBootstrap(chart, 'Bootstrap', redisBootstrapProps(namespace))),
  RedisUsers: standalone((chart) => new RedisUsers(chart, 'Users', { clusterName: 'redis', namespaceName: 'apps', vaultPathPrefix: 'platform/test' })),
  RedisClusterPolicies: standalone((chart) => new RedisClusterPolicies(chart, 'ClusterPolicies', {
    clusterName: 'redis', bootstrapName: 'redis-bootstrap', namespace: 'apps', labels: { 'app.kubernetes.io/name': 'redis' },
  })),
  PostgresCluster: minimal(serviceScope, ({ chart, namespace }) => new PostgresCluster(chart, 'pg', requiredPostgresProps(namespace))),
  // The pooler and the flow policy PostgresCluster makes, with the values it passes by default.
  PgBouncerPooler: standalone((chart) => new PgBouncerPooler(chart, 'Pooler', {
    name: 'pg-pooler', namespaceName: 'apps', instances: new CnpgInstancePeer('pg', 'apps'), clusterName: 'pg',
    replicas: 2, cpuMillis: 500, memoryMi: 256, maxClientConnections: 1000, defaultPoolSize: 20, metricsScraper: prometheus,
    kubernetesApiCidrs: ['10.0.0.1/32'], kubernetesApiPorts: [443, 6443], zones: ['z1'], strictTopologySpread: true,
  })),
  TcpFlowPolicy: standalone((chart) => new TcpFlowPolicy(chart, 'AllowFromPooler', {
    name: 'pg-allow-from-pg-pooler', namespace: 'apps', labels: POOLER_LABELS, podSelector: new CnpgInstancePeer('pg', 'apps').selector, ports: [5432],
  })),

  // platform
  NamespaceBaseline: standalone((chart) => new NamespaceBaseline(chart, 'namespace', { namespaceName: 'apps' })),

  // services
  LongRunningService: minimal(serviceScope, ({ chart, namespace }) => new LongRunningService(chart, 'worker', {
    namespace, component: 'worker', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus,
  })),
  ApiService: minimal(serviceScope, ({ chart, namespace }) => new ApiService(chart, 'api', {
    namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'],
    hostname: 'api.example.com', ingressController, metricsScraper: prometheus, ...publicTls,
  })),
  WebService: minimal(apiScope, ({ chart, namespace, api }) => new WebService(chart, 'web', {
    namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'],
    hostname: 'app.example.com', api, ingressController, metricsScraper: prometheus, ...publicTls,
  })),
  GeneratorService: minimal(serviceScope, ({ chart, namespace }) => new GeneratorService(chart, 'generator', {
    namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus,
  })),
  ServiceIngress: standalone((chart) => new ServiceIngress(chart, 'IngressExposure', INGRESS)),
  SignInIngresses: minimal(
    () => {
      const chart = emptyChart();
      return { chart, ingress: new ServiceIngress(chart, 'IngressExposure', INGRESS).ingress };
    },
    ({ chart, ingress }) => new SignInIngresses(chart, 'SignIn', {
      serviceName: 'web', namespace: 'apps', labels: { 'app.kubernetes.io/name': 'web' }, ingress, proxy: SIGN_IN_PROXY, backendTlsAnnotations: BACKEND_TLS,
    }),
  ),

  // delivery
  ReleaseAnalysis: standalone((chart) => new ReleaseAnalysis(chart, 'api', { namespace: 'apps', prometheusUrl: PROMETHEUS_URL })),
  GeneratorReleaseAnalysis: standalone((chart) => new GeneratorReleaseAnalysis(chart, 'generator', {
    namespace: 'apps', prometheusUrl: PROMETHEUS_URL, queueVhost: 'generator-platform', queueName: 'generation.jobs',
  })),
  SignInReleaseAnalysis: standalone((chart) => new SignInReleaseAnalysis(chart, 'oauth2-proxy', { namespace: 'apps', prometheusUrl: PROMETHEUS_URL })),
  // Fails validation until sendTo() names its target, so it gets the smallest one: a service with a traffic port.
  PreviewTraffic: minimal(
    () => {
      const { chart, namespace } = serviceScope();
      const web = new LongRunningService(chart, 'web', {
        namespace, component: 'frontend', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 3000,
      });
      return { chart, namespace, web };
    },
    ({ chart, namespace, web }) => {
      const traffic = new PreviewTraffic(chart, 'web-preview-traffic', { namespace, image: IMAGE });
      traffic.sendTo(web);
      return traffic;
    },
  ),
  ServiceRelease: minimal(serviceScope, ({ chart, namespace }) => new ServiceRelease(chart, 'web', { kind: DeliveryKind.ROLLING_UPDATE, namespace, prometheusUrl: PROMETHEUS_URL, image: IMAGE })),

  // observability
  PlatformAlertRules: standalone((chart) => new PlatformAlertRules(chart, 'alerts', {
    namespace: { namespaceName: 'apps' }, jobQueue: { queueName: 'generation.jobs' }, broker: { vhostName: 'generator-platform' },
  })),
  GrafanaDashboards: standalone((chart) => new GrafanaDashboards(chart, 'dashboards', { namespace: 'generator-platform' })),
  MetricsServiceMonitor: standalone((chart) => new MetricsServiceMonitor(chart, 'web', { namespace: 'apps', serviceLabels: { 'app.kubernetes.io/name': 'web' } })),
  RedisExporterMonitor: standalone((chart) => new RedisExporterMonitor(chart, 'redis-metrics', { redis: REDIS })),
  RabbitmqMonitor: standalone((chart) => new RabbitmqMonitor(chart, 'rabbitmq-metrics', { broker: RABBITMQ })),

  // workloads
  CpuAutoscaler: standalone((chart) => new CpuAutoscaler(chart, 'HorizontalPodAutoscaler', {
    namespace: 'apps', labels: { 'app.kubernetes.io/name': 'api' }, target: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, replicas: Replicas.autoscaled({ min: 2, max: 6 }),
  })),
  DisruptionBudget: standalone((chart) => new DisruptionBudget(chart, 'PodDisruptionBudget', {
    name: 'web', namespace: 'apps', labels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/component': 'frontend' }, selector: { 'app.kubernetes.io/name': 'web' },
  })),

  // security
  VaultSecret: standalone((chart) => new VaultSecret(chart, 'redis', { namespace: 'apps', secretName: 'redis-auth', vaultPath: 'platform/dev/redis', keys: ['password'] })),
  PasswordGenerator: standalone((chart) => new PasswordGenerator(chart, 'password-generator', { namespace: 'apps' })),
  VaultSecretStore: standalone((chart) => new VaultSecretStore(chart, 'vault', { server: 'https://vault.example.com:8200', role: 'generator-platform-staging', namespaces: ['generator-platform'] })),
  TlsCertificate: standalone((chart) => new TlsCertificate(chart, 'Certificate', {
    namespace: 'apps', secretName: 'web-tls', dnsNames: ['app.example.com'], issuer: CLUSTER_CA, ...CERTIFICATE_LIFETIME,
  })),
  CertificateAuthorityTrust: standalone((chart) => new CertificateAuthorityTrust(chart, 'trust', {
    namespace: 'rabbitmq-system', consumer: 'messaging-topology-operator', issuer: CLUSTER_CA, ...CERTIFICATE_LIFETIME,
  })),
  InternalCertificateAuthority: standalone((chart) => new InternalCertificateAuthority(chart, 'internal-ca', { signer: CertificateAuthoritySigner.selfSigned() })),
  AcmeClusterIssuer: minimal(serviceScope, ({ chart, namespace }) => new AcmeClusterIssuer(chart, 'letsencrypt-production', {
    server: 'https://acme-v02.api.letsencrypt.org/directory', email: 'team@example.com', solverNamespace: namespace, maxConcurrentChallenges: 2, ingressController,
  })),
  ImageSignaturePolicy: standalone((chart) => new ImageSignaturePolicy(chart, 'image-signatures', {
    signer: ImageSigner.keyless({
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'https://github.com/acme/generator-platform-*/.github/workflows/release.yml@refs/tags/*',
    }),
  })),
  ImageAdmissionPolicy: standalone((chart) => new ImageAdmissionPolicy(chart, 'image-admission', { platformRepositories: ['ghcr.io/acme/generator-platform-web'] })),
  InternalIssuerPolicy: standalone((chart) => new InternalIssuerPolicy(chart, 'internal-ca-policy', { issuer: CLUSTER_CA, trustedNamespaces: ['apps'] })),
  LoggingNetworkPolicies: standalone((chart) => new LoggingNetworkPolicies(chart, 'logging', {
    deploymentMode: LokiDeploymentMode.SINGLE_BINARY,
    lokiRelease: 'loki',
    fluentBitReleases: ['fluent-bit'],
    lokiReaders: [],
    objectStorageCidrs: ['52.218.0.0/17'],
    kubernetesApiCidrs: ['10.0.0.0/28'],
  })),
  OAuth2Proxy: minimal(sessionStoreScope, ({ chart, namespace, redis, credentials }) => new OAuth2Proxy(chart, 'oauth2-proxy', requiredProxyProps(namespace, redis, credentials))),
};

type KubeObject = { readonly kind: string; readonly metadata: { readonly name?: string; readonly namespace?: string } };

function objectKey(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? ''}`;
}

function keyed(objects: readonly KubeObject[]): Map<string, KubeObject> {
  const byKey = new Map<string, KubeObject>();
  for (const o of objects) {
    if (byKey.has(objectKey(o))) {
      throw new Error(`two objects ${objectKey(o)} in one chart`);
    }
    byKey.set(objectKey(o), o);
  }
  return byKey;
}

/** Keys of the objects under `scope` in `chart`, as synth/render.ts's apiObjectsOf finds them. */
function objectKeysUnder(scope: IConstruct, chart: Chart): Set<string> {
  return new Set(
    scope.node.findAll()
      .filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart)
      .map((o) => objectKey({ kind: o.kind, metadata: { name: o.name, namespace: o.metadata.namespace } })),
  );
}

function yamlSection(title: string, objects: readonly KubeObject[]): string {
  return `# ${title}\n${objects.length > 0 ? Yaml.stringify(...objects) : '# (none)\n'}`;
}

/**
 * What the construct of `minimalCase` made, as YAML: its own objects, the objects of its
 * dependencies it added or changed, and the names of those it left alone.
 */
function renderCase(minimalCase: MinimalCase): { readonly className: string; readonly yaml: string } {
  const before = keyed(Testing.synth(minimalCase.dependencies()));
  const { chart, construct } = minimalCase.build();
  // Testing.synth runs the constructs' validations, as synth does.
  const objects = Testing.synth(chart) as KubeObject[];
  keyed(objects); // fails on two objects of one kind, namespace and name
  const own = objectKeysUnder(construct, chart);
  const made = objects.filter((o) => own.has(objectKey(o)));
  const others = objects.filter((o) => !own.has(objectKey(o)));
  const unchanged = (o: KubeObject) => before.has(objectKey(o)) && JSON.stringify(before.get(objectKey(o))) === JSON.stringify(o);
  const sections = [yamlSection(`made by ${construct.constructor.name} ${construct.node.path}`, made)];
  const changed = others.filter((o) => !unchanged(o));
  if (changed.length > 0) {
    sections.push(yamlSection('added or changed by it in its dependencies', changed));
  }
  const kept = others.filter(unchanged);
  if (kept.length > 0) {
    sections.push(`# its dependencies' objects it left as they were:\n${kept.map((o) => `#   ${objectKey(o)}\n`).join('')}`);
  }
  return { className: construct.constructor.name, yaml: `\n${sections.join('\n')}` };
}

// Outside any describe block, so that each snapshot is named after its class.
test.each(Object.entries(CASES))('%s with minimal props', (className, minimalCase) => {
  const rendered = renderCase(minimalCase);
  expect(rendered.className).toBe(className);
  expect(rendered.yaml).toMatchSnapshot();
});

const ROOT = path.resolve(__dirname, '..', '..');

function libFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? libFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * Exported non-abstract classes of lib/ that extend Construct, directly or through another class
 * of lib/ (RestrictedWorkload, LongRunningService): class name -> file.
 */
function publicConstructClasses(): Map<string, string> {
  const declared = new Map<string, { readonly base: string; readonly isAbstract: boolean; readonly file: string }>();
  for (const file of libFiles(path.join(ROOT, 'lib'))) {
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^export\s+(abstract\s+)?class\s+(\w+)(?:\s*<[^{]*?>)?\s+extends\s+([\w.]+)/gm)) {
      declared.set(match[2], { base: match[3], isAbstract: match[1] !== undefined, file: path.relative(ROOT, file) });
    }
  }
  const isConstruct = (name: string, seen: readonly string[] = []): boolean => {
    if (name === 'Construct') {
      return true;
    }
    const declaration = declared.get(name);
    return declaration !== undefined && !seen.includes(name) && isConstruct(declaration.base, [...seen, name]);
  };
  return new Map([...declared].filter(([name, d]) => !d.isAbstract && isConstruct(name)).map(([name, d]) => [name, d.file]));
}

describe('the minimal-props table', () => {
  test('has a case for every public construct of lib/, and for nothing else', () => {
    const constructs = publicConstructClasses();
    const problems = [
      ...[...constructs].filter(([name]) => !(name in CASES)).map(([name, file]) => `${name} (${file}) has no minimal-props snapshot: add a case to CASES in test/constructs/minimal-props.test.ts`),
      ...Object.keys(CASES).filter((name) => !constructs.has(name)).map((name) => `CASES has ${name}, which is no exported non-abstract Construct class of lib/: remove or rename the case`),
    ];
    expect(problems).toEqual([]);
  });

  test('finds the constructs it guards, through subclasses too', () => {
    const constructs = [...publicConstructClasses().keys()];
    expect(constructs).toEqual(expect.arrayContaining(['NamespaceBaseline', 'RedisCluster', 'LongRunningService', 'WebService', 'OAuth2Proxy']));
    expect(constructs).not.toContain('RestrictedWorkload');
    expect(constructs).not.toContain('ConfigError');
  });
});
