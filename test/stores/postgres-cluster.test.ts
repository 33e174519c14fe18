import { ACME_VAULT_CA_BUNDLE_PEM } from '../../lib/config/environments/vault-ca';
import { PropError } from '../../lib/platform/prop-error';
import { CaBundle } from '../../lib/security/ca-bundle';
import { Replicas } from '../../lib/platform/replicas';
import { ClusterPeer } from '../../lib/platform/network-peer';
import { LongRunningService } from '../../lib/services/long-running-service';
import { IStoreClient } from '../../lib/platform/store-client';
import { PostgresCluster, PostgresClusterProps } from '../../lib/stores/postgres-cluster';
import { readWriteGrantsSql } from '../../lib/stores/postgres/application-roles';
import { PointInTimeRecovery } from '../../lib/stores/postgres/point-in-time-recovery';
import { OPERATOR_MANAGED_PARAMETERS } from '../../lib/stores/postgres/postgres-parameters';
import { find, kinds, objectsOf } from '../support/kube';
import { IMAGE, prometheus, serviceScope, smallResources } from '../support/service-fixtures';
import { renderPostgres, requiredPostgresProps } from './support/postgres-fixtures';

const INSTANCE_SELECTOR = {
  matchLabels: { 'cnpg.io/cluster': 'pg' },
  matchExpressions: [{ key: 'cnpg.io/podRole', operator: 'NotIn', values: ['pooler'] }],
};
const POOLER_SELECTOR = { matchLabels: { 'cnpg.io/poolerName': 'pg-pooler' } };

/** A chart with the cluster `pg` and one LongRunningService per name, each connected to it. */
function connectedClients(names: readonly string[], overrides: Partial<PostgresClusterProps> = {}) {
  const { chart, namespace } = serviceScope();
  const postgres = new PostgresCluster(chart, 'pg', { ...requiredPostgresProps(namespace), ...overrides });
  for (const name of names) {
    postgres.connect(new LongRunningService(chart, name, {
      namespace, component: 'backend', image: IMAGE, replicas: Replicas.fixed(1), resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080,
    }));
  }
  return { postgres, objects: objectsOf(chart) };
}

/** `60s`, `5min` -> seconds. */
function seconds(value: string): number {
  const match = /^(\d+)(s|min)$/.exec(value);
  if (!match) {
    throw new Error(`not a duration: ${value}`);
  }
  return Number(match[1]) * (match[2] === 'min' ? 60 : 1);
}

describe('PostgresCluster', () => {
  test('with minimal props: three instances, one synchronous standby, PostgreSQL 15.4, 4 CPU / 8Gi, 100Gi data and a separate WAL volume', () => {
    const { objects, postgres } = renderPostgres();
    const spec = find(objects, 'Cluster', 'pg').spec;
    expect(spec.instances).toBe(3);
    expect(spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:15.4');
    expect(spec).toMatchObject({ minSyncReplicas: 1, maxSyncReplicas: 1 });
    expect(spec.postgresql.parameters.synchronous_commit).toBe('on');
    expect(spec).toMatchObject({ primaryUpdateStrategy: 'unsupervised', primaryUpdateMethod: 'switchover', enableSuperuserAccess: false });
    expect(spec.storage).toEqual({ size: '100Gi', resizeInUseVolumes: true });
    expect(spec.walStorage).toEqual({ size: '20Gi', resizeInUseVolumes: true });
    expect(spec.resources.requests).toEqual({ 'cpu': '4', 'memory': '8Gi', 'ephemeral-storage': '2Gi' });
    expect(spec.resources.limits).toEqual(spec.resources.requests);
    expect(spec.bootstrap).toEqual({
      initdb: {
        database: 'app',
        owner: 'app',
        secret: { name: 'pg-owner-credentials' },
        encoding: 'UTF8',
        localeCollate: 'C',
        localeCType: 'C',
        dataChecksums: true,
        postInitApplicationSQL: readWriteGrantsSql('app', 'app'),
      },
    });
    // No client connected, no role to manage.
    expect(spec.managed).toBeUndefined();
    expect(spec.externalClusters).toBeUndefined();
    expect(spec.monitoring).toEqual({ enablePodMonitor: true });
    expect(postgres.maxConnections).toBe(3 * 25 + 30);
    expect(spec.postgresql.parameters.max_connections).toBe('105');
  });

  test('renders no parameter that CloudNativePG manages itself', () => {
    const parameters = find(renderPostgres().objects, 'Cluster', 'pg').spec.postgresql.parameters;
    expect(Object.keys(parameters).filter((name) => OPERATOR_MANAGED_PARAMETERS.has(name))).toEqual([]);
  });

  test('instances run on distinct nodes and spread over zones; the pooler\'s pods are not counted against them', () => {
    const { objects } = renderPostgres({ zones: ['z1', 'z2', 'z3'] });
    const spec = find(objects, 'Cluster', 'pg').spec;
    const instancesOnly = { 'cnpg.io/cluster': 'pg', 'cnpg.io/podRole': 'instance' };
    expect(spec.affinity).toMatchObject({ enablePodAntiAffinity: true, topologyKey: 'kubernetes.io/hostname' });
    expect(spec.affinity.additionalPodAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: instancesOnly } },
    ]);
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['z1', 'z2', 'z3']);
    expect(spec.topologySpreadConstraints).toEqual([
      { topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: instancesOnly } },
    ]);
  });

  test('WAL is archived continuously and base backups are taken daily, so that RPO stays under 5 minutes', () => {
    const { objects } = renderPostgres();
    const spec = find(objects, 'Cluster', 'pg').spec;
    expect(seconds(spec.postgresql.parameters.archive_timeout)).toBeLessThan(300);
    expect(spec.backup).toEqual({
      barmanObjectStore: {
        destinationPath: 's3://acme-backups/test/postgres',
        endpointURL: 'https://s3.eu-west-1.amazonaws.com',
        serverName: 'pg',
        s3Credentials: {
          accessKeyId: { name: 'pg-backup-credentials', key: 'ACCESS_KEY_ID' },
          secretAccessKey: { name: 'pg-backup-credentials', key: 'ACCESS_SECRET_KEY' },
        },
        wal: { compression: 'gzip', maxParallel: 4 },
        data: { compression: 'gzip', jobs: 2 },
      },
      retentionPolicy: '30d',
      target: 'prefer-standby',
    });
    expect(find(objects, 'ScheduledBackup', 'pg-base-backup').spec).toEqual({
      cluster: { name: 'pg' },
      schedule: '0 0 3 * * *',
      method: 'barmanObjectStore',
      immediate: true,
      backupOwnerReference: 'self',
    });
    expect(find(objects, 'ExternalSecret', 'pg-backup-credentials').spec.data).toEqual([
      { secretKey: 'ACCESS_KEY_ID', remoteRef: { key: 'generator-platform/test/postgres-backup', property: 'ACCESS_KEY_ID' } },
      { secretKey: 'ACCESS_SECRET_KEY', remoteRef: { key: 'generator-platform/test/postgres-backup', property: 'ACCESS_SECRET_KEY' } },
    ]);
  });

  test('a highly available cluster gets a read-write PgBouncer pooler of two pods in transaction mode, restricted and spread', () => {
    const { objects } = renderPostgres();
    const pooler = find(objects, 'Pooler', 'pg-pooler').spec;
    expect(pooler).toMatchObject({ cluster: { name: 'pg' }, type: 'rw', instances: 2, monitoring: { enablePodMonitor: true } });
    expect(pooler.pgbouncer).toEqual({
      poolMode: 'transaction',
      parameters: { max_client_conn: '1000', default_pool_size: '20', reserve_pool_size: '5', max_db_connections: '25' },
      pg_hba: ['hostnossl all all 0.0.0.0/0 reject', 'hostnossl all all ::/0 reject'],
    });
    expect(pooler.deploymentStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    const [container] = pooler.template.spec.containers;
    expect(container.name).toBe('pgbouncer');
    expect(container.resources.requests).toEqual({ 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '1Gi' });
    expect(container.resources.limits).toEqual(container.resources.requests);
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pooler.template.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pooler.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm).toEqual({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: POOLER_SELECTOR,
    });
    expect(pooler.template.spec.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(find(objects, 'PodDisruptionBudget', 'pg-pooler').spec.selector).toEqual(POOLER_SELECTOR);
  });

  test('a development cluster of one instance has no synchronous standby and a single pooler pod', () => {
    const { objects } = renderPostgres({ instances: 1 });
    const spec = find(objects, 'Cluster', 'pg').spec;
    expect(spec.instances).toBe(1);
    expect(spec.minSyncReplicas).toBeUndefined();
    expect(spec.maxSyncReplicas).toBeUndefined();
    expect(find(objects, 'Pooler', 'pg-pooler').spec.instances).toBe(1);
    expect(spec.postgresql.parameters.max_connections).toBe(String(2 * 25 + 30));
  });

  test('the instances and the pooler count into the namespace quota: instances plus one Job, pooler pods plus one surge', () => {
    const { objects, postgres } = renderPostgres();
    expect(postgres.footprint).toEqual({
      maxPods: 4,
      podCpuMillis: 4000,
      podMemoryMi: 8192,
      podEphemeralStorageGi: 2,
      podClaimStorageGi: 120,
      podClaimCount: 2,
      largestContainerCpuMillis: 4000,
      largestContainerMemoryMi: 8192,
      largestClaimGi: 100,
    });
    expect(postgres.pooler.footprint).toMatchObject({ maxPods: 3, podCpuMillis: 500, podMemoryMi: 256, podClaimCount: 0 });
    const quota = find(objects, 'ResourceQuota', 'workload-quota').spec.hard;
    // (4 x 4000m + 3 x 500m) x 1.2 headroom, rounded up to whole CPUs.
    expect(quota['requests.cpu']).toBe('21');
    expect(quota['requests.storage']).toBe(`${Math.ceil(4 * 120 * 1.2)}Gi`);
    expect(quota.persistentvolumeclaims).toBe(Math.ceil(4 * 2 * 1.2));
    const limits = find(objects, 'LimitRange', 'container-limits').spec.limits;
    expect(limits[0].max).toEqual({ cpu: '4', memory: '8Gi' });
    expect(limits[1].max).toEqual({ storage: '100Gi' });
  });

  test('network policies: pooler to instances, instance to instance, operator, Prometheus, object store and API server only', () => {
    const { objects } = renderPostgres({ objectStoreEgressCidrs: ['52.218.0.0/17', '203.0.113.0/24'] });
    const policy = (name: string) => find(objects, 'NetworkPolicy', name).spec;
    const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));

    expect(policy('pg-allow-from-pg-pooler')).toEqual({
      podSelector: INSTANCE_SELECTOR,
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: POOLER_SELECTOR }], ports: tcp(5432) }],
    });
    expect(policy('pg-pooler-allow-egress-to-pg')).toEqual({
      podSelector: POOLER_SELECTOR,
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: INSTANCE_SELECTOR }], ports: tcp(5432) }],
    });
    expect(policy('pg-allow-instance-traffic')).toEqual({
      podSelector: INSTANCE_SELECTOR,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: INSTANCE_SELECTOR }], ports: tcp(5432, 8000) }],
      egress: [{ to: [{ podSelector: INSTANCE_SELECTOR }], ports: tcp(5432, 8000) }],
    });
    expect(policy('pg-allow-from-cnpg-operator').ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cnpg-system' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cloudnative-pg' } } }],
        ports: tcp(8000, 5432),
      },
    ]);
    expect(policy('pg-allow-metrics-scrape').ingress[0].ports).toEqual(tcp(9187));
    expect(policy('pg-pooler-allow-metrics-scrape').ingress[0].ports).toEqual(tcp(9127));
    expect(policy('pg-allow-egress-to-object-store').egress).toEqual([
      {
        to: [{ ipBlock: { cidr: '52.218.0.0/17' } }, { ipBlock: { cidr: '203.0.113.0/24' } }],
        ports: tcp(443),
      },
    ]);
    for (const name of ['pg-allow-egress-to-kubernetes-api', 'pg-pooler-allow-egress-to-kubernetes-api']) {
      expect(policy(name).egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: tcp(443, 6443) }]);
    }
    expect(kinds(objects, 'NetworkPolicy').map((p) => p.metadata.name).filter((n) => n.startsWith('pg')).sort()).toEqual([
      'pg-allow-egress-to-kubernetes-api',
      'pg-allow-egress-to-object-store',
      'pg-allow-from-cnpg-operator',
      'pg-allow-from-pg-pooler',
      'pg-allow-instance-traffic',
      'pg-allow-metrics-scrape',
      'pg-pooler-allow-egress-to-kubernetes-api',
      'pg-pooler-allow-egress-to-pg',
      'pg-pooler-allow-metrics-scrape',
    ]);
  });

  test('connect(api) opens the flow on both sides and hands the client libpq settings by Secret reference', () => {
    const { chart, namespace } = serviceScope();
    const postgres = new PostgresCluster(chart, 'pg', requiredPostgresProps(namespace));
    const api = new LongRunningService(chart, 'api', {
      namespace, component: 'backend', image: IMAGE, replicas: Replicas.fixed(1), resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080,
    });
    postgres.connect(api);
    const objects = objectsOf(chart);

    expect(find(objects, 'NetworkPolicy', 'pg-pooler-allow-from-api').spec).toEqual({
      podSelector: POOLER_SELECTOR,
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/part-of': 'generator-platform' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
    expect(find(objects, 'NetworkPolicy', 'api-allow-egress-to-pg-pooler').spec.egress).toEqual([
      { to: [{ podSelector: POOLER_SELECTOR }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
    const env = find(objects, 'Deployment', 'api').spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([
      { name: 'PGHOST', value: 'pg-pooler.apps.svc.cluster.local' },
      { name: 'PGPORT', value: '5432' },
      { name: 'PGDATABASE', value: 'app' },
      { name: 'PGUSER', valueFrom: { secretKeyRef: { name: 'pg-api-credentials', key: 'username' } } },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'pg-api-credentials', key: 'password' } } },
      { name: 'PGSSLMODE', value: 'verify-full' },
      { name: 'PGSSLROOTCERT', value: '/etc/generator-platform/ca/pg-server-tls/ca.crt' },
    ]));
    // Only the CA certificate of the server's Secret reaches the client, never its key.
    const pod = find(objects, 'Deployment', 'api').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'ca-pg-server-tls', secret: { secretName: 'pg-server-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } });
  });

  test('TLS: a server certificate from the internal CA for the pooler and the -rw/-ro/-r Services, reloaded on renewal, and plaintext refused by PostgreSQL and PgBouncer', () => {
    const { objects, postgres } = renderPostgres();
    const spec = find(objects, 'Cluster', 'pg').spec;
    expect(spec.certificates).toEqual({ serverTLSSecret: 'pg-server-tls', serverCASecret: 'pg-server-tls' });
    expect(postgres.tlsSecretName).toBe('pg-server-tls');
    const certificate = find(objects, 'Certificate', 'pg-server-tls').spec;
    expect(certificate).toMatchObject({
      secretName: 'pg-server-tls',
      commonName: 'pg-pooler',
      duration: '2160h',
      renewBefore: '720h',
      issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: 'internal-ca' },
      secretTemplate: { labels: { 'cnpg.io/reload': '' } },
    });
    expect(certificate.dnsNames).toEqual(['pg-pooler', 'pg-rw', 'pg-ro', 'pg-r'].flatMap((s) => [s, `${s}.apps`, `${s}.apps.svc`, `${s}.apps.svc.cluster.local`]));
    expect(certificate.dnsNames).toContain(postgres.pooler.serviceHost);
    expect(spec.postgresql.pg_hba[0]).toBe('hostnossl all all all reject');
    expect(spec.postgresql.pg_hba.slice(1).every((rule: string) => rule.startsWith('hostssl '))).toBe(true);
    expect(find(objects, 'Pooler', 'pg-pooler').spec.pgbouncer.pg_hba).toEqual(['hostnossl all all 0.0.0.0/0 reject', 'hostnossl all all ::/0 reject']);
  });

  test('allowFrom a client in another namespace selects it by namespace too', () => {
    const { chart, namespace } = serviceScope();
    const postgres = new PostgresCluster(chart, 'pg', requiredPostgresProps(namespace));
    postgres.pooler.allowClient(new ClusterPeer('reporting', 'bi', { app: 'reporting' }));
    expect(find(objectsOf(chart), 'NetworkPolicy', 'pg-pooler-allow-from-reporting').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bi' } }, podSelector: { matchLabels: { app: 'reporting' } } },
    ]);
  });

  test('no secret value is rendered: credentials are ExternalSecret and operator Secret references only', () => {
    const { chart, namespace } = serviceScope();
    const postgres = new PostgresCluster(chart, 'pg', requiredPostgresProps(namespace));
    const api = new LongRunningService(chart, 'api', { namespace, component: 'backend', image: IMAGE, replicas: Replicas.fixed(1), resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
    postgres.connect(api);
    const objects = objectsOf(chart);
    expect(kinds(objects, 'Secret')).toEqual([]);
    expect(find(objects, 'Cluster', 'pg').spec.superuserSecret).toBeUndefined();
    const env = find(objects, 'Deployment', 'api').spec.template.spec.containers[0].env;
    // *_FILE variables are paths of mounted files (TLS_KEY_FILE), not values.
    for (const variable of env.filter((v: any) => /PASSWORD|USER|KEY|SECRET/.test(v.name) && !v.name.endsWith('_FILE'))) {
      expect(variable.value).toBeUndefined();
      expect(variable.valueFrom.secretKeyRef).toBeDefined();
    }
    expect(JSON.stringify(objects)).not.toMatch(/"(password|stringData)"\s*:/i);
  });

  test('recovery renders a cluster bootstrapped from the archive up to the target time, with no initdb, archiving into a new folder', () => {
    const { objects } = renderPostgres({
      recovery: PointInTimeRecovery.fromBackups({ targetTime: '2026-11-27T14:30:00Z' }),
      backupServerName: 'pg-r1',
    });
    const spec = find(objects, 'Cluster', 'pg').spec;
    expect(spec.bootstrap).toEqual({
      recovery: { source: 'origin', database: 'app', owner: 'app', secret: { name: 'pg-owner-credentials' }, recoveryTarget: { targetTime: '2026-11-27T14:30:00Z' } },
    });
    expect(spec.bootstrap.initdb).toBeUndefined();
    expect(spec.externalClusters).toEqual([
      {
        name: 'origin',
        barmanObjectStore: {
          destinationPath: 's3://acme-backups/test/postgres',
          endpointURL: 'https://s3.eu-west-1.amazonaws.com',
          serverName: 'pg',
          s3Credentials: {
            accessKeyId: { name: 'pg-backup-credentials', key: 'ACCESS_KEY_ID' },
            secretAccessKey: { name: 'pg-backup-credentials', key: 'ACCESS_SECRET_KEY' },
          },
        },
      },
    ]);
    expect(spec.backup.barmanObjectStore.serverName).toBe('pg-r1');
    expect(find(objects, 'ScheduledBackup', 'pg-base-backup').spec.immediate).toBe(true);
  });

  test('recovery without a target replays the whole archive of the named folder', () => {
    const { objects } = renderPostgres({ recovery: PointInTimeRecovery.fromBackups({ sourceServerName: 'pg-r1' }), backupServerName: 'pg-r2' });
    const spec = find(objects, 'Cluster', 'pg').spec;
    expect(spec.bootstrap.recovery.recoveryTarget).toBeUndefined();
    expect(spec.externalClusters[0].barmanObjectStore.serverName).toBe('pg-r1');
  });

  test('with all props: every prop reaches the rendered objects', () => {
    const { chart, namespace } = serviceScope();
    const operator = new ClusterPeer('cnpg', 'operators', { app: 'cnpg' });
    const props: Required<PostgresClusterProps> = {
      ...requiredPostgresProps(namespace, 5),
      vaultPathPrefix: 'generator-platform/staging',
      image: { repository: 'registry.example.com/postgresql', tag: '15.4', digest: 'sha256:' + 'a'.repeat(64) },
      cpuMillis: 2000,
      memoryMi: 4096,
      storageGi: 50,
      walStorageGi: 10,
      storageClass: 'fast-ssd',
      zones: ['z1', 'z2'],
      strictTopologySpread: false,
      databaseName: 'generator',
      databaseOwner: 'generator_owner',
      archiveTimeoutSeconds: 30,
      backupSchedule: '0 30 1 * * *',
      backupRetentionDays: 14,
      backupServerName: 'pg-r3',
      recovery: PointInTimeRecovery.fromBackups({ sourceServerName: 'pg-r2', targetTime: '2026-11-27T14:30:00.5+01:00' }),
      objectStoreEgressCidrs: ['198.51.100.0/24'],
      kubernetesApiPorts: [6443],
      operator,
      poolerReplicas: 3,
      poolerCpuMillis: 1000,
      poolerMemoryMi: 512,
      poolerMaxClientConnections: 2000,
      poolerDefaultPoolSize: 10,
      poolerImage: { repository: 'registry.example.com/pgbouncer', tag: '1.23.0', digest: 'sha256:' + 'c'.repeat(64) },
      extraParameters: { statement_timeout: '30s', work_mem: '8MB' },
      tlsIssuer: { issuerName: 'vault-pki', issuerKind: 'ClusterIssuer' },
      tlsCertificateLifetime: { durationHours: 720, renewBeforeHours: 240 },
      backupEndpointCaBundle: CaBundle.fromPem(ACME_VAULT_CA_BUNDLE_PEM),
    };
    const postgres = new PostgresCluster(chart, 'pg', { ...props, backupEndpointUrl: 'https://minio.example.com:9000' });
    const objects = objectsOf(chart);
    const spec = find(objects, 'Cluster', 'pg').spec;

    expect(spec.instances).toBe(5);
    expect(spec.imageName).toBe(`registry.example.com/postgresql:15.4@sha256:${'a'.repeat(64)}`);
    expect(find(objects, 'Pooler', 'pg-pooler').spec.template.spec.containers[0].image).toBe(`registry.example.com/pgbouncer:1.23.0@sha256:${'c'.repeat(64)}`);
    expect(spec.resources.limits).toEqual({ 'cpu': '2', 'memory': '4Gi', 'ephemeral-storage': '2Gi' });
    expect(spec.storage).toEqual({ size: '50Gi', storageClass: 'fast-ssd', resizeInUseVolumes: true });
    expect(spec.walStorage).toEqual({ size: '10Gi', storageClass: 'fast-ssd', resizeInUseVolumes: true });
    expect(spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe('ScheduleAnyway');
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['z1', 'z2']);
    expect(spec.bootstrap.recovery).toMatchObject({ database: 'generator', owner: 'generator_owner', recoveryTarget: { targetTime: '2026-11-27T14:30:00.5+01:00' } });
    expect(spec.externalClusters[0].barmanObjectStore.serverName).toBe('pg-r2');
    expect(spec.backup.barmanObjectStore.serverName).toBe('pg-r3');
    expect([spec.backup.barmanObjectStore.endpointCA, spec.externalClusters[0].barmanObjectStore.endpointCA]).toEqual([
      { name: 'pg-backup-endpoint-ca', key: 'ca.crt' },
      { name: 'pg-backup-endpoint-ca', key: 'ca.crt' },
    ]);
    expect(find(objects, 'Secret', 'pg-backup-endpoint-ca').data).toEqual({ 'ca.crt': Buffer.from(ACME_VAULT_CA_BUNDLE_PEM).toString('base64') });
    expect(spec.backup.retentionPolicy).toBe('14d');
    expect(spec.postgresql.parameters).toMatchObject({
      archive_timeout: '30s',
      shared_buffers: '1GB',
      max_connections: String(4 * 15 + 30),
      statement_timeout: '30s',
      work_mem: '8MB',
      max_wal_size: '2560MB',
    });
    expect(find(objects, 'ScheduledBackup', 'pg-base-backup').spec.schedule).toBe('0 30 1 * * *');
    const pooler = find(objects, 'Pooler', 'pg-pooler').spec;
    expect(pooler.instances).toBe(3);
    expect(pooler.pgbouncer.parameters).toMatchObject({ max_client_conn: '2000', default_pool_size: '10', max_db_connections: '15' });
    expect(pooler.template.spec.containers[0].resources.limits).toEqual({ 'cpu': '1', 'memory': '512Mi', 'ephemeral-storage': '1Gi' });
    expect(pooler.template.spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe('ScheduleAnyway');
    expect(find(objects, 'NetworkPolicy', 'pg-allow-egress-to-object-store').spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ protocol: 'TCP', port: 9000 }] },
    ]);
    expect(find(objects, 'NetworkPolicy', 'pg-allow-egress-to-kubernetes-api').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 6443 }]);
    expect(find(objects, 'NetworkPolicy', 'pg-allow-from-cnpg').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'operators' } }, podSelector: { matchLabels: { app: 'cnpg' } } },
    ]);
    expect(postgres.databaseName).toBe('generator');
    expect(spec.postgresql.pg_hba).toEqual(['hostnossl all all all reject', 'hostssl generator +generator_readwrite all scram-sha-256', 'hostssl all +generator_readwrite all reject']);
    expect(spec.bootstrap.recovery.secret).toEqual({ name: 'pg-owner-credentials' });
    const owner = find(objects, 'ExternalSecret', 'pg-owner-credentials').spec;
    expect(owner.data[0].remoteRef).toEqual({ key: 'generator-platform/staging/postgres/owner', property: 'password' });
    expect(owner.target.template.data).toEqual({ username: 'generator_owner' });
    expect(find(objects, 'Certificate', 'pg-server-tls').spec).toMatchObject({ duration: '720h', renewBefore: '240h', issuerRef: { kind: 'ClusterIssuer', name: 'vault-pki' } });
    expect(postgres.footprint).toMatchObject({ maxPods: 6, podClaimStorageGi: 60, largestClaimGi: 50 });
  });

  describe('database users: every password from Vault, one least-privileged role per client', () => {
    test('each connected client gets its own login role with no attribute beyond LOGIN, in the read-write group, its password from its own Secret', () => {
      const { objects } = connectedClients(['api', 'generator']);
      const spec = find(objects, 'Cluster', 'pg').spec;
      const role = (name: string) => ({
        name,
        ensure: 'present',
        login: true,
        superuser: false,
        createdb: false,
        createrole: false,
        replication: false,
        bypassrls: false,
        inherit: true,
        // The most the pooler opens for one user: 3 pods (2 + 1 surge) x (20 + 5 reserve).
        connectionLimit: 75,
        inRoles: ['app_readwrite'],
        passwordSecret: { name: `pg-${name}-credentials` },
      });
      expect(spec.managed).toEqual({ roles: [role('api'), role('generator')] });
      expect(spec.enableSuperuserAccess).toBe(false);
      expect(spec.superuserSecret).toBeUndefined();
    });

    test.each([
      ['pg-owner-credentials', 'generator-platform/test/postgres/owner', 'app'],
      ['pg-api-credentials', 'generator-platform/test/postgres/api', 'api'],
      ['pg-generator-credentials', 'generator-platform/test/postgres/generator', 'generator'],
    ])('%s is a basic-auth Secret from Vault %s (password) for user %s, labelled for CloudNativePG to reload', (secretName, vaultPath, username) => {
      const spec = find(connectedClients(['api', 'generator']).objects, 'ExternalSecret', secretName).spec;
      expect(spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: vaultPath, property: 'password' } }]);
      expect(spec.target).toEqual({
        name: secretName,
        creationPolicy: 'Owner',
        deletionPolicy: 'Retain',
        template: { type: 'kubernetes.io/basic-auth', engineVersion: 'v2', mergePolicy: 'Merge', data: { username }, metadata: { labels: { 'cnpg.io/reload': 'true' } } },
      });
      expect(spec.refreshInterval).toBe('15m');
    });

    test('the database owner comes from Vault through initdb, and no client logs in as it or reads the operator\'s app Secret', () => {
      const { objects } = connectedClients(['api', 'generator']);
      const initdb = find(objects, 'Cluster', 'pg').spec.bootstrap.initdb;
      expect(initdb).toMatchObject({ owner: 'app', secret: { name: 'pg-owner-credentials' } });
      for (const service of ['api', 'generator']) {
        const env = find(objects, 'Deployment', service).spec.template.spec.containers[0].env;
        expect(env).toEqual(expect.arrayContaining([
          { name: 'PGUSER', valueFrom: { secretKeyRef: { name: `pg-${service}-credentials`, key: 'username' } } },
          { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: `pg-${service}-credentials`, key: 'password' } } },
        ]));
        // Reloader restarts the pods when the password Secret changes.
        expect(find(objects, 'Deployment', service).metadata.annotations['secret.reloader.stakater.com/reload']).toContain(`pg-${service}-credentials`);
      }
      expect(JSON.stringify(objects)).not.toContain('"pg-app"');
      expect(JSON.stringify(objects)).not.toContain('pg-owner-credentials","key"');
    });

    test('the read-write group gets data access to whatever the owner creates, nothing more; clients stay in the application database', () => {
      const spec = find(connectedClients(['api']).objects, 'Cluster', 'pg').spec;
      const sql: string[] = spec.bootstrap.initdb.postInitApplicationSQL;
      expect(sql[0]).toBe('CREATE ROLE "app_readwrite" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS');
      expect(sql).toContain('ALTER DEFAULT PRIVILEGES FOR ROLE "app" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "app_readwrite"');
      // The pooler's auth user relies on PUBLIC's CONNECT and USAGE on public: nothing revokes them.
      expect(sql.filter((statement) => /REVOKE|TRUNCATE|CREATE ON|ALL PRIVILEGES/.test(statement))).toEqual([]);
      expect(spec.postgresql.pg_hba).toEqual(['hostnossl all all all reject', 'hostssl app +app_readwrite all scram-sha-256', 'hostssl all +app_readwrite all reject']);
    });

    test('a client with a hyphenated name gets an underscored role and keeps its name elsewhere', () => {
      const { objects } = connectedClients(['report-builder']);
      expect(find(objects, 'Cluster', 'pg').spec.managed.roles[0]).toMatchObject({ name: 'report_builder', passwordSecret: { name: 'pg-report-builder-credentials' } });
      const secret = find(objects, 'ExternalSecret', 'pg-report-builder-credentials').spec;
      expect(secret.data[0].remoteRef.key).toBe('generator-platform/test/postgres/report-builder');
      expect(secret.target.template.data).toEqual({ username: 'report_builder' });
    });
  });

  describe('fails', () => {
    const attempt = (overrides: Partial<PostgresClusterProps>, id = 'pg') => () => {
      const { chart, namespace } = serviceScope();
      new PostgresCluster(chart, id, { ...requiredPostgresProps(namespace), ...overrides });
    };

    test.each([2, 0, 1.5, 10])('fails on %p instances', (instances) => {
      expect(attempt({ instances })).toThrow(`PostgresCluster pg: instances is ${instances}; use 1 (no high availability) or 3 to 9`);
    });

    test('fails with a PropError that names the construct, the prop and the value, so that synth can name the config field', () => {
      let error: unknown;
      try {
        attempt({ instances: 2 })();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PropError);
      expect(error).toMatchObject({ constructId: 'pg', prop: 'instances', value: 2 });
      expect((error as PropError).fix).toMatch(/^use 1 \(no high availability\) or 3 to 9/);
    });

    test.each(['https://bucket/backups', 's3://Acme/postgres'])('fails on the backup location %p, which is not s3://<bucket>/<path>', (backupDestinationPath) => {
      expect(attempt({ backupDestinationPath })).toThrow(`PostgresCluster pg: backupDestinationPath is ${JSON.stringify(backupDestinationPath)}; use s3://<bucket>/<path>`);
    });

    test('fails with a single pooler pod in front of a highly available cluster', () => {
      expect(attempt({ poolerReplicas: 1 })).toThrow('PostgresCluster pg: poolerReplicas is 1; use at least 2 for a highly available cluster');
    });

    test('fails on an image that is not PostgreSQL 15', () => {
      expect(attempt({ image: { repository: 'ghcr.io/cloudnative-pg/postgresql', tag: '16.1' } })).toThrow('PostgresCluster pg: image.tag is "16.1"; use a PostgreSQL 15 tag');
    });

    test('fails on an archive_timeout that leaves no room in a 5-minute RPO', () => {
      expect(attempt({ archiveTimeoutSeconds: 300 })).toThrow('PostgresCluster pg: archiveTimeoutSeconds is 300; use a whole number of seconds');
    });

    test('fails on a destination that is not an s3:// path', () => {
      expect(attempt({ backupDestinationPath: 'acme-backups/postgres' })).toThrow('PostgresCluster pg: backupDestinationPath is "acme-backups/postgres"; use s3://<bucket>/<path>');
    });

    test('fails on a certificate renewed later than half its lifetime', () => {
      expect(attempt({ tlsCertificateLifetime: { durationHours: 720, renewBeforeHours: 500 } })).toThrow('TlsCertificate pg-server-tls: renewBeforeHours 500 must be a positive whole number at most half of durationHours 720');
    });

    test('fails on a plain-HTTP object store endpoint', () => {
      expect(attempt({ backupEndpointUrl: 'http://minio:9000' })).toThrow('PostgresCluster pg: backupEndpointUrl is "http://minio:9000"; use the HTTPS endpoint');
    });

    test('fails to restore into the folder it restores from', () => {
      expect(attempt({ recovery: PointInTimeRecovery.fromBackups() })).toThrow('PostgresCluster pg: backupServerName is "pg"; restoring from that folder, archive into a new one (e.g. pg-r1)');
    });

    test('fails on a recovery target without an offset', () => {
      expect(() => PointInTimeRecovery.fromBackups({ targetTime: '2026-11-27 14:30' })).toThrow('PointInTimeRecovery: targetTime is "2026-11-27 14:30"; use RFC 3339 with an explicit offset');
    });

    test('fails on a five-field (Kubernetes CronJob) schedule', () => {
      expect(attempt({ backupSchedule: '0 3 * * *' })).toThrow('PostgresCluster pg: backupSchedule is "0 3 * * *"; use six cron fields, seconds first');
    });

    test('fails on a missing or malformed API server CIDR', () => {
      expect(attempt({ kubernetesApiCidrs: [] })).toThrow('PostgresCluster pg: kubernetesApiCidrs is []; list one or more IPv4 CIDRs');
      expect(attempt({ objectStoreEgressCidrs: ['10.0.0.300/32'] })).toThrow('PostgresCluster pg: objectStoreEgressCidrs is ["10.0.0.300/32"]');
    });

    test('fails on no object store CIDR, or one that opens the whole internet', () => {
      expect(attempt({ objectStoreEgressCidrs: [] })).toThrow('PostgresCluster pg: objectStoreEgressCidrs is []; list one or more IPv4 CIDRs');
      expect(attempt({ objectStoreEgressCidrs: ['0.0.0.0/0'] })).toThrow('PostgresCluster pg: objectStoreEgressCidrs is ["0.0.0.0/0"]; list the destination\'s own ranges');
      expect(attempt({ kubernetesApiCidrs: ['10.0.0.0/0'] })).toThrow('PostgresCluster pg: kubernetesApiCidrs is ["10.0.0.0/0"]; list the destination\'s own ranges');
    });

    test('fails on a Vault prefix that is not a KV path', () => {
      expect(attempt({ vaultPathPrefix: '/secret/data/platform/' })).toThrow('PostgresCluster pg: vaultPathPrefix is "/secret/data/platform/"; use a KV path');
    });

    test('fails on a database name too long for its read-write group role', () => {
      expect(attempt({ databaseName: 'd'.repeat(54) })).toThrow(`PostgresCluster pg: databaseName is "${'d'.repeat(54)}"; use at most 53 characters`);
    });

    test('fails on an owner that would be the clients\' group', () => {
      expect(attempt({ databaseOwner: 'app_readwrite' })).toThrow('PostgresCluster pg: databaseOwner is "app_readwrite"; use another name');
    });

    test('fails to connect the same client twice', () => {
      const { chart, namespace } = serviceScope();
      const postgres = new PostgresCluster(chart, 'pg', requiredPostgresProps(namespace));
      const api = new LongRunningService(chart, 'api', { namespace, component: 'backend', image: IMAGE, replicas: Replicas.fixed(1), resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
      postgres.connect(api);
      expect(() => postgres.connect(api)).toThrow('PostgresCluster pg: client "api" cannot connect: it is already connected (role "api"); connect each client once');
    });

    test.each([
      ['pg-stats', 'its role name would be "pg_stats"; PostgreSQL reserves names starting with pg_'],
      ['postgres', 'its role name would be "postgres"; PostgreSQL or CloudNativePG reserves it'],
      ['owner', 'owner and backup name the owner\'s and the backups\' credentials'],
      ['app', 'its role name "app" is the database owner\'s or the read-write group\'s'],
      ['9lives', 'its role name would be "9lives"; use a lower-case SQL identifier'],
    ])('fails to connect a client named %p', (name, problem) => {
      const { chart, namespace } = serviceScope();
      const postgres = new PostgresCluster(chart, 'pg', requiredPostgresProps(namespace));
      // Any IStoreClient: the role name is checked before anything is opened for it.
      const client: IStoreClient = {
        name, peerName: name, toNetworkPolicyPeer: () => ({}), allowEgressTo: () => undefined, addEnvironment: () => undefined, trustCertificateAuthority: () => '/ca.crt',
      };
      expect(() => postgres.connect(client)).toThrow(`PostgresCluster pg: client "${name}" cannot connect: ${problem}`);
    });

    test('fails on a parameter the operator manages', () => {
      expect(attempt({ extraParameters: { archive_command: '/bin/true' } })).toThrow('PostgresCluster pg: an extraParameters entry is "archive_command"; leave it out: CloudNativePG manages it');
    });

    test('fails on a reserved database owner', () => {
      expect(attempt({ databaseOwner: 'postgres' })).toThrow('PostgresCluster pg: databaseOwner is "postgres"; use a lower-case SQL identifier');
    });

    test('fails on a too-small WAL volume', () => {
      expect(attempt({ walStorageGi: 1 })).toThrow('PostgresCluster pg: walStorageGi is 1; use a whole number of GiB from 2 to 4096');
    });

    test('fails on an id that is not a DNS label', () => {
      expect(attempt({}, 'Postgres_DB')).toThrow('PostgresCluster Postgres_DB: the construct id (used as the cluster name) is "Postgres_DB"');
    });
  });
});
