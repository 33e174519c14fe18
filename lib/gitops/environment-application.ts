import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Application, ApplicationSpecIgnoreDifferences } from '../../imports/argoproj.io';
import { ApplicationWave } from './application-waves';
import { PlatformProject } from './platform-project';
import { AutoscaledWorkload, autoscaledWorkloads, renderedObjectsOf } from './rendered-objects';
import { ARGOCD_NAMESPACE, GitRepository, IN_CLUSTER_SERVER, PLATFORM_REPOSITORY } from './repository';
import { ARGOCD_SYNC_WAVE, automatedSync, retryWithBackoff, APPLICATION_COMPARE_ANNOTATIONS } from './sync-policy';

/** Sync wave of the environment Applications in the root Application: after every add-on and the cluster baseline. */
export const ENVIRONMENT_APPLICATION_WAVE = ApplicationWave.ENVIRONMENTS;

/**
 * Sync options of every Application that syncs rendered platform YAML:
 * server-side apply (large CRs, field ownership shared with operators and autoscalers), the
 * ignored differences respected during sync too, no namespace created by Argo CD (the cluster
 * baseline Application creates each environment's Namespace with its Pod Security labels: creating
 * it here would need the cluster-scoped kind Namespace in the environment's project), and
 * deletions only after everything else is in place.
 */
export const PLATFORM_SYNC_OPTIONS: readonly string[] = ['ServerSideApply=true', 'RespectIgnoreDifferences=true', 'CreateNamespace=false', 'PruneLast=true'];

export interface EnvironmentApplicationProps {
  /** The environment's name: it picks the folder `dist/<name>` and names the Application. */
  readonly environmentName: string;
  /** The namespace the environment runs in: the destination. */
  readonly namespace: string;
  /** The environment's rendered chart, from which the autoscaled workloads are read. */
  readonly environmentChart: Chart;
  /** The project the Application belongs to; it must allow the destination namespace. */
  readonly project: PlatformProject;
  /**
   * Where dist/ is committed.
   * @default PLATFORM_REPOSITORY
   */
  readonly repository?: GitRepository;
  /**
   * Revert changes made outside Git. Production heals too: a manual change there is drift to be
   * reverted through a pull request, and leaving it would hide it from the next diff.
   * @default true
   */
  readonly selfHeal?: boolean;
  /**
   * Sync attempts before Argo CD gives up (with backoff from 10s to 5m).
   * @default 5
   */
  readonly retryLimit?: number;
}

/**
 * The Application that syncs one environment's folder of dist/: automated with prune (and
 * self-heal), server-side apply, and `/spec/replicas` ignored on exactly the workloads whose
 * replica count a HorizontalPodAutoscaler or KEDA ScaledObject owns.
 */
export class EnvironmentApplication extends Construct {
  public readonly applicationName: string;
  /** `dist/<environment>`, relative to the repository root. */
  public readonly path: string;
  public readonly autoscaledWorkloads: readonly AutoscaledWorkload[];

  public constructor(scope: Construct, id: string, props: EnvironmentApplicationProps) {
    super(scope, id);
    const { environmentName, namespace, project } = props;
    if (!project.namespaces.includes(namespace)) {
      throw new Error(
        `EnvironmentApplication ${id}: project ${project.projectName} does not allow namespace "${namespace}" (it allows ${project.namespaces.join(', ')}). Fix: add the namespace to the project`,
      );
    }
    const repository = props.repository ?? PLATFORM_REPOSITORY;
    this.applicationName = `generator-platform-${environmentName}`;
    this.path = `dist/${environmentName}`;
    this.autoscaledWorkloads = autoscaledWorkloads(renderedObjectsOf(props.environmentChart));
    new Application(this, 'Resource', {
      metadata: {
        name: this.applicationName,
        namespace: ARGOCD_NAMESPACE,
        annotations: { [ARGOCD_SYNC_WAVE]: String(ENVIRONMENT_APPLICATION_WAVE), ...APPLICATION_COMPARE_ANNOTATIONS },
      },
      spec: {
        project: project.projectName,
        source: { repoUrl: repository.url, targetRevision: repository.revision, path: this.path },
        destination: { server: IN_CLUSTER_SERVER, namespace },
        ignoreDifferences: replicasOwnedByAutoscalers(this.autoscaledWorkloads),
        syncPolicy: {
          automated: automatedSync({ prune: true, selfHeal: props.selfHeal ?? true }),
          syncOptions: [...PLATFORM_SYNC_OPTIONS],
          retry: retryWithBackoff(props.retryLimit ?? 5),
        },
        revisionHistoryLimit: 10,
      },
    });
  }
}

/** One ignoreDifferences entry per autoscaled workload: its `/spec/replicas` belongs to the autoscaler. */
export function replicasOwnedByAutoscalers(workloads: readonly AutoscaledWorkload[]): ApplicationSpecIgnoreDifferences[] | undefined {
  if (workloads.length === 0) {
    return undefined;
  }
  return workloads.map((w) => ({ group: w.group, kind: w.kind, name: w.name, namespace: w.namespace, jsonPointers: ['/spec/replicas'] }));
}
