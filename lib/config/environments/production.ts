import { ImageSigner } from '../../security/image-signature-policy';
import { CERTIFICATE_LIFETIME, EU_WEST_1_EGRESS, authenticationFor, LETS_ENCRYPT } from './security';
import { EnvironmentConfig, EnvironmentName } from '../environment-config';
import { environmentImages, referenceOf, storeImagesOf } from '../environment-images';
import { Replicas } from '../../platform/replicas';
import { SPEC_RESOURCES } from '../spec-minimums';
import { INGRESS_NGINX_CONTROLLER, KEDA_OPERATOR, KUBE_PROMETHEUS, KUBE_PROMETHEUS_URL } from '../../gitops/addon-catalog';
import { FAST_STARTUP_SECONDS, GENERATOR_FAST_STARTUP_SECONDS, PROGRESSIVE_DELIVERY } from './delivery';
import { ACME_VAULT_CA_BUNDLE_PEM } from './vault-ca';
import { PRODUCTION_NODE_POOL } from './node-pools';

/** Every image production runs: lib/config/images/production.yaml, which npm run release, promote and pin-images write. */
const IMAGES = environmentImages(EnvironmentName.PRODUCTION);

export const production: EnvironmentConfig = {
  name: EnvironmentName.PRODUCTION,
  ownsClusterScopedObjects: true,
  namespace: 'generator-platform',
  webHostname: 'app.generator-platform.example.com',
  apiHostname: 'api.generator-platform.example.com',
  certificates: { publicIssuer: LETS_ENCRYPT, internalCa: { kind: 'vault-pki', signPath: 'pki_int/sign/generator-platform-production', role: 'cert-manager-generator-platform-production' }, ...CERTIFICATE_LIFETIME },
  authentication: authenticationFor('generator-platform-production', ['generator-platform-users'], Replicas.autoscaled({ min: 2, max: 4 }), referenceOf(IMAGES.oauth2Proxy)),
  egress: EU_WEST_1_EGRESS,
  imageRegistry: { server: 'ghcr.io' },
  zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  nodePool: PRODUCTION_NODE_POOL,
  web: {
    image: referenceOf(IMAGES.web),
    replicas: Replicas.autoscaled({ min: 3, max: 12 }),
    resources: SPEC_RESOURCES.web,
    targetCpuUtilizationPercent: 70,
    startupTimeoutSeconds: FAST_STARTUP_SECONDS,
  },
  api: {
    image: referenceOf(IMAGES.api),
    replicas: Replicas.autoscaled({ min: 3, max: 12 }),
    resources: SPEC_RESOURCES.api,
    targetCpuUtilizationPercent: 70,
    startupTimeoutSeconds: FAST_STARTUP_SECONDS,
  },
  generator: {
    image: referenceOf(IMAGES.generator),
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
  storeImages: storeImagesOf(IMAGES),
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
