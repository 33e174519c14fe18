import { ImageReference, imageReference } from './image-reference';

/**
 * The container images the platform's pods run that others publish, each with the public source
 * that states its digest for its tag. A digest here is never computed or guessed: it is copied
 * from a source that says "this tag is this digest", and the source is named beside it. Where no
 * such source was found, the image stays by tag and says why and which issue will pin it.
 *
 * Every repository is fully qualified (registry host first), so that what the admission policy
 * allows and what the kubelet pulls are the same string: `rabbitmq` would mean docker.io only by
 * the runtime's convention.
 */

/** Why an image is still pulled by tag, and the issue whose pinning command will add its digest. */
export interface PendingDigest {
  /** What was searched, and that no public source stating a digest for the tag turned up. */
  readonly reason: string;
  /** The issue that resolves tags to digests through a registry API (`npm run pin-images`). */
  readonly releaseIssue: string;
}

/** A third-party image and where its digest comes from. */
export interface ThirdPartyImage extends ImageReference {
  /** Who puts the image into the platform's pods: a construct of this repository, or an operator. */
  readonly runBy: string;
  /**
   * Public sources that state `digest` for `repository:tag` (a URL; for a repository, its blob URL
   * at a commit); set exactly when `digest` is.
   */
  readonly digestSources?: readonly string[];
  /** Set exactly when `digest` is not: the image's documented exemption from pulling by digest. */
  readonly pendingDigest?: PendingDigest;
}

/** Resolves tags to digests through a registry API, which this repository does not have yet. */
const PIN_IMAGES_ISSUE = 'issue 17 (Releases end to end: `npm run pin-images` resolves third-party tags to digests)';

function pending(searched: string): PendingDigest {
  return { reason: `no public source stating a digest for this tag was found (searched ${searched})`, releaseIssue: PIN_IMAGES_ISSUE };
}

/** Third-party images the platform's own manifests name (constructs of lib/stores and lib/security). */
export const THIRD_PARTY_IMAGES = {
  /** The sign-in proxy, a 7.6 release (lib/security/oauth2-proxy-args.ts uses 7.6's flags). */
  oauth2Proxy: {
    repository: 'quay.io/oauth2-proxy/oauth2-proxy',
    tag: 'v7.6.0',
    digest: 'sha256:dcb6ff8dd21bf3058f6a22c6fa385fa5b897a9cd3914c88a2cc2bb0a85f8065d',
    runBy: 'OAuth2Proxy (lib/security/oauth2-proxy.ts)',
    digestSources: [
      // The registry's Docker-Content-Digest for the tag, asked for an OCI image index first (tools/verify-images.py there).
      'https://github.com/laboratoiresonore/Sambuca/blob/330564f4f439b814519c4a2cd447b9b591d10555/docs/IMAGES.md',
      // Kubelet events of a running cluster: Container image "quay.io/oauth2-proxy/oauth2-proxy:v7.6.0@sha256:dcb6ff8d…" already present on machine.
      'https://github.com/ameideio/ameide-backlog/blob/0ef02000897e0ed6c1011e0acea0dd45bf697e16/682-aks-capacity-reservation-snapshot.md',
    ],
  },
  /** Redis 7.0.15 (Debian bookworm), whose `sh` and `redis-cli` the probes and the bootstrap Job use. */
  redis: {
    repository: 'docker.io/library/redis',
    tag: '7.0.15',
    runBy: 'RedisCluster: the StatefulSet and the bootstrap Job (lib/stores/redis-cluster.ts)',
    pendingDigest: pending('"redis:7.0.15@sha256", "library/redis:7.0.15", docker-library/repo-info, renovate digest updates'),
  },
  /** The metrics sidecar of every Redis node. */
  redisExporter: {
    repository: 'docker.io/oliver006/redis_exporter',
    tag: 'v1.58.0',
    digest: 'sha256:2e42c98f2c53aaf3ce205e746ff8bfa25d39e30d8b4f401ce0ad2740836bb817',
    runBy: 'RedisCluster: the exporter sidecar (lib/stores/redis/redis-containers.ts)',
    digestSources: [
      // metrics.image.tag "v1.58.0@sha256:2e42c98f…" of the CloudPirates Redis chart (one repository only: no second source was found).
      'https://github.com/CloudPirates-io/helm-charts/blob/87c780ccafc0f38ae1eb45d85fb332439564df85/charts/redis/values.yaml',
    ],
  },
  /** PostgreSQL 15.4 in CloudNativePG's operand image (the parameters are for 15). */
  postgres: {
    repository: 'ghcr.io/cloudnative-pg/postgresql',
    tag: '15.4',
    runBy: 'PostgresCluster: the CloudNativePG Cluster imageName (lib/stores/postgres/cluster-spec.ts)',
    pendingDigest: pending('"postgresql:15.4@sha256", "cloudnative-pg/postgresql@sha256", renovate digest updates of ghcr.io/cloudnative-pg/postgresql:15.4'),
  },
  /**
   * PgBouncer of the Pooler: the image CloudNativePG 1.22.5 runs by default (DefaultPgbouncerImage
   * in pkg/specs/pgbouncer/deployments.go at v1.22.5, commit b1ecae2d), named here so that an
   * operator upgrade cannot change it unseen.
   */
  pgbouncer: {
    repository: 'ghcr.io/cloudnative-pg/pgbouncer',
    tag: '1.23.0',
    runBy: 'PgBouncerPooler: the Pooler template (lib/stores/postgres/pgbouncer-pooler.ts)',
    pendingDigest: pending('"pgbouncer:1.23.0@sha256", "cloudnative-pg/pgbouncer:1.2"'),
  },
  /** RabbitMQ 3.12 with the management plugin (the Cluster Operator 2.7 supports 3.12). */
  rabbitmq: {
    repository: 'docker.io/library/rabbitmq',
    tag: '3.12.14-management',
    runBy: 'MessageBroker: the RabbitmqCluster image (lib/stores/rabbitmq/rabbitmq-cluster-spec.ts)',
    pendingDigest: pending('"rabbitmq:3.12.14-management@sha256", "library/rabbitmq:3.12.14", docker-library/repo-info, renovate digest updates'),
  },
} as const satisfies Readonly<Record<string, ThirdPartyImage>>;

/**
 * Images operators put into the platform's pods beside the images the manifests name: the
 * admission policy must let them in, and in staging and production their tags need the same
 * documented exemption. Their tags follow the add-on versions (lib/gitops/addon-catalog.ts).
 */
export const OPERATOR_IMAGES = {
  /**
   * CloudNativePG's own image, which the operator runs as the `bootstrap-controller` init
   * container of every instance, join/initdb Job and Pooler pod (OPERATOR_IMAGE_NAME of
   * releases/cnpg-1.22.5.yaml at v1.22.5).
   */
  cloudnativePg: {
    repository: 'ghcr.io/cloudnative-pg/cloudnative-pg',
    tag: '1.22.5',
    runBy: 'the CloudNativePG operator (add-on cloudnative-pg): init container bootstrap-controller',
    pendingDigest: pending('"cloudnative-pg:1.22.5@sha256"; the add-on renders the operator image by tag'),
  },
  /**
   * cert-manager's HTTP-01 solver, which runs in the Certificate's namespace during an ACME
   * challenge (the chart's acmesolver.image at v1.14.7, tag = appVersion).
   */
  certManagerAcmeSolver: {
    repository: 'quay.io/jetstack/cert-manager-acmesolver',
    tag: 'v1.14.7',
    runBy: 'cert-manager (add-on cert-manager): ACME HTTP-01 solver pods',
    pendingDigest: pending('"cert-manager-acmesolver:v1.14.7@"; the add-on sets the solver image by tag'),
  },
} as const satisfies Readonly<Record<string, ThirdPartyImage>>;

/** Every third-party image of the platform's pods: the manifests' and the operators'. */
export const ALL_THIRD_PARTY_IMAGES: readonly ThirdPartyImage[] = [...Object.values(THIRD_PARTY_IMAGES), ...Object.values(OPERATOR_IMAGES)];

/** The reference a construct takes: repository, tag and (where a source states one) digest, nothing else. */
export function pinnedReference(image: ThirdPartyImage): ImageReference {
  return image.digest === undefined ? { repository: image.repository, tag: image.tag } : { repository: image.repository, tag: image.tag, digest: image.digest };
}

/**
 * `repository:tag` of every image of `images` exempt from pulling by digest (it has a
 * `pendingDigest`): the exact strings the gate and the admission policy let through without a digest.
 */
export function digestExemptReferences(images: readonly ThirdPartyImage[] = ALL_THIRD_PARTY_IMAGES): string[] {
  return images.filter((image) => image.digest === undefined).map((image) => imageReference(image));
}

/** The image with a documented exemption from pulling by digest whose `repository:tag` is `reference`, if any. */
export function digestExemptionOf(reference: string): ThirdPartyImage | undefined {
  return ALL_THIRD_PARTY_IMAGES.find((image) => image.digest === undefined && imageReference(image) === reference);
}
