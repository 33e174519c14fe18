import { ImageSigner } from '../../security/image-signature-policy';
import { CERTIFICATE_LIFETIME, EU_WEST_1_EGRESS, authenticationFor, LETS_ENCRYPT } from './security';
import { EnvironmentConfig, EnvironmentName } from '../environment-config';
import { environmentImages, referenceOf, storeImagesOf } from '../environment-images';
import { Replicas } from '../../platform/replicas';
import { SPEC_RESOURCES } from '../spec-minimums';
import { INGRESS_NGINX_CONTROLLER, KEDA_OPERATOR, KUBE_PROMETHEUS, KUBE_PROMETHEUS_URL } from '../../gitops/addon-catalog';
import { FAST_STARTUP_SECONDS, GENERATOR_FAST_STARTUP_SECONDS, PROGRESSIVE_DELIVERY } from './delivery';
import { ACME_VAULT_CA_BUNDLE_PEM } from './vault-ca';
import { STAGING_NODE_POOL } from './node-pools';

/** Every image staging runs: lib/config/images/staging.yaml, which npm run release, promote and pin-images write. */
const IMAGES = environmentImages(EnvironmentName.STAGING);

/** A production-shaped rehearsal: the same sizes and rules, a smaller ceiling. */
export const staging: EnvironmentConfig = {
  name: EnvironmentName.STAGING,
  ownsClusterScopedObjects: true,
  namespace: 'generator-platform',
  webHostname: 'app.staging.generator-platform.example.com',
  apiHostname: 'api.staging.generator-platform.example.com',
  certificates: { publicIssuer: LETS_ENCRYPT, internalCa: { kind: 'vault-pki', signPath: 'pki_int/sign/generator-platform-staging', role: 'cert-manager-generator-platform-staging' }, ...CERTIFICATE_LIFETIME },
  authentication: authenticationFor('generator-platform-staging', ['generator-platform-users', 'generator-platform-testers'], Replicas.autoscaled({ min: 2, max: 4 }), referenceOf(IMAGES.oauth2Proxy)),
  egress: EU_WEST_1_EGRESS,
  imageRegistry: { server: 'ghcr.io' },
  zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  nodePool: STAGING_NODE_POOL,
  web: {
    image: referenceOf(IMAGES.web),
    replicas: Replicas.autoscaled({ min: 2, max: 4 }),
    resources: SPEC_RESOURCES.web,
    targetCpuUtilizationPercent: 70,
    startupTimeoutSeconds: FAST_STARTUP_SECONDS,
  },
  api: {
    image: referenceOf(IMAGES.api),
    replicas: Replicas.autoscaled({ min: 2, max: 4 }),
    resources: SPEC_RESOURCES.api,
    targetCpuUtilizationPercent: 70,
    startupTimeoutSeconds: FAST_STARTUP_SECONDS,
  },
  generator: {
    image: referenceOf(IMAGES.generator),
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
  storeImages: storeImagesOf(IMAGES),
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
