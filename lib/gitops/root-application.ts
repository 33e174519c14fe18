import { Construct } from 'constructs';
import { Application } from '../../imports/argoproj.io';
import { PlatformProject } from './platform-project';
import { ARGOCD_FOLDER, ARGOCD_NAMESPACE, GitRepository, IN_CLUSTER_SERVER, PLATFORM_REPOSITORY } from './repository';
import { automatedSync, retryWithBackoff, APPLICATION_COMPARE_ANNOTATIONS } from './sync-policy';

/**
 * Marks the root Application for the Application health check of docs/gitops.md. The root syncs
 * its own folder, so it is one of its own resources: a wave that waits for every Application of it
 * to be healthy would wait for the root's own running sync, for ever (the real Argo CD bootstrap
 * test stopped there, after wave 0). The check calls an Application with this label Healthy.
 */
export const ROOT_APPLICATION_LABEL = 'generator-platform.dev/root-application';

export interface RootApplicationProps {
  /** Names the cluster folder `dist/argocd/<clusterName>` the root Application syncs. */
  readonly clusterName: string;
  /** The bootstrap project: this repository, the Argo CD namespace, Argo CD's kinds only. */
  readonly project: PlatformProject;
  /**
   * Where dist/ is committed.
   * @default PLATFORM_REPOSITORY
   */
  readonly repository?: GitRepository;
}

/**
 * The app of apps of one cluster: it syncs `dist/argocd/<cluster>/` (the AppProjects, the add-on
 * and environment Applications, the preview ApplicationSet, and itself), so that after the one
 * `kubectl apply` of bootstrap everything on the cluster comes from Git.
 */
export class RootApplication extends Construct {
  public readonly applicationName: string;
  public readonly path: string;

  public constructor(scope: Construct, id: string, props: RootApplicationProps) {
    super(scope, id);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.clusterName)) {
      throw new Error(`RootApplication ${id}: clusterName "${props.clusterName}" cannot name a folder and an Application. Fix: use lower-case letters, digits and dashes, e.g. "production"`);
    }
    if (!props.project.namespaces.includes(ARGOCD_NAMESPACE)) {
      throw new Error(`RootApplication ${id}: project ${props.project.projectName} does not allow namespace "${ARGOCD_NAMESPACE}", where the Applications live. Fix: pass the bootstrap project`);
    }
    const repository = props.repository ?? PLATFORM_REPOSITORY;
    this.applicationName = `root-${props.clusterName}`;
    this.path = `dist/${ARGOCD_FOLDER}/${props.clusterName}`;
    new Application(this, 'Resource', {
      metadata: { name: this.applicationName, namespace: ARGOCD_NAMESPACE, labels: { [ROOT_APPLICATION_LABEL]: 'true' }, annotations: { ...APPLICATION_COMPARE_ANNOTATIONS } },
      spec: {
        project: props.project.projectName,
        source: { repoUrl: repository.url, targetRevision: repository.revision, path: this.path },
        destination: { server: IN_CLUSTER_SERVER, namespace: ARGOCD_NAMESPACE },
        syncPolicy: {
          automated: automatedSync({ prune: true, selfHeal: true }),
          syncOptions: ['ServerSideApply=true', 'PruneLast=true'],
          retry: retryWithBackoff(5),
        },
      },
    });
  }
}
