import { JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ClusterPolicy,
  ClusterPolicySpecFailurePolicy,
  ClusterPolicySpecRulesVerifyImagesAttestorsEntries,
  ClusterPolicySpecRulesVerifyImagesType,
} from '../../imports/kyverno.io';
import { PLATFORM_NAME } from '../platform/labels';

/** The public Sigstore transparency log, where keyless signatures are recorded. */
export const PUBLIC_REKOR_URL = 'https://rekor.sigstore.dev';

/**
 * Who must have signed an image, and how Kyverno checks it. A class with factories rather than a
 * union, so that a config reads as intent: `ImageSigner.keyless({...})` or `ImageSigner.publicKey(pem)`.
 */
export class ImageSigner {
  /**
   * Cosign keyless: the signature carries a short-lived Fulcio certificate for the CI workflow's
   * OIDC identity, recorded in Rekor. No private key to keep or rotate; the policy names the
   * identity (for GitHub Actions: issuer `https://token.actions.githubusercontent.com`, subject
   * `https://github.com/<org>/<repo>/.github/workflows/<file>@refs/...`, wildcards allowed).
   */
  public static keyless(props: { readonly issuer: string; readonly subject: string; readonly rekorUrl?: string }): ImageSigner {
    if (!/^https:\/\/\S+$/.test(props.issuer)) {
      throw new Error(`ImageSigner.keyless: issuer is ${JSON.stringify(props.issuer)}; use the OIDC issuer URL, e.g. https://token.actions.githubusercontent.com`);
    }
    if (props.subject.trim() === '' || props.subject.trim() === '*') {
      throw new Error(`ImageSigner.keyless: subject is ${JSON.stringify(props.subject)}; name the signing identity (the release workflow), or any signer of the issuer would pass`);
    }
    return new ImageSigner(`keyless ${props.subject}`, {
      keyless: { issuer: props.issuer, subject: props.subject, rekor: { url: props.rekorUrl ?? PUBLIC_REKOR_URL } },
    });
  }

  /**
   * Cosign with a key pair: `pem` is the public key (`cosign.pub`). It is public, so it may live in
   * the environment config; the private key stays with the release pipeline.
   */
  public static publicKey(pem: string, options: { readonly rekorUrl?: string } = {}): ImageSigner {
    const trimmed = pem.trim();
    if (!/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----$/.test(trimmed)) {
      throw new Error('ImageSigner.publicKey: pem is not a PEM public key; pass the contents of cosign.pub (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)');
    }
    return new ImageSigner('public key', {
      keys: { publicKeys: `${trimmed}\n`, rekor: { url: options.rekorUrl ?? PUBLIC_REKOR_URL } },
    });
  }

  private constructor(
    /** A short description, for messages. */
    public readonly description: string,
    /** The Kyverno attestor entry. */
    public readonly attestorEntry: ClusterPolicySpecRulesVerifyImagesAttestorsEntries,
  ) {}
}

export interface ImageSignaturePolicyProps {
  /** Who must have signed the platform's images. */
  readonly signer: ImageSigner;
  /**
   * Image reference patterns that must be signed (`*` and `?` wildcards); other images are not checked.
   * @default ['ghcr.io/acme/generator-platform-*']
   */
  readonly imageReferences?: readonly string[];
  /**
   * Namespaces whose Pods are checked (wildcards allowed).
   * @default ['generator-platform', 'generator-platform-*'] (every environment and preview)
   */
  readonly namespaces?: readonly string[];
  /**
   * Name of the ClusterPolicy. It is cluster-scoped: render it once per cluster.
   * @default 'verify-generator-platform-images'
   */
  readonly policyName?: string;
  /**
   * How long the API server waits for Kyverno, which fetches signatures from the registry (and
   * Rekor) during admission; between 1 and 30.
   * @default 20
   * @see https://kyverno.io/docs/writing-policies/verify-images/
   */
  readonly webhookTimeoutSeconds?: number;
}

/**
 * A Kyverno ClusterPolicy that admits a Pod in the platform's namespaces only when every platform
 * image is cosign-signed by `signer`, pinning each image to the verified digest. It matches Pods,
 * the one object every controller (Deployment, Rollout, StatefulSet, Job) creates, and turns off
 * Kyverno's rule generation for controllers: rewriting a controller's image to a digest would
 * make Argo CD report drift against git, and Argo Rollouts are not among the generated kinds anyway.
 */
export class ImageSignaturePolicy extends Construct {
  public readonly policyName: string;

  public constructor(scope: Construct, id: string, props: ImageSignaturePolicyProps) {
    super(scope, id);
    const imageReferences = props.imageReferences ?? ['ghcr.io/acme/generator-platform-*'];
    const namespaces = props.namespaces ?? [PLATFORM_NAME, `${PLATFORM_NAME}-*`];
    const timeout = props.webhookTimeoutSeconds ?? 20;
    if (imageReferences.length === 0 || imageReferences.some((reference) => reference.trim() === '' || reference.trim() === '*')) {
      throw new Error(`ImageSignaturePolicy: imageReferences is ${JSON.stringify(imageReferences)}; list the platform's repositories, e.g. ghcr.io/acme/generator-platform-*`);
    }
    if (namespaces.length === 0) {
      throw new Error('ImageSignaturePolicy: namespaces is empty; name the namespaces whose Pods must run signed images');
    }
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 30) {
      throw new Error(`ImageSignaturePolicy: webhookTimeoutSeconds is ${timeout}; use a whole number from 1 to 30 (Kyverno's bounds)`);
    }
    this.policyName = props.policyName ?? 'verify-generator-platform-images';
    const policy = new ClusterPolicy(this, 'Resource', {
      metadata: {
        name: this.policyName,
        labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' },
        annotations: {
          'policies.kyverno.io/title': 'Verify generator platform image signatures',
          'policies.kyverno.io/description': `Pods in ${namespaces.join(', ')} run ${imageReferences.join(', ')} only when signed (${props.signer.description}).`,
          'pod-policies.kyverno.io/autogen-controllers': 'none',
        },
      },
      spec: {
        background: false,
        failurePolicy: ClusterPolicySpecFailurePolicy.FAIL,
        webhookTimeoutSeconds: timeout,
        rules: [{
          name: 'verify-platform-image-signatures',
          match: { any: [{ resources: { kinds: ['Pod'], namespaces: [...namespaces] } }] },
          verifyImages: [{
            type: ClusterPolicySpecRulesVerifyImagesType.COSIGN,
            imageReferences: [...imageReferences],
            attestors: [{ count: 1, entries: [props.signer.attestorEntry] }],
            mutateDigest: true,
            verifyDigest: true,
            required: true,
          }],
        }],
      },
    });
    // The generated enum knows only the lower-case spellings; Kyverno documents `Enforce`.
    policy.addJsonPatch(JsonPatch.add('/spec/validationFailureAction', 'Enforce'));
  }
}
