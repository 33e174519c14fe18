import { DEFAULT_MODEL_OPTIONS, ModelOptions, PROBE_DEFAULTS, SWITCHOVER_SECONDS } from './budget-constants';
import { JsonObject, list, numberOf, record, text } from './json';
import { RenderedObject } from './manifests';
import { podReadiness } from './pod-readiness';
import { estimate, Failure, figure, RecoveryFigure } from './recovery-figure';
import {
  DEFAULT_TOLERATION_SECONDS, NODE_FAILURE_DETECTED_SECONDS, NODE_TAINTED_SECONDS, POSTGRES_FAILURE_DETECTION_SECONDS, POSTGRES_RESTORE_SECONDS,
  QUORUM_QUEUE_ELECTION_SECONDS, RABBITMQ_NET_TICKTIME_SECONDS, REDIS_FAILOVER_AFTER_TIMEOUT_SECONDS,
} from './recovery-constants';
import { redisConfig, redisHasReplicas, spreadOverZones } from './recovery-points';

/**
 * RTO per failure of each service and store: how long until it serves again in full (`seconds`),
 * and how much of that requests fail (`outageSeconds`, what the availability budget pays). From
 * probe timings, NoExecute tolerations, grace periods and failover settings as rendered.
 */
export interface RecoveryTime extends RecoveryFigure {
  readonly outageSeconds: number;
}

export function recoveryTimes(objects: readonly RenderedObject[], options: ModelOptions = DEFAULT_MODEL_OPTIONS): RecoveryTime[] {
  const services = objects.filter((o) => o.kind === 'Rollout' || (o.kind === 'Deployment' && !isRolloutTemplate(o, objects)));
  return [
    ...services.flatMap((service) => serviceTimes(service, objects, options)),
    ...objects.filter((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/')).flatMap(postgresTimes),
    ...redisTimes(objects),
    ...objects.filter((o) => o.kind === 'RabbitmqCluster').flatMap(rabbitmqTimes),
  ];
}

function isRolloutTemplate(deployment: RenderedObject, objects: readonly RenderedObject[]): boolean {
  return objects.some((o) => o.kind === 'Rollout' && record(record(o.body.spec).workloadRef).name === deployment.name);
}

/** The NoExecute toleration of `key`: seconds (Infinity when it tolerates forever) and the setting's name. */
function toleration(podSpec: JsonObject, key: string, subject: string): { readonly seconds: number; readonly setting: string } {
  const match = list(podSpec.tolerations).map(record)
    .find((t) => (t.key === key || (t.key === undefined && t.operator === 'Exists')) && (t.effect === undefined || t.effect === 'NoExecute'));
  if (match === undefined) {
    return { seconds: DEFAULT_TOLERATION_SECONDS, setting: `${subject} toleration ${key} (unset: the admission default ${DEFAULT_TOLERATION_SECONDS} s)` };
  }
  const seconds = numberOf(match.tolerationSeconds) ?? Infinity;
  return { seconds, setting: `${subject} spec.template.spec.tolerations ${key} tolerationSeconds ${Number.isFinite(seconds) ? seconds : 'unset (forever)'}` };
}

/** How long a probe takes to fail: every period up to the threshold, the last one timing out. */
function probeFailureSeconds(probe: JsonObject): number {
  const period = numberOf(probe.periodSeconds) ?? PROBE_DEFAULTS.periodSeconds;
  return period * (numberOf(probe.failureThreshold) ?? PROBE_DEFAULTS.failureThreshold) + (numberOf(probe.timeoutSeconds) ?? 1);
}

function minimumReplicas(service: RenderedObject, objects: readonly RenderedObject[]): number {
  const scaler = objects.find((o) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(o.kind) && record(record(o.body.spec).scaleTargetRef).name === service.name);
  const spec = record(scaler?.body.spec);
  return numberOf(spec.minReplicas) ?? numberOf(spec.minReplicaCount) ?? numberOf(record(service.body.spec).replicas) ?? 1;
}

function serviceTimes(service: RenderedObject, objects: readonly RenderedObject[], options: ModelOptions): RecoveryTime[] {
  const subject = `${service.kind}/${service.name}`;
  const spec = record(service.body.spec);
  const podSpec = record(record(spec.template).spec);
  const main = record(list(podSpec.containers)[0]);
  const start = podReadiness(podSpec, numberOf(spec.minReadySeconds) ?? 0, options.expectedStartSecondsByService[service.name] ?? options.defaultExpectedStartSeconds, options).totalSeconds;
  const replicas = minimumReplicas(service, objects);
  const redundant = replicas >= 2;
  const readiness = probeFailureSeconds(record(main.readinessProbe));
  const liveness = probeFailureSeconds(record(main.livenessProbe));
  const grace = numberOf(podSpec.terminationGracePeriodSeconds) ?? 30;
  const notReady = toleration(podSpec, 'node.kubernetes.io/not-ready', subject);
  const unreachable = toleration(podSpec, 'node.kubernetes.io/unreachable', subject);
  const nodeToleration = notReady.seconds >= unreachable.seconds ? notReady : unreachable;
  const evicted = (t: { readonly seconds: number }) => NODE_TAINTED_SECONDS + t.seconds + start;
  const spread = spreadOverZones(podSpec);
  const shared = `${replicas} replicas at least; a new pod is ready in ${round(start)} s`;
  const time = (failure: Failure, seconds: number, outage: number, assumes: string, setting: string): RecoveryTime => ({ ...figure(subject, failure, seconds, `${assumes} (${shared})`, setting), outageSeconds: outage });
  return [
    time(Failure.POD, liveness + grace + start, redundant ? readiness : liveness + grace + start,
      `a pod hangs: readiness fails in ${round(readiness)} s (its share of requests fails until then), liveness in ${round(liveness)} s, the kubelet waits out the ${grace} s grace period and restarts it`,
      `${subject} livenessProbe and terminationGracePeriodSeconds ${grace}`),
    time(Failure.NODE, evicted(nodeToleration), redundant ? NODE_FAILURE_DETECTED_SECONDS : evicted(nodeToleration),
      `a node fails: its pods are marked not ready after ${NODE_FAILURE_DETECTED_SECONDS} s, tainted after ${NODE_TAINTED_SECONDS} s, evicted after the not-ready (${notReady.seconds} s) or unreachable (${unreachable.seconds} s) toleration and replaced`,
      nodeToleration.setting),
    time(Failure.ZONE, evicted(unreachable), redundant && spread ? NODE_FAILURE_DETECTED_SECONDS : evicted(unreachable),
      `a zone's nodes stop answering: as a node, with the unreachable toleration; ${spread ? 'the zone spread keeps replicas in the other zones' : 'NO zone spread: every replica may be in the lost zone'}`,
      spread ? unreachable.setting : `${subject} topologySpreadConstraints (no zone spread)`),
    { ...estimate(subject, Failure.REGION, POSTGRES_RESTORE_SECONDS, 're-synced in another region by Argo CD; serves once PostgreSQL is restored (the restore dominates)', 'the PostgreSQL restore (docs/disaster-recovery.md)'), outageSeconds: POSTGRES_RESTORE_SECONDS },
  ];
}

function postgresTimes(cluster: RenderedObject): RecoveryTime[] {
  const subject = `Cluster/${cluster.name}`;
  const spec = record(cluster.body.spec);
  const instances = numberOf(spec.instances) ?? 1;
  const failoverDelay = numberOf(spec.failoverDelay) ?? 0;
  const failover = (failure: Failure, detection: number, how: string): RecoveryTime => {
    if (instances < 2) {
      return { ...figure(subject, failure, Infinity, `${how}: a single instance has no standby to promote`, `${subject} spec.instances = ${instances}`), outageSeconds: Infinity };
    }
    const seconds = detection + failoverDelay + SWITCHOVER_SECONDS;
    return { ...figure(subject, failure, seconds, `${how} (${detection} s), failoverDelay ${failoverDelay} s, then the most aligned standby is promoted and the -rw Service and pooler follow (${SWITCHOVER_SECONDS} s)`, `${subject} spec.failoverDelay = ${failoverDelay}`), outageSeconds: seconds };
  };
  const zone = spreadOverZones(spec)
    ? failover(Failure.ZONE, NODE_FAILURE_DETECTED_SECONDS, 'the zone\'s instance (one per zone) is lost as its node is')
    : { ...figure(subject, Failure.ZONE, Infinity, 'no zone spread: every instance may be in the lost zone', `${subject} spec.topologySpreadConstraints (no zone spread)`), outageSeconds: Infinity };
  return [
    failover(Failure.POD, POSTGRES_FAILURE_DETECTION_SECONDS, 'the primary\'s instance manager stops answering and the operator notices'),
    failover(Failure.NODE, NODE_FAILURE_DETECTED_SECONDS, 'the primary\'s node is marked not ready'),
    zone,
    { ...estimate(subject, Failure.REGION, POSTGRES_RESTORE_SECONDS, 'restore from the object store in another region: newest base backup plus WAL replay, "about 10-15 minutes" for 100Gi; measure it in a restore drill', 'docs/disaster-recovery.md, PostgreSQL restore procedure'), outageSeconds: POSTGRES_RESTORE_SECONDS },
  ];
}

function redisTimes(objects: readonly RenderedObject[]): RecoveryTime[] {
  const config = redisConfig(objects);
  if (config === undefined) {
    return [];
  }
  const timeoutMs = Number(config.settings.get('cluster-node-timeout') ?? 15000);
  const seconds = timeoutMs / 1000 + REDIS_FAILOVER_AFTER_TIMEOUT_SECONDS;
  const replicas = redisHasReplicas(objects);
  const shard = (failure: Failure, what: string): RecoveryTime => replicas
    ? { ...figure('Redis', failure, seconds, `${what}: its shard's replica is promoted after cluster-node-timeout ${timeoutMs} ms plus ${REDIS_FAILOVER_AFTER_TIMEOUT_SECONDS} s (measured); other shards are not interrupted`, `${config.name}: cluster-node-timeout ${timeoutMs}`), outageSeconds: seconds }
    : { ...figure('Redis', failure, Infinity, `${what}: no replica to promote`, 'the bootstrap Job REDIS_REPLICAS (empty)'), outageSeconds: Infinity };
  return [
    shard(Failure.POD, 'a primary\'s pod lost'),
    shard(Failure.NODE, 'a primary\'s node lost'),
    shard(Failure.ZONE, 'a zone lost (one primary per zone)'),
    { ...estimate('Redis', Failure.REGION, 0, 'region lost: re-formed empty by the bootstrap hook on the first sync (docs/disaster-recovery.md); within the services\' region recovery', 'none'), outageSeconds: 0 },
  ];
}

function rabbitmqTimes(broker: RenderedObject): RecoveryTime[] {
  const subject = `RabbitmqCluster/${broker.name}`;
  const spec = record(broker.body.spec);
  const replicas = numberOf(spec.replicas) ?? 1;
  const configured = /^\s*net_ticktime\s*=\s*(\d+)\s*$/m.exec(text(record(spec.rabbitmq).additionalConfig) ?? '');
  const ticktime = configured ? Number(configured[1]) : RABBITMQ_NET_TICKTIME_SECONDS;
  const detect = ticktime * 1.25;
  const elect = (failure: Failure, detection: number, how: string): RecoveryTime => replicas >= 3
    ? { ...figure(subject, failure, detection + QUORUM_QUEUE_ELECTION_SECONDS, `${how}, then the quorum queues elect a new leader and clients reconnect (${QUORUM_QUEUE_ELECTION_SECONDS} s, assumed)`, configured ? `${subject} net_ticktime = ${ticktime}` : `${subject} net_ticktime (unset: RabbitMQ's default ${ticktime} s)`), outageSeconds: detection + QUORUM_QUEUE_ELECTION_SECONDS }
    : { ...figure(subject, failure, Infinity, `${how}: ${replicas} node(s) keep no majority`, `${subject} spec.replicas = ${replicas}`), outageSeconds: Infinity };
  return [
    elect(Failure.POD, 0, 'a node\'s pod stops: its connections close at once'),
    elect(Failure.NODE, detect, `a Kubernetes node goes silent: noticed within net_ticktime x 1.25 (${detect} s)`),
    elect(Failure.ZONE, detect, 'a zone goes silent (one node per zone): as a node'),
    { ...estimate(subject, Failure.REGION, POSTGRES_RESTORE_SECONDS, `re-created by the operators in another region; unfinished jobs re-published once PostgreSQL is restored`, 'docs/disaster-recovery.md, RabbitMQ restore procedure'), outageSeconds: POSTGRES_RESTORE_SECONDS },
  ];
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
