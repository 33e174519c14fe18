import { parseAllDocuments } from 'yaml';
import { renderAllEnvironments, renderPreviews } from '../../synth/render';
import { admissionVerdicts, kyvernoApply, kyvernoBinary, KYVERNO_BUILD_TIMEOUT_MS } from './support/kyverno-cli';

/**
 * The internal CA's ClusterPolicy, as synth renders it, run by Kyverno's own engine (the CLI of
 * the release the clusters run, v1.11.5) against the certificates the platform really makes and
 * against the ones a pull request could write to take names that are not its own.
 */
type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: any };

const files = renderAllEnvironments();
const docsOf = (content: string): Doc[] => parseAllDocuments(content).map((d) => d.toJS() as Doc).filter((d) => d !== null);
const policyOf = (cluster: string): Doc => docsOf(files.get(`argocd/${cluster}/certificate-authority/internal-ca-policy.yaml`)!)[0];
const certificatesIn = (rendered: Map<string, string>, prefix: string): Doc[] =>
  [...rendered].filter(([file]) => file.startsWith(prefix)).flatMap(([, content]) => docsOf(content)).filter((d) => d.kind === 'Certificate' || d.kind === 'CertificateRequest');

const PR = 'generator-platform-pr-42';
const internalCa = { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'internal-ca' };
const certificate = (name: string, namespace: string, spec: Record<string, unknown>, issuerRef: Record<string, string> = internalCa): Doc => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name, namespace },
  spec: { secretName: name, issuerRef, ...spec },
});
const request = (name: string, namespace: string): Doc => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'CertificateRequest',
  metadata: { name, namespace },
  spec: { issuerRef: internalCa, request: Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n').toString('base64') },
});

describe("the internal CA's policy in Kyverno's engine", () => {
  beforeAll(() => {
    kyvernoBinary();
  }, KYVERNO_BUILD_TIMEOUT_MS);

  test('admits every certificate the development cluster renders: its environment, the operator trust, and a pull request preview', () => {
    const preview = certificatesIn(renderPreviews(['pr-42']), 'preview-pr-42/');
    const platform = [...certificatesIn(files, 'development/'), ...certificatesIn(files, 'argocd/development/certificate-authority/')];
    expect(preview.length).toBeGreaterThan(5);
    expect(new Set(preview.map((c) => c.metadata.namespace))).toEqual(new Set([PR]));
    const renamed = [...preview, ...platform].map((c, i) => ({ ...c, metadata: { ...c.metadata, name: `${c.metadata.namespace}-${c.metadata.name}-${i}` } }));
    const verdicts = admissionVerdicts(kyvernoApply([policyOf('development')], renamed));
    expect(Object.entries(verdicts).filter(([, v]) => v === 'denied')).toEqual([]);
    expect(Object.keys(verdicts)).toEqual(expect.arrayContaining(renamed.filter((c) => c.spec.issuerRef.name === 'internal-ca').map((c) => c.metadata.name)));
  }, 120_000);

  test("refuses a preview certificate for any name that is not the preview's own, and a CA", () => {
    const own = { dnsNames: ['api.generator-platform-pr-42.svc'] };
    const verdicts = admissionVerdicts(
      kyvernoApply([policyOf('development')], [
        certificate('own-service-names', PR, { dnsNames: ['redis-0.redis-headless.generator-platform-pr-42.svc.cluster.local', '*.redis-headless.generator-platform-pr-42.svc', 'rabbitmq.generator-platform-pr-42', 'postgres-rw'] }),
        certificate('own-public-host', PR, { commonName: 'app-pr-42.preview.generator-platform.example.com', dnsNames: ['app-pr-42.preview.generator-platform.example.com'] }),
        certificate('wildcard-everything', PR, { dnsNames: ['*'] }),
        certificate('wildcard-domain', PR, { dnsNames: ['*.example.com'] }),
        certificate('environment-service', PR, { dnsNames: ['api.generator-platform.svc'] }),
        certificate('other-pull-request-host', PR, { dnsNames: ['app-pr-43.preview.generator-platform.example.com'] }),
        certificate('longer-number-host', PR, { dnsNames: ['app-pr-421.preview.generator-platform.example.com'] }),
        certificate('dot-not-escaped', PR, { dnsNames: ['app-pr-42Xpreview.generator-platform.example.com'] }),
        certificate('production-host', PR, { dnsNames: ['app.generator-platform.example.com'] }),
        certificate('unlisted-short-name', PR, { dnsNames: ['vault'] }),
        certificate('foreign-common-name', PR, { ...own, commonName: 'vault.acme.internal' }),
        certificate('uri-san', PR, { ...own, uris: ['spiffe://cluster.local/ns/generator-platform/sa/api'] }),
        certificate('ip-san', PR, { ...own, ipAddresses: ['10.0.0.1'] }),
        certificate('email-san', PR, { ...own, emailAddresses: ['admin@example.com'] }),
        certificate('intermediate-ca', PR, { ...own, isCA: true }),
        certificate('cert-sign-usage', PR, { ...own, usages: ['digital signature', 'cert sign'] }),
        certificate('acme-issuer-foreign-host', PR, { dnsNames: ['app.generator-platform.example.com'] }, { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-production' }),
        certificate('own-issuer-any-name', PR, { dnsNames: ['anything.example.com'] }, { group: 'cert-manager.io', kind: 'Issuer', name: 'self-signed' }),
      ]),
    );
    expect(verdicts).toEqual({
      'own-service-names': 'admitted',
      'own-public-host': 'admitted',
      'wildcard-everything': 'denied',
      'wildcard-domain': 'denied',
      'environment-service': 'denied',
      'other-pull-request-host': 'denied',
      'longer-number-host': 'denied',
      'dot-not-escaped': 'denied',
      'production-host': 'denied',
      'unlisted-short-name': 'denied',
      'foreign-common-name': 'denied',
      'uri-san': 'denied',
      'ip-san': 'denied',
      'email-san': 'denied',
      'intermediate-ca': 'denied',
      'cert-sign-usage': 'denied',
      'acme-issuer-foreign-host': 'denied',
      'own-issuer-any-name': 'admitted',
    });
  }, 120_000);

  test('refuses the internal CA outside the platform namespaces, and in the namespace of the preview template', () => {
    const names = { dnsNames: ['x.default.svc'] };
    const verdicts = admissionVerdicts(
      kyvernoApply([policyOf('development')], [
        certificate('default-namespace', 'default', names),
        certificate('kube-system', 'kube-system', names),
        certificate('preview-template', 'generator-platform-preview', names),
        { ...request('request-elsewhere', 'monitoring') },
        certificate('own-issuer-named-alike', 'default', names, { group: 'cert-manager.io', kind: 'Issuer', name: 'internal-ca' }),
        certificate('environment', 'generator-platform', { dnsNames: ['api.generator-platform.svc'] }),
        certificate('environment-ca', 'generator-platform', { dnsNames: ['api.generator-platform.svc'], isCA: true }),
        { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'kubernetes-csr' }, spec: { signerName: 'clusterissuers.cert-manager.io/internal-ca', request: 'eA==', usages: ['server auth'] } },
      ]),
    );
    expect(verdicts).toEqual({
      'default-namespace': 'denied',
      'kube-system': 'denied',
      'preview-template': 'denied',
      'request-elsewhere': 'denied',
      'own-issuer-named-alike': 'admitted',
      'environment': 'admitted',
      'environment-ca': 'denied',
      'kubernetes-csr': 'denied',
    });
  }, 120_000);

  test('in a preview only cert-manager may create CertificateRequests for a ClusterIssuer (their names are inside the CSR)', () => {
    const requests = [request('direct-request', PR)];
    expect(admissionVerdicts(kyvernoApply([policyOf('development')], requests, `system:serviceaccount:${PR}:default`))).toEqual({ 'direct-request': 'denied' });
    expect(admissionVerdicts(kyvernoApply([policyOf('development')], requests, 'system:serviceaccount:cert-manager:cert-manager'))).toEqual({ 'direct-request': 'admitted' });
  }, 120_000);

  test.each(['staging', 'production'])('%s runs no previews: a pull-request namespace may not use the internal CA at all', (cluster) => {
    const verdicts = admissionVerdicts(
      kyvernoApply([policyOf(cluster)], [
        certificate('preview-like', PR, { dnsNames: ['api.generator-platform-pr-42.svc'] }),
        ...certificatesIn(files, `${cluster}/`).filter((c) => c.spec.issuerRef.name === 'internal-ca'),
        ...certificatesIn(files, `argocd/${cluster}/certificate-authority/`).filter((c) => c.spec.issuerRef.name === 'internal-ca'),
      ]),
    );
    expect(verdicts['preview-like']).toBe('denied');
    expect(Object.entries(verdicts).filter(([name, v]) => name !== 'preview-like' && v === 'denied')).toEqual([]);
    expect(Object.keys(verdicts).length).toBeGreaterThan(5);
  }, 120_000);
});
