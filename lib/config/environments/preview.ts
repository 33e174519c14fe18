import { EnvironmentConfig, EnvironmentName } from '../environment-config';
import { Replicas } from '../replicas';
import { INGRESS_NGINX_CONTROLLER, KUBE_PROMETHEUS } from './cluster-peers';

const PREVIEW_DOMAIN = 'preview.generator-platform.example.com';

/**
 * The config of one preview environment. `previewId` names it (a pull request number, later);
 * each preview gets its own namespace and hostnames so that previews never share state.
 */
export function previewEnvironment(previewId: string): EnvironmentConfig {
  return {
    name: EnvironmentName.PREVIEW,
    namespace: `generator-platform-${previewId}`,
    webHostname: `app-${previewId}.${PREVIEW_DOMAIN}`,
    apiHostname: `api-${previewId}.${PREVIEW_DOMAIN}`,
    tlsClusterIssuer: 'platform-selfsigned',
    zones: ['eu-west-1a'],
    web: {
      image: { repository: 'ghcr.io/acme/generator-platform-web', tag: 'main-7f3c2a1' },
      replicas: Replicas.fixed(1),
      resources: { cpuMillis: 500, memoryMi: 1024, storageGi: 5 },
      targetCpuUtilizationPercent: 70,
    },
    api: {
      image: { repository: 'ghcr.io/acme/generator-platform-api', tag: 'main-7f3c2a1' },
      replicas: Replicas.fixed(1),
      resources: { cpuMillis: 500, memoryMi: 1024, storageGi: 5 },
      targetCpuUtilizationPercent: 70,
    },
    generator: {
      image: { repository: 'ghcr.io/acme/generator-platform-generator', tag: 'main-7f3c2a1' },
      replicas: Replicas.fixed(1),
      resources: { cpuMillis: 1000, memoryMi: 2048, storageGi: 10 },
      targetCpuUtilizationPercent: 75,
    },
    generatorWorkspaceStorageClass: 'standard',
    quotaHeadroomPercent: 50,
    ingressController: INGRESS_NGINX_CONTROLLER,
    prometheus: KUBE_PROMETHEUS,
    features: { strictTopologySpread: false, debugLogging: true },
  };
}

/** The preview rendered into dist/preview: the template every pull-request preview is derived from. */
export const preview: EnvironmentConfig = previewEnvironment('preview');
