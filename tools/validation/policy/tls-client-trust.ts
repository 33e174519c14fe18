import { parse } from 'yaml';
import { CaBundle } from '../../../lib/security/ca-bundle';
import { hostOf, isClusterServiceHost, isPrivateUseHost, PRIVATE_USE_SUFFIXES } from '../../../lib/security/endpoint-trust';
import { availableSecrets } from '../cross-references/operator-conventions';
import { EnvironmentScope } from '../environment-scope';
import { JsonObject, ManifestObject } from '../manifest';
import { record, records, text } from '../json-access';
import { Rule, RuleViolation } from '../rule';
import { kindRule } from '../rule-builders';

/**
 * The TLS clients we configure toward endpoints we do not issue certificates for: each must name
 * the CA that signs the endpoint's certificate. Without it the client falls back to the public
 * roots of its image, which never sign a private name, and every request fails on a real cluster
 * (or, worse, someone "fixes" it by turning verification off).
 */

type Path = readonly string[];

/** The problem with a Vault client's trust, or none. */
function vaultClientProblem(server: string | undefined, caBundle: string | undefined, hasCaReference: boolean): string | undefined {
  const host = server !== undefined && server.startsWith('https://') ? hostOf(server) : undefined;
  if (host === undefined || isClusterServiceHost(host)) {
    return undefined;
  }
  if (caBundle === undefined || caBundle === '') {
    return hasCaReference ? undefined : `reaches Vault at ${server} without a CA bundle: it would trust only its image's public roots, which do not sign ${host}`;
  }
  const problem = CaBundle.problemOf(Buffer.from(caBundle, 'base64').toString('utf8'));
  return problem === undefined ? undefined : `has a caBundle for ${server} that is not a base64 PEM CA bundle: ${problem}`;
}

/** Vault clients: External Secrets' stores (provider.vault) and cert-manager's issuers (vault). */
function vaultClient(object: ManifestObject): { path: Path; vault: JsonObject; hasCaReference: boolean } | undefined {
  const spec = record(object.body.spec);
  if (object.apiVersion.startsWith('external-secrets.io/') && record(spec.provider).vault !== undefined) {
    const vault = record(record(spec.provider).vault);
    return { path: ['spec', 'provider', 'vault'], vault, hasCaReference: Object.keys(record(vault.caProvider)).length > 0 };
  }
  if (object.apiVersion.startsWith('cert-manager.io/') && spec.vault !== undefined) {
    const vault = record(spec.vault);
    return { path: ['spec', 'vault'], vault, hasCaReference: Object.keys(record(vault.caBundleSecretRef)).length > 0 };
  }
  return undefined;
}

/** The barmanObjectStore blocks of a CloudNativePG Cluster: its own backups and the clusters it recovers from. */
function barmanObjectStores(object: ManifestObject): { path: Path; store: JsonObject }[] {
  const spec = record(object.body.spec);
  const stores = [{ path: ['spec', 'backup', 'barmanObjectStore'], store: record(record(spec.backup).barmanObjectStore) }];
  records(spec.externalClusters).forEach((cluster, index) => stores.push({ path: ['spec', 'externalClusters', String(index), 'barmanObjectStore'], store: record(cluster.barmanObjectStore) }));
  return stores.filter(({ store }) => text(store.endpointURL) !== undefined);
}

function privateHostOf(url: string | undefined): string | undefined {
  const host = url === undefined ? undefined : hostOf(url.includes('://') ? url : `https://${url}`);
  return host !== undefined && isPrivateUseHost(host) ? host : undefined;
}

function cnpgStoreProblems(object: ManifestObject, scope: EnvironmentScope): RuleViolation[] {
  return barmanObjectStores(object).flatMap(({ path, store }): RuleViolation[] => {
    const url = text(store.endpointURL);
    const host = privateHostOf(url);
    if (host === undefined) {
      return [];
    }
    const secret = text(record(store.endpointCA).name);
    if (secret === undefined) {
      return [{ path, message: `Cluster ${object.name} archives to the private endpoint ${url} without endpointCA: Barman would trust only the public roots, which do not sign ${host}` }];
    }
    return availableSecrets(scope, object.namespace).has(secret)
      ? []
      : [{ path: [...path, 'endpointCA'], message: `Cluster ${object.name} takes the CA of ${url} from Secret ${secret}, which nothing in the namespace renders or produces` }];
  });
}

/** The Helm values of each source of an Application, from valuesObject or the values string. */
function helmValues(object: ManifestObject): { path: Path; values: JsonObject }[] {
  const spec = record(object.body.spec);
  const sources = spec.source !== undefined ? [{ path: ['spec', 'source'], source: record(spec.source) }] : records(spec.sources).map((source, index) => ({ path: ['spec', 'sources', String(index)], source }));
  return sources.flatMap(({ path, source }) => {
    const helm = record(source.helm);
    if (helm.valuesObject !== undefined) {
      return [{ path: [...path, 'helm', 'valuesObject'], values: record(helm.valuesObject) }];
    }
    const values = text(helm.values);
    if (values === undefined) {
      return [];
    }
    try {
      return [{ path: [...path, 'helm', 'values'], values: record(parse(values)) }];
    } catch {
      return [];
    }
  });
}

function lokiStoreProblems(object: ManifestObject): RuleViolation[] {
  return helmValues(object).flatMap(({ path, values }): RuleViolation[] => {
    const s3 = record(record(record(values.loki).storage).s3);
    const url = text(s3.endpoint);
    const host = privateHostOf(url);
    if (host === undefined) {
      return [];
    }
    const http = record(s3.http_config);
    const where = [...path, 'loki', 'storage', 's3'];
    if (http.insecure_skip_verify === true) {
      return [{ path: where, message: `Application ${object.name} lets Loki skip verifying the object store ${url} (http_config.insecure_skip_verify)` }];
    }
    return text(http.ca_file) === undefined ? [{ path: where, message: `Application ${object.name} points Loki at the private object store ${url} without http_config.ca_file: Loki would trust only the public roots, which do not sign ${host}` }] : [];
  });
}

const PRIVATE_NAMES = `${PRIVATE_USE_SUFFIXES.join(', ')}, or a private, loopback or link-local address`;

export const TLS_CLIENT_TRUST_RULES: readonly Rule[] = [
  kindRule(
    {
      id: 'PLATFORM-VAULT-CLIENT-CA',
      requirement:
        'every Vault client we configure (a SecretStore or ClusterSecretStore with provider vault, an Issuer or ClusterIssuer with vault) whose https server is not a Service of the cluster (.svc, .svc.cluster.local) names the CA of Vault\'s certificate: a caBundle that is a base64 PEM bundle of CA certificates, or caProvider / caBundleSecretRef',
      fix: 'Set vaultCaBundlePem in the environment config to the PEM of the CA that signs Vault\'s certificate: it renders provider.vault.caBundle of the store and spec.vault.caBundle of the issuer.',
    },
    ['SecretStore', 'ClusterSecretStore', 'Issuer', 'ClusterIssuer'],
    (object) => {
      const client = vaultClient(object);
      const problem = client && vaultClientProblem(text(client.vault.server), text(client.vault.caBundle), client.hasCaReference);
      return client && problem ? [{ path: client.path, message: `${object.kind} ${object.name} ${problem}` }] : [];
    },
  ),
  kindRule(
    {
      id: 'PLATFORM-OBJECT-STORE-CA',
      requirement: `every object-store client we configure toward a private endpoint (a host under ${PRIVATE_NAMES}) names the CA of its certificate: a CloudNativePG Cluster's barmanObjectStore (backup and externalClusters) has an endpointCA whose Secret is rendered or produced, and Loki's S3 storage in an Application's Helm values sets http_config.ca_file and does not skip verification`,
      fix: 'Give the object store\'s CA in the config (postgres.backupEndpointCaBundlePem renders the Secret and endpointCA); for Loki, mount the CA and set loki.storage.s3.http_config.ca_file to it.',
    },
    ['Cluster', 'Application'],
    (object, scope) => {
      if (object.kind === 'Cluster' && object.apiVersion.startsWith('postgresql.cnpg.io/')) {
        return cnpgStoreProblems(object, scope);
      }
      return object.kind === 'Application' && object.apiVersion.startsWith('argoproj.io/') ? lokiStoreProblems(object) : [];
    },
  ),
];
