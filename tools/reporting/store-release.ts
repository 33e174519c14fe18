import { ModelOptions } from './budget-constants';
import { JsonObject, numberOf, record, text } from './json';
import { RenderedObject } from './manifests';
import { PodReadiness, podReadiness } from './pod-readiness';
import { TimeCategory, TimeComponent } from './release-estimate';

/** A store's roll as its operator (or the StatefulSet controller) performs it, from its rendered settings. */
export interface StoreRelease {
  readonly strategy: string;
  readonly replicas: number;
  readonly pod: PodReadiness;
  readonly components: TimeComponent[];
}

/** CloudNativePG 1.22.5's instance probes (pkg/specs/pods.go): startup and readiness every 10 s. */
const CNPG_PROBE_PERIOD_SECONDS = 10;

/**
 * RabbitMQ Cluster Operator 2.7.0's readiness probe of a node (internal/resource/statefulset.go,
 * `podTemplateSpec`): TCP on the AMQP(S) port, initialDelaySeconds 10, periodSeconds 10.
 */
const RABBITMQ_READINESS_PROBE = { initialDelaySeconds: 10, periodSeconds: 10, successThreshold: 1 };

/** The RabbitmqCluster CRD's default terminationGracePeriodSeconds (one week: the preStop waits for quorum). */
const RABBITMQ_DEFAULT_GRACE_SECONDS = 604800;

/**
 * A CloudNativePG Cluster's rolling update (CloudNativePG 1.22 docs, "Rolling Updates"): the
 * replicas one pod at a time (each stopped, then recreated on its volumes: pull, start, ready),
 * then the primary: `switchover` promotes the most aligned replica and recreates the old primary
 * as a replica, `restart` restarts it in place; `primaryUpdateStrategy: supervised` waits for a
 * person (unbounded). The settings (startDelay, stopDelay, switchoverDelay) are failure bounds,
 * shown in the detail; the expected times are the model's constants.
 */
export function postgresClusterRelease(cluster: RenderedObject, expectedStartSeconds: number, options: ModelOptions, notes: string[]): StoreRelease {
  const spec = record(cluster.body.spec);
  const instances = numberOf(spec.instances) ?? 1;
  const startDelay = numberOf(spec.startDelay) ?? 3600;
  const stopDelay = numberOf(spec.stopDelay) ?? 1800;
  const switchoverDelay = numberOf(spec.switchoverDelay) ?? 3600;
  const strategy = text(spec.primaryUpdateStrategy) ?? 'unsupervised';
  const method = text(spec.primaryUpdateMethod) ?? 'restart';
  const container: JsonObject = {
    startupProbe: { periodSeconds: CNPG_PROBE_PERIOD_SECONDS, failureThreshold: Math.max(1, Math.ceil(startDelay / CNPG_PROBE_PERIOD_SECONDS)) },
    readinessProbe: { periodSeconds: CNPG_PROBE_PERIOD_SECONDS },
  };
  const pod = podReadiness({ containers: [container] }, 0, expectedStartSeconds, options);
  const stop = Math.min(options.storeStopSeconds, stopDelay);
  const perInstance = stop + pod.totalSeconds;
  const components: TimeComponent[] = [{
    category: TimeCategory.ROLLOUT,
    seconds: instances * perInstance,
    detail: `${instances - 1} replica(s), then the primary, one at a time x (stop ${stop} s of stopDelay ${stopDelay} s + ${pod.totalSeconds} s; startDelay ${startDelay} s bounds the start)`,
  }];
  if (instances > 1 && strategy === 'supervised') {
    components.push({ category: TimeCategory.PAUSES, seconds: Infinity, detail: 'primaryUpdateStrategy: supervised waits for a manual switchover' });
    notes.push('primaryUpdateStrategy: supervised: the primary waits for a person (unbounded)');
  } else if (instances > 1 && method === 'switchover') {
    components.push({ category: TimeCategory.SWITCH, seconds: options.switchoverSeconds, detail: `switchover to the most aligned replica ${options.switchoverSeconds} s (switchoverDelay ${switchoverDelay} s bounds the old primary's shutdown)` });
  } else {
    notes.push(`${instances === 1 ? 'one instance' : `primaryUpdateMethod: ${method}`}: the primary restarts in place, writes are refused until it is back (${perInstance} s)`);
  }
  return { strategy: `${strategy}/${method}`, replicas: instances, pod, components };
}

/**
 * A RabbitmqCluster's roll: the operator's StatefulSet replaces one node at a time (RollingUpdate,
 * partition 0), each stopped through the preStop hook (quorum queues must keep a quorum without
 * it, then it drains; bounded by terminationGracePeriodSeconds) and restarted: pull, boot, the
 * readiness probe.
 */
export function rabbitmqClusterRelease(cluster: RenderedObject, expectedStartSeconds: number, options: ModelOptions): StoreRelease {
  const spec = record(cluster.body.spec);
  const replicas = numberOf(spec.replicas) ?? 1;
  const grace = numberOf(spec.terminationGracePeriodSeconds) ?? RABBITMQ_DEFAULT_GRACE_SECONDS;
  const pod = podReadiness({ containers: [{ readinessProbe: RABBITMQ_READINESS_PROBE }] }, 0, expectedStartSeconds, options);
  return { strategy: 'RollingUpdate', replicas, pod, components: [oneAtATime(replicas, Math.min(options.storeStopSeconds, grace), grace, pod)] };
}

/** A StatefulSet's RollingUpdate: one pod at a time, each stopped (bounded by its grace period) and made ready. */
export function statefulSetRollout(replicas: number, podSpec: JsonObject, pod: PodReadiness, options: ModelOptions): TimeComponent {
  const grace = numberOf(podSpec.terminationGracePeriodSeconds) ?? 30;
  return oneAtATime(replicas, Math.min(options.storeStopSeconds, grace), grace, pod);
}

function oneAtATime(replicas: number, stop: number, grace: number, pod: PodReadiness): TimeComponent {
  return {
    category: TimeCategory.ROLLOUT,
    seconds: replicas * (stop + pod.totalSeconds),
    detail: `${replicas} pods one at a time x (stop ${stop} s of terminationGracePeriodSeconds ${grace} s + ${pod.totalSeconds} s)`,
  };
}
