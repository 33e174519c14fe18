import { ManifestObject } from './manifest';
import { operatorPods } from './cross-references/operator-pods';
import { operatorServices } from './cross-references/operator-services';
import { PodTemplate, podTemplatesOf } from './pod-templates';

export interface PodOwner {
  readonly object: ManifestObject;
  readonly pod: PodTemplate;
}

/** The objects of one environment, indexed for rules that look beyond the object they check. */
export class EnvironmentScope {
  private readonly byNamespace = new Map<string, ManifestObject[]>();

  constructor(readonly objects: readonly ManifestObject[]) {
    for (const object of objects) {
      const key = object.namespace ?? '';
      this.byNamespace.set(key, [...(this.byNamespace.get(key) ?? []), object]);
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

  /** Services that will exist in `namespace`: rendered ones and those operators create. */
  servicesIn(namespace: string | undefined): ManifestObject[] {
    return this.inNamespace(namespace).flatMap((object) => (object.kind === 'Service' ? [object] : operatorServices(object)));
  }

  /**
   * Every pod that will run in `namespace`, with the object that asks for it: rendered pod
   * templates, and the pods operators run for rendered custom resources.
   */
  podOwners(namespace: string | undefined): PodOwner[] {
    return this.inNamespace(namespace).flatMap((object) => [...podTemplatesOf(object), ...operatorPods(object)].map((pod) => ({ object, pod })));
  }
}
