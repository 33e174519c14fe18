import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../lib/config/environment-config';
import { CertificatesConfig } from '../lib/config/security-config';
import { MESSAGING_TOPOLOGY_OPERATOR } from '../lib/gitops/addon-catalog';
import { PULL_REQUEST_PREVIEW_ID } from '../lib/gitops/preview-parametrization';
import { renderedObjectsOf } from '../lib/gitops/rendered-objects';
import { PLATFORM_NAME } from '../lib/platform/labels';
import { CaBundle } from '../lib/security/ca-bundle';
import { CertificateAuthorityTrust } from '../lib/security/certificate-authority-trust';
import { CertificateAuthoritySigner, InternalCertificateAuthority } from '../lib/security/internal-certificate-authority';
import { InternalIssuerPolicy } from '../lib/security/internal-issuer-policy';

export interface ClusterCertificateAuthorityChartProps {
  /** The certificate settings the cluster's environments share: the internal CA and the leaf lifetime. */
  readonly certificates: CertificatesConfig;
  /** Vault's HTTPS address, for a Vault PKI CA. */
  readonly vaultAddress: string;
  /** PEM of the CA(s) that sign Vault's server certificate, for a Vault PKI CA. */
  readonly vaultCaBundlePem: string;
  /** Namespaces of the environments on the cluster (previews apart): the internal CA signs any name there. */
  readonly environmentNamespaces: readonly string[];
  /**
   * The preview template as rendered (dist/preview), when the cluster runs pull-request
   * previews: their namespaces may use the internal CA, for their own names only.
   * @default - no previews: no preview namespace may use the internal CA
   */
  readonly preview?: { readonly config: EnvironmentConfig; readonly chart: Chart };
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
  public readonly issuerPolicy: InternalIssuerPolicy;

  public constructor(scope: Construct, id: string, props: ClusterCertificateAuthorityChartProps) {
    super(scope, id, { labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME } });
    const { internalCa, durationHours, renewBeforeHours } = props.certificates;
    this.internalCa = new InternalCertificateAuthority(this, 'internal-ca', {
      signer:
        internalCa.kind === 'vault-pki'
          ? CertificateAuthoritySigner.vaultPki({ server: props.vaultAddress, caBundle: CaBundle.fromPem(props.vaultCaBundlePem), signPath: internalCa.signPath, role: internalCa.role })
          : CertificateAuthoritySigner.selfSigned(),
    });
    this.topologyOperatorTrust = new CertificateAuthorityTrust(this, 'operator-trust', {
      namespace: MESSAGING_TOPOLOGY_OPERATOR.namespace,
      consumer: MESSAGING_TOPOLOGY_OPERATOR.deployment,
      issuer: this.internalCa,
      durationHours,
      renewBeforeHours,
    });
    this.issuerPolicy = new InternalIssuerPolicy(this, 'internal-ca-policy', {
      issuer: this.internalCa,
      trustedNamespaces: [...new Set([...props.environmentNamespaces, MESSAGING_TOPOLOGY_OPERATOR.namespace])],
      ...(props.preview ? previewNaming(props.preview.config, props.preview.chart) : {}),
    });
  }
}

/**
 * How a pull request's preview is named, from the preview template: its namespace is
 * `<platform>-<id>`, its hosts `<name>-<id>.<domain>` (lib/config/environments/preview.ts), and
 * the short Service names are those its internal-CA certificates carry.
 */
function previewNaming(config: EnvironmentConfig, chart: Chart) {
  const namespacePrefix = `${PLATFORM_NAME}-`;
  const templateId = config.namespace.slice(namespacePrefix.length);
  const domains = [config.webHostname, config.apiHostname].map((host) => {
    const [label, ...domain] = host.split('.');
    if (!config.namespace.startsWith(namespacePrefix) || !label.endsWith(`-${templateId}`)) {
      throw new Error(`preview ${config.namespace}: host ${host} is not <name>-${templateId}.<domain>; the internal CA's policy names a preview's hosts by its id. Fix: keep preview hostnames <name>-<id>.<domain> (lib/config/environments/preview.ts)`);
    }
    return domain.join('.');
  });
  if (domains[0] !== domains[1]) {
    throw new Error(`preview ${config.namespace}: web and api hosts are in different domains (${domains.join(', ')}); the internal CA's policy allows one preview domain. Fix: give both one domain (lib/config/environments/preview.ts)`);
  }
  const shortNames = renderedObjectsOf(chart)
    .filter((o) => o.kind === 'Certificate')
    .flatMap((o) => ((o as { spec?: { dnsNames?: string[] } }).spec?.dnsNames ?? []).filter((name) => !name.includes('.')));
  return {
    previewNamespacePrefix: namespacePrefix,
    previewIdPrefix: PULL_REQUEST_PREVIEW_ID.slice(0, PULL_REQUEST_PREVIEW_ID.indexOf('{{')),
    previewPublicDomain: domains[0],
    previewShortServiceNames: [...new Set(shortNames)].sort(),
  };
}
