import { CertificateAuthorityTrust, CertificateAuthorityTrustProps, INTERNAL_CA_TRUST_SECRET } from '../../lib/security/certificate-authority-trust';
import { emptyChart, find, objectsOf } from '../support/kube';

const CA = { issuerName: 'internal-ca', issuerKind: 'ClusterIssuer' as const };
const LIFETIME = { durationHours: 2160, renewBeforeHours: 720 };

describe('CertificateAuthorityTrust', () => {
  test('with minimal props: one Certificate in the consumer namespace from the cluster CA, whose Secret carries ca.crt', () => {
    const chart = emptyChart();
    const trust = new CertificateAuthorityTrust(chart, 'trust', { namespace: 'rabbitmq-system', consumer: 'messaging-topology-operator', issuer: CA, ...LIFETIME });
    const objects = objectsOf(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([`Certificate/rabbitmq-system/${INTERNAL_CA_TRUST_SECRET}`]);
    expect(find(objects, 'Certificate', INTERNAL_CA_TRUST_SECRET).spec).toMatchObject({
      secretName: INTERNAL_CA_TRUST_SECRET,
      dnsNames: ['messaging-topology-operator.rabbitmq-system.svc'],
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'internal-ca' },
      duration: '2160h',
      renewBefore: '720h',
    });
    expect({ secretName: trust.secretName, namespace: trust.namespace }).toEqual({ secretName: 'internal-ca-trust', namespace: 'rabbitmq-system' });
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<CertificateAuthorityTrustProps> = { namespace: 'keda', consumer: 'keda-operator', issuer: CA, secretName: 'platform-ca', durationHours: 720, renewBeforeHours: 240 };
    new CertificateAuthorityTrust(chart, 'trust', props);
    expect(find(objectsOf(chart), 'Certificate', 'platform-ca').spec).toMatchObject({ secretName: 'platform-ca', dnsNames: ['keda-operator.keda.svc'], duration: '720h', renewBefore: '240h' });
  });

  test.each([
    [{ namespace: 'Rabbit', consumer: 'op' }, 'CertificateAuthorityTrust trust: namespace is "Rabbit"; use a DNS label'],
    [{ namespace: 'rabbitmq-system', consumer: 'op.erator' }, 'consumer is "op.erator"; use a DNS label'],
    [{ namespace: 'rabbitmq-system', consumer: 'op', secretName: 'Bad_Name' }, 'secretName is "Bad_Name"'],
  ])('fails on %p', (props, message) => {
    expect(() => new CertificateAuthorityTrust(emptyChart(), 'trust', { issuer: CA, ...LIFETIME, ...props })).toThrow(message);
  });
});
