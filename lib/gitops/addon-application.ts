import { Construct } from 'constructs';
import { Application, ApplicationSpecSource } from '../../imports/argoproj.io';
import { Addon, AddonSourceType } from './addon-catalog';
import { AddonProject } from './addon-project';
import { ARGOCD_NAMESPACE, IN_CLUSTER_SERVER } from './repository';
import { ARGOCD_SYNC_WAVE, automatedSync, retryWithBackoff, APPLICATION_COMPARE_ANNOTATIONS } from './sync-policy';

/** An exact version or tag (`1.2.3`, `v1.2.3`, `v1.2.3-rc.1`): never a range, `latest` or a branch. */
export const PINNED_REVISION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/;

export interface AddonApplicationProps {
  /** The add-on, from addonsOf() (lib/gitops/addon-catalog.ts). */
  readonly addon: Addon;
  /** The add-ons' project; it must allow the add-on's repository and namespace. */
  readonly project: AddonProject;
}

/**
 * The Application that installs one operator at its pinned version. Its namespace is created by
 * Argo CD; CRDs are applied server-side (some exceed the 256 KiB client-side apply annotation).
 * Self-heal is on, prune is off: a chart that stops rendering a CRD must not make Argo CD delete
 * the CRD, which would delete every custom resource of it (every database, every broker).
 */
export class AddonApplication extends Construct {
  public readonly applicationName: string;

  public constructor(scope: Construct, id: string, props: AddonApplicationProps) {
    super(scope, id);
    const { addon, project } = props;
    if (!PINNED_REVISION.test(addon.targetRevision)) {
      throw new Error(`AddonApplication ${addon.name}: targetRevision "${addon.targetRevision}" is not an exact version. Fix: pin the exact chart version or Git tag that installs ${addon.crdVersion}`);
    }
    if (!project.namespaces.includes(addon.namespace)) {
      throw new Error(`AddonApplication ${addon.name}: project ${project.projectName} does not allow namespace "${addon.namespace}". Fix: build the project from the same add-ons`);
    }
    this.applicationName = addon.name;
    new Application(this, 'Resource', {
      metadata: { name: addon.name, namespace: ARGOCD_NAMESPACE, annotations: { [ARGOCD_SYNC_WAVE]: String(addon.syncWave), ...APPLICATION_COMPARE_ANNOTATIONS } },
      spec: {
        project: project.projectName,
        source: sourceOf(addon),
        destination: { server: IN_CLUSTER_SERVER, namespace: addon.namespace },
        syncPolicy: {
          automated: automatedSync({ prune: false, selfHeal: true }),
          syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
          retry: retryWithBackoff(10),
        },
      },
    });
  }
}

function sourceOf(addon: Addon): ApplicationSpecSource {
  const base = { repoUrl: addon.repoUrl, targetRevision: addon.targetRevision };
  if (addon.kustomizePatches?.length && addon.sourceType !== AddonSourceType.KUSTOMIZE) {
    throw new Error(`AddonApplication ${addon.name}: kustomizePatches apply to kustomize add-ons only. Fix: remove them, or install the add-on from its kustomization`);
  }
  switch (addon.sourceType) {
    case AddonSourceType.HELM: {
      if (!addon.chart) {
        throw new Error(`AddonApplication ${addon.name}: a Helm add-on needs chart. Fix: set chart in lib/gitops/addon-catalog.ts`);
      }
      return { ...base, chart: addon.chart, helm: { releaseName: addon.name, ...(addon.helmValues ? { valuesObject: addon.helmValues } : {}) } };
    }
    case AddonSourceType.MANIFEST:
      if (!addon.path || !addon.manifestFile) {
        throw new Error(`AddonApplication ${addon.name}: a manifest add-on needs path and manifestFile. Fix: set them in lib/gitops/addon-catalog.ts`);
      }
      return { ...base, path: addon.path, directory: { include: addon.manifestFile } };
    case AddonSourceType.KUSTOMIZE:
      if (!addon.path || !addon.images?.length) {
        throw new Error(`AddonApplication ${addon.name}: a kustomize add-on needs path and images (upstream kustomizations name floating tags). Fix: set them in lib/gitops/addon-catalog.ts`);
      }
      return {
        ...base,
        path: addon.path,
        kustomize: {
          images: [...addon.images],
          ...(addon.kustomizePatches?.length ? { patches: addon.kustomizePatches.map((p) => ({ target: { ...p.target }, patch: p.patch })) } : {}),
        },
      };
  }
}
