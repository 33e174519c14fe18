import { CERTIFICATE_LIFETIME, EU_WEST_1_EGRESS, authenticationFor } from './security';
import { EnvironmentConfig, EnvironmentName } from '../environment-config';
import { environmentImages, referenceOf, storeImagesOf } from '../environment-images';
import { Replicas } from '../../platform/replicas';
import { INGRESS_NGINX_CONTROLLER, KEDA_OPERATOR, KUBE_PROMETHEUS, KUBE_PROMETHEUS_URL } from '../../gitops/addon-catalog';
import { ROLLING_DELIVERY } from './delivery';
import { reducedFootprintServices } from './reduced-footprint-services';
import { ACME_VAULT_CA_BUNDLE_PEM } from './vault-ca';
import { DEVELOPMENT_CLUSTER_NODE_POOL } from './node-pools';

/** Every image preview runs: lib/config/images/preview.yaml (a build of main, by tag). */
const IMAGES = environmentImages(EnvironmentName.PREVIEW);

const PREVIEW_DOMAIN = 'preview.generator-platform.example.com';

/**
 * The config of one preview environment. `previewId` names it (a pull request number, later);
 * each preview gets its own namespace and hostnames so that previews never share state.
 */
export function previewEnvironment(previewId: string): EnvironmentConfig {
  return {
    name: EnvironmentName.PREVIEW,
    ownsClusterScopedObjects: false,
    namespace: `generator-platform-${previewId}`,
    webHostname: `app-${previewId}.${PREVIEW_DOMAIN}`,
    apiHostname: `api-${previewId}.${PREVIEW_DOMAIN}`,
    certificates: { publicIssuer: { kind: 'internal-ca' }, internalCa: { kind: 'self-signed' }, ...CERTIFICATE_LIFETIME },
    // One OAuth client for every pull-request preview (its redirect URIs: https://*.<preview domain>/oauth2/callback).
    authentication: authenticationFor('generator-platform-pull-requests', ['generator-platform-developers'], Replicas.fixed(1), referenceOf(IMAGES.oauth2Proxy)),
    egress: EU_WEST_1_EGRESS,
    imageRegistry: { server: 'ghcr.io' },
    zones: ['eu-west-1a'],
    // The development cluster's node group, which development and every preview share.
    nodePool: DEVELOPMENT_CLUSTER_NODE_POOL,
    ...reducedFootprintServices(IMAGES),
    postgres: {
      instances: 1,
      cpuMillis: 1000,
      memoryMi: 2048,
      storageGi: 10,
      walStorageGi: 5,
      storageClass: 'standard',
      backupDestinationPath: `s3://acme-generator-platform-backups/preview/${previewId}`,
      backupEndpointUrl: 'https://s3.eu-west-1.amazonaws.com',
    },
    redis: { primaries: 3, replicasPerPrimary: 0, cpuMillis: 250, memoryMi: 512, storageGi: 2, storageClass: 'standard' },
    messageBroker: { replicas: 1, cpuMillis: 500, memoryMi: 1024, storageGi: 5, storageClass: 'standard' },
    storeImages: storeImagesOf(IMAGES),
    // One preview-only path for every pull request, holding only what is issued outside the platform
    // (registry, identity-provider client, backup bucket keys); the rest is generated in each namespace.
    vaultPathPrefix: 'generator-platform/preview/shared',
    vaultAddress: 'https://vault.acme.internal:8200',
    vaultCaBundlePem: ACME_VAULT_CA_BUNDLE_PEM,
    // One store and Vault role for every pull request's preview, and for nothing else.
    vaultStoreNamespacePattern: '^generator-platform-pr-[0-9]+$',
    kubernetesApiCidr: '10.0.0.0/28',
    kedaOperator: KEDA_OPERATOR,
    generatorWorkspaceStorageClass: 'standard',
    quotaHeadroomPercent: 50,
    ingressController: INGRESS_NGINX_CONTROLLER,
    prometheus: KUBE_PROMETHEUS,
    prometheusUrl: KUBE_PROMETHEUS_URL,
    delivery: ROLLING_DELIVERY,
    features: { strictTopologySpread: false, debugLogging: true, alertingAndDashboards: false },
    pullRequestPreviews: {
      // The application repository: its release workflow signs the staging and production images (staging.ts, imageSigner).
      applicationRepository: { owner: 'acme', repo: 'generator-platform' },
      imageTag: 'pr-{{head_sha}}',
    },
  };
}

/** The preview rendered into dist/preview: the template every pull-request preview is derived from. */
export const preview: EnvironmentConfig = previewEnvironment('preview');
