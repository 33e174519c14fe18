import { JsonObject, list, numberOf, record, text } from './json';
import { RenderedObject } from './manifests';
import { estimate, Failure, figure, RecoveryFigure } from './recovery-figure';
import { REDIS_FSYNC_LOSS_SECONDS, REDIS_REPLICATION_LAG_SECONDS, WAL_UPLOAD_SECONDS } from './recovery-constants';

/**
 * RPO per store and failure, from the stores' rendered settings: what acknowledged writes a
 * failure can lose. docs/disaster-recovery.md explains each case; this reads the settings it names.
 */
export function recoveryPoints(objects: readonly RenderedObject[]): RecoveryFigure[] {
  return [
    ...objects.filter((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/')).flatMap(postgresPoints),
    ...redisPoints(objects),
    ...rabbitmqPoints(objects),
  ];
}

/** A PostgreSQL time setting (`60s`, `5min`, `300`: seconds by default) in seconds; undefined when unset or unreadable. */
export function postgresSeconds(value: unknown): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$/.exec(String(value ?? ''));
  if (!match) {
    return undefined;
  }
  const factor: Record<string, number> = { ms: 0.001, s: 1, min: 60, h: 3600, d: 86400 };
  return Number(match[1]) * factor[match[2] ?? 's'];
}

/** Whether the pods are spread over zones strictly (no zone holds two while another has none). */
export function spreadOverZones(spec: JsonObject): boolean {
  return list(spec.topologySpreadConstraints).map(record)
    .some((c) => c.topologyKey === 'topology.kubernetes.io/zone' && c.whenUnsatisfiable === 'DoNotSchedule' && (numberOf(c.maxSkew) ?? 1) <= 1);
}

function postgresPoints(cluster: RenderedObject): RecoveryFigure[] {
  const subject = `Cluster/${cluster.name}`;
  const spec = record(cluster.body.spec);
  const parameters = record(record(spec.postgresql).parameters);
  const instances = numberOf(spec.instances) ?? 1;
  const minSync = numberOf(spec.minSyncReplicas) ?? 0;
  const commit = text(parameters.synchronous_commit) ?? 'on';
  // remote_write, on and remote_apply wait for the standby; off and local do not (PostgreSQL 15, synchronous_commit).
  const commitWaits = !['off', 'local'].includes(commit);
  const region = postgresRegionPoint(subject, spec, parameters);
  const failover = (failure: Failure) => {
    if (instances < 2) {
      return figure(subject, failure, 0, 'a single instance restarts on its volume, which outlives a pod or node (network block storage): every commit is in its WAL', `${subject} spec.instances = ${instances}`);
    }
    if (minSync < 1) {
      return figure(subject, failure, Infinity, `primary lost with no synchronous standby: what had not streamed to a standby is lost (${instances} instances, minSyncReplicas ${minSync})`, `${subject} spec.minSyncReplicas = ${minSync} (needs >= 1 with instances >= 2)`);
    }
    if (!commitWaits) {
      return figure(subject, failure, Infinity, `primary lost: commits return before the synchronous standby has them (synchronous_commit ${commit})`, `${subject} spec.postgresql.parameters.synchronous_commit = ${commit}`);
    }
    return figure(subject, failure, 0, `primary lost with a synchronous standby: every commit is on the standby that is promoted (minSyncReplicas ${minSync}, synchronous_commit ${commit})`, `${subject} spec.minSyncReplicas = ${minSync}`);
  };
  const zone = instances >= 2 && spreadOverZones(spec)
    ? failover(Failure.ZONE)
    : { ...region, failure: Failure.ZONE, assumes: `zone lost with no standby in another zone (${instances} instances, ${spreadOverZones(spec) ? 'spread' : 'no zone spread'}): the archive is all that remains; ${region.assumes}` };
  return [failover(Failure.POD), failover(Failure.NODE), zone, region];
}

function postgresRegionPoint(subject: string, spec: JsonObject, parameters: JsonObject): RecoveryFigure {
  if (Object.keys(record(record(spec.backup).barmanObjectStore)).length === 0) {
    return figure(subject, Failure.REGION, Infinity, 'region lost with no WAL archive outside it: the database is lost', `${subject} spec.backup.barmanObjectStore (unset)`);
  }
  const timeout = postgresSeconds(parameters.archive_timeout);
  if (timeout === undefined || timeout === 0) {
    return figure(subject, Failure.REGION, Infinity, 'region lost: a WAL segment is archived only when full (16 MB), however long that takes', `${subject} spec.postgresql.parameters.archive_timeout = ${String(parameters.archive_timeout ?? 'unset')}`);
  }
  return figure(subject, Failure.REGION, timeout + WAL_UPLOAD_SECONDS, `region lost: the object store's WAL archive is at most archive_timeout (${timeout} s) plus one segment upload (${WAL_UPLOAD_SECONDS} s) behind`, `${subject} spec.postgresql.parameters.archive_timeout = ${String(parameters.archive_timeout)}`);
}

/** `key value` lines of a redis.conf. */
function redisSettings(conf: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of conf.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
    const [key, ...rest] = line.split(/\s+/);
    settings.set(key.toLowerCase(), rest.join(' ').replace(/^"(.*)"$/, '$1'));
  }
  return settings;
}

/** The rendered redis.conf of the environment, with the ConfigMap it is in; undefined without Redis. */
export function redisConfig(objects: readonly RenderedObject[]): { readonly name: string; readonly settings: Map<string, string> } | undefined {
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && typeof record(o.body.data)['redis.conf'] === 'string');
  return configMap && { name: `ConfigMap/${configMap.name} redis.conf`, settings: redisSettings(String(record(configMap.body.data)['redis.conf'])) };
}

/** Whether the bootstrap Job plans a replica for each primary (`REDIS_REPLICAS`). */
export function redisHasReplicas(objects: readonly RenderedObject[]): boolean {
  return objects.filter((o) => o.kind === 'Job').some((job) => list(record(record(record(job.body.spec).template).spec).containers)
    .flatMap((c) => list(record(c).env)).map(record)
    .some((env) => env.name === 'REDIS_REPLICAS' && (text(env.value) ?? '').trim() !== ''));
}

function redisPoints(objects: readonly RenderedObject[]): RecoveryFigure[] {
  const config = redisConfig(objects);
  if (config === undefined) {
    return [];
  }
  const subject = 'Redis';
  const aof = config.settings.get('appendonly') === 'yes';
  const fsync = config.settings.get('appendfsync') ?? 'everysec';
  const fsyncLoss = aof ? (REDIS_FSYNC_LOSS_SECONDS[fsync] ?? Infinity) : Infinity;
  const fsyncSetting = aof ? `${config.name}: appendfsync ${fsync}` : `${config.name}: appendonly ${config.settings.get('appendonly') ?? 'no'}`;
  const replicas = redisHasReplicas(objects);
  const lost = (failure: Failure, what: string) => replicas
    ? figure(subject, failure, Math.max(REDIS_REPLICATION_LAG_SECONDS, failure === Failure.POD ? fsyncLoss : 0), `${what}: its replica in another zone is promoted; replication is asynchronous (~${REDIS_REPLICATION_LAG_SECONDS} s behind)${failure === Failure.POD ? `, and a restart on its volume loses at most the AOF fsync interval (${fsync})` : ''}`, failure === Failure.POD ? fsyncSetting : 'the bootstrap Job REDIS_REPLICAS')
    : failure === Failure.ZONE
      ? figure(subject, failure, Infinity, `${what} with no replica: the shard's volume is in the lost zone`, 'the bootstrap Job REDIS_REPLICAS (empty)')
      : figure(subject, failure, fsyncLoss, `${what} with no replica: it restarts on its volume, which outlives a pod or node, losing the AOF fsync interval (${fsync})`, fsyncSetting);
  return [
    lost(Failure.POD, 'a primary\'s pod lost'),
    lost(Failure.NODE, 'a primary\'s node lost'),
    lost(Failure.ZONE, 'a zone lost'),
    estimate(subject, Failure.REGION, Infinity, 'region lost: sessions and caches are rebuilt, not restored (docs/disaster-recovery.md, Redis): users sign in again', 'none: Redis holds no data that must survive a region'),
  ];
}

function rabbitmqPoints(objects: readonly RenderedObject[]): RecoveryFigure[] {
  const broker = objects.find((o) => o.kind === 'RabbitmqCluster');
  if (broker === undefined) {
    return [];
  }
  const subject = `RabbitmqCluster/${broker.name}`;
  const replicas = numberOf(record(broker.body.spec).replicas) ?? 1;
  const queues = objects.filter((o) => o.kind === 'Queue' && o.apiVersion.startsWith('rabbitmq.com/'));
  const classic = queues.find((q) => text(record(q.body.spec).type) !== 'quorum');
  const lost = (failure: Failure, what: string) => {
    if (classic !== undefined) {
      return figure(subject, failure, Infinity, `${what}: queue ${text(record(classic.body.spec).name) ?? classic.name} is not a quorum queue; its messages live on one node`, `Queue/${classic.name} spec.type = ${text(record(classic.body.spec).type) ?? 'classic (unset)'}`);
    }
    if (replicas < 3) {
      return failure === Failure.ZONE
        ? figure(subject, failure, Infinity, `${what}: ${replicas} node(s), no majority outside the zone: the queue's volume is in the lost zone`, `${subject} spec.replicas = ${replicas}`)
        : figure(subject, failure, 0, `${what}: ${replicas} node(s): the queue waits, but a confirmed message is on the node's volume, which outlives a pod or node`, `${subject} spec.replicas = ${replicas}`);
    }
    return figure(subject, failure, 0, `${what}: quorum queues confirm a message once a majority of the ${replicas} nodes has it`, `Queue type quorum (${queues.length} queues), ${subject} spec.replicas = ${replicas}`);
  };
  const spread = spreadOverZones(record(broker.body.spec)) || hasZoneSpreadOverride(broker);
  const zone = spread
    ? lost(Failure.ZONE, 'a zone lost (one node per zone)')
    : figure(subject, Failure.ZONE, Infinity, 'a zone lost with no zone spread: it may hold a majority of the nodes', `${subject} topologySpreadConstraints (no zone spread)`);
  return [
    lost(Failure.POD, 'a node\'s pod lost'),
    lost(Failure.NODE, 'a Kubernetes node lost'),
    zone,
    estimate(subject, Failure.REGION, 0, 'region lost: messages in flight are lost; the API re-publishes unfinished jobs from PostgreSQL, so jobs follow PostgreSQL\'s region RPO (docs/disaster-recovery.md, RabbitMQ)', 'the jobs table in PostgreSQL'),
  ];
}

/** The RabbitMQ Cluster Operator takes the zone spread from the StatefulSet override. */
function hasZoneSpreadOverride(broker: RenderedObject): boolean {
  const template = record(record(record(record(record(broker.body.spec).override).statefulSet).spec).template);
  return spreadOverZones(record(template.spec)) || spreadOverZones(record(broker.body.spec));
}
