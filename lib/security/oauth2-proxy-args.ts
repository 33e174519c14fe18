import { RedisAccess } from '../stores/redis-cluster';
import { OAuth2ProxyProps } from './oauth2-proxy-props';

/** Port oauth2-proxy serves sign-in, callbacks and the `/oauth2/auth` subrequests on, over HTTPS only. */
export const OAUTH2_PROXY_PORT = 4180;
/** Port of its Prometheus metrics, over HTTPS only. */
export const OAUTH2_PROXY_METRICS_PORT = 44180;
/** Path prefix of every endpoint of the proxy (`--proxy-prefix`, the oauth2-proxy default). */
export const OAUTH2_PROXY_PREFIX = '/oauth2';
/**
 * Host-only and Secure with Path=/: browsers refuse a `__Host-` cookie that names a Domain, so a
 * session of one host (or one environment: staging is a subdomain of production's parent) can
 * never be sent to another.
 */
const COOKIE_NAME = '__Host-generator-platform-session';
/**
 * What oauth2-proxy 7.6.0 may do in the session store, as its own Redis user: its sessions are
 * `<cookie name>-<hex ticket id>` (pkg/sessions/persistence/ticket.go `newTicket`) and their locks
 * `<session key>.lock` (pkg/sessions/redis/lock.go), written with SET and an expiry, read with
 * GET, removed with DEL (redis_store.go), a lock checked with EXISTS; the locks are bsm/redislock
 * v0.9.4 (go.mod), whose Lua scripts run GET, SET NX PX, GETRANGE, PEXPIRE, DEL and PTTL through
 * EVALSHA, falling back to EVAL (redislock.go). go-redis v9.4.0 logs in with HELLO (always
 * allowed) and reads the slot map with CLUSTER SLOTS (osscluster.go), both of which come with
 * `clusterClient`; /readyz sends PING.
 */
export const OAUTH2_PROXY_SESSION_ACCESS = RedisAccess.clusterClient({
  commands: ['get', 'set', 'del', 'exists', 'getrange', 'pexpire', 'pttl', 'eval', 'evalsha'],
  keyPattern: `${COOKIE_NAME}-*`,
});
/** Where the Redis nodes' CA is mounted. */
export const OAUTH2_PROXY_REDIS_CA_DIR = '/etc/oauth2-proxy/redis-ca';
/** Where the proxy's own key pair is mounted. */
export const OAUTH2_PROXY_SERVER_TLS_DIR = '/etc/oauth2-proxy/tls';

/** The command line of oauth2-proxy 7.6: HTTPS only, OIDC with PKCE, sessions in the Redis cluster. */
export function oauth2ProxyArgs(props: OAuth2ProxyProps): string[] {
  const certFile = `${OAUTH2_PROXY_SERVER_TLS_DIR}/tls.crt`;
  const keyFile = `${OAUTH2_PROXY_SERVER_TLS_DIR}/tls.key`;
  return [
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
    ...props.sessionStore.tlsNodeUrls().map((url) => `--redis-cluster-connection-urls=${url}`),
    `--redis-ca-path=${OAUTH2_PROXY_REDIS_CA_DIR}/ca.crt`,
    '--silence-ping-logging=true',
    // The platform's probe paths on the proxy's own port; /readyz also checks Redis.
    '--ping-path=/healthz',
    '--ready-path=/readyz',
  ];
}
