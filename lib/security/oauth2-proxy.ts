import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Rollout, toJson_RolloutSpecStrategy } from '../../imports/argoproj.io';
import { DeliveryStrategy } from '../delivery/delivery-strategy';
import { CidrPeer } from '../platform/cidr-peer';
import { imageReference } from '../platform/image-reference';
import { selectorLabels } from '../platform/labels';
import { memoryQuantity } from '../platform/quantities';
import { Replicas } from '../platform/replicas';
import { restrictedContainerSecurityContext, RUN_AS_ID } from '../platform/security-contexts';
import { INetworkPeer, tcpPorts } from '../platform/network-peer';
import { singleContainerFootprint } from '../platform/workload-footprint';
import { REDIS_PORT } from '../stores/redis-cluster';
import { guaranteedResources } from '../workloads/container-resources';
import { httpsGet, livenessProbe, readinessProbe, startupProbe } from '../workloads/probes';
import { HostSeparation } from '../workloads/restricted-pod-spec';
import { MIN_READY_SECONDS, RestrictedWorkload, REVISION_HISTORY_LIMIT } from '../workloads/restricted-workload';
import { ISignInProxy } from '../workloads/sign-in-proxy';
import { CLUSTER_INTERNAL_CA } from './internal-certificate-authority';
import { INGRESS_BACKEND_CLIENT_SECRET, ingressBackendTlsAnnotations } from './ingress-backend-tls';
import {
  OAUTH2_PROXY_METRICS_PORT, OAUTH2_PROXY_PORT, OAUTH2_PROXY_PREFIX, OAUTH2_PROXY_REDIS_CA_DIR, OAUTH2_PROXY_SERVER_TLS_DIR, OAUTH2_PROXY_SESSION_ACCESS, oauth2ProxyArgs,
} from './oauth2-proxy-args';
import { OAuth2ProxyProps, validateOAuth2ProxyProps } from './oauth2-proxy-props';
import { SECRET_RELOAD_ANNOTATION, secretsReadAsEnvironment } from './secret-reload';
import { DEFAULT_CERTIFICATE_LIFETIME, TlsCertificate } from './tls-certificate';

export { OAUTH2_PROXY_METRICS_PORT, OAUTH2_PROXY_PORT, OAUTH2_PROXY_PREFIX } from './oauth2-proxy-args';
export { OAuth2ProxyProps } from './oauth2-proxy-props';

/** Service port that forwards to the proxy's port. */
const SERVICE_HTTPS_PORT = 443;
/** Keys of the Vault secret `<vaultPathPrefix>/oauth2-proxy`. */
export const CLIENT_SECRET_KEY = 'client-secret';
export const COOKIE_SECRET_KEY = 'cookie-secret';
/** The proxy handles a subrequest in microseconds and keeps no state but the cookie ticket; these are ample. */
const DEFAULT_RESOURCES = { cpuMillis: 200, memoryMi: 128, ephemeralMi: 256 };
const TMP_MI = 64;
/** Half the pods at a time (a canary's one batch): a release of four pods takes two batches, well inside the five-minute budget. */
export const OAUTH2_PROXY_MAX_SURGE_PERCENT = 50;
/** The identity provider's HTTPS port (discovery, JWKS, token endpoint): the proxy's egress and that of every service behind it. */
const IDENTITY_PROVIDER_PORT = 443;
/**
 * How far web's and api's clocks may be from the identity provider's when they check `exp` and
 * `nbf`: a minute covers NTP-synchronised nodes with margin and adds at most a minute to a token's life.
 */
const TOKEN_CLOCK_SKEW_SECONDS = 60;


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
 * only asks the provider to step up, and a user can strip it from the authorization URL. Nor can
 * it vouch for a request that did not come through its own `auth-url` check: ingress-nginx serves
 * every namespace of the cluster, so another tenant's Ingress can reach web and api with headers of
 * its choosing (docs/security.md). So the proxy forwards the verified ID token to web and api
 * (`Authorization: Bearer`, through `auth-response-headers`), and they verify it themselves on
 * every request (signature against the provider's keys, issuer, audience, expiry, MFA claim,
 * groups; README, container contract) with what `tokenVerificationEnvironment()` tells them, and
 * trust no identity header. Nothing rendered here enforces it. The identity provider's policy for
 * this client should require MFA as well.
 */
export class OAuth2Proxy extends RestrictedWorkload implements ISignInProxy {
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
  /** The identity provider's addresses (`identityProviderCidrs`), `identity-provider-<n>`: the proxy's egress, and the JWKS of every service behind it. */
  public readonly identityProviderPeers: readonly INetworkPeer[];
  public readonly identityProviderPort = IDENTITY_PROVIDER_PORT;
  /** The argument list of the container, as rendered. */
  public readonly args: readonly string[];
  /** How new versions replace the running one: a rolling Deployment, or a canary Rollout judged on its own answers. */
  public readonly deliveryStrategy: DeliveryStrategy;
  private readonly tokenVerification: readonly k8s.EnvVar[];

  public constructor(scope: Construct, id: string, props: OAuth2ProxyProps) {
    validateOAuth2ProxyProps(id, props);
    const replicas = props.replicas ?? Replicas.fixed(2);
    const cpuMillis = props.cpuMillis ?? DEFAULT_RESOURCES.cpuMillis;
    const memoryMi = props.memoryMi ?? DEFAULT_RESOURCES.memoryMi;
    const deliveryStrategy = props.deliveryStrategy ?? DeliveryStrategy.rollingUpdate({ maxSurgePercent: OAUTH2_PROXY_MAX_SURGE_PERCENT });
    super(scope, id, {
      namespace: props.namespace,
      component: 'authentication',
      zones: props.zones,
      errorLabel: `OAuth2Proxy ${id}`,
      footprint: singleContainerFootprint({
        // A canary without traffic routing keeps all its ReplicaSets within replicas + maxSurge, like the rolling update.
        maxPods: deliveryStrategy.maxPodsDuringRelease(replicas.max),
        cpuMillis,
        memoryMi,
        ephemeralStorageGi: DEFAULT_RESOURCES.ephemeralMi / 1024,
      }),
    });
    this.authUrl = `https://${this.serviceHost}${OAUTH2_PROXY_PREFIX}/auth`;
    this.serverTlsSecretName = `${id}-server-tls`;
    this.serverTlsName = `${id}.${this.namespaceName}.svc`;
    this.backendTlsAnnotations = ingressBackendTlsAnnotations(this.namespaceName, this.serverTlsName, props.ingressBackendClientSecretName ?? INGRESS_BACKEND_CLIENT_SECRET);
    this.identityProviderPeers = props.identityProviderCidrs.map((cidr, index) => new CidrPeer(`identity-provider-${index + 1}`, cidr));
    // What the proxy checks at sign-in, restated for the services that verify the token again (README, container contract).
    this.tokenVerification = [
      { name: 'AUTH_ISSUER_URL', value: props.issuerUrl },
      { name: 'AUTH_AUDIENCE', value: props.clientId },
      { name: 'AUTH_CLOCK_SKEW_SECONDS', value: String(TOKEN_CLOCK_SKEW_SECONDS) },
      { name: 'AUTH_GROUPS_CLAIM', value: props.groupsClaim },
      { name: 'AUTH_ALLOWED_GROUPS', value: props.allowedGroups.join(',') },
      { name: 'AUTH_MFA_CLAIM', value: props.mfaClaim },
      { name: 'AUTH_MFA_ACCEPTED_VALUES', value: props.mfaAcceptedValues.join(',') },
    ];
    this.args = oauth2ProxyArgs(props);
    this.deliveryStrategy = deliveryStrategy;

    new TlsCertificate(this, 'ServerTlsCertificate', {
      namespace: this.namespaceName,
      secretName: this.serverTlsSecretName,
      // The name ingress-nginx and Prometheus check first (the common name), then the one in authUrl.
      dnsNames: [this.serverTlsName, this.serviceHost],
      issuer: props.serverTlsIssuer ?? CLUSTER_INTERNAL_CA,
      ...(props.serverTlsCertificateLifetime ?? DEFAULT_CERTIFICATE_LIFETIME),
    });
    this.createServiceAccount();
    this.renderWorkload(props, replicas, guaranteedResources(cpuMillis, memoryMi, memoryQuantity(DEFAULT_RESOURCES.ephemeralMi)));
    const ports: k8s.ServicePort[] = [
      { name: 'https', port: SERVICE_HTTPS_PORT, targetPort: k8s.IntOrString.fromString('https'), protocol: 'TCP', appProtocol: 'https' },
      { name: 'metrics', port: OAUTH2_PROXY_METRICS_PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP', appProtocol: 'https' },
    ];
    // The proxy's own Service selects every pod, the canary's included: Argo Rollouts is given no stableService.
    this.createService('Service', id, ports);
    if (deliveryStrategy.isProgressive) {
      // Same selector and ports; Argo Rollouts adds the canary ReplicaSet's hash to its selector. No
      // client uses it: it names the canary's pods to Prometheus (series labelled service="<id>-canary").
      this.createService('CanaryService', this.canaryServiceName, ports);
    }
    this.createDisruptionBudget();
    if (replicas.isAutoscaled) {
      const target = deliveryStrategy.isProgressive ? Rollout.GVK : { apiVersion: 'apps/v1', kind: 'Deployment' };
      this.createAutoscaler({ apiVersion: target.apiVersion, kind: target.kind, name: id }, replicas);
    }
    // HTTPS, verified against the CA by the Service's name (Prometheus scrapes pod addresses); it
    // selects the canary Service too (same labels), so the canary's series carry its name.
    this.createServiceMonitor(this.serverTlsSecretName, this.serverTlsName);
    this.renderNetworkPolicies(props);
  }

  /**
   * What web and api read to verify the ID token the proxy forwards: the issuer (whose discovery
   * document names the JWKS), the audience (this environment's client id: a token another tenant's
   * proxy obtained for its own client fails), the clock skew for `exp`/`nbf`, the groups claim and
   * the allowed groups, the MFA claim and the values that prove MFA. Lists are comma-separated.
   */
  public tokenVerificationEnvironment(): k8s.EnvVar[] {
    return this.tokenVerification.map((variable) => ({ ...variable }));
  }

  /**
   * The proxy's own backend for an Ingress path (`/oauth2` on each protected host). It speaks HTTPS
   * only: the Ingress needs `backendTlsAnnotations` (requireSignIn() of a service sets them on its sign-in Ingress).
   */
  public ingressBackend(): k8s.IngressBackend {
    return { service: { name: this.name, port: { name: 'https' } } };
  }

  /** The Service that selects the canary's pods during a release: `<name>-canary`. */
  public get canaryServiceName(): string {
    return `${this.name}-canary`;
  }

  /** The rolling Deployment, or the canary Rollout with the same pod template. */
  private renderWorkload(props: OAuth2ProxyProps, replicas: Replicas, resources: k8s.ResourceRequirements): void {
    const store = props.sessionStore;
    // The proxy's own Redis user, confined to its session keys.
    const sessionUser = store.addUser(this.name, OAUTH2_PROXY_SESSION_ACCESS);
    // Secrets by reference only: oauth2-proxy reads every flag from OAUTH2_PROXY_<FLAG>
    // (--redis-username and --redis-password exist in 7.6.0: pkg/apis/options/options.go).
    const env: k8s.EnvVar[] = [
      { name: 'OAUTH2_PROXY_CLIENT_SECRET', valueFrom: props.credentials.envValue(CLIENT_SECRET_KEY) },
      { name: 'OAUTH2_PROXY_COOKIE_SECRET', valueFrom: props.credentials.envValue(COOKIE_SECRET_KEY) },
      { name: 'OAUTH2_PROXY_REDIS_USERNAME', value: sessionUser.name },
      { name: 'OAUTH2_PROXY_REDIS_PASSWORD', valueFrom: sessionUser.credentials.envValue('password') },
    ];
    // Environment variables and the server key pair are read at start (oauth2-proxy 7.6 loads the
    // certificate once, it never re-reads the files): Reloader restarts the pods when a secret is
    // rotated (a new cookie secret ends every session, which is what rotating it is for) and when
    // cert-manager renews the certificate.
    const restartOnChangeOf = [...secretsReadAsEnvironment([{ name: this.name, env }]), this.serverTlsSecretName].sort();
    const annotations = { [SECRET_RELOAD_ANNOTATION]: restartOnChangeOf.join(',') };
    const progressive = this.deliveryStrategy.isProgressive;
    const template: k8s.PodTemplateSpec = {
      metadata: { labels: { ...this.labels, 'app.kubernetes.io/version': props.image.tag } },
      spec: this.podSpec({
        // The image is distroless (no shell, no sleep), so there is no preStop drain: on SIGTERM
        // oauth2-proxy stops accepting connections and finishes the subrequests in flight, which take milliseconds.
        terminationGracePeriodSeconds: 30,
        hostSeparation: HostSeparation.SPREAD,
        strictTopologySpread: props.strictTopologySpread,
        // Argo Rollouts labels its ReplicaSets' pods with rollouts-pod-template-hash.
        revisionLabel: progressive ? 'rollouts-pod-template-hash' : 'pod-template-hash',
        containers: [
          {
            name: this.name,
            image: imageReference(props.image),
            imagePullPolicy: 'Always',
            args: [...this.args],
            ports: [
              { name: 'https', containerPort: OAUTH2_PROXY_PORT, protocol: 'TCP' },
              { name: 'metrics', containerPort: OAUTH2_PROXY_METRICS_PORT, protocol: 'TCP' },
            ],
            env,
            resources,
            securityContext: restrictedContainerSecurityContext(RUN_AS_ID),
            // OIDC discovery at the issuer is the slowest step of a start; 30 s is ample.
            startupProbe: startupProbe(httpsGet('/healthz', 'https'), 30),
            readinessProbe: readinessProbe(httpsGet('/readyz', 'https')),
            livenessProbe: livenessProbe(httpsGet('/healthz', 'https')),
            volumeMounts: [
              { name: 'tmp', mountPath: '/tmp' },
              // The folder, not the file (subPath), so that the kubelet swaps in a renewed CA.
              { name: 'redis-ca', mountPath: OAUTH2_PROXY_REDIS_CA_DIR, readOnly: true },
              { name: 'server-tls', mountPath: OAUTH2_PROXY_SERVER_TLS_DIR, readOnly: true },
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
      }),
    };
    if (!progressive) {
      this.createRollingDeployment({ annotations, replicas, maxSurgePercent: this.deliveryStrategy.maxSurgePercent, template });
      return;
    }
    // A plain ApiObject, as LongRunningService renders its Rollout: the same pod template as the Deployment.
    new ApiObject(this, 'Rollout', {
      ...Rollout.GVK,
      metadata: { ...this.objectMetadata(), annotations },
      spec: {
        replicas: replicas.isAutoscaled ? undefined : replicas.min,
        revisionHistoryLimit: REVISION_HISTORY_LIMIT,
        minReadySeconds: MIN_READY_SECONDS,
        progressDeadlineSeconds: this.deliveryStrategy.progressDeadlineSeconds,
        // A release that makes no progress for progressDeadlineSeconds is aborted and rolled back, not left half done.
        progressDeadlineAbort: true,
        selector: { matchLabels: { ...this.selector } },
        strategy: toJson_RolloutSpecStrategy(this.deliveryStrategy.rolloutStrategy({
          namespace: this.namespaceName,
          stableService: this.name,
          newVersionService: this.canaryServiceName,
        })),
        template: k8s.toJson_PodTemplateSpec(template),
      },
    });
  }

  /** Reachable only from the ingress controller and Prometheus; reaching only the session store and the identity provider. */
  private renderNetworkPolicies(props: OAuth2ProxyProps): void {
    const store = props.sessionStore;
    // The proxy is never an upstream of web or api: ingress-nginx only asks it, so it needs no way to them.
    this.allowIngressFrom(props.ingressController, [OAUTH2_PROXY_PORT], `from-${props.ingressController.peerName}`);
    this.allowIngressFrom(props.metricsScraper, [OAUTH2_PROXY_METRICS_PORT], 'metrics-scrape');
    this.allowEgressTo(store, [REDIS_PORT]);
    // The store's side of the flow is opened here, for this proxy alone: RedisCluster.allowFrom() would render it with the store.
    this.createNetworkPolicy('SessionStoreAllowIngress', `${store.peerName}-allow-from-${this.name}`, selectorLabels(store.name), {
      policyTypes: ['Ingress'],
      ingress: [{ from: [this.toNetworkPolicyPeer(store.namespaceName)], ports: tcpPorts(REDIS_PORT) }],
    });
    this.createNetworkPolicy('AllowEgress-to-identity-provider', `${this.name}-allow-egress-to-identity-provider`, this.selector, {
      policyTypes: ['Egress'],
      egress: [{
        to: this.identityProviderPeers.map((peer) => peer.toNetworkPolicyPeer(this.namespaceName)),
        ports: tcpPorts(IDENTITY_PROVIDER_PORT),
      }],
    });
  }
}
