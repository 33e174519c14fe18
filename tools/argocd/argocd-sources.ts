import * as fs from 'fs';
import * as path from 'path';
import { ARGOCD_FOLDER } from '../../lib/gitops/repository';
import { list, record, records, text } from '../validation/json-access';
import { listYamlFiles, parseManifestFile } from '../validation/load-manifests';
import { JsonObject } from '../validation/manifest';

/** An Argo CD object of dist/argocd/<cluster>, as parsed (a plain JSON object). */
export interface ArgoCdObject {
  readonly cluster: string;
  /** Its file, relative to dist/ (e.g. `argocd/production/root.yaml`). */
  readonly file: string;
  readonly body: JsonObject;
}

/** One source of an Application, or of the Application an ApplicationSet's template makes. */
export interface ArgoCdSource {
  readonly cluster: string;
  /** `Application <name> (<file>)`, for messages. */
  readonly owner: string;
  readonly repoURL: string;
  /** Helm sources. */
  readonly chart?: string;
  /** Git sources. */
  readonly path?: string;
  readonly targetRevision: string;
}

const ARGOCD_KINDS = ['Application', 'ApplicationSet', 'AppProject'];

/** The cluster folders of dist/argocd, sorted. */
export function argoCdClusters(distDir: string): string[] {
  const argocd = path.join(distDir, ARGOCD_FOLDER);
  return fs
    .readdirSync(argocd, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Every Application, ApplicationSet and AppProject under dist/argocd/<cluster> (subfolders included), per cluster asked for. */
export function argoCdObjects(distDir: string, clusters: readonly string[] = argoCdClusters(distDir)): ArgoCdObject[] {
  return clusters.flatMap((cluster) => {
    const folder = path.join(distDir, ARGOCD_FOLDER, cluster);
    return listYamlFiles(folder)
      .flatMap((file) => parseManifestFile(`${ARGOCD_FOLDER}/${cluster}/${file}`, fs.readFileSync(path.join(folder, file), 'utf8')))
      .filter((object) => object.apiVersion.startsWith('argoproj.io/') && ARGOCD_KINDS.includes(object.kind))
      .map((object) => ({ cluster, file: object.file, body: object.body }));
  });
}

/** The spec that holds `source`/`sources`: an Application's own, an ApplicationSet's template's; none for other kinds. */
export function applicationSpecOf(body: JsonObject): JsonObject | undefined {
  if (body.kind === 'Application') {
    return record(body.spec);
  }
  if (body.kind === 'ApplicationSet') {
    return record(record(record(body.spec).template).spec);
  }
  return undefined;
}

/** `source` and every entry of `sources` of an Application spec (the objects themselves, not copies). */
export function sourceBlocksOf(spec: JsonObject): JsonObject[] {
  return [...(spec.source !== undefined ? [record(spec.source)] : []), ...records(spec.sources)];
}

/** Every source of every Application and ApplicationSet template of the objects. */
export function argoCdSources(objects: readonly ArgoCdObject[]): ArgoCdSource[] {
  return objects.flatMap(({ cluster, file, body }) => {
    const spec = applicationSpecOf(body);
    const owner = `${String(body.kind)} ${text(record(body.metadata).name) ?? '(unnamed)'} (${file})`;
    return (spec ? sourceBlocksOf(spec) : []).map((source) => ({
      cluster,
      owner,
      repoURL: text(source.repoURL) ?? '',
      chart: text(source.chart),
      path: text(source.path),
      targetRevision: text(source.targetRevision) ?? 'HEAD',
    }));
  });
}

/** The `sourceRepos` of an AppProject. */
export function sourceReposOf(body: JsonObject): string[] {
  return body.kind === 'AppProject' ? list(record(body.spec).sourceRepos).filter((entry): entry is string => typeof entry === 'string') : [];
}

/** Whether a revision is an ApplicationSet template parameter (`{{head_sha}}`), known only when the generator runs. */
export function isTemplatedRevision(revision: string): boolean {
  return revision.includes('{{');
}
