import { JsonObject, ManifestObject } from '../../../tools/validation/manifest';
import { PLATFORM_TRANSPORT_TLS_RULES } from '../../../tools/validation/policy/platform-transport-tls';
import { manifest, messagesOf as messagesOfRule } from './support/single-rule';

const messagesOf = (ruleId: string, object: ManifestObject, others: ManifestObject[] = []): string[] => messagesOfRule(PLATFORM_TRANSPORT_TLS_RULES, ruleId, object, others);

const service = (environment: string, appProtocol?: string) =>
  manifest(environment, 'v1', 'Service', { metadata: { name: 'api' }, spec: { ports: [{ name: 'http', port: 80, ...(appProtocol ? { appProtocol } : {}) }] } });
const NGINX = 'nginx.ingress.kubernetes.io/';
const verifiedBackend = { [`${NGINX}backend-protocol`]: 'HTTPS', [`${NGINX}proxy-ssl-verify`]: 'on', [`${NGINX}proxy-ssl-name`]: 'api.generator-platform.svc', [`${NGINX}proxy-ssl-secret`]: 'generator-platform/ingress-backend-client' };
const ingress = (environment: string, annotations: Record<string, string>) => manifest(environment, 'networking.k8s.io/v1', 'Ingress', { metadata: { name: 'api', annotations }, spec: {} });
const clientCertificate = manifest('production', 'cert-manager.io/v1', 'Certificate', { metadata: { name: 'ingress-backend-client' }, spec: { secretName: 'ingress-backend-client' } });
const monitor = (endpoint: JsonObject) => manifest('production', 'monitoring.coreos.com/v1', 'ServiceMonitor', { metadata: { name: 'api' }, spec: { endpoints: [endpoint] } });

describe('transport TLS rules', () => {
  test.each(['development', 'preview', 'staging'])('%s may keep plaintext listeners, backends and scrapes; production may not', (environment) => {
    expect(messagesOf('PLATFORM-SERVICE-TLS', service(environment, 'http'))).toEqual([]);
    expect(messagesOf('PLATFORM-INGRESS-BACKEND-TLS', ingress(environment, {}))).toEqual([]);
    expect(messagesOf('PLATFORM-SERVICE-TLS', service('production', 'http'))).toEqual(['Service api port http is a plaintext http listener in production']);
    expect(messagesOf('PLATFORM-INGRESS-BACKEND-TLS', ingress('production', {}))).toEqual([
      'Ingress api reaches its backends over HTTP',
      'Ingress api does not verify its backends (proxy-ssl-verify is not "on")',
      'Ingress api names no proxy-ssl-name to verify the backend certificate against',
      'Ingress api names no proxy-ssl-secret with the CA to verify its backends',
    ]);
  });

  test('a production Service declaring https, or no application protocol, passes', () => {
    expect(messagesOf('PLATFORM-SERVICE-TLS', service('production', 'https'))).toEqual([]);
    expect(messagesOf('PLATFORM-SERVICE-TLS', service('production'))).toEqual([]);
  });

  test('an Ingress verifying its backends with a produced client certificate passes; one from another namespace or unproduced does not', () => {
    expect(messagesOf('PLATFORM-INGRESS-BACKEND-TLS', ingress('production', verifiedBackend), [clientCertificate])).toEqual([]);
    expect(messagesOf('PLATFORM-INGRESS-BACKEND-TLS', ingress('production', verifiedBackend))).toEqual([
      'Ingress api names proxy-ssl-secret generator-platform/ingress-backend-client, which nothing in the namespace renders or produces',
    ]);
    expect(messagesOf('PLATFORM-INGRESS-BACKEND-TLS', ingress('production', { ...verifiedBackend, [`${NGINX}proxy-ssl-secret`]: 'ingress-nginx/ca' }), [clientCertificate])).toEqual([
      'Ingress api takes its backend CA from namespace ingress-nginx, not its own',
    ]);
  });

  test('a scrape passes only over https verified against a CA and a server name', () => {
    const verified = { port: 'metrics', scheme: 'https', tlsConfig: { ca: { secret: { name: 'api-server-tls', key: 'ca.crt' } }, serverName: 'api.generator-platform.svc' } };
    expect(messagesOf('PLATFORM-METRICS-TLS', monitor(verified))).toEqual([]);
    expect(messagesOf('PLATFORM-METRICS-TLS', monitor({ port: 'metrics' }))).toEqual(['ServiceMonitor api endpoint 0 scrapes over http, not https']);
    expect(messagesOf('PLATFORM-METRICS-TLS', monitor({ port: 'metrics', scheme: 'https', tlsConfig: { insecureSkipVerify: true } }))).toEqual([
      'ServiceMonitor api endpoint 0 skips certificate verification (tlsConfig.insecureSkipVerify)',
      'ServiceMonitor api endpoint 0 names no CA to verify the target with (tlsConfig.ca)',
      'ServiceMonitor api endpoint 0 names no serverName: targets are scraped by pod IP, which no certificate of ours carries',
    ]);
  });
});
