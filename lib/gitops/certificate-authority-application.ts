import { Construct } from 'constructs';
import { Application } from '../../imports/argoproj.io';
import { ApplicationWave } from './application-waves';
import { PLATFORM_SYNC_OPTIONS } from './environment-application';
import { PlatformProject } from './platform-project';
import { ARGOCD_FOLDER, ARGOCD_NAMESPACE, GitRepository, IN_CLUSTER_SERVER, PLATFORM_REPOSITORY } from './repository';
import { ARGOCD_SYNC_WAVE, automatedSync, retryWithBackoff, APPLICATION_COMPARE_ANNOTATIONS } from './sync-policy';

/** The subfolder of `dist/argocd/<cluster>/` that holds the cluster's internal CA; the root Application does not recurse into it. */
export const CERTIFICATE_AUTHORITY_FOLDER = 'certificate-authority';

export interface CertificateAuthorityApplicationProps {
  readonly clusterName: string;
  /** The project the Application belongs to: only the CA's namespaces and ClusterIssuer. */
  readonly project: PlatformProject;
  /** The namespace cert-manager keeps ClusterIssuer Secrets and ServiceAccounts in; the Application's destination. */
  readonly clusterResourceNamespace: string;
  /**
   * Where dist/ is committed.
   * @default PLATFORM_REPOSITORY
   */
  readonly repository?: GitRepository;
}

/**
 * The Application that syncs the cluster's internal CA (`dist/argocd/<cluster>/certificate-authority/`)
 * in the cluster-baseline wave: after cert-manager (whose CRDs it needs) and after the add-ons that
 * create the namespaces it writes into (cert-manager, rabbitmq-system), beside the Messaging
 * Topology Operator, whose pod waits for the CA's trust Secret. Rendering it with the environments
 * instead would deadlock a new cluster: the root Application starts the environments only once the
 * operator is healthy.
 */
export class CertificateAuthorityApplication extends Construct {
  public readonly applicationName = 'certificate-authority';
  public readonly path: string;

  public constructor(scope: Construct, id: string, props: CertificateAuthorityApplicationProps) {
    super(scope, id);
    if (!props.project.namespaces.includes(props.clusterResourceNamespace)) {
      throw new Error(`CertificateAuthorityApplication ${id}: project ${props.project.projectName} does not allow namespace "${props.clusterResourceNamespace}". Fix: build the project from the rendered CA`);
    }
    const repository = props.repository ?? PLATFORM_REPOSITORY;
    this.path = `dist/${ARGOCD_FOLDER}/${props.clusterName}/${CERTIFICATE_AUTHORITY_FOLDER}`;
    new Application(this, 'Resource', {
      metadata: { name: this.applicationName, namespace: ARGOCD_NAMESPACE, annotations: { [ARGOCD_SYNC_WAVE]: String(ApplicationWave.CLUSTER_BASELINE), ...APPLICATION_COMPARE_ANNOTATIONS } },
      spec: {
        project: props.project.projectName,
        source: { repoUrl: repository.url, targetRevision: repository.revision, path: this.path },
        destination: { server: IN_CLUSTER_SERVER, namespace: props.clusterResourceNamespace },
        syncPolicy: {
          // No prune: deleting the root's Certificate or the ClusterIssuer by accident must not take the CA away.
          automated: automatedSync({ prune: false, selfHeal: true }),
          syncOptions: [...PLATFORM_SYNC_OPTIONS],
          retry: retryWithBackoff(10),
        },
        revisionHistoryLimit: 10,
      },
    });
  }
}
