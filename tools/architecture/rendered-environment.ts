import * as fs from 'fs';
import * as path from 'path';
import { record, text } from '../validation/json-access';
import { listYamlFiles, parseManifestFile } from '../validation/load-manifests';
import { ManifestObject } from '../validation/manifest';

/** What the picture of one environment is drawn from: its folder of dist/ and the Argo CD folder of the cluster that syncs it. */
export interface RenderedEnvironment {
  readonly name: string;
  /** `argocd/<cluster>` folder whose Application syncs `dist/<name>`. */
  readonly clusterFolder: string;
  /** The environment's namespace (of its objects). */
  readonly namespace: string;
  /** Objects of `dist/<name>/`. */
  readonly objects: readonly ManifestObject[];
  /** Objects of `dist/argocd/<cluster>/` (Applications, cluster baseline, certificate authority). */
  readonly clusterObjects: readonly ManifestObject[];
  /** What syncs the namespace, when not one Application of the cluster (a pull request's preview). @default `Argo CD in wave <the Application's wave>` */
  readonly syncedBy?: string;
}

/** Every object of the YAML files under `dist/<folder>` (kustomizations apart). */
export function loadRenderedFolder(distDir: string, folder: string): ManifestObject[] {
  const dir = path.join(distDir, folder);
  return listYamlFiles(dir).flatMap((file) => parseManifestFile(`${folder}/${file}`, fs.readFileSync(path.join(dir, file), 'utf8')));
}

/** The sync wave Argo CD gives an object (`argocd.argoproj.io/sync-wave`, 0 when absent). */
export function syncWaveOf(object: ManifestObject): number {
  const wave = text(record(record(object.body.metadata).annotations)['argocd.argoproj.io/sync-wave']);
  return wave === undefined ? 0 : Number(wave);
}

/** The Argo CD hook an object runs as (`PostSync`, ...), if any. */
export function hookOf(object: ManifestObject): string | undefined {
  return text(record(record(object.body.metadata).annotations)['argocd.argoproj.io/hook']);
}

/**
 * Every environment that a cluster's Application syncs from `dist/<environment>` (the templates of
 * pull-request previews are synced by ApplicationSets: tools/architecture/preview-environment.ts).
 */
export function loadRenderedEnvironments(distDir: string): RenderedEnvironment[] {
  const clusters = fs.readdirSync(path.join(distDir, 'argocd'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const environments: RenderedEnvironment[] = [];
  for (const cluster of clusters) {
    const clusterObjects = loadRenderedFolder(distDir, `argocd/${cluster}`);
    for (const application of clusterObjects.filter((object) => object.kind === 'Application')) {
      const source = record(record(application.body.spec).source);
      const match = /^dist\/([a-z0-9-]+)$/.exec(text(source.path) ?? '');
      if (!match || match[1] === 'argocd') {
        continue;
      }
      const name = match[1];
      const objects = loadRenderedFolder(distDir, name);
      const namespace = text(record(record(application.body.spec).destination).namespace) ?? objects.find((object) => object.namespace)?.namespace ?? name;
      environments.push({ name, clusterFolder: `argocd/${cluster}`, namespace, objects, clusterObjects });
    }
  }
  return environments.sort((a, b) => a.name.localeCompare(b.name));
}
