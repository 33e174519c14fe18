import { JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterPolicy, ClusterPolicySpecFailurePolicy } from '../../imports/kyverno.io';
import { PLATFORM_NAME } from '../platform/labels';
import { ALL_THIRD_PARTY_IMAGES, digestExemptReferences, ThirdPartyImage } from '../platform/third-party-images';

/** `registry.host/path`, lower case, without tag, digest or wildcard; the host has a dot or a port, or is localhost. */
const QUALIFIED_REPOSITORY = /^(localhost|[a-z0-9-]+(\.[a-z0-9-]+)+(:[0-9]+)?|[a-z0-9-]+:[0-9]+)(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/;

export interface ImageAdmissionPolicyProps {
  /**
   * Repositories of the platform's own images, e.g. `ghcr.io/acme/generator-platform-web`: any
   * tag or digest of them is admitted (ImageSignaturePolicy checks who signed them).
   */
  readonly platformRepositories: readonly string[];
  /**
   * The third-party images the platform's pods may run: any tag or digest of their repositories is
   * admitted, and those without a digest (their `pendingDigest`) are the only references admitted
   * by tag where `requireDigest` is set.
   * @default ALL_THIRD_PARTY_IMAGES (lib/platform/third-party-images.ts)
   */
  readonly thirdPartyImages?: readonly ThirdPartyImage[];
  /**
   * Deny a container whose image has no `@sha256:` digest, unless it is exactly the
   * `repository:tag` of a third-party image with a documented pending digest. Staging and
   * production set it: a tag can be moved to other content, a digest cannot.
   * @default true
   */
  readonly requireDigest?: boolean;
  /**
   * Namespaces whose Pods are checked (wildcards allowed).
   * @default ['generator-platform', 'generator-platform-*'] (every environment and preview)
   */
  readonly namespaces?: readonly string[];
  /**
   * Name of the ClusterPolicy. It is cluster-scoped: render it once per cluster.
   * @default 'restrict-generator-platform-images'
   */
  readonly policyName?: string;
}

/**
 * A Kyverno ClusterPolicy that admits a Pod in the platform's namespaces only when every
 * container, init container and ephemeral container runs an image of a listed repository (the
 * platform's own and the third-party ones of lib/platform/third-party-images.ts, operators'
 * images included) and, with `requireDigest`, names it by digest. Validate rules in Enforce mode:
 * the API server refuses the Pod, so a controller that renders another image (or a tag) shows
 * FailedCreate instead of running it. Matched on Pods, as ImageSignaturePolicy is, because every
 * controller and operator creates Pods, and a Pod of an operator's making has no template here.
 * @see https://kyverno.io/docs/writing-policies/validate/#anchors
 */
export class ImageAdmissionPolicy extends Construct {
  public readonly policyName: string;

  public constructor(scope: Construct, id: string, props: ImageAdmissionPolicyProps) {
    super(scope, id);
    const thirdPartyImages = props.thirdPartyImages ?? ALL_THIRD_PARTY_IMAGES;
    const namespaces = props.namespaces ?? [PLATFORM_NAME, `${PLATFORM_NAME}-*`];
    const requireDigest = props.requireDigest ?? true;
    const repositories = [...new Set([...props.platformRepositories, ...thirdPartyImages.map((image) => image.repository)])];
    if (props.platformRepositories.length === 0) {
      throw new Error('ImageAdmissionPolicy: platformRepositories is empty; list the repositories of the platform\'s own images, e.g. ghcr.io/acme/generator-platform-web');
    }
    const unqualified = repositories.filter((repository) => !QUALIFIED_REPOSITORY.test(repository));
    if (unqualified.length > 0) {
      throw new Error(
        `ImageAdmissionPolicy: ${JSON.stringify(unqualified)} is not a fully qualified repository; ` +
          'write the registry host and path without tag, digest or wildcard, e.g. docker.io/library/redis rather than redis',
      );
    }
    if (namespaces.length === 0) {
      throw new Error('ImageAdmissionPolicy: namespaces is empty; name the namespaces whose Pods may run listed images only');
    }
    this.policyName = props.policyName ?? 'restrict-generator-platform-images';
    const match = { any: [{ resources: { kinds: ['Pod'], namespaces: [...namespaces] } }] };
    const allowed = repositories.flatMap((repository) => [`${repository}:*`, `${repository}@*`]).join(' | ');
    const rules = [
      {
        name: 'allowed-image-repositories',
        match,
        validate: {
          message: `Pods in ${namespaces.join(', ')} run images of these repositories only: ${repositories.join(', ')}.`,
          pattern: containerImagesMatching(allowed),
        },
      },
    ];
    if (requireDigest) {
      const exempt = digestExemptReferences(thirdPartyImages);
      rules.push({
        name: 'images-by-digest',
        match,
        validate: {
          message:
            'Pods here pull images by digest (repository:tag@sha256:...), so a moved tag cannot change what runs; ' +
            `admitted by tag until their digest is pinned: ${exempt.length === 0 ? 'none' : exempt.join(', ')}.`,
          pattern: containerImagesMatching(['*@sha256:*', ...exempt].join(' | ')),
        },
      });
    }
    const policy = new ClusterPolicy(this, 'Resource', {
      metadata: {
        name: this.policyName,
        labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' },
        annotations: {
          'policies.kyverno.io/title': 'Restrict generator platform images to listed repositories',
          'policies.kyverno.io/description':
            `Pods in ${namespaces.join(', ')} run images of listed repositories only` + (requireDigest ? ', by digest.' : '.'),
          // Pods only: every controller and operator creates them, and rules for controllers would repeat these.
          'pod-policies.kyverno.io/autogen-controllers': 'none',
        },
      },
      spec: {
        // Also reports Pods that were running before the policy (PolicyReports), without touching them.
        background: true,
        failurePolicy: ClusterPolicySpecFailurePolicy.FAIL,
        rules,
      },
    });
    // The generated enum knows only the lower-case spellings; Kyverno documents `Enforce`.
    policy.addJsonPatch(JsonPatch.add('/spec/validationFailureAction', 'Enforce'));
  }
}

/**
 * A validate pattern that requires every container's image to match `alternatives` (Kyverno
 * wildcards, `|` between alternatives); init and ephemeral containers only where the Pod has them.
 */
function containerImagesMatching(alternatives: string): Record<string, unknown> {
  const containers = [{ image: alternatives }];
  return { spec: { '=(ephemeralContainers)': containers, '=(initContainers)': containers, 'containers': containers } };
}
