import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ImageReference } from '../platform/image-reference';
import { MetricsServiceMonitor } from '../observability/metrics-service-monitor';
import { Replicas } from '../platform/replicas';
import { CidrPeer } from '../platform/cidr-peer';
import { DNS_LABEL } from '../platform/input-patterns';
import { selectorLabels, workloadLabels } from '../platform/labels';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { INetworkPeer, tcpPorts } from '../platform/network-peer';
import { cpuQuantity, memoryQuantity } from '../platform/quantities';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, RUN_AS_ID } from '../platform/security-contexts';
import { IWorkload, WorkloadFootprint, singleContainerFootprint } from '../platform/workload-footprint';
import { zoneAndHostSpread } from '../platform/zone-and-host-spread';
import { zoneNodeAffinity } from '../platform/zone-node-affinity';
import { PROBE_PERIOD_SECONDS } from '../platform/probes';
import { imageReference } from '../platform/image-reference';
import { REDIS_PORT, RedisCluster } from '../stores/redis-cluster';
import { CLUSTER_INTERNAL_CA } from './internal-certificate-authority';
import { SECRET_RELOAD_ANNOTATION, secretsReadAsEnvironment } from './secret-reload';
import { CertificateLifetime, DEFAULT_CERTIFICATE_LIFETIME, ICertificateIssuer, TlsCertificate } from './tls-certificate';
import { INGRESS_BACKEND_CLIENT_SECRET, ingressBackendTlsAnnotations } from './ingress-backend-tls';
import { VaultSecret } from './vault-secret';

/** Port oauth2-proxy serves sign-in, callbacks and the `/oauth2/auth` subrequests on, over HTTPS only. */
export const OAUTH2_PROXY_PORT = 4180;
/** Port of its Prometheus metrics, over HTTPS only. */
export const OAUTH2_PROXY_METRICS_PORT = 44180;
/** Path prefix of every endpoint of the proxy (`--proxy-prefix`, the oauth2-proxy default). */
export const OAUTH2_PROXY_PREFIX = '/oauth2';
/** Service port that forwards to the proxy's port. */
const SERVICE_HTTPS_PORT = 443;
/**
 * The client certificate Secret ingress-nginx presents to HTTPS backends of the namespace, and whose
 * `ca.crt` (the internal CA) it verifies them against; rendered with the web and api Ingresses.
 */
/** Keys of the Vault secret `<vaultPathPrefix>/oauth2-proxy`. */
export const CLIENT_SECRET_KEY = 'client-secret';
export const COOKIE_SECRET_KEY = 'cookie-secret';
/**
 * Host-only and Secure with Path=/: browsers refuse a `__Host-` cookie that names a Domain, so a
 * session of one host (or one environment: staging is a subdomain of production's parent) can
 * never be sent to another.
 */
const COOKIE_NAME = '__Host-generator-platform-session';
/** The proxy handles a subrequest in microseconds and keeps no state but the cookie ticket; these are ample. */
const DEFAULT_RESOURCES = { cpuMillis: 200, memoryMi: 128, ephemeralMi: 256 };
const TMP_MI = 64;
/** Where the Redis nodes' CA is mounted. */
const REDIS_CA_DIR = '/etc/oauth2-proxy/redis-ca';
/** Where the proxy's own key pair is mounted. */
const SERVER_TLS_DIR = '/etc/oauth2-proxy/tls';
/** Half the pods at a time: a release of four pods takes two batches, well inside the five-minute budget. */
const MAX_SURGE_PERCENT = 50;

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
  /** ID-token claim the identity provider asserts MFA in, e.g. `amr`; forwarded to web and api, which check it. */
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
  /** The identity provider's addresses, reached on 443 to redeem codes, refresh tokens and read keys. */
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
}

/**
 * oauth2-proxy 7.6 signing users in with OIDC for ingress-nginx's external authentication
 * (`auth-url` subrequests to `/oauth2/auth`): sessions in Redis, secrets from Vault, reachable
 * only from the ingress controller, reaching only Redis and the identity provider. It listens on
 * HTTPS only (sign-in, subrequests and metrics) with a certificate from the internal CA.
 *
 * What it enforces itself: a valid ID token of `issuerUrl` for `clientId` (signature, issuer,
 * audience, expiry), membership in one of `allowedGroups` (at sign-in and again on every
 * subrequest), the session lifetime, and a refresh at the provider every `refreshMinutes` (an
 * account disabled there loses its session then).
 *
 * What it cannot enforce: oauth2-proxy 7.6 restricts sessions by groups and e-mail only; it cannot
 * require a value of another claim such as `amr` or `acr` (oauth2-proxy issue #2725). `acrValues`
 * only asks the provider to step up, and a user can strip it from the authorization URL. So the
 * proxy forwards the verified ID token to web and api (`Authorization: Bearer`, through
 * `auth-response-headers`), and `mfaEnvironment()` tells them which claim and values to require.
 * Web and api must make that check on every request (README, container contract); nothing rendered
 * here enforces it. The identity provider's policy for this client should require MFA as well.
 */
export class OAuth2Proxy extends Construct implements IWorkload, INetworkPeer {
  public readonly name: string;
  public readonly peerName: string;
  public readonly namespaceName: string;
  /** The namespace it runs in. */
  public readonly namespace: NamespaceBaseline;
  public readonly footprint: WorkloadFootprint;
  /** DNS name of the Service inside the cluster. */
  public readonly serviceHost: string;
  /** Secret of the proxy's server certificate; `ca.crt` is the CA that clients verify it against. */
  public readonly serverTlsSecretName: string;
  /** The name the server certificate is checked against (its common name), `<id>.<namespace>.svc`. */
  public readonly serverTlsName: string;
  /**
   * ingress-nginx 1.11 annotations that an Ingress routing to `ingressBackend()` needs: HTTPS to the
   * proxy, its certificate verified against the internal CA by `serverTlsName`.
   */
  public readonly backendTlsAnnotations: Readonly<Record<string, string>>;
  /** URL ingress-nginx sends each authentication subrequest to. */
  public readonly authUrl: string;
  /** Headers of the subrequest's answer that ingress-nginx copies into the request to web and api. */
  public readonly responseHeaders: readonly string[] = ['X-Auth-Request-User', 'X-Auth-Request-Email', 'X-Auth-Request-Groups', 'Authorization'];
  /** Path prefix of the proxy's endpoints (`/oauth2/start`, `/oauth2/callback`, `/oauth2/auth`, ...). */
  public readonly pathPrefix = OAUTH2_PROXY_PREFIX;
  /** The argument list of the container, as rendered. */
  public readonly args: readonly string[];
  private readonly labels: Record<string, string>;
  private readonly mfaClaim: string;
  private readonly mfaAcceptedValues: readonly string[];

  public constructor(scope: Construct, id: string, props: OAuth2ProxyProps) {
    super(scope, id);
    validateProps(id, props);
    this.name = id;
    this.peerName = id;
    this.namespaceName = props.namespace.namespaceName;
    this.namespace = props.namespace;
    this.serviceHost = `${id}.${this.namespaceName}.svc.cluster.local`;
    this.authUrl = `https://${this.serviceHost}${OAUTH2_PROXY_PREFIX}/auth`;
    this.serverTlsSecretName = `${id}-server-tls`;
    this.serverTlsName = `${id}.${this.namespaceName}.svc`;
    this.backendTlsAnnotations = ingressBackendTlsAnnotations(this.namespaceName, this.serverTlsName, props.ingressBackendClientSecretName ?? INGRESS_BACKEND_CLIENT_SECRET);
    this.labels = workloadLabels(id, 'authentication');
    this.mfaClaim = props.mfaClaim;
    this.mfaAcceptedValues = [...props.mfaAcceptedValues];

    const replicas = props.replicas ?? Replicas.fixed(2);
    const cpuMillis = props.cpuMillis ?? DEFAULT_RESOURCES.cpuMillis;
    const memoryMi = props.memoryMi ?? DEFAULT_RESOURCES.memoryMi;
    this.footprint = singleContainerFootprint({
      maxPods: replicas.max + Math.max(1, Math.ceil((replicas.max * MAX_SURGE_PERCENT) / 100)),
      cpuMillis,
      memoryMi,
      ephemeralStorageGi: DEFAULT_RESOURCES.ephemeralMi / 1024,
    });
    props.namespace.addWorkload(this);

    const store = props.sessionStore;

    new TlsCertificate(this, 'ServerTlsCertificate', {
      namespace: this.namespaceName,
      secretName: this.serverTlsSecretName,
      // The name ingress-nginx and Prometheus check first (the common name), then the one in authUrl.
      dnsNames: [this.serverTlsName, this.serviceHost],
      issuer: props.serverTlsIssuer ?? CLUSTER_INTERNAL_CA,
      ...(props.serverTlsCertificateLifetime ?? DEFAULT_CERTIFICATE_LIFETIME),
    });
    const certFile = `${SERVER_TLS_DIR}/tls.crt`;
    const keyFile = `${SERVER_TLS_DIR}/tls.key`;

    this.args = [
      // With a key pair, oauth2-proxy 7 runs the HTTPS server only: --http-address is ignored, so
      // nothing listens in plaintext. Without --metrics-address there is no plaintext metrics listener either.
      `--https-address=0.0.0.0:${OAUTH2_PROXY_PORT}`,
      `--tls-cert-file=${certFile}`,
      `--tls-key-file=${keyFile}`,
      '--tls-min-version=TLS1.2',
      `--metrics-secure-address=0.0.0.0:${OAUTH2_PROXY_METRICS_PORT}`,
      `--metrics-tls-cert-file=${certFile}`,
      `--metrics-tls-key-file=${keyFile}`,
      '--provider=oidc',
      `--oidc-issuer-url=${props.issuerUrl}`,
      `--client-id=${props.clientId}`,
      // Code exchange with PKCE on top of the client secret.
      '--code-challenge-method=S256',
      // Who may sign in is decided by group, not by e-mail domain.
      '--email-domain=*',
      `--oidc-groups-claim=${props.groupsClaim}`,
      ...props.allowedGroups.map((group) => `--allowed-group=${group}`),
      ...(props.acrValues !== undefined ? [`--acr-values=${props.acrValues}`] : []),
      `--cookie-name=${COOKIE_NAME}`,
      '--cookie-secure=true',
      '--cookie-httponly=true',
      // Lax: the cookie survives the top-level redirect back from the provider, and is not sent on cross-site subrequests.
      '--cookie-samesite=lax',
      `--cookie-expire=${props.sessionHours}h`,
      `--cookie-refresh=${props.refreshMinutes}m`,
      // Relative: the callback is on whichever host the sign-in started (web or api), derived from X-Forwarded-Host.
      `--redirect-url=${OAUTH2_PROXY_PREFIX}/callback`,
      '--reverse-proxy=true',
      ...props.hostnames.map((hostname) => `--whitelist-domain=${hostname}`),
      '--skip-provider-button=true',
      // X-Auth-Request-User/Email/Groups and the verified ID token in Authorization, for web and api.
      '--set-xauthrequest=true',
      '--set-authorization-header=true',
      '--session-store-type=redis',
      '--redis-use-cluster=true',
      // rediss://: every node speaks TLS only; the proxy verifies them against the store's CA.
      ...store.tlsNodeUrls().map((url) => `--redis-cluster-connection-urls=${url}`),
      `--redis-ca-path=${REDIS_CA_DIR}/ca.crt`,
      '--silence-ping-logging=true',
      // The platform's probe paths on the proxy's own port; /readyz also checks Redis.
      '--ping-path=/healthz',
      '--ready-path=/readyz',
    ];

    const metadata = (name: string) => ({ name, namespace: this.namespaceName, labels: this.labels });
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: metadata(id), automountServiceAccountToken: false });

    const quantities = {
      'cpu': cpuQuantity(cpuMillis),
      'memory': memoryQuantity(memoryMi),
      'ephemeral-storage': memoryQuantity(DEFAULT_RESOURCES.ephemeralMi),
    };
    const strict = props.strictTopologySpread ?? true;
    const probePort = k8s.IntOrString.fromString('https');

    // Secrets by reference only: oauth2-proxy reads every flag from OAUTH2_PROXY_<FLAG>.
    const env: k8s.EnvVar[] = [
      { name: 'OAUTH2_PROXY_CLIENT_SECRET', valueFrom: props.credentials.envValue(CLIENT_SECRET_KEY) },
      { name: 'OAUTH2_PROXY_COOKIE_SECRET', valueFrom: props.credentials.envValue(COOKIE_SECRET_KEY) },
      { name: 'OAUTH2_PROXY_REDIS_PASSWORD', valueFrom: store.passwordSecret.envValue(store.passwordSecretKey) },
    ];
    // Environment variables and the server key pair are read at start (oauth2-proxy 7.6 loads the
    // certificate once, it never re-reads the files): Reloader restarts the pods when a secret is
    // rotated (a new cookie secret ends every session, which is what rotating it is for) and when
    // cert-manager renews the certificate.
    const restartOnChangeOf = [...secretsReadAsEnvironment([{ name: id, env }]), this.serverTlsSecretName].sort();
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { ...metadata(id), annotations: { [SECRET_RELOAD_ANNOTATION]: restartOnChangeOf.join(',') } },
      spec: {
        replicas: replicas.isAutoscaled ? undefined : replicas.min,
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: 300,
        minReadySeconds: 5,
        selector: { matchLabels: selectorLabels(id) },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromString(`${MAX_SURGE_PERCENT}%`),
            maxUnavailable: k8s.IntOrString.fromNumber(0),
          },
        },
        template: {
          metadata: { labels: { ...this.labels, 'app.kubernetes.io/version': props.image.tag } },
          spec: {
            serviceAccountName: id,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // The image is distroless (no shell, no sleep), so there is no preStop drain: on SIGTERM
            // oauth2-proxy stops accepting connections and finishes the subrequests in flight, which take milliseconds.
            terminationGracePeriodSeconds: 30,
            securityContext: restrictedPodSecurityContext(),
            affinity: {
              nodeAffinity: zoneNodeAffinity(props.zones),
            },
            topologySpreadConstraints: zoneAndHostSpread(selectorLabels(id), strict),
            containers: [
              {
                name: id,
                image: imageReference(props.image),
                imagePullPolicy: 'Always',
                args: [...this.args],
                ports: [
                  { name: 'https', containerPort: OAUTH2_PROXY_PORT, protocol: 'TCP' },
                  { name: 'metrics', containerPort: OAUTH2_PROXY_METRICS_PORT, protocol: 'TCP' },
                ],
                env,
                resources: { requests: quantities, limits: quantities },
                securityContext: restrictedContainerSecurityContext(RUN_AS_ID),
                // OIDC discovery at the issuer is the slowest step of a start; 30 s is ample. The kubelet
                // does not verify the certificate of an HTTPS probe.
                startupProbe: { httpGet: { path: '/healthz', port: probePort, scheme: 'HTTPS' }, periodSeconds: PROBE_PERIOD_SECONDS, timeoutSeconds: 2, failureThreshold: 6 },
                readinessProbe: { httpGet: { path: '/readyz', port: probePort, scheme: 'HTTPS' }, periodSeconds: PROBE_PERIOD_SECONDS, timeoutSeconds: 2, failureThreshold: 2, successThreshold: 1 },
                livenessProbe: { httpGet: { path: '/healthz', port: probePort, scheme: 'HTTPS' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
                volumeMounts: [
                  { name: 'tmp', mountPath: '/tmp' },
                  // The folder, not the file (subPath), so that the kubelet swaps in a renewed CA.
                  { name: 'redis-ca', mountPath: REDIS_CA_DIR, readOnly: true },
                  { name: 'server-tls', mountPath: SERVER_TLS_DIR, readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'tmp', emptyDir: { sizeLimit: memoryQuantity(TMP_MI) } },
              // Only ca.crt: the same Secret holds the Redis nodes' private key.
              { name: 'redis-ca', secret: { secretName: store.caSecretName, items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } },
              // The key pair, readable by the pod's group (fsGroup) only.
              {
                name: 'server-tls',
                secret: { secretName: this.serverTlsSecretName, items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }], defaultMode: 0o440 },
              },
            ],
          },
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: metadata(id),
      spec: {
        type: 'ClusterIP',
        selector: selectorLabels(id),
        ports: [
          { name: 'https', port: SERVICE_HTTPS_PORT, targetPort: k8s.IntOrString.fromString('https'), protocol: 'TCP', appProtocol: 'https' },
          { name: 'metrics', port: OAUTH2_PROXY_METRICS_PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP', appProtocol: 'https' },
        ],
      },
    });

    new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata: metadata(id),
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selectorLabels(id) },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });

    if (replicas.isAutoscaled) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'HorizontalPodAutoscaler', {
        metadata: metadata(id),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: id },
          minReplicas: replicas.min,
          maxReplicas: replicas.max,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        },
      });
    }

    // HTTPS, verified against the CA by the Service's name (Prometheus scrapes pod addresses).
    new MetricsServiceMonitor(this, 'ServiceMonitor', {
      namespace: this.namespaceName,
      serviceLabels: selectorLabels(id),
      tlsCaSecretName: this.serverTlsSecretName,
      tlsServerName: this.serverTlsName,
    });
    this.renderNetworkPolicies(props);
  }

  public toNetworkPolicyPeer(fromNamespace: string): k8s.NetworkPolicyPeer {
    const podSelector = { matchLabels: selectorLabels(this.name) };
    if (fromNamespace === this.namespaceName) {
      return { podSelector };
    }
    return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespaceName } }, podSelector };
  }

  /** What web and api read to check MFA on the ID token the proxy forwards: the claim and the accepted values. */
  public mfaEnvironment(): k8s.EnvVar[] {
    return [
      { name: 'AUTH_MFA_CLAIM', value: this.mfaClaim },
      { name: 'AUTH_MFA_ACCEPTED_VALUES', value: this.mfaAcceptedValues.join(',') },
    ];
  }

  /**
   * The proxy's own backend for an Ingress path (`/oauth2` on each protected host). It speaks HTTPS
   * only: the Ingress needs `backendTlsAnnotations` (requireSignIn() of a service sets them on its sign-in Ingress).
   */
  public ingressBackend(): k8s.IngressBackend {
    return { service: { name: this.name, port: { name: 'https' } } };
  }

  private renderNetworkPolicies(props: OAuth2ProxyProps): void {
    const policy = (id: string, name: string, podSelector: Record<string, string>, spec: Omit<k8s.NetworkPolicySpec, 'podSelector'>) =>
      new k8s.KubeNetworkPolicy(this, id, {
        metadata: { name, namespace: this.namespaceName, labels: this.labels },
        spec: { podSelector: { matchLabels: podSelector }, ...spec },
      });
    const own = selectorLabels(this.name);
    const store = props.sessionStore;
    // The proxy is never an upstream of web or api: ingress-nginx only asks it, so it needs no way to them.
    policy('AllowIngress-from-ingress-controller', `${this.name}-allow-from-${props.ingressController.peerName}`, own, {
      policyTypes: ['Ingress'],
      ingress: [{ from: [props.ingressController.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(OAUTH2_PROXY_PORT) }],
    });
    policy('AllowIngress-metrics-scrape', `${this.name}-allow-metrics-scrape`, own, {
      policyTypes: ['Ingress'],
      ingress: [{ from: [props.metricsScraper.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(OAUTH2_PROXY_METRICS_PORT) }],
    });
    policy('AllowEgress-to-session-store', `${this.name}-allow-egress-to-${store.peerName}`, own, {
      policyTypes: ['Egress'],
      egress: [{ to: [store.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(REDIS_PORT) }],
    });
    // RedisCluster.allowFrom() takes services only; the store's side of the flow is opened here, for this proxy alone.
    policy('SessionStoreAllowIngress', `${store.peerName}-allow-from-${this.name}`, selectorLabels(store.name), {
      policyTypes: ['Ingress'],
      ingress: [{ from: [this.toNetworkPolicyPeer(store.namespaceName)], ports: tcpPorts(REDIS_PORT) }],
    });
    policy('AllowEgress-to-identity-provider', `${this.name}-allow-egress-to-identity-provider`, own, {
      policyTypes: ['Egress'],
      egress: [{
        to: props.identityProviderCidrs.map((cidr) => new CidrPeer('identity-provider', cidr).toNetworkPolicyPeer()),
        ports: tcpPorts(443),
      }],
    });
  }
}

function validateProps(id: string, props: OAuth2ProxyProps): void {
  const fail = (field: string, value: unknown, fix: string): never => {
    throw new Error(`OAuth2Proxy ${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
  };
  if (!/^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/.test(id)) {
    fail('the construct id (used as the object name)', id, 'use a lower-case DNS label of at most 42 characters');
  }
  if (!/^https:\/\/[a-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~/-]*)?$/.test(props.issuerUrl)) {
    fail('issuerUrl', props.issuerUrl, 'use the https:// issuer of the identity provider');
  }
  if (props.allowedGroups.length === 0) {
    fail('allowedGroups', props.allowedGroups, 'list the groups that may sign in; without one every account of the provider would get in');
  }
  if (props.mfaAcceptedValues.length === 0) {
    fail('mfaAcceptedValues', props.mfaAcceptedValues, "list the claim values that prove MFA, e.g. ['mfa']");
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
  if (props.zones.length === 0) {
    fail('zones', props.zones, 'list at least one zone');
  }
  if (props.ingressBackendClientSecretName !== undefined && !DNS_LABEL.test(props.ingressBackendClientSecretName)) {
    fail('ingressBackendClientSecretName', props.ingressBackendClientSecretName, `use the name of a Secret in the proxy's namespace, e.g. ${INGRESS_BACKEND_CLIENT_SECRET}`);
  }
}
