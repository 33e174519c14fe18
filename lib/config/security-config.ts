import { ImageReference } from '../platform/image-reference';
import { Replicas } from '../platform/replicas';

/**
 * A public certificate authority reached over ACME (Let's Encrypt): cert-manager proves control
 * of each hostname with an HTTP-01 challenge answered through ingress-nginx.
 */
export interface AcmeIssuerConfig {
  readonly kind: 'acme';
  /** Name of the ClusterIssuer; rendered by the environment that owns the cluster. */
  readonly clusterIssuerName: string;
  /** ACME directory URL, e.g. `https://acme-v02.api.letsencrypt.org/directory`. */
  readonly server: string;
  /** Account e-mail the CA sends expiry and policy notices to. */
  readonly email: string;
}

/** Public hostnames signed by the environment's own internal CA: development and preview only. */
export interface InternalPublicIssuerConfig {
  readonly kind: 'internal-ca';
}

/** A self-signed root made by cert-manager in the namespace: development and preview only. */
export interface SelfSignedCaConfig {
  readonly kind: 'self-signed';
}

/**
 * Vault's PKI secrets engine signs in-cluster certificates; cert-manager authenticates with
 * Kubernetes auth (a bound service-account token, no static token).
 */
export interface VaultPkiCaConfig {
  readonly kind: 'vault-pki';
  /** Sign path of the PKI role, e.g. `pki_int/sign/generator-platform-production`. */
  readonly signPath: string;
  /** Vault Kubernetes-auth role cert-manager logs in with; its policy may only call signPath. */
  readonly role: string;
}

/** Where every certificate comes from, and how long it lives. */
export interface CertificatesConfig {
  /** Issuer of the web and api hostnames' certificates. */
  readonly publicIssuer: AcmeIssuerConfig | InternalPublicIssuerConfig;
  /** Issuer of PostgreSQL, Redis and RabbitMQ server certificates (and the CA the services trust). */
  readonly internalCa: SelfSignedCaConfig | VaultPkiCaConfig;
  /** Lifetime of every leaf certificate, in hours (Let's Encrypt always issues 90 days = 2160 h). */
  readonly durationHours: number;
  /** cert-manager renews this many hours before expiry; the expiry alert fires well after that. */
  readonly renewBeforeHours: number;
}

/** The MFA requirement, as the identity provider must assert it in the ID token. */
export interface MfaRequirement {
  /** ID-token claim carrying the authentication methods or level, e.g. `amr` (RFC 8176) or `acr`. */
  readonly claim: string;
  /** A session is admitted only when the claim holds one of these, e.g. `['mfa']`. */
  readonly acceptedValues: readonly string[];
  /**
   * `acr_values` sent with every sign-in so the provider steps up to MFA before it answers.
   * @default - none sent; the provider's policy alone decides
   */
  readonly acrValues?: string;
}

/** OIDC sign-in (oauth2-proxy) in front of web and api. */
export interface AuthenticationConfig {
  /** OIDC issuer URL (https), e.g. `https://login.acme.example.com/realms/platform`. */
  readonly issuerUrl: string;
  /** OAuth2 client id; the client secret comes from Vault `<vaultPathPrefix>/oauth2-proxy`. */
  readonly clientId: string;
  /** ID-token claim that lists the user's groups. */
  readonly groupsClaim: string;
  /** Only members of one of these groups get a session. */
  readonly allowedGroups: readonly string[];
  readonly mfa: MfaRequirement;
  /** Lifetime of a session cookie, in hours; after it the user signs in again. */
  readonly sessionHours: number;
  /** Minutes after which the session's tokens are refreshed at the provider (a revoked user is out by then). */
  readonly refreshMinutes: number;
  /**
   * Lifetime of the provider's ID tokens, in minutes (Keycloak: the access token lifespan, 5 by
   * default). oauth2-proxy forwards the stored ID token until the session is refreshMinutes old,
   * and web and api refuse an expired one, so refreshMinutes must be shorter.
   */
  readonly idTokenLifetimeMinutes: number;
  /** Paths of the web host that bypass sign-in (exact prefixes), e.g. `/healthz`. */
  readonly webPublicPaths: readonly string[];
  /** Paths of the api host that bypass sign-in, e.g. `/healthz`, `/webhooks/`. */
  readonly apiPublicPaths: readonly string[];
  /** The oauth2-proxy image. */
  readonly proxyImage: ImageReference;
  /** Replicas of oauth2-proxy: every request to web and api waits for it, so two at least where one may fail. */
  readonly proxyReplicas: Replicas;
}

/** Destinations outside the cluster that pods may open connections to (HTTPS, port 443), as IPv4 CIDRs. */
export interface ExternalEgressConfig {
  /** The generator's AI provider API. */
  readonly aiProviderCidrs: readonly string[];
  /** The S3-compatible object store that PostgreSQL archives WAL and backups to. */
  readonly objectStorageCidrs: readonly string[];
  /** The OIDC identity provider oauth2-proxy redeems codes and refreshes tokens at. */
  readonly identityProviderCidrs: readonly string[];
}

/** Registry credentials for the platform images, from Vault `<vaultPathPrefix>/registry` (username, password). */
export interface ImageRegistryConfig {
  /** Registry host the credentials are for, e.g. `ghcr.io`. */
  readonly server: string;
}
