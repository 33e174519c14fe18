import { destinationPermitted, groupKindPermitted, isClusterScoped, projectOf } from '../cross-references/argocd-references';
import { EnvironmentScope } from '../environment-scope';
import { record, text } from '../json-access';
import { apiGroupOf, ManifestObject } from '../manifest';
import { RuleViolation } from '../rule';
import { ApplicationReference } from './addon-origin';
import { AddonRule } from './addon-rule';

interface FolderIndex {
  readonly applications: Map<string, ManifestObject>;
  /** `group/kind` of every CustomResourceDefinition in the folder, to its scope. */
  readonly crdScopes: Map<string, string>;
}

const indexes = new WeakMap<readonly ManifestObject[], FolderIndex>();

function indexOf(scope: EnvironmentScope): FolderIndex {
  let index = indexes.get(scope.folderObjects);
  if (!index) {
    index = { applications: new Map(), crdScopes: new Map() };
    for (const object of scope.folderObjects) {
      if (object.kind === 'Application' && object.apiVersion.startsWith('argoproj.io/')) {
        index.applications.set(`${object.file}#${object.name}`, object);
      } else if (object.kind === 'CustomResourceDefinition') {
        const spec = record(object.body.spec);
        index.crdScopes.set(`${text(spec.group) ?? ''}/${text(record(spec.names).kind) ?? ''}`, text(spec.scope) ?? 'Namespaced');
      }
    }
    indexes.set(scope.folderObjects, index);
  }
  return index;
}

/** Whether the API server keeps the object without a namespace: by its CRD's scope when a CRD in the folder defines it, else as the Argo CD rules judge it. */
function clusterScoped(object: ManifestObject, index: FolderIndex): boolean {
  const crdScope = index.crdScopes.get(`${apiGroupOf(object.apiVersion)}/${object.kind}`);
  return crdScope !== undefined ? crdScope === 'Cluster' : isClusterScoped(object);
}

function problemsUnder(object: ManifestObject, scope: EnvironmentScope, reference: ApplicationReference): string[] {
  const index = indexOf(scope);
  const application = index.applications.get(`${reference.file}#${reference.name}`);
  if (!application) {
    return [`Application ${reference.name} of ${reference.file}, which renders this add-on, is not in the validated folder`];
  }
  const { name, project } = projectOf(application, scope);
  if (!project) {
    return [`AppProject ${name} of Application ${reference.name} is not rendered beside it`];
  }
  const group = apiGroupOf(object.apiVersion);
  const namespaced = !clusterScoped(object, index);
  const problems: string[] = [];
  if (!groupKindPermitted(project, group, object.kind, namespaced)) {
    problems.push(
      `${namespaced ? 'namespaced' : 'cluster-scoped'} kind ${group ? `${group}/` : ''}${object.kind} is not permitted by AppProject ${project.name} of Application ${reference.name} (${reference.file})`,
    );
  }
  const destination = record(record(application.body.spec).destination);
  const namespace = object.namespace ?? text(destination.namespace) ?? '';
  if (namespaced && !destinationPermitted(project, { server: text(destination.server) ?? '', name: text(destination.name) ?? '', namespace })) {
    problems.push(`namespace ${namespace} is not among the destinations of AppProject ${project.name} of Application ${reference.name} (${reference.file})`);
  }
  return problems;
}

export const ADDON_PROJECT_PERMITS: AddonRule = {
  id: 'ADDON-PROJECT-PERMITS',
  requirement:
    "every object of a rendered add-on is permitted by the AppProject of each Application that renders it (Argo CD refuses the sync otherwise): a cluster-scoped kind by clusterResourceWhitelist, a namespaced kind by the namespace white- and blacklists, and its namespace (else the Application's destination namespace) by destinations",
  fix: "Add the kind (clusterResourceKinds) or namespace (namespace, otherNamespaces) to the add-on's entry in lib/gitops/addon-catalog.ts, from which the add-on project is built, or change the add-on's values so that it renders no such object.",
  check: (object, scope, origin): RuleViolation[] =>
    origin.applications.flatMap((reference) => problemsUnder(object, scope, reference)).map((message) => ({ path: ['kind'], message })),
};

