import { Construct } from 'constructs';
import { AppProject } from '../../imports/argoproj.io';
import { GroupKind, distinctGroupKinds, groupKindKey } from './group-kind';
import { ARGOCD_NAMESPACE, GitRepository, IN_CLUSTER_SERVER, PLATFORM_REPOSITORY } from './repository';
import { ARGOCD_SYNC_WAVE } from './sync-policy';
import { ApplicationWave } from './application-waves';

/**
 * Namespaced kinds no Application of a platform project may create: Secrets (no secret value is
 * ever in this repository; ExternalSecrets create them), RBAC (it would widen what pods may do
 * beyond what review of dist/ shows), and Argo CD's own kinds (they would widen the project).
 */
export const DANGEROUS_NAMESPACED_KINDS: readonly GroupKind[] = [
  { group: '', kind: 'Secret' },
  { group: 'rbac.authorization.k8s.io', kind: 'Role' },
  { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
  { group: 'argoproj.io', kind: 'Application' },
  { group: 'argoproj.io', kind: 'ApplicationSet' },
  { group: 'argoproj.io', kind: 'AppProject' },
];

/** The RBAC kinds of DANGEROUS_NAMESPACED_KINDS: the only ones a project may take off its blacklist. */
export const NAMESPACED_RBAC_KINDS: readonly GroupKind[] = DANGEROUS_NAMESPACED_KINDS.filter((gk) => gk.group === 'rbac.authorization.k8s.io');

/** Sync wave of AppProjects in the root Application: before any Application that names them. */
export const PROJECT_SYNC_WAVE = ApplicationWave.PROJECTS;

/**
 * Every kind, as an AppProject list entry (Argo CD matches group and kind as globs). An empty
 * `namespaceResourceWhitelist` cannot say "no namespaced kind": Argo CD's type drops an empty list
 * (omitempty), and a missing whitelist allows every kind; blacklisting everything can.
 */
const EVERY_KIND: GroupKind = { group: '*', kind: '*' };

export interface PlatformProjectProps {
  /**
   * The only Git repository the project's Applications may read.
   * @default PLATFORM_REPOSITORY
   */
  readonly repository?: GitRepository;
  /** Namespaces (glob patterns allowed, e.g. `generator-platform-pr-*`) the Applications may deploy into, on the project's own cluster. */
  readonly namespaces: readonly string[];
  /** Cluster-scoped kinds the Applications may create; derive them from what is rendered. Empty allows none. */
  readonly clusterResourceKinds: readonly GroupKind[];
  /**
   * Namespaced kinds the Applications may create; empty allows none. Derive them from what is rendered.
   * @default - every namespaced kind except DANGEROUS_NAMESPACED_KINDS
   */
  readonly namespaceResourceKinds?: readonly GroupKind[];
  /**
   * RBAC kinds (Role, RoleBinding) taken off the blacklist because the project's environments
   * render them, and review of dist/ shows each one; derive them from what is rendered. Secrets
   * and Argo CD's kinds stay blacklisted whatever is rendered.
   * @default - none: every kind of DANGEROUS_NAMESPACED_KINDS stays blacklisted
   */
  readonly renderedRbacKinds?: readonly GroupKind[];
  /**
   * One line for the Argo CD UI.
   * @default - none
   */
  readonly description?: string;
  /**
   * OpenPGP long key IDs (16 upper-case hex digits, as gpg prints them: Argo CD compares them
   * exactly) of which one must have made a good signature on the commit an Application syncs;
   * an unsigned commit, or one signed by another key, is refused with a ComparisonError
   * (controller/state.go of Argo CD 2.10.18, verifyGnuPGSignature). Only for Git sources: Argo CD
   * cannot verify a Helm chart, so a project of Helm sources must not set it.
   * @default - none: unsigned commits are synced
   */
  readonly signatureKeys?: readonly string[];
}

/**
 * An AppProject restricted to this repository, the given namespaces of the cluster Argo CD runs
 * in, and exactly the cluster-scoped kinds given. Unmanaged objects in its namespaces are reported
 * (orphaned resources, warn) so that hand-made changes show up.
 */
export class PlatformProject extends Construct {
  /** Project name, as Applications reference it. */
  public readonly projectName: string;
  public readonly namespaces: readonly string[];
  public readonly clusterResourceKinds: readonly GroupKind[];
  /** The key IDs of which one must have signed what its Applications sync; empty: none required. */
  public readonly signatureKeys: readonly string[];

  public constructor(scope: Construct, id: string, props: PlatformProjectProps) {
    super(scope, id);
    if (props.namespaces.length === 0) {
      throw new Error(`PlatformProject ${id}: namespaces is empty, so no Application could deploy anything. Fix: list the namespaces its Applications deploy into`);
    }
    const repository = props.repository ?? PLATFORM_REPOSITORY;
    this.projectName = id;
    this.namespaces = [...props.namespaces];
    this.clusterResourceKinds = distinctGroupKinds(props.clusterResourceKinds);
    const permitted = (props.renderedRbacKinds ?? []).map(groupKindKey);
    const notRbac = permitted.find((key) => !NAMESPACED_RBAC_KINDS.some((rbac) => groupKindKey(rbac) === key));
    if (notRbac !== undefined) {
      throw new Error(`PlatformProject ${id}: renderedRbacKinds lists ${notRbac}, which is not a namespaced RBAC kind. Fix: list only rbac.authorization.k8s.io Role and RoleBinding; Secrets and Argo CD kinds are never allowed`);
    }
    const notKeyId = (props.signatureKeys ?? []).find((keyId) => !/^[0-9A-F]{16}$/.test(keyId));
    if (notKeyId !== undefined) {
      throw new Error(`PlatformProject ${id}: signatureKeys lists "${notKeyId}", which is not a long key ID as gpg prints it. Fix: use 16 upper-case hex digits (gpg --list-keys --keyid-format long)`);
    }
    const signatureKeys = [...new Set(props.signatureKeys ?? [])].sort();
    this.signatureKeys = signatureKeys;
    const blacklist = DANGEROUS_NAMESPACED_KINDS.filter((gk) => !permitted.includes(groupKindKey(gk)));
    new AppProject(this, 'Resource', {
      metadata: { name: id, namespace: ARGOCD_NAMESPACE, annotations: { [ARGOCD_SYNC_WAVE]: String(PROJECT_SYNC_WAVE) } },
      spec: {
        description: props.description,
        sourceRepos: [repository.url],
        destinations: this.namespaces.map((namespace) => ({ server: IN_CLUSTER_SERVER, namespace })),
        clusterResourceWhitelist: [...this.clusterResourceKinds],
        ...namespacedKindRules(props.namespaceResourceKinds, blacklist),
        orphanedResources: { warn: true },
        ...(signatureKeys.length > 0 ? { signatureKeys: signatureKeys.map((keyId) => ({ keyId })) } : {}),
      },
    });
  }
}

function namespacedKindRules(whitelist: readonly GroupKind[] | undefined, blacklist: readonly GroupKind[]) {
  if (whitelist === undefined) {
    return { namespaceResourceBlacklist: distinctGroupKinds(blacklist) };
  }
  if (whitelist.length === 0) {
    return { namespaceResourceBlacklist: [EVERY_KIND] };
  }
  return { namespaceResourceWhitelist: distinctGroupKinds(whitelist) };
}
