import * as fs from 'fs';
import * as path from 'path';
import { ARGOCD_FOLDER, PLATFORM_REPOSITORY } from '../../lib/gitops/repository';
import { normalizeRepositoryUrl } from '../validation/cross-references/argocd-references';
import { list, record, records, text } from '../validation/json-access';
import { listYamlFiles, parseManifestFile } from '../validation/load-manifests';
import { JsonObject, ManifestObject } from '../validation/manifest';
import { LockedSource } from './addon-lock';

/** How Argo CD 2.10 builds an add-on's manifests. */
export enum AddonSourceKind {
  HELM = 'helm',
  KUSTOMIZE = 'kustomize',
  DIRECTORY = 'directory',
}

/** One add-on Application of dist/argocd: an Application whose source is not this repository. */
export interface AddonApplication {
  /** The cluster folder under dist/argocd. */
  readonly cluster: string;
  /** The Application's file, relative to dist/ (e.g. `argocd/production/addons.yaml`). */
  readonly file: string;
  readonly name: string;
  readonly project: string;
  readonly destinationNamespace: string;
  readonly kind: AddonSourceKind;
  /** The source as written (`repoURL`, `chart` or `path`, `targetRevision`, and the helm/kustomize/directory block). */
  readonly source: JsonObject;
  readonly lockedSource: LockedSource;
}

/** Source fields the renderer reproduces; any other field would change Argo CD's output, so it is refused, not ignored. */
const SUPPORTED_FIELDS: Readonly<Record<AddonSourceKind, readonly string[]>> = {
  [AddonSourceKind.HELM]: ['releaseName', 'valuesObject', 'values'],
  [AddonSourceKind.KUSTOMIZE]: ['images', 'patches'],
  [AddonSourceKind.DIRECTORY]: ['include', 'exclude', 'recurse'],
};

/** Every add-on Application under `<distDir>/argocd/<cluster>/`, in file and document order. */
export function addonApplicationsIn(distDir: string): AddonApplication[] {
  const argocd = path.join(distDir, ARGOCD_FOLDER);
  const platform = normalizeRepositoryUrl(PLATFORM_REPOSITORY.url);
  return listYamlFiles(argocd)
    .flatMap((file) => parseManifestFile(`${ARGOCD_FOLDER}/${file}`, fs.readFileSync(path.join(argocd, file), 'utf8')))
    .filter((object) => object.kind === 'Application' && object.apiVersion.startsWith('argoproj.io/'))
    .filter((object) => {
      const repoUrl = text(record(record(object.body.spec).source).repoURL);
      return repoUrl !== undefined && normalizeRepositoryUrl(repoUrl) !== platform;
    })
    .map(toAddonApplication);
}

function toAddonApplication(object: ManifestObject): AddonApplication {
  const spec = record(object.body.spec);
  const where = `${object.file}: Application ${object.name}`;
  if (spec.sources !== undefined) {
    throw new Error(`${where}: multi-source Applications are not rendered by tools/addons. Fix: use one source, or extend tools/addons/addon-applications.ts`);
  }
  const source = record(spec.source);
  const repoURL = text(source.repoURL) ?? '';
  const targetRevision = text(source.targetRevision) ?? '';
  const chart = text(source.chart);
  const kind = chart !== undefined ? AddonSourceKind.HELM : source.kustomize !== undefined ? AddonSourceKind.KUSTOMIZE : AddonSourceKind.DIRECTORY;
  const block = record(source[kind]);
  const unsupported = [
    ...Object.keys(source).filter((key) => !['repoURL', 'targetRevision', 'chart', 'path', kind].includes(key)),
    ...Object.keys(block).filter((key) => !SUPPORTED_FIELDS[kind].includes(key)).map((key) => `${kind}.${key}`),
  ];
  if (unsupported.length > 0) {
    throw new Error(`${where}: source field(s) ${unsupported.join(', ')} are not rendered by tools/addons. Fix: extend tools/addons/render-addon.ts to apply them as Argo CD 2.10 does`);
  }
  if (kind !== AddonSourceKind.HELM && text(source.path) === undefined) {
    throw new Error(`${where}: a Git source needs a path`);
  }
  const destination = record(spec.destination);
  return {
    cluster: object.file.split('/')[1],
    file: object.file,
    name: object.name,
    project: text(spec.project) ?? '',
    destinationNamespace: text(destination.namespace) ?? '',
    kind,
    source,
    lockedSource: chart !== undefined ? { repoURL, chart, targetRevision } : { repoURL, path: text(source.path), targetRevision },
  };
}

/** The kustomize `images` entries of a source (`[old=]name[:tag][@digest]`). */
export function kustomizeImages(application: AddonApplication): string[] {
  return list(record(application.source.kustomize).images).filter((entry): entry is string => typeof entry === 'string');
}

/** The kustomize `patches` of a source, as Argo CD appends them to the kustomization. */
export function kustomizePatches(application: AddonApplication): JsonObject[] {
  return records(record(application.source.kustomize).patches);
}
