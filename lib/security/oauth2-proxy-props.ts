import { DeliveryKind, DeliveryStrategy } from '../delivery/delivery-strategy';
import { Replicas } from '../platform/replicas';
import { DNS_LABEL } from '../platform/input-patterns';
import { ImageReference } from '../platform/image-reference';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { INetworkPeer } from '../platform/network-peer';
import { PropError } from '../platform/prop-error';
import { RedisCluster } from '../stores/redis-cluster';
import { INGRESS_BACKEND_CLIENT_SECRET } from './ingress-backend-tls';
import { CertificateLifetime, ICertificateIssuer } from './tls-certificate';
import { VaultSecret } from './vault-secret';

export interface OAuth2ProxyProps {
  /** The namespace to run in; the proxy counts its pods into the namespace quota. */
  readonly namespace: NamespaceBaseline;
  /** The oauth2-proxy image; a 7.6 release (flags below are 7.6's). */
  readonly image: ImageReference;
  /** OIDC issuer URL (https); its discovery document names the authorize, token and JWKS endpoints. */
  readonly issuerUrl: string;
  /** OAuth2 client id registered at the identity provider. */
  readonly clientId: string;
  /** ID-token claim that lists the user's groups (`--oidc-groups-claim`). */
  readonly groupsClaim: string;
  /** Only members of one of these groups get a session (`--allowed-group`). */
  readonly allowedGroups: readonly string[];
  /** ID-token claim the identity provider asserts MFA in, e.g. `amr`; web and api check it on the forwarded token. */
  readonly mfaClaim: string;
  /** Values of `mfaClaim` that prove MFA, e.g. `['mfa']`. */
  readonly mfaAcceptedValues: readonly string[];
  /**
   * `acr_values` sent with every authorization request so that the provider steps up to MFA.
   * @default - none sent
   */
  readonly acrValues?: string;
  /** Lifetime of the session cookie, in hours (`--cookie-expire`). */
  readonly sessionHours: number;
  /** Minutes after which the session's tokens are refreshed at the provider (`--cookie-refresh`). */
  readonly refreshMinutes: number;
  /** Public hostnames the proxy signs users in for; the only targets it redirects to after sign-in. */
  readonly hostnames: readonly string[];
  /** Vault secret holding `client-secret` and `cookie-secret` (32 random bytes, base64). */
  readonly credentials: VaultSecret;
  /** Redis cluster that stores the sessions; the cookie holds only a ticket. */
  readonly sessionStore: RedisCluster;
  /**
   * The identity provider's addresses, reached on 443 to redeem codes, refresh tokens and read keys;
   * every service behind the proxy reaches them too, for the keys (`identityProviderPeers`).
   */
  readonly identityProviderCidrs: readonly string[];
  /** The ingress controller's pods: the only clients of the proxy (auth subrequests, sign-in, callback). */
  readonly ingressController: INetworkPeer;
  /** Prometheus, allowed to scrape the metrics port. */
  readonly metricsScraper: INetworkPeer;
  /** Availability zones to run in and spread over. */
  readonly zones: readonly string[];
  /**
   * cert-manager issuer of the proxy's own server certificate (`<id>-server-tls`), which its HTTPS
   * listener and metrics listener present; ingress-nginx and Prometheus verify it against the CA.
   * Not to be confused with `issuerUrl`, the OIDC issuer users sign in at.
   * @default CLUSTER_INTERNAL_CA
   */
  readonly serverTlsIssuer?: ICertificateIssuer;
  /**
   * Lifetime of the server certificate and how early cert-manager renews it; a renewal restarts the
   * pods (oauth2-proxy 7.6 reads the key pair once, at start).
   * @default - 2160 hours (90 days), renewed 720 hours (30 days) before expiry
   */
  readonly serverTlsCertificateLifetime?: CertificateLifetime;
  /**
   * The Secret (in the proxy's namespace) holding the client certificate ingress-nginx presents to
   * HTTPS backends and the CA (`ca.crt`) it verifies the proxy against (`proxy-ssl-secret`).
   * @default INGRESS_BACKEND_CLIENT_SECRET
   */
  readonly ingressBackendClientSecretName?: string;
  /**
   * Pods: fixed, or bounds for a CPU autoscaler. Every request to web and api waits for a
   * subrequest here, so full-size environments need at least two.
   * @default Replicas.fixed(2)
   */
  readonly replicas?: Replicas;
  /**
   * Refuse to schedule rather than break the spread over zones and nodes.
   * @default true
   */
  readonly strictTopologySpread?: boolean;
  /**
   * CPU per pod (requests = limits).
   * @default 200
   */
  readonly cpuMillis?: number;
  /**
   * Memory per pod (requests = limits).
   * @default 128
   */
  readonly memoryMi?: number;
  /**
   * How a new version replaces the running one: a rolling update, or a canary without traffic
   * routing whose stable Service is not pinned (`DeliveryStrategy.canary({ analysis, trafficRouting:
   * false, pinStableService: false })`). ingress-nginx sends the `auth-url` subrequests straight to
   * the proxy's Service, outside any Ingress, so that Service must keep selecting every pod: the
   * canary's share of the pods is its share of the subrequests, judged by `analysis`
   * (e.g. a SignInReleaseAnalysis) behind `<id>-canary`.
   * @default DeliveryStrategy.rollingUpdate({ maxSurgePercent: 50 })
   */
  readonly deliveryStrategy?: DeliveryStrategy;
}

/** Rejects what the restricted base does not check itself (the id and the zones); runs before the construct joins the tree. */
export function validateOAuth2ProxyProps(id: string, props: OAuth2ProxyProps): void {
  const fail = (prop: string, value: unknown, fix: string): never => {
    throw new PropError(id, prop, value, fix, `OAuth2Proxy ${id}`);
  };
  if (!/^https:\/\/[a-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~/-]*)?$/.test(props.issuerUrl)) {
    fail('issuerUrl', props.issuerUrl, 'use the https:// issuer of the identity provider');
  }
  if (props.allowedGroups.length === 0) {
    fail('allowedGroups', props.allowedGroups, 'list the groups that may sign in; without one every account of the provider would get in');
  }
  // Web and api read the list comma-separated (AUTH_ALLOWED_GROUPS): a comma would split a group in two.
  if (props.allowedGroups.some((group) => group.trim() === '' || group.includes(','))) {
    fail('allowedGroups', props.allowedGroups, 'list group names that are not empty and hold no comma');
  }
  if (props.mfaAcceptedValues.length === 0 || props.mfaAcceptedValues.some((value) => value.trim() === '' || value.includes(','))) {
    fail('mfaAcceptedValues', props.mfaAcceptedValues, "list the claim values that prove MFA, not empty and without commas (web and api read them comma-separated), e.g. ['mfa']");
  }
  if (props.hostnames.length === 0) {
    fail('hostnames', props.hostnames, 'list the public hostnames the proxy signs users in for');
  }
  if (props.identityProviderCidrs.length === 0) {
    fail('identityProviderCidrs', props.identityProviderCidrs, 'list the identity provider\'s CIDRs; without them no code can be redeemed');
  }
  if (!Number.isInteger(props.sessionHours) || props.sessionHours < 1) {
    fail('sessionHours', props.sessionHours, 'use a whole number of hours, at least 1');
  }
  if (!Number.isInteger(props.refreshMinutes) || props.refreshMinutes < 1 || props.refreshMinutes >= props.sessionHours * 60) {
    fail('refreshMinutes', props.refreshMinutes, `use a whole number of minutes below the session lifetime (${props.sessionHours * 60})`);
  }
  const strategy = props.deliveryStrategy;
  if (strategy !== undefined && strategy.kind !== DeliveryKind.ROLLING_UPDATE && (strategy.kind !== DeliveryKind.CANARY || strategy.trafficRouting || strategy.pinStableService)) {
    fail('deliveryStrategy', strategy.kind, 'use DeliveryStrategy.rollingUpdate(), or DeliveryStrategy.canary({ analysis, trafficRouting: false, pinStableService: false }): the auth subrequests reach the proxy through its own Service, which must keep selecting every pod');
  }
  if (props.ingressBackendClientSecretName !== undefined && !DNS_LABEL.test(props.ingressBackendClientSecretName)) {
    fail('ingressBackendClientSecretName', props.ingressBackendClientSecretName, `use the name of a Secret in the proxy's namespace, e.g. ${INGRESS_BACKEND_CLIENT_SECRET}`);
  }
}
