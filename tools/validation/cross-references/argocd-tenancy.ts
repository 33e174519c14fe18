import * as path from 'path';
import { EnvironmentScope } from '../environment-scope';
import { list, record, records, text } from '../json-access';
import { ManifestObject, describeObject } from '../manifest';
import { Rule, RuleViolation } from '../rule';
import { kindRule } from '../rule-builders';
import { applicationSpecOf, isArgoCd, isClusterScoped, isTemplated, projectOf, repositorySources, syncWaveNumber } from './argocd-references';

/**
 * The cluster as Argo CD brings it up from one folder of `dist/argocd/<cluster>/`: tenancy (what an
 * environment's or a preview's Application may create) and bootstrap order (what each Application
 * needs from the others, and in which wave).
 */

const APPLICATION_KINDS = ['Application', 'ApplicationSet'];
/** The folder of dist/ whose Applications come from the tracked branch and configure the cluster itself. */
const CLUSTER_FOLDER_PREFIX = 'dist/argocd/';
/** Namespaces every cluster has before Argo CD syncs anything (argocd: bootstrap installs Argo CD there). */
const BUILT_IN_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'argocd']);
/** Namespaced kinds a tenant project must never allow: they would let content widen its own project or read other tenants' secrets. */
const NEVER_TO_TENANTS = [
  { group: '', kind: 'Secret' },
  { group: 'argoproj.io', kind: 'Application' },
  { group: 'argoproj.io', kind: 'ApplicationSet' },
  { group: 'argoproj.io', kind: 'AppProject' },
];

/** The Applications and ApplicationSets of the cluster folder `object` is in (the objects one root Application syncs). */
function clusterApplications(object: ManifestObject, scope: EnvironmentScope): ManifestObject[] {
  const folder = path.posix.dirname(object.file);
  return scope.folderObjects.filter((candidate) => APPLICATION_KINDS.includes(candidate.kind) && isArgoCd(candidate) && path.posix.dirname(candidate.file) === folder);
}

/**
 * Whether an Application (or ApplicationSet) syncs tenant content: an environment's or a
 * preview's folder of this repository, rather than the cluster's own folder under dist/argocd/.
 */
function isTenant(application: ManifestObject, scope: EnvironmentScope): boolean {
  return repositorySources(application, scope).some(({ source }) => {
    const sourcePath = text(source.path) ?? '';
    return sourcePath.startsWith('dist/') && !sourcePath.startsWith(CLUSTER_FOLDER_PREFIX);
  });
}

/** An ApplicationSet's templated namespace as the glob of every namespace it can generate (`{{number}}` -> `*`). */
function namespacePattern(namespace: string): string {
  return namespace.replace(/\{\{[^}]*\}\}/g, '*');
}

function tenantProjectProblems(project: ManifestObject, tenants: readonly ManifestObject[]): RuleViolation[] {
  const spec = record(project.body.spec);
  const users = tenants.map((t) => `${t.kind} ${t.name}`).join(', ');
  const violations: RuleViolation[] = [];
  const clusterKinds = records(spec.clusterResourceWhitelist).map((gk) => `${text(gk.group) ? `${text(gk.group)}/` : ''}${text(gk.kind) ?? ''}`);
  if (clusterKinds.length > 0) {
    violations.push({ path: ['spec', 'clusterResourceWhitelist'], message: `allows the cluster-scoped kinds ${clusterKinds.join(', ')} to ${users}, which sync environment or preview content` });
  }
  const allowed = new Set(
    tenants.map((t) => {
      const destination = record(applicationSpecOf(t).spec.destination);
      return `${text(destination.server) ?? text(destination.name) ?? ''} ${namespacePattern(text(destination.namespace) ?? '')}`;
    }),
  );
  records(spec.destinations).forEach((destination, index) => {
    const key = `${text(destination.server) ?? text(destination.name) ?? ''} ${text(destination.namespace) ?? ''}`;
    if (!allowed.has(key)) {
      violations.push({ path: ['spec', 'destinations', index], message: `allows ${key.trim() || 'any destination'} to ${users}, whose own destination is ${[...allowed].join(' or ')}: a foreign namespace` });
    }
  });
  const whitelist = spec.namespaceResourceWhitelist;
  if (whitelist === undefined || whitelist === null || list(whitelist).length === 0) {
    violations.push({ path: ['spec'], message: `has no namespaceResourceWhitelist, so ${users} may create every namespaced kind not blacklisted` });
  } else {
    records(whitelist).forEach((gk, index) => {
      const group = text(gk.group) ?? '';
      const kind = text(gk.kind) ?? '';
      const dangerous = NEVER_TO_TENANTS.some((d) => d.group === group && d.kind === kind);
      if (dangerous || /[*?[{]/.test(group + kind)) {
        violations.push({ path: ['spec', 'namespaceResourceWhitelist', index], message: `allows ${group ? `${group}/` : ''}${kind} to ${users}: ${dangerous ? 'a kind that would let the content widen its own rights' : 'a pattern, not one kind'}` });
      }
    });
  }
  list(spec.sourceRepos).forEach((repository, index) => {
    if (typeof repository === 'string' && /[*?]/.test(repository)) {
      violations.push({ path: ['spec', 'sourceRepos', index], message: `allows any repository matching ${repository} to ${users}` });
    }
  });
  return violations;
}

/** A thing one Application of a cluster provides and another may need: a namespace, a ClusterSecretStore, a ClusterIssuer, a CRD group. */
type Dependency = `${'namespace' | 'ClusterSecretStore' | 'ClusterIssuer' | 'API group'} ${string}`;

/** Objects an Application syncs: its folders of this repository, and objects embedded in Helm values (`extraObjects`). */
function syncedObjects(application: ManifestObject, scope: EnvironmentScope): { objects: { body: Record<string, unknown>; kind: string; namespace?: string; apiVersion: string }[] } {
  const { spec } = applicationSpecOf(application);
  const destinationNamespace = text(record(spec.destination).namespace);
  const objects: { body: Record<string, unknown>; kind: string; namespace?: string; apiVersion: string }[] = [];
  for (const { synced } of repositorySources(application, scope)) {
    for (const object of synced?.objects ?? []) {
      const namespace = isClusterScoped(object) ? undefined : (synced?.namespaceOverride ?? object.namespace ?? destinationNamespace);
      objects.push({ body: object.body, kind: object.kind, namespace, apiVersion: object.apiVersion });
    }
  }
  const sources = [record(spec.source), ...records(spec.sources)];
  for (const source of sources) {
    for (const embedded of embeddedObjects(record(source.helm).valuesObject)) {
      objects.push({ body: embedded, kind: text(embedded.kind) as string, apiVersion: text(embedded.apiVersion) as string, namespace: text(record(embedded.metadata).namespace) ?? destinationNamespace });
    }
  }
  return { objects };
}

/**
 * Kubernetes objects written into Helm values, wherever a chart takes them (`extraObjects`,
 * `grafana.extraObjects`, `extraManifests`, ...): any map with string apiVersion and kind and a
 * metadata map. The chart renders them as they are, so the Application syncs them.
 */
function embeddedObjects(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) {
    return value.flatMap(embeddedObjects);
  }
  if (typeof value !== 'object' || value === null) {
    return [];
  }
  const map = value as Record<string, unknown>;
  if (typeof map.apiVersion === 'string' && typeof map.kind === 'string' && typeof map.metadata === 'object' && map.metadata !== null) {
    return [map];
  }
  return Object.values(map).flatMap(embeddedObjects);
}

function syncOptions(application: ManifestObject): string[] {
  return list(record(applicationSpecOf(application).spec.syncPolicy).syncOptions).filter((option): option is string => typeof option === 'string');
}

/** What an Application brings to the cluster. */
function provides(application: ManifestObject, scope: EnvironmentScope): Set<Dependency> {
  const provided = new Set<Dependency>();
  const destinationNamespace = text(record(applicationSpecOf(application).spec.destination).namespace);
  if (destinationNamespace && syncOptions(application).includes('CreateNamespace=true')) {
    provided.add(`namespace ${destinationNamespace}`);
  }
  for (const object of syncedObjects(application, scope).objects) {
    const name = text(record(object.body.metadata).name) ?? '';
    if (object.kind === 'Namespace') {
      provided.add(`namespace ${name}`);
    } else if (object.kind === 'ClusterSecretStore' || object.kind === 'ClusterIssuer') {
      provided.add(`${object.kind} ${name}`);
    } else if (object.kind === 'CustomResourceDefinition') {
      provided.add(`API group ${text(record(object.body.spec).group) ?? ''}`);
    }
  }
  return provided;
}

/** What an Application's objects need to exist before they can be created or become healthy. */
function needs(application: ManifestObject, scope: EnvironmentScope): Set<Dependency> {
  const needed = new Set<Dependency>();
  const destinationNamespace = text(record(applicationSpecOf(application).spec.destination).namespace);
  if (destinationNamespace && !isTemplated(destinationNamespace) && !syncOptions(application).includes('CreateNamespace=true')) {
    needed.add(`namespace ${destinationNamespace}`);
  }
  for (const object of syncedObjects(application, scope).objects) {
    if (object.namespace && !isTemplated(object.namespace)) {
      needed.add(`namespace ${object.namespace}`);
    }
    const spec = record(object.body.spec);
    const storeRef = record(spec.secretStoreRef);
    if (object.kind === 'ExternalSecret' && text(storeRef.kind) === 'ClusterSecretStore' && text(storeRef.name)) {
      needed.add(`ClusterSecretStore ${text(storeRef.name)}`);
    }
    const issuerRef = record(spec.issuerRef);
    if (object.kind === 'Certificate' && text(issuerRef.kind) === 'ClusterIssuer' && text(issuerRef.name)) {
      needed.add(`ClusterIssuer ${text(issuerRef.name)}`);
    }
    const group = object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.indexOf('/')) : '';
    if (group.includes('.') && !group.endsWith('k8s.io') && group !== 'argoproj.io') {
      needed.add(`API group ${group}`);
    }
  }
  return needed;
}

/** Every Application's wave, provisions and needs, computed once per cluster folder. */
const CLUSTER_MODELS = new WeakMap<readonly ManifestObject[], Map<string, Map<ManifestObject, { wave?: number; provides: Set<Dependency>; needs: Set<Dependency> }>>>();

function clusterModel(object: ManifestObject, scope: EnvironmentScope) {
  let byFolder = CLUSTER_MODELS.get(scope.folderObjects);
  if (!byFolder) {
    byFolder = new Map();
    CLUSTER_MODELS.set(scope.folderObjects, byFolder);
  }
  const folder = path.posix.dirname(object.file);
  let model = byFolder.get(folder);
  if (!model) {
    model = new Map(clusterApplications(object, scope).map((application) => [application, { wave: syncWaveNumber(application), provides: provides(application, scope), needs: needs(application, scope) }]));
    byFolder.set(folder, model);
  }
  return model;
}

function waveOrderProblems(application: ManifestObject, scope: EnvironmentScope): RuleViolation[] {
  const model = clusterModel(application, scope);
  const own = model.get(application);
  if (!own || own.wave === undefined) {
    return [];
  }
  const violations: RuleViolation[] = [];
  for (const dependency of own.needs) {
    if (own.provides.has(dependency) || (dependency.startsWith('namespace ') && BUILT_IN_NAMESPACES.has(dependency.slice('namespace '.length)))) {
      continue;
    }
    const providers = [...model].filter(([other, facts]) => other !== application && facts.provides.has(dependency));
    if (providers.length === 0) {
      // CRD groups come from add-ons whose manifests are not in dist/ unless they are rendered; the other kinds must be provided here.
      if (!dependency.startsWith('API group ')) {
        violations.push({ path: ['metadata', 'name'], message: `needs ${dependency}, which no Application of this cluster provides` });
      }
      continue;
    }
    const late = providers.filter(([, facts]) => facts.wave === undefined || facts.wave >= (own.wave as number));
    if (late.length === providers.length) {
      const [provider, facts] = late[0];
      violations.push({
        path: ['metadata', 'annotations'],
        message: `needs ${dependency}, which ${describeObject(provider)} provides in wave ${facts.wave ?? '(none)'}, not before this Application's wave ${own.wave}: the root Application waits on this wave for ever`,
      });
    }
  }
  return violations;
}

export const ARGOCD_TENANCY_RULES: readonly Rule[] = [
  kindRule(
    {
      id: 'ARGOCD-TENANT-PROJECT',
      requirement:
        "the AppProject of an Application (or ApplicationSet) that syncs an environment's or a preview's folder of dist/ allows no cluster-scoped kind, no namespace but that Application's destination, only a whitelist of namespaced kinds (never Secrets, Argo CD's kinds or patterns) and no repository pattern",
      fix: 'Give the environment (or the previews) a project of its own with exactly its namespace and the namespaced kinds it renders; render cluster-scoped objects with the cluster baseline under dist/argocd/<cluster>/.',
    },
    ['AppProject'],
    (project, scope) => {
      if (!isArgoCd(project)) {
        return [];
      }
      const folder = path.posix.dirname(project.file);
      const tenants = scope.folderObjects.filter(
        (candidate) =>
          APPLICATION_KINDS.includes(candidate.kind) && isArgoCd(candidate) && path.posix.dirname(candidate.file) === folder && projectOf(candidate, scope).project === project && isTenant(candidate, scope),
      );
      return tenants.length === 0 ? [] : tenantProjectProblems(project, tenants);
    },
  ),
  kindRule(
    {
      id: 'ARGOCD-WAVE-ORDER',
      requirement:
        'across the Applications of a cluster, whatever an Application needs (the namespaces it deploys into, the ClusterSecretStores and ClusterIssuers it names, the CRD groups of its kinds when their CRDs are rendered) is provided by itself or by an Application of an earlier sync wave',
      fix: "Move the provider to an earlier wave (lib/gitops/application-waves.ts) or the user to a later one; create the namespace with the cluster baseline or the add-on's CreateNamespace.",
    },
    APPLICATION_KINDS,
    (application, scope) => (isArgoCd(application) ? waveOrderProblems(application, scope) : []),
  ),
];
