import { Construct } from 'constructs';
import { AppProject } from '../../imports/argoproj.io';
import { Addon } from './addon-catalog';
import { GroupKind, distinctGroupKinds } from './group-kind';
import { PROJECT_SYNC_WAVE } from './platform-project';
import { ARGOCD_NAMESPACE, IN_CLUSTER_SERVER } from './repository';
import { ARGOCD_SYNC_WAVE } from './sync-policy';

export interface AddonProjectProps {
  /** The add-ons whose Applications belong to the project; their repositories, namespaces and cluster-scoped kinds make it up. */
  readonly addons: readonly Addon[];
}

/**
 * The AppProject of the operators: exactly the pinned chart and Git repositories of the add-ons,
 * their namespaces, and the cluster-scoped kinds they install (CRDs, cluster RBAC, webhooks).
 */
export class AddonProject extends Construct {
  public readonly projectName: string;
  public readonly namespaces: readonly string[];
  public readonly clusterResourceKinds: readonly GroupKind[];

  public constructor(scope: Construct, id: string, props: AddonProjectProps) {
    super(scope, id);
    if (props.addons.length === 0) {
      throw new Error(`AddonProject ${id}: addons is empty. Fix: pass the add-ons of addonsOf() (lib/gitops/addon-catalog.ts) the cluster runs`);
    }
    this.projectName = id;
    this.namespaces = [...new Set(props.addons.flatMap((a) => [a.namespace, ...(a.otherNamespaces ?? [])]))].sort();
    this.clusterResourceKinds = distinctGroupKinds(props.addons.flatMap((a) => a.clusterResourceKinds));
    new AppProject(this, 'Resource', {
      metadata: { name: id, namespace: ARGOCD_NAMESPACE, annotations: { [ARGOCD_SYNC_WAVE]: String(PROJECT_SYNC_WAVE) } },
      spec: {
        description: 'Operators and controllers the platform relies on, pinned to the versions of its CRDs',
        sourceRepos: [...new Set(props.addons.map((a) => a.repoUrl))].sort(),
        destinations: this.namespaces.map((namespace) => ({ server: IN_CLUSTER_SERVER, namespace })),
        clusterResourceWhitelist: [...this.clusterResourceKinds],
        orphanedResources: { warn: true },
      },
    });
  }
}
