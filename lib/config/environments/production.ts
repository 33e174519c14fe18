import { ImageSigner } from '../../security/image-signature-policy';
import { CERTIFICATE_LIFETIME, EU_WEST_1_EGRESS, authenticationFor, LETS_ENCRYPT } from './security';
import { EnvironmentConfig, EnvironmentName } from '../environment-config';
import { STORE_IMAGES } from './store-images';
import { Replicas } from '../../platform/replicas';
import { SPEC_RESOURCES } from '../spec-minimums';
import { INGRESS_NGINX_CONTROLLER, KEDA_OPERATOR, KUBE_PROMETHEUS, KUBE_PROMETHEUS_URL } from '../../gitops/addon-catalog';
import { FAST_STARTUP_SECONDS, GENERATOR_FAST_STARTUP_SECONDS, PROGRESSIVE_DELIVERY } from './delivery';
import { ACME_VAULT_CA_BUNDLE_PEM } from './vault-ca';
import { PRODUCTION_NODE_POOL } from './node-pools';

export const production: EnvironmentConfig = {
  name: EnvironmentName.PRODUCTION,
  ownsClusterScopedObjects: true,
  namespace: 'generator-platform',
  webHostname: 'app.generator-platform.example.com',
  apiHostname: 'api.generator-platform.example.com',
  certificates: { publicIssuer: LETS_ENCRYPT, internalCa: { kind: 'vault-pki', signPath: 'pki_int/sign/generator-platform-production', role: 'cert-manager-generator-platform-production' }, ...CERTIFICATE_LIFETIME },
  authentication: authenticationFor('generator-platform-production', ['generator-platform-users'], Replicas.autoscaled({ min: 2, max: 4 })),
  egress: EU_WEST_1_EGRESS,
  imageRegistry: { server: 'ghcr.io' },
  zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  nodePool: PRODUCTION_NODE_POOL,
  web: {
    image: {
      repository: 'ghcr.io/acme/generator-platform-web',
      tag: '1.4.2',
      digest: 'sha256:3f0a9c1e5b7d2486f1e0c9a8b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8',
    },
    replicas: Replicas.autoscaled({ min: 3, max: 12 }),
    resources: SPEC_RESOURCES.web,
    targetCpuUtilizationPercent: 70,
    startupTimeoutSeconds: FAST_STARTUP_SECONDS,
  },
  api: {
    image: {
      repository: 'ghcr.io/acme/generator-platform-api',
      tag: '1.4.2',
      digest: 'sha256:8c2e4a6f0b1d3c5e7a9b2d4f6e8a0c1b3d5f7e9a2c4b6d8f0e1a3c5b7d9f2e4a',
    },
    replicas: Replicas.autoscaled({ min: 3, max: 12 }),
    resources: SPEC_RESOURCES.api,
    targetCpuUtilizationPercent: 70,
    startupTimeoutSeconds: FAST_STARTUP_SECONDS,
  },
  generator: {
    image: {
      repository: 'ghcr.io/acme/generator-platform-generator',
      tag: '1.4.2',
      digest: 'sha256:5d7f9b1a3c5e7d9f1b3a5c7e9d1f3b5a7c9e1d3f5b7a9c1e3d5f7b9a1c3e5d7f',
    },
    replicas: Replicas.autoscaled({ min: 2, max: 10 }),
    resources: SPEC_RESOURCES.generator,
    targetCpuUtilizationPercent: 75,
    startupTimeoutSeconds: GENERATOR_FAST_STARTUP_SECONDS,
  },
  postgres: {
    instances: 3,
    cpuMillis: 4000,
    memoryMi: 8192,
    storageGi: 100,
    walStorageGi: 20,
    storageClass: 'gp3',
    backupDestinationPath: 's3://acme-generator-platform-backups/production',
    backupEndpointUrl: 'https://s3.eu-west-1.amazonaws.com',
  },
  redis: { primaries: 3, replicasPerPrimary: 1, cpuMillis: 2000, memoryMi: 4096, storageGi: 20, storageClass: 'gp3' },
  messageBroker: { replicas: 3, cpuMillis: 2000, memoryMi: 4096, storageGi: 50, storageClass: 'gp3' },
  storeImages: STORE_IMAGES,
  vaultPathPrefix: 'generator-platform/production',
  vaultAddress: 'https://vault.acme.internal:8200',
  vaultCaBundlePem: ACME_VAULT_CA_BUNDLE_PEM,
  kubernetesApiCidr: '10.0.0.0/28',
  kedaOperator: KEDA_OPERATOR,
  generatorWorkspaceStorageClass: 'gp3',
  quotaHeadroomPercent: 20,
  ingressController: INGRESS_NGINX_CONTROLLER,
  prometheus: KUBE_PROMETHEUS,
  prometheusUrl: KUBE_PROMETHEUS_URL,
  delivery: PROGRESSIVE_DELIVERY,
  imageSigner: ImageSigner.keyless({
    issuer: 'https://token.actions.githubusercontent.com',
    subject: 'https://github.com/acme/generator-platform/.github/workflows/release.yml@refs/tags/v*',
  }),
  features: { strictTopologySpread: true, debugLogging: false, alertingAndDashboards: true },
};
