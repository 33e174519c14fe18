import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { AcmeClusterIssuer } from '../security/acme-cluster-issuer';
import { TlsCertificate } from '../security/tls-certificate';
import { VaultSecret } from '../security/vault-secret';
import { LongRunningService } from '../services/long-running-service';
import { JobQueue } from '../stores/job-queue';
import { MessageBroker } from '../stores/message-broker';
import { PostgresCluster } from '../stores/postgres-cluster';
import { RedisCluster } from '../stores/redis-cluster';
import { ARGOCD_SYNC_WAVE } from './sync-policy';

export const SYNC_WAVE_ANNOTATION = ARGOCD_SYNC_WAVE;
const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';

/**
 * The order Argo CD applies an environment in (lowest first; it waits for each wave to be healthy).
 * CRDs and operators come earlier still: their add-on Applications sync in the root Application's
 * waves -3 and -2, before the environment Application (wave 0) exists.
 */
export enum SyncWave {
  /** The namespace and what every pod relies on: quota, limits, identities, network policy. */
  NAMESPACE_BASELINE = -1,
  /** ExternalSecrets and Certificates: the Secrets stores and services mount must exist before their pods start. */
  SECRETS = 0,
  /** PostgreSQL, Redis, RabbitMQ and the queue topology. */
  STORES = 1,
  /** web, api, generator and their autoscalers, Services, Ingresses and budgets. */
  APPLICATIONS = 2,
}

/**
 * The one table that decides each object's wave. A kind listed here wins wherever the object is;
 * otherwise the construct the object belongs to decides (the first ancestor matched by ROLE_BY_CONSTRUCT);
 * anything else goes last, when everything it could depend on exists.
 *
 * | rule | wave |
 * |---|---|
 * | Namespace, ResourceQuota, LimitRange, ServiceAccount, Role, RoleBinding, NetworkPolicy, ClusterPolicy, Issuer, ClusterIssuer, Password | NAMESPACE_BASELINE (-1) |
 * | ExternalSecret, SecretStore, ClusterSecretStore | SECRETS (0) |
 * | HorizontalPodAutoscaler, ScaledObject, TriggerAuthentication (they scale applications) | APPLICATIONS (2) |
 * | anything else inside NamespaceBaseline, AcmeClusterIssuer | NAMESPACE_BASELINE (-1) |
 * | anything else inside VaultSecret, TlsCertificate | SECRETS (0) |
 * | anything else inside PostgresCluster, RedisCluster, MessageBroker, JobQueue | STORES (1) |
 * | anything else inside LongRunningService (web, api, generator) | APPLICATIONS (2) |
 * | anything else | APPLICATIONS (2) |
 *
 * Argo CD hooks (`argocd.argoproj.io/hook`, e.g. the Redis bootstrap Job) keep no wave: they run in their own phase.
 */
export const WAVE_BY_KIND: Readonly<Record<string, SyncWave>> = {
  Namespace: SyncWave.NAMESPACE_BASELINE,
  ResourceQuota: SyncWave.NAMESPACE_BASELINE,
  LimitRange: SyncWave.NAMESPACE_BASELINE,
  ServiceAccount: SyncWave.NAMESPACE_BASELINE,
  Role: SyncWave.NAMESPACE_BASELINE,
  RoleBinding: SyncWave.NAMESPACE_BASELINE,
  NetworkPolicy: SyncWave.NAMESPACE_BASELINE,
  // Admission policies must be in place before the first pod they check.
  ClusterPolicy: SyncWave.NAMESPACE_BASELINE,
  // Issuers must be ready before the Certificates that name them.
  Issuer: SyncWave.NAMESPACE_BASELINE,
  ClusterIssuer: SyncWave.NAMESPACE_BASELINE,
  // External Secrets' Password generator must exist before the ExternalSecrets that name it, or they
  // fail their first sync (the real Argo CD preview test found it).
  Password: SyncWave.NAMESPACE_BASELINE,
  ExternalSecret: SyncWave.SECRETS,
  SecretStore: SyncWave.SECRETS,
  ClusterSecretStore: SyncWave.SECRETS,
  HorizontalPodAutoscaler: SyncWave.APPLICATIONS,
  ScaledObject: SyncWave.APPLICATIONS,
  TriggerAuthentication: SyncWave.APPLICATIONS,
};

const WAVE_BY_CONSTRUCT: ReadonlyArray<readonly [abstract new (...args: never[]) => IConstruct, SyncWave]> = [
  [NamespaceBaseline, SyncWave.NAMESPACE_BASELINE],
  [AcmeClusterIssuer, SyncWave.NAMESPACE_BASELINE],
  [VaultSecret, SyncWave.SECRETS],
  [TlsCertificate, SyncWave.SECRETS],
  [PostgresCluster, SyncWave.STORES],
  [RedisCluster, SyncWave.STORES],
  [MessageBroker, SyncWave.STORES],
  [JobQueue, SyncWave.STORES],
  [LongRunningService, SyncWave.APPLICATIONS],
];

/** The wave of one rendered object (see WAVE_BY_KIND). */
export function syncWaveOf(apiObject: ApiObject): SyncWave {
  const byKind = WAVE_BY_KIND[apiObject.kind];
  if (byKind !== undefined) {
    return byKind;
  }
  for (const ancestor of [...apiObject.node.scopes].reverse()) {
    const match = WAVE_BY_CONSTRUCT.find(([type]) => ancestor instanceof type);
    if (match) {
      return match[1];
    }
  }
  return SyncWave.APPLICATIONS;
}

/**
 * Sets `argocd.argoproj.io/sync-wave` on every object of `chart` (hooks excepted), so Argo CD
 * applies the namespace baseline, then secrets, then stores, then applications.
 */
export function applySyncWaves(chart: Chart): void {
  for (const apiObject of chart.node.findAll()) {
    if (!ApiObject.isApiObject(apiObject) || Chart.of(apiObject) !== chart || isHook(apiObject)) {
      continue;
    }
    apiObject.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(syncWaveOf(apiObject)));
  }
}

function isHook(apiObject: ApiObject): boolean {
  const annotations = (apiObject.toJson() as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations ?? {};
  return HOOK_ANNOTATION in annotations;
}
