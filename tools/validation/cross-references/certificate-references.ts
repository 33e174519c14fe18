import * as path from 'path';
import { EnvironmentScope } from '../environment-scope';
import { record, records, text } from '../json-access';
import { ManifestObject } from '../manifest';
import { Rule } from '../rule';
import { kindRule } from '../rule-builders';

const CERT_MANAGER_GROUP = 'cert-manager.io';
const RENDERED_FOLDER = /^(?:\.\/)?dist\/([^/{}]+)/;

/** The folders under the validated folder that an Argo CD Application or ApplicationSet source syncs (`dist/<folder>`). */
function syncedFolders(object: ManifestObject): string[] {
  const spec = object.kind === 'ApplicationSet' ? record(record(record(object.body.spec).template).spec) : record(object.body.spec);
  const sources = [...(spec.source !== undefined ? [record(spec.source)] : []), ...records(spec.sources)];
  return sources.flatMap((source) => {
    const match = RENDERED_FOLDER.exec(text(source.path) ?? '');
    return match ? [match[1]] : [];
  });
}

const CLUSTER_MATES = new WeakMap<readonly ManifestObject[], Map<string, Set<string>>>();

/**
 * For each environment folder, the folders synced to the same cluster: those named by Argo CD
 * Applications (and ApplicationSets, e.g. the previews) in the same Argo CD folder
 * (`argocd/<cluster>/`), since one Argo CD instance deploys to its own cluster. A folder no
 * Application names shares its cluster with no other.
 */
function clusterMates(scope: EnvironmentScope): Map<string, Set<string>> {
  let cached = CLUSTER_MATES.get(scope.folderObjects);
  if (!cached) {
    const foldersByArgoCd = new Map<string, Set<string>>();
    for (const object of scope.folderObjects) {
      if ((object.kind === 'Application' || object.kind === 'ApplicationSet') && object.apiVersion.startsWith('argoproj.io/')) {
        const argoCdFolder = path.posix.dirname(object.file);
        const folders = foldersByArgoCd.get(argoCdFolder) ?? new Set<string>();
        syncedFolders(object).forEach((folder) => folders.add(folder));
        foldersByArgoCd.set(argoCdFolder, folders);
      }
    }
    cached = new Map();
    for (const folders of foldersByArgoCd.values()) {
      for (const folder of folders) {
        const mates = cached.get(folder) ?? new Set<string>();
        folders.forEach((mate) => mates.add(mate));
        cached.set(folder, mates);
      }
    }
    CLUSTER_MATES.set(scope.folderObjects, cached);
  }
  return cached;
}

function clusterIssuerRendered(name: string, certificate: ManifestObject, scope: EnvironmentScope): boolean {
  if (scope.findAnywhere('ClusterIssuer', name)?.apiVersion.startsWith(`${CERT_MANAGER_GROUP}/`)) {
    return true;
  }
  const mates = clusterMates(scope).get(certificate.environment) ?? new Set<string>();
  return scope.folderObjects.some(
    (object) => object.kind === 'ClusterIssuer' && object.name === name && object.apiVersion.startsWith(`${CERT_MANAGER_GROUP}/`) && mates.has(object.environment),
  );
}

export const CERTIFICATE_REFERENCE_RULES: readonly Rule[] = [
  kindRule(
    {
      id: 'XREF-CERTIFICATE-ISSUER',
      requirement:
        "a cert-manager Certificate's issuerRef names an Issuer rendered in its namespace, or a ClusterIssuer rendered in its folder or in a folder Argo CD syncs to the same cluster",
      fix: 'Render the Issuer next to the Certificate (or the ClusterIssuer in the folder of the environment that owns the cluster), or correct spec.issuerRef name and kind.',
    },
    ['Certificate'],
    (object, scope) => {
      if (!object.apiVersion.startsWith(`${CERT_MANAGER_GROUP}/`)) {
        return [];
      }
      const issuerRef = record(record(object.body.spec).issuerRef);
      const group = text(issuerRef.group) ?? CERT_MANAGER_GROUP;
      const name = text(issuerRef.name);
      // An external issuer (another API group) answers to its own controller; the gate cannot know its kinds.
      if (group !== CERT_MANAGER_GROUP || name === undefined) {
        return [];
      }
      const kind = text(issuerRef.kind) ?? 'Issuer';
      if (kind === 'ClusterIssuer') {
        return clusterIssuerRendered(name, object, scope)
          ? []
          : [{ path: ['spec', 'issuerRef', 'name'], message: `ClusterIssuer ${name} is rendered neither in ${object.environment}/ nor in a folder Argo CD syncs to the same cluster` }];
      }
      const issuer = scope.find(kind, name, object.namespace);
      return kind === 'Issuer' && issuer?.apiVersion.startsWith(`${CERT_MANAGER_GROUP}/`)
        ? []
        : [{ path: ['spec', 'issuerRef'], message: `${kind} ${name} is not a cert-manager Issuer rendered in namespace ${object.namespace ?? '(none)'}` }];
    },
  ),
];
