import { Replicas } from '../../platform/replicas';
import { ImageReference } from '../../platform/image-reference';
import { DEFAULT_CERTIFICATE_LIFETIME } from '../../security/tls-certificate';
import { AuthenticationConfig, CertificatesConfig, ExternalEgressConfig } from '../security-config';

/** Let's Encrypt's production directory: staging and production hostnames are public. */
export const LETS_ENCRYPT: CertificatesConfig['publicIssuer'] = {
  kind: 'acme',
  clusterIssuerName: 'letsencrypt-production',
  server: 'https://acme-v02.api.letsencrypt.org/directory',
  email: 'platform-team@acme.example.com',
};

/** 90-day leaves renewed a month ahead, the Let's Encrypt cadence, used for internal leaves too. */
export const CERTIFICATE_LIFETIME = DEFAULT_CERTIFICATE_LIFETIME;

/** The company identity provider (Keycloak realm `platform`), which enforces MFA and says so in `amr`. */
const IDENTITY_PROVIDER = {
  issuerUrl: 'https://login.acme.example.com/realms/platform',
  groupsClaim: 'groups',
  mfa: { claim: 'amr', acceptedValues: ['mfa'], acrValues: 'mfa' },
  // The realm's access token lifespan, which Keycloak gives its ID tokens too.
  idTokenLifetimeMinutes: 5,
} as const;

/**
 * Sign-in for one environment: its own OAuth client, the groups that may use it, the proxy's replicas
 * and image (from the environment's image data file), and the public paths.
 */
export function authenticationFor(clientId: string, allowedGroups: readonly string[], proxyReplicas: Replicas, proxyImage: ImageReference): AuthenticationConfig {
  return {
    ...IDENTITY_PROVIDER,
    proxyImage,
    mfa: { ...IDENTITY_PROVIDER.mfa, acceptedValues: [...IDENTITY_PROVIDER.mfa.acceptedValues] },
    clientId,
    allowedGroups,
    proxyReplicas,
    sessionHours: 8,
    // Below the ID token's lifetime: the token web and api verify is refreshed before it expires.
    refreshMinutes: 4,
    webPublicPaths: ['/healthz'],
    apiPublicPaths: ['/healthz', '/webhooks/'],
  };
}

/**
 * Outside destinations per region. These are the ranges the providers publish (AWS ip-ranges.json
 * for S3 in eu-west-1; the AI provider's and the identity provider's private endpoints in the
 * platform VPC); the release checklist re-checks them, because a provider that moves breaks the flow.
 */
export const EU_WEST_1_EGRESS: ExternalEgressConfig = {
  aiProviderCidrs: ['10.20.8.0/28'],
  objectStorageCidrs: ['52.218.0.0/17', '3.5.64.0/21'],
  identityProviderCidrs: ['10.20.4.0/28'],
};
