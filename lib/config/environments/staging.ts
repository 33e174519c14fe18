import { ImageSigner } from '../../security/image-signature-policy';
import { CERTIFICATE_LIFETIME, EU_WEST_1_EGRESS, authenticationFor, LETS_ENCRYPT } from './security';
import { EnvironmentConfig, EnvironmentName } from '../environment-config';
import { STORE_IMAGES } from './store-images';
import { Replicas } from '../../platform/replicas';
import { SPEC_RESOURCES } from '../spec-minimums';
import { INGRESS_NGINX_CONTROLLER, KEDA_OPERATOR, KUBE_PROMETHEUS, KUBE_PROMETHEUS_URL } from '../../gitops/addon-catalog';
import { FAST_STARTUP_SECONDS, GENERATOR_FAST_STARTUP_SECONDS, PROGRESSIVE_DELIVERY } from './delivery';
import { ACME_VAULT_CA_BUNDLE_PEM } from './vault-ca';
import { STAGING_NODE_POOL } from './node-pools';

/** A production-shaped rehearsal: the same sizes and rules, a smaller ceiling. */
export const staging: EnvironmentConfig = {
  name: EnvironmentName.STAGING,
  ownsClusterScopedObjects: true,
  namespace: 'generator-platform',
  webHostname: 'app.staging.generator-platform.example.com',
  apiHostname: 'api.staging.generator-platform.example.com',
  certificates: { publicIssuer: LETS_ENCRYPT, internalCa: { kind: 'vault-pki', signPath: 'pki_int/sign/generator-platform-staging', role: 'cert-manager-generator-platform-staging' }, ...CERTIFICATE_LIFETIME },
  authentication: authenticationFor('generator-platform-staging', ['generator-platform-users', 'generator-platform-testers'], Replicas.autoscaled({ min: 2, max: 4 })),
  egress: EU_WEST_1_EGRESS,
  imageRegistry: { server: 'ghcr.io' },
  zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  nodePool: STAGING_NODE_POOL,
  web: {
    image: {
      repository: 'ghcr.io/acme/generator-platform-web',
      tag: '1.5.0-rc.1',
      digest: 'sha256:9e1b3d5f7a9c2e4b6d8f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b2d4f6a8c0e1b',
    },
    replicas: Replicas.autoscaled({ min: 2, max: 4 }),
    resources: SPEC_RESOURCES.web,
    targetCpuUtilizationPercent: 70,
    startupTimeoutSeconds: FAST_STARTUP_SECONDS,
  },
  api: {
    image: {
      repository: 'ghcr.io/acme/generator-platform-api',
      tag: '1.5.0-rc.1',
      digest: 'sha256:1c3e5a7b9d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a1c3b5d7f9e2a4c6b8d0f1e3a',
    },
    replicas: Replicas.autoscaled({ min: 2, max: 4 }),
    resources: SPEC_RESOURCES.api,
    targetCpuUtilizationPercent: 70,
    startupTimeoutSeconds: FAST_STARTUP_SECONDS,
  },
  generator: {
    image: {
      repository: 'ghcr.io/acme/generator-platform-generator',
      tag: '1.5.0-rc.1',
      digest: 'sha256:7a9c1e3b5d7f9a2c4e6b8d0f2a4c6e8b0d1f3a5c7e9b1d3f5a7c9e2b4d6f8a0c',
    },
    replicas: Replicas.autoscaled({ min: 2, max: 4 }),
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
    backupDestinationPath: 's3://acme-generator-platform-backups/staging',
    backupEndpointUrl: 'https://s3.eu-west-1.amazonaws.com',
  },
  redis: { primaries: 3, replicasPerPrimary: 1, cpuMillis: 2000, memoryMi: 4096, storageGi: 20, storageClass: 'gp3' },
  messageBroker: { replicas: 3, cpuMillis: 2000, memoryMi: 4096, storageGi: 20, storageClass: 'gp3' },
  storeImages: STORE_IMAGES,
  vaultPathPrefix: 'generator-platform/staging',
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
