import { Yaml } from 'cdk8s';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { ALL_THIRD_PARTY_IMAGES, digestExemptReferences } from '../../lib/platform/third-party-images';
import { ImageAdmissionPolicy, ImageAdmissionPolicyProps } from '../../lib/security/image-admission-policy';
import { parseManifestFile } from '../../tools/validation/load-manifests';
import { validateObjects } from '../../tools/validation/validate-directory';
import { emptyChart, find, objectsOf, renderChart } from '../support/kube';

const PLATFORM = ['ghcr.io/acme/generator-platform-web', 'ghcr.io/acme/generator-platform-api'];

function policyOf(props: ImageAdmissionPolicyProps, name = 'restrict-generator-platform-images') {
  const chart = emptyChart();
  new ImageAdmissionPolicy(chart, 'image-admission', props);
  return find(objectsOf(chart), 'ClusterPolicy', name);
}

/** The `image` alternatives a rule requires of every container, init container and ephemeral container (they must agree). */
function alternativesOf(rule: { validate: { pattern: { spec: Record<string, { image: string }[]> } } }): string[] {
  const { spec } = rule.validate.pattern;
  expect(Object.keys(spec)).toEqual(['=(ephemeralContainers)', '=(initContainers)', 'containers']);
  const [first, ...others] = Object.values(spec).map((containers) => containers[0].image);
  others.forEach((other) => expect(other).toBe(first));
  return first.split(' | ');
}

describe('ImageAdmissionPolicy', () => {
  test('with minimal props: Pods of every platform namespace run images of the listed repositories only, by digest, enforced', () => {
    const policy = policyOf({ platformRepositories: PLATFORM });
    expect(policy.apiVersion).toBe('kyverno.io/v1');
    expect(policy.metadata.annotations['pod-policies.kyverno.io/autogen-controllers']).toBe('none');
    expect(policy.spec).toMatchObject({ validationFailureAction: 'Enforce', failurePolicy: 'Fail', background: true });
    const [repositories, digests] = policy.spec.rules;
    for (const rule of [repositories, digests]) {
      expect(rule.match).toEqual({ any: [{ resources: { kinds: ['Pod'], namespaces: ['generator-platform', 'generator-platform-*'] } }] });
    }
    expect(repositories.name).toBe('allowed-image-repositories');
    // Each repository with any tag or digest, and nothing else: no registry-wide wildcard.
    const listed = [...PLATFORM, ...new Set(ALL_THIRD_PARTY_IMAGES.map((image) => image.repository))];
    expect(alternativesOf(repositories)).toEqual(listed.flatMap((repository) => [`${repository}:*`, `${repository}@*`]));
    expect(alternativesOf(repositories)).toEqual(expect.arrayContaining(['docker.io/library/rabbitmq:*', 'ghcr.io/cloudnative-pg/cloudnative-pg:*', 'quay.io/jetstack/cert-manager-acmesolver:*']));
    expect(digests.name).toBe('images-by-digest');
    // A digest, or exactly the repository:tag of an image whose digest is pending.
    expect(alternativesOf(digests)).toEqual(['*@sha256:*', ...digestExemptReferences()]);
    expect(digests.validate.message).toContain('docker.io/library/redis:7.0.15');
  });

  test('with all props: own third-party list, no digest rule, other namespaces and name', () => {
    const props: Required<ImageAdmissionPolicyProps> = {
      platformRepositories: ['registry.example.com:5000/apps/web'],
      thirdPartyImages: [{ repository: 'docker.io/library/redis', tag: '7.0.15', runBy: 'cache', pendingDigest: { reason: 'none found', releaseIssue: 'issue 1' } }],
      requireDigest: false,
      namespaces: ['apps'],
      policyName: 'restrict-apps-images',
    };
    const policy = policyOf(props, 'restrict-apps-images');
    expect(policy.spec.rules.map((rule: { name: string }) => rule.name)).toEqual(['allowed-image-repositories']);
    expect(policy.spec.rules[0].match.any[0].resources.namespaces).toEqual(['apps']);
    expect(alternativesOf(policy.spec.rules[0])).toEqual([
      'registry.example.com:5000/apps/web:*', 'registry.example.com:5000/apps/web@*', 'docker.io/library/redis:*', 'docker.io/library/redis@*',
    ]);
  });

  test.each([
    ['no platform repository', { platformRepositories: [] }, 'platformRepositories is empty'],
    ['a short name', { platformRepositories: ['rabbitmq'] }, '["rabbitmq"] is not a fully qualified repository'],
    ['a tag in a repository', { platformRepositories: ['ghcr.io/acme/web:1.0'] }, '["ghcr.io/acme/web:1.0"] is not a fully qualified repository'],
    ['a wildcard', { platformRepositories: ['ghcr.io/acme/*'] }, '["ghcr.io/acme/*"] is not a fully qualified repository'],
    ['no namespaces', { platformRepositories: PLATFORM, namespaces: [] }, 'namespaces is empty'],
  ])('fails with %s', (_label, props, message) => {
    expect(() => new ImageAdmissionPolicy(emptyChart(), 'p', props)).toThrow(message);
  });

  test.each(Object.values(ENVIRONMENTS).map((config) => [config.name, config] as const))(
    '%s: rendered where the environment owns its cluster\'s objects, requiring digests in staging and production only',
    (name, config) => {
      const policies = renderChart(config).filter((object) => object.kind === 'ClusterPolicy' && object.metadata.name === 'restrict-generator-platform-images');
      expect(policies).toHaveLength(config.ownsClusterScopedObjects ? 1 : 0);
      if (policies.length === 1) {
        const ruleNames = policies[0].spec.rules.map((rule: { name: string }) => rule.name);
        expect(ruleNames).toEqual(name === 'staging' || name === 'production' ? ['allowed-image-repositories', 'images-by-digest'] : ['allowed-image-repositories']);
        expect(alternativesOf(policies[0].spec.rules[0])).toEqual(expect.arrayContaining([`${config.web.image.repository}:*`, `${config.generator.image.repository}@*`]));
      }
    },
  );

  test('passes the validation gate (the pinned Kyverno 1.11.5 CRD schema and the policy checks)', async () => {
    const chart = emptyChart();
    new ImageAdmissionPolicy(chart, 'image-admission', { platformRepositories: PLATFORM });
    const { findings } = await validateObjects(parseManifestFile('production/security.yaml', Yaml.stringify(...chart.toJson())));
    expect(findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
  }, 60_000);
});
