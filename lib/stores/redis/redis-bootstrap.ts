import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ImageReference, imageReference } from '../../platform/image-reference';
import { workloadLabels } from '../../platform/labels';
import { NamespaceBaseline } from '../../platform/namespace-baseline';
import { memoryQuantity } from '../../platform/quantities';
import { restrictedContainerSecurityContext, RUN_AS_ID } from '../../platform/security-contexts';
import { IWorkload, WorkloadFootprint, singleContainerFootprint } from '../../platform/workload-footprint';
import { guaranteedResources } from '../../workloads/container-resources';
import { restrictedPodSpec } from '../../workloads/restricted-pod-spec';
import { REDIS_BOOTSTRAP_SCRIPT } from './redis-bootstrap-script';
import { BOOTSTRAP_FILE, BOOTSTRAP_RESOURCES, BOOTSTRAP_WAIT_SECONDS, SCRIPT_DIR, TLS_DIR, TLS_FILES } from './redis-constants';

export interface RedisBootstrapProps {
  /** The namespace of the cluster; the bootstrap pod counts into its quota. */
  readonly namespace: NamespaceBaseline;
  /** Name of the ConfigMap, the Job and its pods' labels: `<cluster>-bootstrap`. */
  readonly name: string;
  /** The cluster's ServiceAccount, which the Job's pod runs as. */
  readonly serviceAccountName: string;
  /** The Redis image, for `sh` and `redis-cli`. */
  readonly image: ImageReference;
  /** The planned primary of each shard as `host:port`, by shard (see planRedisPlacement). */
  readonly primaryAddresses: readonly string[];
  /** The planned replica of each shard as `host:port`, in the order of the primaries; empty without replicas. */
  readonly replicaAddresses: readonly string[];
  /** The nodes' certificate Secret; only its `ca.crt` is mounted. */
  readonly caSecretName: string;
  /** The ACL user the Job logs in as; it may run only what forming the cluster takes. */
  readonly username: string;
  /** Where the user's password comes from. */
  readonly passwordSource: k8s.EnvVarSource;
}

/**
 * The Job that forms the cluster once as planned, each replica in another zone than its primary
 * (an Argo CD PostSync hook; the script is idempotent), and the ConfigMap of its script. Its pod
 * runs beside all nodes (first rollout, an Argo CD re-run), so the quota counts it too.
 */
export class RedisBootstrap extends Construct implements IWorkload {
  public readonly footprint: WorkloadFootprint;

  public constructor(scope: Construct, id: string, props: RedisBootstrapProps) {
    super(scope, id);
    this.footprint = singleContainerFootprint({
      maxPods: 1,
      cpuMillis: BOOTSTRAP_RESOURCES.cpuMillis,
      memoryMi: BOOTSTRAP_RESOURCES.memoryMi,
      ephemeralStorageGi: BOOTSTRAP_RESOURCES.ephemeralMi / 1024,
    });
    props.namespace.addWorkload(this);
    const namespace = props.namespace.namespaceName;
    const labels = workloadLabels(props.name, 'cache-bootstrap');
    const scripts = new k8s.KubeConfigMap(this, 'Script', {
      metadata: { name: props.name, namespace, labels },
      data: { [BOOTSTRAP_FILE]: REDIS_BOOTSTRAP_SCRIPT },
    });
    const container: k8s.Container = {
      name: 'bootstrap',
      image: imageReference(props.image),
      imagePullPolicy: 'Always',
      command: ['sh', `${SCRIPT_DIR}/${BOOTSTRAP_FILE}`],
      env: [
        { name: 'REDIS_PRIMARIES', value: props.primaryAddresses.join(' ') },
        { name: 'REDIS_REPLICAS', value: props.replicaAddresses.join(' ') },
        { name: 'REDIS_WAIT_SECONDS', value: String(BOOTSTRAP_WAIT_SECONDS) },
        { name: 'REDIS_TLS_CA_FILE', value: TLS_FILES.caCertFile },
        { name: 'REDIS_USERNAME', value: props.username },
        // Read when the Job starts: Argo CD creates it anew on each sync, with the Secret's current password.
        { name: 'REDISCLI_AUTH', valueFrom: props.passwordSource },
      ],
      resources: guaranteedResources(BOOTSTRAP_RESOURCES.cpuMillis, BOOTSTRAP_RESOURCES.memoryMi, memoryQuantity(BOOTSTRAP_RESOURCES.ephemeralMi)),
      securityContext: restrictedContainerSecurityContext(RUN_AS_ID),
      volumeMounts: [{ name: 'scripts', mountPath: SCRIPT_DIR, readOnly: true }, { name: 'tls-ca', mountPath: TLS_DIR, readOnly: true }],
    };
    new k8s.KubeJob(this, 'Job', {
      metadata: {
        name: props.name,
        namespace,
        labels,
        // A Job's template is immutable: Argo CD runs it as a hook after each sync, replacing the
        // previous run, instead of failing to apply a changed template. The script is idempotent.
        annotations: {
          'argocd.argoproj.io/hook': 'PostSync',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
        },
      },
      spec: {
        // The script waits for the nodes itself; a retry covers a pod lost to a node drain.
        backoffLimit: 3,
        activeDeadlineSeconds: 2 * BOOTSTRAP_WAIT_SECONDS + 300,
        // Kept a day for its logs; the next sync's hook replaces it anyway.
        ttlSecondsAfterFinished: 86400,
        template: {
          metadata: { labels },
          spec: {
            ...restrictedPodSpec(props.serviceAccountName, [container], [
              { name: 'scripts', configMap: { name: scripts.name, defaultMode: 0o444 } },
              { name: 'tls-ca', secret: { secretName: props.caSecretName, items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } },
            ]),
            restartPolicy: 'Never',
          },
        },
      },
    });
  }
}
