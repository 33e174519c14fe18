import { App } from 'cdk8s';
import { ClusterCertificateAuthorityChart } from '../../charts/cluster-certificate-authority-chart';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { CLUSTER_INTERNAL_CA } from '../../lib/security/internal-certificate-authority';
import { InternalIssuerPolicy, InternalIssuerPolicyProps } from '../../lib/security/internal-issuer-policy';
import { emptyChart, find, objectsOf } from '../support/kube';
import { environmentChart } from '../gitops/fixtures';

const allProps: Required<InternalIssuerPolicyProps> = {
  issuer: CLUSTER_INTERNAL_CA,
  trustedNamespaces: ['generator-platform', 'rabbitmq-system'],
  previewNamespacePrefix: 'generator-platform-',
  previewIdPrefix: 'pr-',
  previewPublicDomain: 'preview.example.com',
  previewShortServiceNames: ['postgres-rw'],
  certManagerUsername: 'system:serviceaccount:cert-manager:cert-manager',
  policyName: 'restrict-internal-ca',
};
const policyWith = (props: InternalIssuerPolicyProps) => {
  const chart = emptyChart();
  new InternalIssuerPolicy(chart, 'policy', props);
  return find(objectsOf(chart), 'ClusterPolicy', props.policyName ?? 'restrict-internal-ca');
};
const ruleNames = (policy: any): string[] => policy.spec.rules.map((rule: any) => rule.name);

describe('InternalIssuerPolicy', () => {
  test('enforces at admission only (request variables), failing closed', () => {
    const policy = policyWith(allProps);
    expect(policy.spec).toMatchObject({ validationFailureAction: 'Enforce', background: false, failurePolicy: 'Fail' });
    expect(ruleNames(policy)).toEqual([
      'internal-ca-only-in-platform-namespaces',
      'internal-ca-signs-no-ca',
      'no-kubernetes-csr-for-internal-ca',
      'preview-certificates-name-the-preview-only',
      'preview-certificate-requests-from-cert-manager-only',
    ]);
    expect(policy.spec.rules[0].exclude.any[0].resources.namespaces).toEqual(['generator-platform', 'rabbitmq-system', 'generator-platform-pr-*']);
  });

  test('without previews, no preview namespace is excluded and no preview rule exists', () => {
    const policy = policyWith({ issuer: CLUSTER_INTERNAL_CA, trustedNamespaces: ['generator-platform'] });
    expect(ruleNames(policy)).toEqual(['internal-ca-only-in-platform-namespaces', 'internal-ca-signs-no-ca', 'no-kubernetes-csr-for-internal-ca']);
    expect(policy.spec.rules[0].exclude.any[0].resources.namespaces).toEqual(['generator-platform']);
  });

  test('checks names with regex_match, never with the wildcard-matching In operators', () => {
    const rule = policyWith(allProps).spec.rules.find((r: any) => r.name === 'preview-certificates-name-the-preview-only');
    const conditions = JSON.stringify(rule.validate.deny.conditions);
    expect(conditions).toContain("regex_match('^(");
    expect(conditions).not.toMatch(/"operator":"(AnyNotIn|AllNotIn|NotIn|AnyIn|AllIn|In)"/);
    expect(conditions).toContain('\\\\.preview\\\\.example\\\\.com');
  });

  test.each([
    [{ issuer: { issuerName: 'internal-ca', issuerKind: 'Issuer' as const } }, /issuer.issuerKind is "Issuer"; pass the ClusterIssuer/],
    [{ trustedNamespaces: [] }, /trustedNamespaces is \[\]; list the namespaces/],
    [{ trustedNamespaces: ['Generator_Platform'] }, /trustedNamespaces is \["Generator_Platform"\]/],
    [{ previewPublicDomain: 'Preview.Example.com' }, /previewPublicDomain is "Preview.Example.com"; use a lower-case DNS domain/],
    [{ previewShortServiceNames: ['postgres.rw'] }, /previewShortServiceNames is \["postgres.rw"\]; list single DNS labels/],
    [{ previewNamespacePrefix: 'Generator-' }, /previewNamespacePrefix is "Generator-"/],
  ])('refuses %j', (override, message) => {
    expect(() => policyWith({ ...allProps, ...override })).toThrow(message);
  });
});

describe('the cluster certificate-authority chart', () => {
  const chartFor = (preview: boolean) =>
    new ClusterCertificateAuthorityChart(new App(), 'ca', {
      certificates: ENVIRONMENTS.development.certificates,
      vaultAddress: ENVIRONMENTS.development.vaultAddress,
      vaultCaBundlePem: ENVIRONMENTS.development.vaultCaBundlePem,
      environmentNamespaces: [ENVIRONMENTS.development.namespace],
      preview: preview ? { config: ENVIRONMENTS.preview, chart: environmentChart(ENVIRONMENTS.preview) } : undefined,
    });

  test('trusts the environments and the namespace of the operator that trusts the CA; previews by their prefix', () => {
    const policy = find(objectsOf(chartFor(true)), 'ClusterPolicy', 'restrict-internal-ca');
    expect(policy.spec.rules[0].exclude.any[0].resources.namespaces).toEqual(['generator-platform', 'rabbitmq-system', 'generator-platform-pr-*']);
    const names = JSON.stringify(policy.spec.rules.find((r: any) => r.name === 'preview-certificates-name-the-preview-only').validate.deny.conditions.any[0]);
    // The short names are those the preview's CloudNativePG and RabbitMQ certificates carry.
    expect(names).toContain('(postgres-pooler|postgres-r|postgres-ro|postgres-rw|rabbitmq)');
    expect(names).toContain("-{{ trim_prefix(request.namespace, 'generator-platform-') }}\\\\.preview\\\\.generator-platform\\\\.example\\\\.com");
  });

  test('fails with one line when preview hosts do not end in the preview id', () => {
    const config = { ...ENVIRONMENTS.preview, webHostname: 'web.preview.generator-platform.example.com' };
    expect(
      () =>
        new ClusterCertificateAuthorityChart(new App(), 'ca', {
          certificates: config.certificates,
          vaultAddress: config.vaultAddress,
          vaultCaBundlePem: config.vaultCaBundlePem,
          environmentNamespaces: ['generator-platform'],
          preview: { config, chart: environmentChart(ENVIRONMENTS.preview) },
        }),
    ).toThrow('preview generator-platform-preview: host web.preview.generator-platform.example.com is not <name>-preview.<domain>');
  });
});
