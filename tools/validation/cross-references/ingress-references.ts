import { record, records, stringMap, text } from '../json-access';
import { PathSegment } from '../json-path';
import { ManifestObject } from '../manifest';
import { kindRule } from '../rule-builders';
import { Rule } from '../rule';
import { EnvironmentScope } from '../environment-scope';
import { availableSecrets, CERT_MANAGER_INGRESS_ANNOTATIONS } from './operator-conventions';

interface Backend {
  readonly service: Record<string, unknown>;
  readonly path: readonly PathSegment[];
}

function backendsOf(ingress: ManifestObject): Backend[] {
  const spec = record(ingress.body.spec);
  const result: Backend[] = [];
  if (spec.defaultBackend !== undefined) {
    result.push({ service: record(record(spec.defaultBackend).service), path: ['spec', 'defaultBackend', 'service'] });
  }
  records(spec.rules).forEach((rule, ruleIndex) =>
    records(record(rule.http).paths).forEach((entry, pathIndex) => {
      const backend = record(entry.backend);
      if (backend.service !== undefined) {
        result.push({ service: record(backend.service), path: ['spec', 'rules', ruleIndex, 'http', 'paths', pathIndex, 'backend', 'service'] });
      }
    }),
  );
  return result;
}

function backendProblem(backend: Backend, ingress: ManifestObject, scope: EnvironmentScope): string | undefined {
  const name = text(backend.service.name) ?? '';
  const service = scope.servicesIn(ingress.namespace).find((candidate) => candidate.name === name);
  if (!service) {
    return `Service ${name} does not exist in namespace ${ingress.namespace ?? '(none)'}`;
  }
  const port = record(backend.service.port);
  const ports = records(record(service.body.spec).ports);
  const found = port.name !== undefined ? ports.some((declared) => declared.name === port.name) : ports.some((declared) => declared.port === port.number);
  return found ? undefined : `Service ${name} has no port ${JSON.stringify(port.name ?? port.number)}`;
}

export const INGRESS_REFERENCE_RULES: readonly Rule[] = [
  kindRule(
    {
      id: 'XREF-INGRESS-BACKEND',
      requirement: 'every Ingress backend names a Service in its namespace and one of that Service\'s ports',
      fix: 'Correct backend.service.name and port (by number or name) to match the Service.',
    },
    ['Ingress'],
    (object, scope) =>
      backendsOf(object).flatMap((backend) => {
        const problem = backendProblem(backend, object, scope);
        return problem ? [{ path: backend.path, message: problem }] : [];
      }),
  ),
  kindRule(
    {
      id: 'XREF-INGRESS-TLS-SECRET',
      requirement: 'every Ingress TLS secretName is rendered, produced by a Certificate or ExternalSecret, or requested from cert-manager by an issuer annotation',
      fix: 'Add a cert-manager Certificate with that spec.secretName, or the cert-manager.io/cluster-issuer annotation on the Ingress.',
    },
    ['Ingress'],
    (object, scope) => {
      const annotations = stringMap(record(object.body.metadata).annotations);
      if (CERT_MANAGER_INGRESS_ANNOTATIONS.some((annotation) => annotations[annotation])) {
        return [];
      }
      const secrets = availableSecrets(scope, object.namespace);
      return records(record(object.body.spec).tls).flatMap((tls, index) => {
        const name = text(tls.secretName);
        return name === undefined || secrets.has(name) ? [] : [{ path: ['spec', 'tls', index, 'secretName'], message: `TLS Secret ${name} is neither rendered nor produced by a Certificate, ExternalSecret or cert-manager annotation` }];
      });
    },
  ),
];
