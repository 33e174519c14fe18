import { EnvironmentName } from '../../../lib/config/environment-config';
import { isFullSize } from '../../../lib/config/spec-minimums';
import { digestExemptionOf } from '../../../lib/platform/third-party-images';
import { parseImage } from '../container-image';
import { record, records, text } from '../json-access';
import { PathSegment } from '../json-path';
import { ManifestObject } from '../manifest';
import { containersOf, podTemplatesOf } from '../pod-templates';
import { Rule, RuleViolation } from '../rule';

/**
 * Staging and production pull every image by digest (issue 14 item 6): a tag can be moved to other
 * content, a digest cannot. Which environments those are is lib/config's decision (isFullSize),
 * the same one that makes the environment config require digests of the platform's own images.
 */
const DIGEST_ENVIRONMENTS: ReadonlySet<string> = new Set(Object.values(EnvironmentName).filter((name) => isFullSize(name)));

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** One image an object makes the cluster run, where it is written; `image` undefined where the operator's default applies. */
interface ImageUse {
  readonly image: string | undefined;
  readonly path: readonly PathSegment[];
  /** Where the image is named, for the message: `container "redis"`, `Cluster postgres (spec.imageName)`. */
  readonly runner: string;
}

/** Images of the operator-run pods of a custom resource, which have no pod template of their own. */
function operatorImageUses(object: ManifestObject): ImageUse[] {
  const group = object.apiVersion.split('/')[0];
  const spec = record(object.body.spec);
  if (group === 'postgresql.cnpg.io' && object.kind === 'Cluster') {
    return [{ image: text(spec.imageName), path: ['spec', 'imageName'], runner: `Cluster ${object.name} (spec.imageName)` }];
  }
  if (group === 'postgresql.cnpg.io' && object.kind === 'Pooler') {
    const templateSpec = record(record(spec.template).spec);
    const containers = records(templateSpec.containers);
    const pgbouncer = containers.findIndex((container) => container.name === 'pgbouncer');
    const others = containers.flatMap((container, index) =>
      index !== pgbouncer && container.image !== undefined ? [{ image: text(container.image), path: ['spec', 'template', 'spec', 'containers', index, 'image'], runner: `Pooler ${object.name} container "${String(container.name)}"` }] : [],
    );
    const pgbouncerPath: PathSegment[] = pgbouncer < 0 ? ['spec', 'template'] : ['spec', 'template', 'spec', 'containers', pgbouncer, 'image'];
    return [{ image: pgbouncer < 0 ? undefined : text(containers[pgbouncer].image), path: pgbouncerPath, runner: `Pooler ${object.name} container "pgbouncer"` }, ...others];
  }
  if (group === 'rabbitmq.com' && object.kind === 'RabbitmqCluster') {
    return [{ image: text(spec.image), path: ['spec', 'image'], runner: `RabbitmqCluster ${object.name} (spec.image)` }];
  }
  return [];
}

function podTemplateImageUses(object: ManifestObject): ImageUse[] {
  return podTemplatesOf(object).flatMap((pod) =>
    containersOf(pod).map((entry) => ({ image: text(entry.container.image), path: [...entry.path, 'image'], runner: `container "${entry.name}"` })),
  );
}

function violationOf(use: ImageUse, object: ManifestObject): RuleViolation[] {
  if (use.image === undefined) {
    return [{ path: use.path, message: `${use.runner} names no image, so the operator's default runs, pulled by tag, in ${object.environment}` }];
  }
  const { digest } = parseImage(use.image);
  if (digest !== undefined && SHA256_DIGEST.test(digest)) {
    return [];
  }
  if (digest === undefined && digestExemptionOf(use.image) !== undefined) {
    return []; // a documented pending digest (lib/platform/third-party-images.ts), admitted by tag until it is pinned
  }
  const what = digest === undefined ? 'without a digest' : `with the digest ${JSON.stringify(digest)}, which is not sha256:<64 hex digits>`;
  return [{ path: use.path, message: `${use.runner} pulls ${use.image} ${what} in ${object.environment}` }];
}

export const IMAGE_DIGEST_RULES: readonly Rule[] = [
  {
    id: 'PLATFORM-IMAGE-DIGEST',
    requirement:
      'in staging and production, every image is pulled by digest (repository:tag@sha256:...): every container of a pod template, the CloudNativePG Cluster imageName, the Pooler\'s pgbouncer container and the RabbitmqCluster image (an operator\'s default image is pulled by tag); only the exact repository:tag of a third-party image with a pendingDigest in lib/platform/third-party-images.ts is exempt',
    fix: 'Pin the image by digest: third-party images in lib/platform/third-party-images.ts with the public source that states the digest for the tag, the platform\'s own in the environment config; name an image the operator would choose by default.',
    check: (object: ManifestObject): RuleViolation[] => {
      if (!DIGEST_ENVIRONMENTS.has(object.environment)) {
        return [];
      }
      return [...podTemplateImageUses(object), ...operatorImageUses(object)].flatMap((use) => violationOf(use, object));
    },
  },
];

