import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../lib/config/environment-config';
import { PLATFORM_NAME } from '../lib/platform/labels';
import { NamespaceBaseline } from '../lib/platform/namespace-baseline';
import { ClusterPeer } from '../lib/platform/network-peer';
import { ApiService } from '../lib/services/api-service';
import { GeneratorService } from '../lib/services/generator-service';
import { WebService } from '../lib/services/web-service';

export interface EnvironmentChartProps {
  readonly config: EnvironmentConfig;
}

/** One environment of the platform, composed from its config; it holds no logic of its own. */
export class EnvironmentChart extends Chart {
  public readonly baseline: NamespaceBaseline;
  public readonly web: WebService;
  public readonly api: ApiService;
  public readonly generator: GeneratorService;

  public constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    const { config } = props;
    super(scope, id, {
      labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'generator-platform.dev/environment': config.name },
    });
    const ingressController = new ClusterPeer('ingress-nginx', config.ingressController.namespace, config.ingressController.podLabels);
    const prometheus = new ClusterPeer('prometheus', config.prometheus.namespace, config.prometheus.podLabels);
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
    this.api = new ApiService(this, 'api', {
      ...shared,
      namespace: this.baseline,
      image: config.api.image,
      replicas: config.api.replicas,
      resources: config.api.resources,
      targetCpuUtilizationPercent: config.api.targetCpuUtilizationPercent,
      hostname: config.apiHostname,
      ingressController,
      tlsClusterIssuer: config.tlsClusterIssuer,
    });
    this.web = new WebService(this, 'web', {
      ...shared,
      namespace: this.baseline,
      image: config.web.image,
      replicas: config.web.replicas,
      resources: config.web.resources,
      targetCpuUtilizationPercent: config.web.targetCpuUtilizationPercent,
      hostname: config.webHostname,
      api: this.api,
      ingressController,
      tlsClusterIssuer: config.tlsClusterIssuer,
    });
    this.generator = new GeneratorService(this, 'generator', {
      ...shared,
      namespace: this.baseline,
      image: config.generator.image,
      replicas: config.generator.replicas,
      resources: config.generator.resources,
      targetCpuUtilizationPercent: config.generator.targetCpuUtilizationPercent,
      workspaceStorageClass: config.generatorWorkspaceStorageClass,
    });
  }
}
