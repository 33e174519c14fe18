import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { ARGOCD_FOLDER, PLATFORM_REPOSITORY } from '../../lib/gitops/repository';
import { layerBinary } from '../addons/layer-binaries';
import { objectsOf, RenderedAddon } from '../addons/render-addons';
import { normalizeRepositoryUrl } from '../validation/cross-references/argocd-references';
import { list, record, records, text } from '../validation/json-access';
import { isKustomizationFile, KUSTOMIZATION_FILE_NAMES } from '../validation/load-manifests';
import { KubeObject } from './kube-client';

/** What one Argo CD Application (or one Application an ApplicationSet makes) puts into one cluster. */
export interface DeploymentUnit {
  /** The cluster folder under dist/argocd. */
  readonly cluster: string;
  /** `Application <name> (<source>)`, for findings. */
  readonly source: string;
  /** Where namespaced objects without a namespace go (Argo CD's destination namespace). */
  readonly destinationNamespace: string;
  /** Whether Argo CD creates the destination namespace (`CreateNamespace=true`), and with which labels. */
  readonly createNamespace?: { readonly labels: Record<string, string> };
  readonly objects: readonly KubeObject[];
}

/** The pull request whose preview the ApplicationSets render (any number does; the tests use 42 throughout). */
export const PREVIEW_PULL_REQUEST = '42';
const PREVIEW_HEAD_SHA = '0123456789abcdef0123456789abcdef01234567';

/**
 * Every unit each cluster's Argo CD deploys, followed from dist/ alone as Argo CD does: the root
 * Application's folder, each Application it holds whose source is this repository (a folder, or a
 * kustomization built with kubectl 1.27's kustomize), each ApplicationSet's Application for pull
 * request 42 (kustomize namespace, images and patches as Argo CD 2.10 sets them), and each add-on
 * as rendered by tools/addons (`addons`, by cluster and Application name).
 */
export function deploymentUnits(distDir: string, addons: readonly RenderedAddon[]): DeploymentUnit[] {
  const clusters = fs.readdirSync(path.join(distDir, ARGOCD_FOLDER)).filter((entry) => fs.statSync(path.join(distDir, ARGOCD_FOLDER, entry)).isDirectory()).sort();
  return clusters.flatMap((cluster) => {
    const rootFolder = path.join(distDir, ARGOCD_FOLDER, cluster);
    const root: DeploymentUnit = { cluster, source: `root Application (dist/${ARGOCD_FOLDER}/${cluster})`, destinationNamespace: 'argocd', objects: folderObjects(rootFolder) };
    const units: DeploymentUnit[] = [root];
    for (const object of root.objects) {
      const sourcePath = text(record(record(object.spec).source).path);
      if (object.kind === 'Application' && sourcePath !== `dist/${ARGOCD_FOLDER}/${cluster}`) {
        units.push(applicationUnit(cluster, object, distDir, addons));
      } else if (object.kind === 'ApplicationSet') {
        const template = fillInPullRequest(record(record(object.spec).template)) as Record<string, unknown>;
        units.push(applicationUnit(cluster, { ...template, apiVersion: object.apiVersion, kind: 'Application', metadata: record(template.metadata) } as KubeObject, distDir, addons));
      }
    }
    return units;
  });
}

function applicationUnit(cluster: string, application: KubeObject, distDir: string, addons: readonly RenderedAddon[]): DeploymentUnit {
  const spec = record(application.spec);
  const source = record(spec.source);
  const syncOptions = list(record(spec.syncPolicy).syncOptions);
  const destinationNamespace = text(record(spec.destination).namespace) ?? 'default';
  const createNamespace = syncOptions.includes('CreateNamespace=true')
    ? { labels: record(record(record(spec.syncPolicy).managedNamespaceMetadata).labels) as Record<string, string> }
    : undefined;
  const name = application.metadata.name ?? '';
  const repoUrl = text(source.repoURL) ?? '';
  if (normalizeRepositoryUrl(repoUrl) === normalizeRepositoryUrl(PLATFORM_REPOSITORY.url)) {
    // Paths are relative to the repository, whose dist/ is `distDir` (it may be a copy elsewhere).
    const folder = path.join(distDir, path.posix.relative('dist', text(source.path) ?? ''));
    return { cluster, source: `Application ${name} (${text(source.path)})`, destinationNamespace, createNamespace, objects: platformObjects(folder, record(source.kustomize)) };
  }
  const addon = addons.find((candidate) => candidate.application.cluster === cluster && candidate.application.name === name);
  if (!addon) {
    throw new Error(`cluster ${cluster}: add-on Application ${name} was not rendered: pass every add-on of renderAddons(dist)`);
  }
  return { cluster, source: `add-on Application ${name} (${text(source.chart) ?? text(source.path)} ${text(source.targetRevision)})`, destinationNamespace, createNamespace, objects: parsedOnce(addon.yaml) };
}

const parsed = new Map<string, KubeObject[]>();

/** The objects of a rendered add-on, parsed once: the clusters share most renders, and their CRDs are megabytes. */
function parsedOnce(yaml: string): KubeObject[] {
  let objects = parsed.get(yaml);
  if (!objects) {
    objects = objectsOf(yaml) as KubeObject[];
    parsed.set(yaml, objects);
  }
  return objects;
}

/** A platform folder as Argo CD reads it: kustomize when a kustomization is there, else the folder's YAML files. */
function platformObjects(folder: string, kustomize: Record<string, unknown>): KubeObject[] {
  if (KUSTOMIZATION_FILE_NAMES.some((name) => fs.existsSync(path.join(folder, name)))) {
    return kustomizeBuild(folder, kustomize);
  }
  if (Object.keys(kustomize).length > 0) {
    throw new Error(`${folder}: the Application sets kustomize options but the folder has no kustomization`);
  }
  return folderObjects(folder);
}

/** The objects of the YAML files directly in `folder` (Argo CD's directory source does not recurse by default). */
function folderObjects(folder: string): KubeObject[] {
  return fs
    .readdirSync(folder)
    .filter((file) => /\.ya?ml$/.test(file) && !isKustomizationFile(file) && fs.statSync(path.join(folder, file)).isFile())
    .sort()
    .flatMap((file) => objectsOf(fs.readFileSync(path.join(folder, file), 'utf8')) as KubeObject[]);
}

/**
 * `kubectl kustomize` of a copy of `folder` with the Application's kustomize settings written into
 * the kustomization, as Argo CD 2.10 does (`kustomize edit set namespace`/`set image`, `patches` appended).
 */
function kustomizeBuild(folder: string, settings: Record<string, unknown>): KubeObject[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-kustomize-'));
  try {
    fs.cpSync(folder, dir, { recursive: true });
    const file = KUSTOMIZATION_FILE_NAMES.map((name) => path.join(dir, name)).find((candidate) => fs.existsSync(candidate))!;
    fs.writeFileSync(file, stringify(withArgoCdKustomizeSettings(record(parse(fs.readFileSync(file, 'utf8'))), settings)));
    const build = spawnSync(layerBinary('kubectl/kubectl'), ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (build.status !== 0) {
      throw new Error(`kubectl kustomize ${folder} failed: ${build.stderr || build.error?.message}`);
    }
    return objectsOf(build.stdout) as KubeObject[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A kustomization with an Application's kustomize settings written in, as Argo CD 2.10 does:
 * `kustomize edit set namespace`, `set image` (tags), and the settings' patches appended.
 */
export function withArgoCdKustomizeSettings(kustomization: Record<string, unknown>, settings: Record<string, unknown>): Record<string, unknown> {
  const result = { ...kustomization };
  if (text(settings.namespace)) {
    result.namespace = settings.namespace;
  }
  if (list(settings.images).length > 0) {
    result.images = list(settings.images).map((image) => {
      const reference = String(image);
      const at = reference.lastIndexOf(':');
      return { name: reference.slice(0, at), newTag: reference.slice(at + 1) };
    });
  }
  if (records(settings.patches).length > 0) {
    result.patches = [...records(kustomization.patches), ...records(settings.patches)];
  }
  return result;
}

/** What the pull-request generator fills in for one pull request (fasttemplate: every `{{param}}` in every string). */
export function fillInPullRequest(value: unknown, number: string = PREVIEW_PULL_REQUEST, headSha: string = PREVIEW_HEAD_SHA): unknown {
  if (typeof value === 'string') {
    return value.split('{{number}}').join(number).split('{{head_sha}}').join(headSha);
  }
  if (Array.isArray(value)) {
    return value.map((entry) => fillInPullRequest(entry, number, headSha));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, fillInPullRequest(entry, number, headSha)]));
  }
  return value;
}
