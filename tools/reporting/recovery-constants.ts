/**
 * The assumptions of the recovery and availability model of `npm run report` (RPO, RTO, the
 * availability budget). Everything it does not read from the rendered manifests is here, each
 * with its source; docs/disaster-recovery.md describes the failures these numbers belong to.
 */

/** The platform specification's promises (README.md, docs/disaster-recovery.md). */
export const SPECIFICATION = {
  /** Recovery time objective: a failure is recovered from in under 15 minutes. */
  rtoSeconds: 15 * 60,
  /** Recovery point objective: under 5 minutes of acknowledged writes may be lost. */
  rpoSeconds: 5 * 60,
  /** 99.9% availability over a 30-day month: 43.2 minutes of downtime. */
  availability: 0.999,
  budgetPeriodSeconds: 30 * 24 * 3600,
} as const;

/** Downtime 99.9% allows per 30 days: 0.001 x 2 592 000 s = 2592 s (43.2 min). */
export const DOWNTIME_BUDGET_SECONDS = Math.round((1 - SPECIFICATION.availability) * SPECIFICATION.budgetPeriodSeconds);

/**
 * `tolerationSeconds` of the `node.kubernetes.io/not-ready` and `node.kubernetes.io/unreachable`
 * NoExecute tolerations that the DefaultTolerationSeconds admission plugin adds to a pod that sets
 * none (kubernetes.io/docs/reference/access-authn-authz/admission-controllers, DefaultTolerationSeconds:
 * `--default-not-ready-toleration-seconds` and `--default-unreachable-toleration-seconds`, 300).
 */
export const DEFAULT_TOLERATION_SECONDS = 300;

/**
 * From a node failing to its pods being marked not ready (their endpoints removed): the node
 * lifecycle controller's `--node-monitor-grace-period` (40 s in Kubernetes 1.27); measured 31-39 s
 * by `npm run test:cluster` (docs/disaster-recovery.md, "Node and zone loss, run for real").
 */
export const NODE_FAILURE_DETECTED_SECONDS = 40;

/**
 * From a node failing to its NoExecute taint, from which the pods' tolerationSeconds count:
 * measured 52-64 s over three runs of `npm run test:cluster` (docs/disaster-recovery.md); the upper bound.
 */
export const NODE_TAINTED_SECONDS = 64;

/**
 * Redis Cluster: from `cluster-node-timeout` expiring to every slot of the lost primary served by
 * its promoted replica (failure reports, the replica's election delay of 500 ms plus up to 500 ms
 * and rank, the vote): measured 7.6-8.1 s with a 5 s node timeout, real redis-server 7.0
 * (test/stores/redis-zones.real.test.ts, docs/disaster-recovery.md): 3.1 s over the timeout at most.
 */
export const REDIS_FAILOVER_AFTER_TIMEOUT_SECONDS = 3.1;

/**
 * Redis AOF fsync policies: what a crash of the machine loses of acknowledged writes (redis.conf
 * of 7.0 and redis.io/docs persistence: `everysec` "can lose just one second of writes"; `no`
 * leaves it to the kernel, which "normally" flushes every 30 s; `always` fsyncs each write).
 */
export const REDIS_FSYNC_LOSS_SECONDS: Readonly<Record<string, number>> = { always: 0, everysec: 1, no: 30 };

/**
 * Redis replication is asynchronous: a replica promoted after its primary was lost misses what
 * had not reached it. Not bounded by a setting; about a second (docs/disaster-recovery.md, Redis).
 */
export const REDIS_REPLICATION_LAG_SECONDS = 1;

/**
 * RabbitMQ (Erlang distribution) notices a silent peer within `net_ticktime` plus a quarter of it
 * (Erlang kernel docs: MaxT = TickTime + TickTime / 4); RabbitMQ's default 60 s
 * (rabbitmq.com/docs/nettick). A stopped pod closes its connections and is noticed at once.
 */
export const RABBITMQ_NET_TICKTIME_SECONDS = 60;

/**
 * A quorum queue's new leader (Raft election among the survivors) and the clients' reconnect:
 * "within seconds" (docs/disaster-recovery.md, RabbitMQ). An assumption, not a measurement.
 */
export const QUORUM_QUEUE_ELECTION_SECONDS = 10;

/**
 * CloudNativePG 1.22 noticing a failed primary whose node is still up (its instance manager stops
 * answering the status probe): "tens of seconds" (docs/disaster-recovery.md, PostgreSQL). An
 * assumption, not a measurement; a lost node is noticed by the node controller instead.
 */
export const POSTGRES_FAILURE_DETECTION_SECONDS = 30;

/**
 * Restoring PostgreSQL from the object store in another region (newest base backup plus WAL
 * replay) for a 100Gi volume: "about 10-15 minutes ... measure it in a restore drill"
 * (docs/disaster-recovery.md). An estimate that no rendered setting bounds: the report shows it
 * against the RTO but cannot check it; a restore drill must.
 */
export const POSTGRES_RESTORE_SECONDS = 15 * 60;

/**
 * Uploading one WAL segment (16 MB, gzip) to the in-region object store after `archive_timeout`
 * switches it: "plus one segment upload" (docs/disaster-recovery.md). An assumption, not a measurement.
 */
export const WAL_UPLOAD_SECONDS = 10;
