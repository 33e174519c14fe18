import { Yaml } from 'cdk8s';
import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { ImageSignaturePolicy, ImageSignaturePolicyProps, ImageSigner } from '../../lib/security/image-signature-policy';
import { parseManifestFile } from '../../tools/validation/load-manifests';
import { validateObjects } from '../../tools/validation/validate-directory';
import { emptyChart, find, objectsOf } from '../support/kube';

const RELEASE_WORKFLOW = ImageSigner.keyless({
  issuer: 'https://token.actions.githubusercontent.com',
  subject: 'https://github.com/acme/generator-platform-*/.github/workflows/release.yml@refs/tags/*',
});
const PEM = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE' + 'A'.repeat(60) + '==\n-----END PUBLIC KEY-----';

describe('ImageSignaturePolicy', () => {
  test('with minimal props: Pods in every platform namespace run platform images only when signed by the release workflow, pinned to the verified digest', () => {
    const chart = emptyChart();
    new ImageSignaturePolicy(chart, 'image-signatures', { signer: RELEASE_WORKFLOW });
    const policy = find(objectsOf(chart), 'ClusterPolicy', 'verify-generator-platform-images');
    expect(policy.apiVersion).toBe('kyverno.io/v1');
    expect(policy.metadata.namespace).toBeUndefined();
    expect(policy.metadata.annotations['pod-policies.kyverno.io/autogen-controllers']).toBe('none');
    expect(policy.spec).toEqual({
      background: false,
      failurePolicy: 'Fail',
      validationFailureAction: 'Enforce',
      webhookTimeoutSeconds: 20,
      rules: [{
        name: 'verify-platform-image-signatures',
        match: { any: [{ resources: { kinds: ['Pod'], namespaces: ['generator-platform', 'generator-platform-*'] } }] },
        verifyImages: [{
          type: 'Cosign',
          imageReferences: ['ghcr.io/acme/generator-platform-*'],
          attestors: [{
            count: 1,
            entries: [{
              keyless: {
                issuer: 'https://token.actions.githubusercontent.com',
                subject: 'https://github.com/acme/generator-platform-*/.github/workflows/release.yml@refs/tags/*',
                rekor: { url: 'https://rekor.sigstore.dev' },
              },
            }],
          }],
          mutateDigest: true,
          verifyDigest: true,
          required: true,
        }],
      }],
    });
  });

  test('with all props: a public key, other repositories and namespaces, name and timeout', () => {
    const chart = emptyChart();
    const props: Required<ImageSignaturePolicyProps> = {
      signer: ImageSigner.publicKey(PEM, { rekorUrl: 'https://rekor.internal.example.com' }),
      imageReferences: ['registry.example.com/platform/*'],
      namespaces: ['apps'],
      policyName: 'verify-apps',
      webhookTimeoutSeconds: 30,
    };
    const construct = new ImageSignaturePolicy(chart, 'p', props);
    const spec = find(objectsOf(chart), 'ClusterPolicy', 'verify-apps').spec;
    expect(construct.policyName).toBe('verify-apps');
    expect(spec.webhookTimeoutSeconds).toBe(30);
    expect(spec.rules[0].match.any[0].resources.namespaces).toEqual(['apps']);
    expect(spec.rules[0].verifyImages[0].imageReferences).toEqual(['registry.example.com/platform/*']);
    expect(spec.rules[0].verifyImages[0].attestors[0].entries).toEqual([
      { keys: { publicKeys: `${PEM}\n`, rekor: { url: 'https://rekor.internal.example.com' } } },
    ]);
  });

  test.each(Object.values(ENVIRONMENTS).map((config) => [config.name, config] as const))(
    '%s takes its images from its config, inside the repositories the policy verifies; staging and production pin them by digest',
    (name, config) => {
      for (const service of [config.web, config.api, config.generator]) {
        expect(service.image.repository).toMatch(/^ghcr\.io\/acme\/generator-platform-[a-z]+$/);
        if (name === EnvironmentName.STAGING || name === EnvironmentName.PRODUCTION) {
          expect(service.image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        }
      }
    },
  );

  test('passes the validation gate (the pinned Kyverno 1.11.5 CRD schema and the policy checks)', async () => {
    const chart = emptyChart();
    new ImageSignaturePolicy(chart, 'image-signatures', { signer: RELEASE_WORKFLOW });
    const { findings } = await validateObjects(parseManifestFile('production/security.yaml', Yaml.stringify(...chart.toJson())));
    expect(findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
  }, 60_000);

  test.each([
    ['a timeout above Kyverno\'s 30 s', { webhookTimeoutSeconds: 45 }, 'webhookTimeoutSeconds is 45; use a whole number from 1 to 30'],
    ['no image references', { imageReferences: [] }, 'imageReferences is []'],
    ['a match-everything image reference', { imageReferences: ['*'] }, 'imageReferences is ["*"]'],
    ['no namespaces', { namespaces: [] }, 'namespaces is empty'],
  ])('fails with %s', (_label, overrides, message) => {
    expect(() => new ImageSignaturePolicy(emptyChart(), 'p', { signer: RELEASE_WORKFLOW, ...overrides })).toThrow(message);
  });

  test('fails on a key that is not a PEM public key, and on a keyless identity that any signer would match', () => {
    expect(() => ImageSigner.publicKey('k8s://kyverno/cosign-pub')).toThrow('ImageSigner.publicKey: pem is not a PEM public key');
    expect(() => ImageSigner.keyless({ issuer: 'https://token.actions.githubusercontent.com', subject: '*' })).toThrow('subject is "*"');
    expect(() => ImageSigner.keyless({ issuer: 'token.actions.githubusercontent.com', subject: 'x' })).toThrow('issuer is "token.actions.githubusercontent.com"');
  });
});
