import { NamespaceBaseline } from '../../../lib/platform/namespace-baseline';
import { OAuth2ProxyProps } from '../../../lib/security/oauth2-proxy';
import { VaultSecret } from '../../../lib/security/vault-secret';
import { RedisCluster } from '../../../lib/stores/redis-cluster';
import { ingressController, prometheus } from '../../support/service-fixtures';

export const PROXY_IMAGE = { repository: 'quay.io/oauth2-proxy/oauth2-proxy', tag: 'v7.6.0' };

/** The sign-in proxy's required props, for a namespace with a Redis cluster and the proxy's Vault secret. */
export function requiredProxyProps(namespace: NamespaceBaseline, redis: RedisCluster, credentials: VaultSecret): OAuth2ProxyProps {
  return {
    namespace,
    image: PROXY_IMAGE,
    issuerUrl: 'https://login.example.com/realms/platform',
    clientId: 'platform',
    groupsClaim: 'groups',
    allowedGroups: ['platform-users'],
    mfaClaim: 'amr',
    mfaAcceptedValues: ['mfa'],
    sessionHours: 8,
    refreshMinutes: 15,
    hostnames: ['app.example.com', 'api.example.com'],
    credentials,
    sessionStore: redis,
    identityProviderCidrs: ['10.20.4.0/28'],
    ingressController,
    metricsScraper: prometheus,
    zones: ['z1', 'z2', 'z3'],
  };
}
