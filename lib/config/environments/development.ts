import { CERTIFICATE_LIFETIME, EU_WEST_1_EGRESS, authenticationFor } from './security';
import { EnvironmentConfig, EnvironmentName } from '../environment-config';
import { environmentImages, referenceOf, storeImagesOf } from '../environment-images';
import { Replicas } from '../../platform/replicas';
import { INGRESS_NGINX_CONTROLLER, KEDA_OPERATOR, KUBE_PROMETHEUS, KUBE_PROMETHEUS_URL } from '../../gitops/addon-catalog';
import { ROLLING_DELIVERY } from './delivery';
import { reducedFootprintServices } from './reduced-footprint-services';
import { ACME_VAULT_CA_BUNDLE_PEM } from './vault-ca';
import { DEVELOPMENT_CLUSTER_NODE_POOL } from './node-pools';

/** Every image development runs: lib/config/images/development.yaml (a build of main, by tag). */
const IMAGES = environmentImages(EnvironmentName.DEVELOPMENT);

/** A single-zone cluster for the team; reduced footprint as allowed by lib/config/spec-minimums.ts. */
export const development: EnvironmentConfig = {
  name: EnvironmentName.DEVELOPMENT,
  ownsClusterScopedObjects: true,
  namespace: 'generator-platform',
  webHostname: 'app.dev.generator-platform.example.com',
  apiHostname: 'api.dev.generator-platform.example.com',
  certificates: { publicIssuer: { kind: 'internal-ca' }, internalCa: { kind: 'self-signed' }, ...CERTIFICATE_LIFETIME },
  authentication: authenticationFor('generator-platform-development', ['generator-platform-developers'], Replicas.fixed(1), referenceOf(IMAGES.oauth2Proxy)),
  egress: EU_WEST_1_EGRESS,
  imageRegistry: { server: 'ghcr.io' },
  zones: ['eu-west-1a'],
  nodePool: DEVELOPMENT_CLUSTER_NODE_POOL,
  ...reducedFootprintServices(IMAGES),
  postgres: {
    instances: 1,
    cpuMillis: 1000,
    memoryMi: 2048,
    storageGi: 10,
    walStorageGi: 5,
    storageClass: 'standard',
    backupDestinationPath: 's3://acme-generator-platform-backups/development',
    backupEndpointUrl: 'https://s3.eu-west-1.amazonaws.com',
  },
  redis: { primaries: 3, replicasPerPrimary: 0, cpuMillis: 250, memoryMi: 512, storageGi: 2, storageClass: 'standard' },
  messageBroker: { replicas: 1, cpuMillis: 500, memoryMi: 1024, storageGi: 5, storageClass: 'standard' },
  storeImages: storeImagesOf(IMAGES),
  vaultPathPrefix: 'generator-platform/development',
  vaultAddress: 'https://vault.acme.internal:8200',
  vaultCaBundlePem: ACME_VAULT_CA_BUNDLE_PEM,
  kubernetesApiCidr: '10.0.0.0/28',
  kedaOperator: KEDA_OPERATOR,
  generatorWorkspaceStorageClass: 'standard',
  quotaHeadroomPercent: 50,
  ingressController: INGRESS_NGINX_CONTROLLER,
  prometheus: KUBE_PROMETHEUS,
  prometheusUrl: KUBE_PROMETHEUS_URL,
  delivery: ROLLING_DELIVERY,
  features: { strictTopologySpread: false, debugLogging: true, alertingAndDashboards: true },
};
