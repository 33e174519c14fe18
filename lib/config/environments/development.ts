import { EnvironmentConfig, EnvironmentName } from '../environment-config';
import { Replicas } from '../replicas';
import { INGRESS_NGINX_CONTROLLER, KUBE_PROMETHEUS } from './cluster-peers';

/** A single-zone cluster for the team; reduced footprint as allowed by lib/config/spec-minimums.ts. */
export const development: EnvironmentConfig = {
  name: EnvironmentName.DEVELOPMENT,
  namespace: 'generator-platform',
  webHostname: 'app.dev.generator-platform.example.com',
  apiHostname: 'api.dev.generator-platform.example.com',
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
