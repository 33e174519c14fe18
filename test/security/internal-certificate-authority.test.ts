import { CertificateAuthoritySigner, CLUSTER_INTERNAL_CA, InternalCertificateAuthority, InternalCertificateAuthorityProps } from '../../lib/security/internal-certificate-authority';
import { emptyChart, find, kinds, objectsOf } from '../support/kube';

const VAULT = { server: 'https://vault.example.com:8200', signPath: 'pki_int/sign/generator-platform-production', role: 'cert-manager-generator-platform-production' };

describe('InternalCertificateAuthority', () => {
  test('with minimal props (self-signed): a root ClusterIssuer, an ECDSA CA Certificate of one year in cert-manager, and the CA ClusterIssuer', () => {
    const chart = emptyChart();
    const ca = new InternalCertificateAuthority(chart, 'internal-ca', { signer: CertificateAuthoritySigner.selfSigned() });
    const objects = objectsOf(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'Certificate/cert-manager/internal-ca',
      'ClusterIssuer//internal-ca',
      'ClusterIssuer//selfsigned-root',
    ]);
    expect(find(objects, 'ClusterIssuer', 'selfsigned-root').spec).toEqual({ selfSigned: {} });
    expect(find(objects, 'Certificate', 'internal-ca').spec).toMatchObject({
      isCA: true,
      secretName: 'internal-ca',
      duration: '8760h',
      renewBefore: '2920h',
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'selfsigned-root' },
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Never' },
    });
    // A CA ClusterIssuer reads its key pair from the cluster resource namespace, where the root's Certificate writes it.
    expect(find(objects, 'ClusterIssuer', 'internal-ca').spec).toEqual({ ca: { secretName: 'internal-ca' } });
    expect({ issuerName: ca.issuerName, issuerKind: ca.issuerKind, clusterResourceNamespace: ca.clusterResourceNamespace }).toEqual({
      issuerName: 'internal-ca',
      issuerKind: 'ClusterIssuer',
      clusterResourceNamespace: 'cert-manager',
    });
    // What environments name without rendering it.
    expect(CLUSTER_INTERNAL_CA).toEqual({ issuerName: ca.issuerName, issuerKind: ca.issuerKind });
  });

  test('with Vault PKI: the ClusterIssuer logs in with bound tokens of its own ServiceAccount, which only cert-manager may request', () => {
    const chart = emptyChart();
    new InternalCertificateAuthority(chart, 'internal-ca', { signer: CertificateAuthoritySigner.vaultPki(VAULT) });
    const objects = objectsOf(chart);
    expect(find(objects, 'ClusterIssuer', 'internal-ca').spec).toEqual({
      vault: {
        server: VAULT.server,
        path: VAULT.signPath,
        auth: { kubernetes: { role: VAULT.role, mountPath: '/v1/auth/kubernetes', serviceAccountRef: { name: 'cert-manager-vault-issuer' } } },
      },
    });
    expect(find(objects, 'ServiceAccount', 'cert-manager-vault-issuer')).toMatchObject({ metadata: { namespace: 'cert-manager' }, automountServiceAccountToken: false });
    const role = find(objects, 'Role', 'cert-manager-vault-issuer-token');
    expect(role.metadata.namespace).toBe('cert-manager');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['cert-manager-vault-issuer'], verbs: ['create'] }]);
    const binding = find(objects, 'RoleBinding', 'cert-manager-vault-issuer-token');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cert-manager-vault-issuer-token' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' }]);
    expect(kinds(objects, 'Certificate')).toEqual([]);
    expect(objects.filter((o) => o.kind !== 'ClusterIssuer').every((o) => o.metadata.namespace === 'cert-manager')).toBe(true);
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<InternalCertificateAuthorityProps> = {
      signer: CertificateAuthoritySigner.vaultPki({
        ...VAULT,
        kubernetesAuthMountPath: '/v1/auth/eu-west-1',
        serviceAccountName: 'vault-issuer',
        certManagerServiceAccountName: 'cert-manager-controller',
      }),
      clusterResourceNamespace: 'security',
      issuerName: 'platform-ca',
    };
    new InternalCertificateAuthority(chart, 'ca', props);
    const objects = objectsOf(chart);
    expect(find(objects, 'ClusterIssuer', 'platform-ca').spec.vault.auth.kubernetes).toEqual({ role: VAULT.role, mountPath: '/v1/auth/eu-west-1', serviceAccountRef: { name: 'vault-issuer' } });
    expect(find(objects, 'ServiceAccount', 'vault-issuer').metadata.namespace).toBe('security');
    expect(find(objects, 'Role', 'vault-issuer-token').rules[0].resourceNames).toEqual(['vault-issuer']);
    expect(find(objects, 'RoleBinding', 'vault-issuer-token').subjects).toEqual([{ kind: 'ServiceAccount', name: 'cert-manager-controller', namespace: 'security' }]);
  });

  test('a self-signed root of another lifetime renews a third of it before expiry', () => {
    const chart = emptyChart();
    new InternalCertificateAuthority(chart, 'internal-ca', { signer: CertificateAuthoritySigner.selfSigned({ rootDurationHours: 4380 }) });
    expect(find(objectsOf(chart), 'Certificate', 'internal-ca').spec).toMatchObject({ duration: '4380h', renewBefore: '1460h' });
  });

  test.each([
    [{ clusterResourceNamespace: 'Cert_Manager', signer: CertificateAuthoritySigner.selfSigned() }, 'InternalCertificateAuthority ca: clusterResourceNamespace is "Cert_Manager"; use a DNS label'],
    [{ issuerName: 'selfsigned-root', signer: CertificateAuthoritySigner.selfSigned() }, 'issuerName is "selfsigned-root"; choose another name'],
    [{ signer: CertificateAuthoritySigner.selfSigned({ rootDurationHours: 100 }) }, 'rootDurationHours is 100; use a whole number of hours, at least 720'],
    [{ signer: CertificateAuthoritySigner.vaultPki({ ...VAULT, server: 'http://vault:8200' }) }, 'server is "http://vault:8200"; use Vault\'s https:// address'],
    [{ signer: CertificateAuthoritySigner.vaultPki({ ...VAULT, signPath: 'pki_int/issue/web' }) }, 'signPath is "pki_int/issue/web"; use the sign path of the PKI role'],
    [{ signer: CertificateAuthoritySigner.vaultPki({ ...VAULT, role: 'Bad Role' }) }, 'role is "Bad Role"'],
    [{ signer: CertificateAuthoritySigner.vaultPki({ ...VAULT, kubernetesAuthMountPath: 'kubernetes' }) }, 'kubernetesAuthMountPath is "kubernetes"; use the API path of the auth method'],
    [{ signer: CertificateAuthoritySigner.vaultPki({ ...VAULT, serviceAccountName: 'Vault Issuer' }) }, 'serviceAccountName is "Vault Issuer"; use a DNS label'],
  ])('fails on %p', (props, message) => {
    expect(() => new InternalCertificateAuthority(emptyChart(), 'ca', props)).toThrow(message);
  });
});
