import { Construct } from 'constructs';
import { Application } from '../../imports/argoproj.io';
import { ApplicationWave } from './application-waves';
import { PlatformProject } from './platform-project';
import { ARGOCD_FOLDER, ARGOCD_NAMESPACE, GitRepository, IN_CLUSTER_SERVER, PLATFORM_REPOSITORY } from './repository';
import { ARGOCD_SYNC_WAVE, automatedSync, retryWithBackoff, APPLICATION_COMPARE_ANNOTATIONS } from './sync-policy';

/** The subfolder of `dist/argocd/<cluster>/` with the cluster-scoped objects of the cluster's environments. */
export const CLUSTER_BASELINE_FOLDER = 'cluster-baseline';

export interface ClusterBaselineApplicationProps {
  readonly clusterName: string;
  /** The project of cluster-scoped objects: exactly the rendered kinds, no namespaced kind, this repository only. */
  readonly project: PlatformProject;
  /**
   * Where dist/ is committed.
   * @default PLATFORM_REPOSITORY
   */
  readonly repository?: GitRepository;
}

/**
 * The Application that syncs every cluster-scoped object the environments of a cluster need
 * (`dist/argocd/<cluster>/cluster-baseline/`): their Namespaces with Pod Security labels, their
 * Vault ClusterSecretStores, the ACME ClusterIssuer and the admission policies. Environment and
 * preview projects allow no cluster-scoped kind at all, so only this Application, which the root
 * Application creates from the tracked branch, can change them. Its wave comes after the operators
 * whose CRDs and webhooks these kinds need, and before anything that uses them. No prune: pruning
 * a Namespace would delete everything in it.
 */
export class ClusterBaselineApplication extends Construct {
  public readonly applicationName = 'cluster-baseline';
  public readonly path: string;

  public constructor(scope: Construct, id: string, props: ClusterBaselineApplicationProps) {
    super(scope, id);
    if (!props.project.namespaces.includes(ARGOCD_NAMESPACE)) {
      throw new Error(`ClusterBaselineApplication ${id}: project ${props.project.projectName} does not allow namespace "${ARGOCD_NAMESPACE}", the Application's nominal destination. Fix: pass the cluster baseline project`);
    }
    const repository = props.repository ?? PLATFORM_REPOSITORY;
    this.path = `dist/${ARGOCD_FOLDER}/${props.clusterName}/${CLUSTER_BASELINE_FOLDER}`;
    new Application(this, 'Resource', {
      metadata: { name: this.applicationName, namespace: ARGOCD_NAMESPACE, annotations: { [ARGOCD_SYNC_WAVE]: String(ApplicationWave.CLUSTER_BASELINE), ...APPLICATION_COMPARE_ANNOTATIONS } },
      spec: {
        project: props.project.projectName,
        source: { repoUrl: repository.url, targetRevision: repository.revision, path: this.path },
        // Cluster-scoped objects only: the destination namespace is nominal (its project allows no namespaced kind).
        destination: { server: IN_CLUSTER_SERVER, namespace: ARGOCD_NAMESPACE },
        syncPolicy: {
          automated: automatedSync({ prune: false, selfHeal: true }),
          syncOptions: ['ServerSideApply=true', 'CreateNamespace=false'],
          retry: retryWithBackoff(10),
        },
        revisionHistoryLimit: 10,
      },
    });
  }
}
