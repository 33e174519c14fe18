import { k8s } from 'cdk8s-plus-27';
import { INetworkPeer } from '../platform/network-peer';

/**
 * A sign-in proxy for ingress-nginx's external authentication (`auth-url` subrequests): what a
 * service that puts its Ingress behind one needs from it.
 */
export interface ISignInProxy {
  /** Name of the proxy, in messages and Ingress annotations. */
  readonly name: string;
  /** Path prefix of the proxy's endpoints (sign-in, callback, sign-out, auth), e.g. `/oauth2`. */
  readonly pathPrefix: string;
  /** URL ingress-nginx sends each authentication subrequest to. */
  readonly authUrl: string;
  /** Headers of the subrequest's answer that ingress-nginx copies into the request to the service. */
  readonly responseHeaders: readonly string[];
  /** ingress-nginx annotations that an Ingress routing to `ingressBackend()` needs. */
  readonly backendTlsAnnotations: Readonly<Record<string, string>>;
  /**
   * The identity provider's addresses: a service behind the proxy fetches the keys that sign the
   * ID tokens from there (its JWKS), on `identityProviderPort`.
   */
  readonly identityProviderPeers: readonly INetworkPeer[];
  /** The port of the identity provider's HTTPS endpoints. */
  readonly identityProviderPort: number;
  /** The proxy's backend for an Ingress path below `pathPrefix`. */
  ingressBackend(): k8s.IngressBackend;
  /**
   * What the service reads to verify, itself, the ID token the proxy forwards (issuer, audience,
   * clock skew, MFA claim, groups): the service trusts no identity header, only that token
   * (README, container contract).
   */
  tokenVerificationEnvironment(): k8s.EnvVar[];
}
