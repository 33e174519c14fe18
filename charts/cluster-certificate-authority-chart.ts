import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CertificatesConfig } from '../lib/config/security-config';
import { MESSAGING_TOPOLOGY_OPERATOR } from '../lib/gitops/addon-catalog';
import { PLATFORM_NAME } from '../lib/platform/labels';
import { CertificateAuthorityTrust } from '../lib/security/certificate-authority-trust';
import { CertificateAuthoritySigner, InternalCertificateAuthority } from '../lib/security/internal-certificate-authority';

export interface ClusterCertificateAuthorityChartProps {
  /** The certificate settings the cluster's environments share: the internal CA and the leaf lifetime. */
  readonly certificates: CertificatesConfig;
  /** Vault's HTTPS address, for a Vault PKI CA. */
  readonly vaultAddress: string;
}

/**
 * The internal CA of one cluster, rendered to `dist/argocd/<cluster>/certificate-authority/`
 * and synced before the environments: the ClusterIssuer every environment and preview on the
 * cluster names, and the CA's certificate in the namespace of the operator that must trust it.
 * Composition only.
 */
export class ClusterCertificateAuthorityChart extends Chart {
  public readonly internalCa: InternalCertificateAuthority;
  public readonly topologyOperatorTrust: CertificateAuthorityTrust;

  public constructor(scope: Construct, id: string, props: ClusterCertificateAuthorityChartProps) {
    super(scope, id, { labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME } });
    const { internalCa, durationHours, renewBeforeHours } = props.certificates;
    this.internalCa = new InternalCertificateAuthority(this, 'internal-ca', {
      signer:
        internalCa.kind === 'vault-pki'
          ? CertificateAuthoritySigner.vaultPki({ server: props.vaultAddress, signPath: internalCa.signPath, role: internalCa.role })
          : CertificateAuthoritySigner.selfSigned(),
    });
    this.topologyOperatorTrust = new CertificateAuthorityTrust(this, 'operator-trust', {
      namespace: MESSAGING_TOPOLOGY_OPERATOR.namespace,
      consumer: MESSAGING_TOPOLOGY_OPERATOR.deployment,
      issuer: this.internalCa,
      durationHours,
      renewBeforeHours,
    });
  }
}
