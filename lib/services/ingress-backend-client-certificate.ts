import { NamespaceBaseline } from '../platform/namespace-baseline';
import { INGRESS_BACKEND_CLIENT_SECRET } from '../security/ingress-backend-tls';
import { CertificateLifetime, ICertificateIssuer, TlsCertificate } from '../security/tls-certificate';

const INGRESS_BACKEND_CLIENT_ID = 'IngressBackendClientCertificate';

/**
 * The namespace's one client certificate for ingress-nginx (`ingress-backend-client`), made on
 * first use and kept with the namespace baseline (namespace.yaml). The controller verifies every
 * service of the namespace against its `ca.crt`, so every service must name the same issuer.
 */
export function ingressBackendClientCertificate(namespace: NamespaceBaseline, issuer: ICertificateIssuer, lifetime: CertificateLifetime, requester: string): TlsCertificate {
  const existing = namespace.node.tryFindChild(INGRESS_BACKEND_CLIENT_ID) as TlsCertificate | undefined;
  if (existing !== undefined) {
    const existingIssuer = existing.issuer;
    if (existingIssuer.issuerName !== issuer.issuerName || existingIssuer.issuerKind !== issuer.issuerKind) {
      throw new Error(`${requester}: serverTlsIssuer is ${issuer.issuerKind} ${issuer.issuerName}, but ingress-nginx verifies the services of namespace ${namespace.namespaceName} against ${existingIssuer.issuerKind} ${existingIssuer.issuerName}; give every service exposed through an Ingress the same serverTlsIssuer`);
    }
    return existing;
  }
  return new TlsCertificate(namespace, INGRESS_BACKEND_CLIENT_ID, {
    namespace: namespace.namespaceName,
    secretName: INGRESS_BACKEND_CLIENT_SECRET,
    dnsNames: [`${INGRESS_BACKEND_CLIENT_SECRET}.${namespace.namespaceName}.svc`],
    issuer,
    clientAuth: true,
    durationHours: lifetime.durationHours,
    renewBeforeHours: lifetime.renewBeforeHours,
  });
}
