import { availableSecrets } from '../cross-references/operator-conventions';
import { list, record, records, stringMap, text } from '../json-access';
import { isProduction } from '../manifest';
import { Rule, RuleViolation } from '../rule';
import { kindRule } from '../rule-builders';

const NGINX = 'nginx.ingress.kubernetes.io/';

/**
 * Application protocols that are plaintext by definition (Kubernetes' `appProtocol`: IANA names and
 * the `kubernetes.io/` ones). A TLS listener declares `https` (or another TLS protocol).
 */
const PLAINTEXT_APP_PROTOCOLS: readonly string[] = ['http', 'h2c', 'ws', 'kubernetes.io/h2c', 'kubernetes.io/ws'];

/** Backend protocols of ingress-nginx that encrypt the hop from the controller to the pods. */
const TLS_BACKEND_PROTOCOLS: readonly string[] = ['HTTPS', 'GRPCS'];

/** The problems of one Prometheus-operator scrape endpoint: plaintext, or TLS that verifies nothing. */
function scrapeEndpointProblems(endpoint: Record<string, unknown>, where: string): string[] {
  if (text(endpoint.scheme) !== 'https') {
    return [`${where} scrapes over ${text(endpoint.scheme) ?? 'http'}, not https`];
  }
  const tls = record(endpoint.tlsConfig);
  const problems: string[] = [];
  if (tls.insecureSkipVerify === true) {
    problems.push(`${where} skips certificate verification (tlsConfig.insecureSkipVerify)`);
  }
  if (Object.keys(record(tls.ca)).length === 0 && text(tls.caFile) === undefined) {
    problems.push(`${where} names no CA to verify the target with (tlsConfig.ca)`);
  }
  if (text(tls.serverName) === undefined) {
    problems.push(`${where} names no serverName: targets are scraped by pod IP, which no certificate of ours carries`);
  }
  return problems;
}

/**
 * Production's "TLS on every listener" for what the platform itself serves and scrapes: Services
 * declare no plaintext application protocol, ingress-nginx talks TLS to the pods and verifies them,
 * and Prometheus scrapes over verified TLS. The stores' own listeners have their rules in
 * platform-security.ts (PLATFORM-REDIS-TLS, -RABBITMQ-TLS, -POSTGRES-TLS).
 */
export const PLATFORM_TRANSPORT_TLS_RULES: readonly Rule[] = [
  kindRule(
    {
      id: 'PLATFORM-SERVICE-TLS',
      requirement: 'in production, no Service port declares a plaintext application protocol (appProtocol http, h2c or ws): the platform\'s listeners serve TLS and say so with appProtocol https',
      fix: 'Serve TLS on the port (a Certificate from the internal CA, mounted into the pod) and set its appProtocol to https.',
    },
    ['Service'],
    (object) => {
      if (!isProduction(object) || object.apiVersion !== 'v1') {
        return [];
      }
      return records(record(object.body.spec).ports).flatMap((port, index): RuleViolation[] => {
        const protocol = text(port.appProtocol);
        return protocol !== undefined && PLAINTEXT_APP_PROTOCOLS.includes(protocol)
          ? [{ path: ['spec', 'ports', String(index), 'appProtocol'], message: `Service ${object.name} port ${text(port.name) ?? String(port.port)} is a plaintext ${protocol} listener in production` }]
          : [];
      });
    },
  ),
  kindRule(
    {
      id: 'PLATFORM-INGRESS-BACKEND-TLS',
      requirement:
        'in production, ingress-nginx reaches every backend over TLS and verifies it: backend-protocol HTTPS (or GRPCS), proxy-ssl-verify "on", proxy-ssl-name, and proxy-ssl-secret naming a Secret of the namespace that is rendered or produced (the CA and the controller\'s client certificate)',
      fix: 'Annotate the Ingress with nginx.ingress.kubernetes.io/backend-protocol: HTTPS, proxy-ssl-verify: "on", proxy-ssl-name: <service>.<namespace>.svc and proxy-ssl-secret: <namespace>/<Secret of a Certificate from the internal CA>.',
    },
    ['Ingress'],
    (object, scope) => {
      if (!isProduction(object) || !object.apiVersion.startsWith('networking.k8s.io/')) {
        return [];
      }
      const annotations = stringMap(record(object.body.metadata).annotations);
      const path = ['metadata', 'annotations'];
      const problems: string[] = [];
      const protocol = (annotations[`${NGINX}backend-protocol`] ?? 'HTTP').toUpperCase();
      if (!TLS_BACKEND_PROTOCOLS.includes(protocol)) {
        problems.push(`reaches its backends over ${protocol}`);
      }
      if (annotations[`${NGINX}proxy-ssl-verify`] !== 'on') {
        problems.push('does not verify its backends (proxy-ssl-verify is not "on")');
      }
      if ((annotations[`${NGINX}proxy-ssl-name`] ?? '') === '') {
        problems.push('names no proxy-ssl-name to verify the backend certificate against');
      }
      const secret = annotations[`${NGINX}proxy-ssl-secret`] ?? '';
      const [secretNamespace, secretName] = secret.includes('/') ? secret.split('/', 2) : [object.namespace, secret];
      if (secretName === '' || secretName === undefined) {
        problems.push('names no proxy-ssl-secret with the CA to verify its backends');
      } else if (secretNamespace !== object.namespace) {
        problems.push(`takes its backend CA from namespace ${secretNamespace}, not its own`);
      } else if (!availableSecrets(scope, object.namespace).has(secretName)) {
        problems.push(`names proxy-ssl-secret ${secret}, which nothing in the namespace renders or produces`);
      }
      return problems.map((problem) => ({ path, message: `Ingress ${object.name} ${problem}` }));
    },
  ),
  kindRule(
    {
      id: 'PLATFORM-METRICS-TLS',
      requirement: 'in production, every ServiceMonitor and PodMonitor endpoint scrapes over https and verifies the target: tlsConfig with a CA and a serverName, never insecureSkipVerify',
      fix: 'Set scheme: https and tlsConfig: { ca: { secret: { name: <Certificate Secret>, key: ca.crt } }, serverName: <service>.<namespace>.svc } on the endpoint, and serve the metrics port over TLS.',
    },
    ['ServiceMonitor', 'PodMonitor'],
    (object) => {
      if (!isProduction(object) || !object.apiVersion.startsWith('monitoring.coreos.com/')) {
        return [];
      }
      const field = object.kind === 'ServiceMonitor' ? 'endpoints' : 'podMetricsEndpoints';
      return list(record(object.body.spec)[field]).flatMap((endpoint, index) =>
        scrapeEndpointProblems(record(endpoint), `${object.kind} ${object.name} endpoint ${index}`).map((message) => ({ path: ['spec', field, String(index)], message })),
      );
    },
  ),
];
