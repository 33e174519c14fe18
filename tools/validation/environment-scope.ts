import { describeObject, FolderContents, ManifestObject } from './manifest';
import { operatorPods } from './cross-references/operator-pods';
import { operatorServices } from './cross-references/operator-services';
import { PodTemplate, podTemplatesOf, workloadRefOf } from './pod-templates';

export interface PodOwner {
  readonly object: ManifestObject;
  readonly pod: PodTemplate;
}

/** The objects of one environment, indexed for rules that look beyond the object they check. */
export class EnvironmentScope {
  private readonly byNamespace = new Map<string, ManifestObject[]>();
  private readonly podOwnersByNamespace = new Map<string, PodOwner[]>();

  /**
   * @param objects the objects of the environment (the first folder under the validated folder)
   * @param folderObjects every object of the validated folder, for references between
   *   environments (an Argo CD Application in `argocd/` naming the path `dist/production`)
   */
  /** What the validated folder holds: every file (by default those of `folderObjects`) and the kustomizations. */
  readonly folder: FolderContents;

  constructor(
    readonly objects: readonly ManifestObject[],
    readonly folderObjects: readonly ManifestObject[] = objects,
    folder?: FolderContents,
  ) {
    this.folder = folder ?? { files: [...new Set(folderObjects.map((object) => object.file))], kustomizations: [] };
    for (const object of objects) {
      const key = object.namespace ?? '';
      const list = this.byNamespace.get(key);
      if (list) {
        list.push(object);
      } else {
        this.byNamespace.set(key, [object]);
      }
    }
  }

  /** Objects in `namespace`; objects without one share the empty namespace. */
  inNamespace(namespace: string | undefined): readonly ManifestObject[] {
    return this.byNamespace.get(namespace ?? '') ?? [];
  }

  ofKind(kind: string, namespace: string | undefined): ManifestObject[] {
    return this.inNamespace(namespace).filter((object) => object.kind === kind);
  }

  find(kind: string, name: string, namespace: string | undefined): ManifestObject | undefined {
    return this.inNamespace(namespace).find((object) => object.kind === kind && object.name === name);
  }

  /** Objects of a cluster-scoped kind (or of any namespace) named `name`. */
  findAnywhere(kind: string, name: string): ManifestObject | undefined {
    return this.objects.find((object) => object.kind === kind && object.name === name);
  }

  /** Services that will exist in `namespace`: rendered ones and those operators create. */
  servicesIn(namespace: string | undefined): ManifestObject[] {
    return this.inNamespace(namespace).flatMap((object) => (object.kind === 'Service' ? [object] : operatorServices(object)));
  }

  /** The Deployment a Rollout's `spec.workloadRef` names, when it is rendered in the Rollout's namespace. */
  workloadRefTarget(rollout: ManifestObject): ManifestObject | undefined {
    const reference = workloadRefOf(rollout);
    if (!reference || reference.kind !== 'Deployment') {
      return undefined;
    }
    const target = this.find('Deployment', reference.name, rollout.namespace);
    return target && target.apiVersion === (reference.apiVersion || target.apiVersion) ? target : undefined;
  }

  /** Rollouts in the Deployment's namespace that borrow its pod template with `spec.workloadRef`. */
  rolloutsReferencing(deployment: ManifestObject): ManifestObject[] {
    if (deployment.kind !== 'Deployment') {
      return [];
    }
    return this.ofKind('Rollout', deployment.namespace).filter((rollout) => this.workloadRefTarget(rollout) === deployment);
  }

  /**
   * The pod templates the object runs: its own, or for an Argo Rollout with `spec.workloadRef`
   * (and no template of its own) the referenced Deployment's template.
   */
  resolvedPodTemplates(object: ManifestObject): PodTemplate[] {
    const own = podTemplatesOf(object);
    if (own.length > 0 || object.kind !== 'Rollout') {
      return own;
    }
    const target = this.workloadRefTarget(object);
    return target ? podTemplatesOf(target).map((pod) => ({ ...pod, path: ['spec', 'workloadRef'], borrowedFrom: describeObject(target) })) : [];
  }

  /**
   * Every pod that will run in `namespace`, with the object that asks for it: rendered pod
   * templates, and the pods operators run for rendered custom resources. A Rollout with
   * `spec.workloadRef` runs the referenced Deployment's pods; that Deployment itself only holds
   * the template (the Rollout owns the pods), so it is not an owner of its own.
   */
  podOwners(namespace: string | undefined): PodOwner[] {
    const key = namespace ?? '';
    let owners = this.podOwnersByNamespace.get(key);
    if (!owners) {
      owners = this.inNamespace(namespace).flatMap((object) =>
        this.rolloutsReferencing(object).length > 0 ? [] : [...this.resolvedPodTemplates(object), ...operatorPods(object)].map((pod) => ({ object, pod })),
      );
      this.podOwnersByNamespace.set(key, owners);
    }
    return owners;
  }
}
