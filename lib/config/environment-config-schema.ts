import { z } from 'zod';
import { DeliveryKind } from '../delivery/delivery-strategy';
import { ImageReference } from '../platform/image-reference';
import { PodResources } from '../platform/pod-resources';
import { Replicas } from '../platform/replicas';
import { ImageSigner } from '../security/image-signature-policy';
import {
  ClusterPeerConfig,
  DeliveryConfig,
  EnvironmentConfig,
  EnvironmentName,
  FeatureSwitches,
  MessageBrokerConfig,
  NodePoolConfig,
  PostgresConfig,
  RedisConfig,
  ServiceConfig,
  StoreImagesConfig,
} from './environment-config';
import { AuthenticationConfig, CertificatesConfig, ExternalEgressConfig, ImageRegistryConfig, MfaRequirement } from './security-config';
import { GitHubRepositoryConfig, PullRequestPreviewsConfig } from './pull-request-previews-config';

/**
 * The shape of an environment config, checked when synth reads it (synth never type-checks, so a
 * misspelt field or a missing block would otherwise be ignored or crash). Every object is strict:
 * a key the type does not declare is an error, never silently dropped. Sizes have sane upper
 * bounds (a typo of a few digits fails here); what a size must be for the specification or a
 * store is checked by the semantic validation and the constructs.
 *
 * The schema mirrors the TypeScript interfaces (which keep their documentation); the `MIRRORS`
 * list below fails `npm run build` when the two drift apart.
 */

/** 256 cores: more than any node the platform runs on. */
const MAX_CPU_MILLIS = 256_000;
/** 2 TiB. */
const MAX_MEMORY_MI = 2 * 1024 * 1024;
/** 64 TiB: the largest block volume the major clouds offer. */
const MAX_STORAGE_GI = 64 * 1024;

const wholeNumber = (min: number, max: number) => z.number().int().min(min).max(max);
const cpuMillis = wholeNumber(1, MAX_CPU_MILLIS);
const memoryMi = wholeNumber(1, MAX_MEMORY_MI);
const storageGi = wholeNumber(1, MAX_STORAGE_GI);
const strings = z.array(z.string()).readonly();

const image = z.strictObject({ repository: z.string(), tag: z.string(), digest: z.string().optional() }).readonly();
// Classes with private constructors (built only by their factories): checked by instanceof.
const replicas = z.custom<Replicas>((value) => value instanceof Replicas, { message: 'expected Replicas.fixed(n) or Replicas.autoscaled({ min, max })' });
const resources = z.strictObject({ cpuMillis, memoryMi, storageGi }).readonly();

const service = z
  .strictObject({
    image,
    replicas,
    resources,
    targetCpuUtilizationPercent: z.number(),
    startupTimeoutSeconds: z.number().optional(),
  })
  .readonly();

const clusterPeer = z.strictObject({ namespace: z.string(), podLabels: z.record(z.string(), z.string()).readonly() }).readonly();

const certificates = z
  .strictObject({
    publicIssuer: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('acme'), clusterIssuerName: z.string(), server: z.string(), email: z.string() }).readonly(),
      z.strictObject({ kind: z.literal('internal-ca') }).readonly(),
    ]),
    internalCa: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('self-signed') }).readonly(),
      z.strictObject({ kind: z.literal('vault-pki'), signPath: z.string(), role: z.string() }).readonly(),
    ]),
    durationHours: z.number(),
    renewBeforeHours: z.number(),
  })
  .readonly();

const mfa = z.strictObject({ claim: z.string(), acceptedValues: strings, acrValues: z.string().optional() }).readonly();

const authentication = z
  .strictObject({
    issuerUrl: z.string(),
    clientId: z.string(),
    groupsClaim: z.string(),
    allowedGroups: strings,
    mfa,
    sessionHours: z.number(),
    refreshMinutes: z.number(),
    idTokenLifetimeMinutes: z.number(),
    webPublicPaths: strings,
    apiPublicPaths: strings,
    proxyImage: image,
    proxyReplicas: replicas,
  })
  .readonly();

const egress = z.strictObject({ aiProviderCidrs: strings, objectStorageCidrs: strings, identityProviderCidrs: strings }).readonly();
const imageRegistry = z.strictObject({ server: z.string() }).readonly();

const postgres = z
  .strictObject({
    instances: wholeNumber(1, 99),
    cpuMillis,
    memoryMi,
    storageGi,
    walStorageGi: storageGi,
    storageClass: z.string(),
    backupDestinationPath: z.string(),
    backupEndpointUrl: z.string(),
    backupEndpointCaBundlePem: z.string().optional(),
    recoverFromBackup: z.strictObject({ sourceServerName: z.string().optional(), targetTime: z.string().optional() }).readonly().optional(),
    backupServerName: z.string().optional(),
  })
  .readonly();

const redis = z
  .strictObject({ primaries: wholeNumber(1, 100), replicasPerPrimary: wholeNumber(0, 5), cpuMillis, memoryMi, storageGi, storageClass: z.string() })
  .readonly();

const messageBroker = z.strictObject({ replicas: wholeNumber(1, 99), cpuMillis, memoryMi, storageGi, storageClass: z.string() }).readonly();

// Only the sane maxima here; that each is a positive whole number, and what the pods need, is validate-node-pool.ts's.
const nodePool = z
  .strictObject({
    cpuMillis: z.number().max(MAX_CPU_MILLIS),
    memoryMi: z.number().max(MAX_MEMORY_MI),
    ephemeralStorageGi: z.number().max(MAX_STORAGE_GI),
    maxPods: z.number(),
    minNodesPerZone: z.number(),
    maxNodesPerZone: z.number(),
  })
  .readonly();

const storeImages = z.strictObject({ redis: image, redisExporter: image, postgres: image, pgbouncer: image, rabbitmq: image }).readonly();

const delivery = z
  .strictObject({
    web: z.enum(DeliveryKind),
    api: z.enum(DeliveryKind),
    generator: z.enum(DeliveryKind),
    generatorMaxSurgePercent: z.number(),
    signInProxy: z.enum(DeliveryKind),
    successRateObjectivePercent: z.number(),
    webLatencyP95Ms: z.number(),
    apiLatencyP95Ms: z.number(),
    analysisIntervalSeconds: z.number(),
    analysisCount: z.number(),
  })
  .readonly();

const githubRepository = z.strictObject({ owner: z.string(), repo: z.string() }).readonly();
const pullRequestPreviews = z.strictObject({ applicationRepository: githubRepository, imageTag: z.string().optional() }).readonly();

const features = z.strictObject({ strictTopologySpread: z.boolean(), debugLogging: z.boolean(), alertingAndDashboards: z.boolean() }).readonly();

export const environmentConfigSchema = z
  .strictObject({
    name: z.enum(EnvironmentName),
    ownsClusterScopedObjects: z.boolean(),
    namespace: z.string(),
    webHostname: z.string(),
    apiHostname: z.string(),
    certificates,
    authentication,
    egress,
    imageRegistry,
    zones: strings,
    nodePool,
    web: service,
    api: service,
    generator: service,
    postgres,
    redis,
    messageBroker,
    storeImages,
    vaultPathPrefix: z.string(),
    vaultAddress: z.string(),
    vaultCaBundlePem: z.string(),
    vaultStoreNamespacePattern: z.string().optional(),
    kubernetesApiCidr: z.string(),
    kedaOperator: clusterPeer,
    generatorWorkspaceStorageClass: z.string(),
    quotaHeadroomPercent: z.number(),
    ingressController: clusterPeer,
    prometheus: clusterPeer,
    prometheusUrl: z.string(),
    delivery,
    features,
    pullRequestPreviews: pullRequestPreviews.optional(),
    imageSigner: z.custom<ImageSigner>((value) => value instanceof ImageSigner, { message: 'expected ImageSigner.keyless(...) or ImageSigner.publicKey(...)' }).optional(),
  })
  .readonly();

/** True when `S` and `T` accept the same values and declare the same keys. */
type Mirrors<S, T> = [S] extends [T] ? ([T] extends [S] ? ([keyof S] extends [keyof T] ? ([keyof T] extends [keyof S] ? true : false) : false) : false) : false;

/**
 * Compile-time only: `npm run build` fails on the line of a block whose schema and interface
 * differ (a field added to one and not the other, or of another type).
 */
export const MIRRORS: readonly true[] = [
  true as Mirrors<z.infer<typeof environmentConfigSchema>, EnvironmentConfig>,
  true as Mirrors<z.infer<typeof service>, ServiceConfig>,
  true as Mirrors<z.infer<typeof image>, ImageReference>,
  true as Mirrors<z.infer<typeof resources>, PodResources>,
  true as Mirrors<z.infer<typeof certificates>, CertificatesConfig>,
  true as Mirrors<z.infer<typeof authentication>, AuthenticationConfig>,
  true as Mirrors<z.infer<typeof mfa>, MfaRequirement>,
  true as Mirrors<z.infer<typeof egress>, ExternalEgressConfig>,
  true as Mirrors<z.infer<typeof imageRegistry>, ImageRegistryConfig>,
  true as Mirrors<z.infer<typeof postgres>, PostgresConfig>,
  true as Mirrors<z.infer<typeof redis>, RedisConfig>,
  true as Mirrors<z.infer<typeof messageBroker>, MessageBrokerConfig>,
  true as Mirrors<z.infer<typeof nodePool>, NodePoolConfig>,
  true as Mirrors<z.infer<typeof storeImages>, StoreImagesConfig>,
  true as Mirrors<z.infer<typeof clusterPeer>, ClusterPeerConfig>,
  true as Mirrors<z.infer<typeof delivery>, DeliveryConfig>,
  true as Mirrors<z.infer<typeof features>, FeatureSwitches>,
  true as Mirrors<z.infer<typeof pullRequestPreviews>, PullRequestPreviewsConfig>,
  true as Mirrors<z.infer<typeof githubRepository>, GitHubRepositoryConfig>,
];
