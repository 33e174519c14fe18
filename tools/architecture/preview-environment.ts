import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { layerBinary } from '../addons/layer-binaries';
import { fillInPullRequest, PREVIEW_PULL_REQUEST, withArgoCdKustomizeSettings } from '../cluster/deployment-units';
import { record, text } from '../validation/json-access';
import { KUSTOMIZATION_FILE_NAMES, parseManifestFile } from '../validation/load-manifests';
import { ManifestObject } from '../validation/manifest';
import { loadRenderedFolder, RenderedEnvironment, syncWaveOf } from './rendered-environment';

/** One Application an ApplicationSet makes for the example pull request. */
interface PreviewApplication {
  readonly applicationSet: ManifestObject;
  readonly name: string;
  readonly sourcePath: string;
  readonly namespace: string;
  readonly objects: readonly ManifestObject[];
}

/**
 * `kubectl kustomize` (kubectl 1.27, as tools/cluster and test/gitops/preview-kustomize.test.ts
 * build it) of a copy of `folder` with the Application's kustomize settings, as Argo CD 2.10 does.
 * The ApplicationSets rewrite the namespace, hosts, certificate names and backup path with JSON
 * patches; kustomize itself applies them, so the picture shows what a preview really gets.
 */
function kustomizeBuild(folder: string, settings: Record<string, unknown>, file: string): ManifestObject[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'architecture-preview-'));
  try {
    fs.cpSync(folder, dir, { recursive: true });
    const kustomization = KUSTOMIZATION_FILE_NAMES.map((name) => path.join(dir, name)).find((candidate) => fs.existsSync(candidate));
    if (!kustomization) {
      throw new Error(`${folder}: an ApplicationSet syncs it with kustomize settings but it has no kustomization`);
    }
    fs.writeFileSync(kustomization, stringify(withArgoCdKustomizeSettings(record(parse(fs.readFileSync(kustomization, 'utf8'))), settings)));
    const build = spawnSync(layerBinary('kubectl/kubectl'), ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (build.status !== 0) {
      throw new Error(`kubectl kustomize ${folder} failed: ${build.stderr || build.error?.message}`);
    }
    return parseManifestFile(file, build.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The preview of one pull request (number PREVIEW_PULL_REQUEST, an example: every preview is the
 * same with its own number) as Argo CD renders it: the Applications the cluster's ApplicationSets
 * make for it, each folder of dist/ built with their kustomize settings, joined by destination
 * namespace (the preview's content and the namespace with its quota and base NetworkPolicies come
 * from two ApplicationSets). Named after the ApplicationSet whose source is `dist/<name>`.
 */
function previewEnvironmentsOf(distDir: string, clusterFolder: string, clusterObjects: readonly ManifestObject[]): RenderedEnvironment[] {
  const applications: PreviewApplication[] = clusterObjects
    // Only ApplicationSets of folders of this repository's dist/ (a chart's would be an add-on's).
    .filter((object) => object.kind === 'ApplicationSet' && (text(record(record(record(record(object.body.spec).template).spec).source).path) ?? '').startsWith('dist/'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((applicationSet) => {
      const template = record(fillInPullRequest(record(record(applicationSet.body.spec).template)));
      const spec = record(template.spec);
      const source = record(spec.source);
      const name = text(record(template.metadata).name) ?? applicationSet.name;
      const sourcePath = text(source.path) ?? '';
      const folder = path.join(distDir, path.posix.relative('dist', sourcePath));
      const namespace = text(record(spec.destination).namespace) ?? 'default';
      return { applicationSet, name, sourcePath, namespace, objects: kustomizeBuild(folder, record(source.kustomize), `preview/${name}.yaml`) };
    });
  const environments: RenderedEnvironment[] = [];
  for (const namespace of [...new Set(applications.map((application) => application.namespace))].sort()) {
    const together = applications.filter((application) => application.namespace === namespace);
    const main = together.find((application) => /^dist\/[a-z0-9-]+$/.test(application.sourcePath) && application.sourcePath !== 'dist/argocd');
    if (!main) {
      continue;
    }
    const syncedBy = together.map((application) => `Application ${application.name} of ApplicationSet ${application.applicationSet.name} (wave ${syncWaveOf(application.applicationSet)})`).join(',\n');
    environments.push({
      name: main.sourcePath.slice('dist/'.length),
      clusterFolder,
      namespace,
      objects: together.flatMap((application) => application.objects),
      clusterObjects,
      syncedBy: `pull request ${PREVIEW_PULL_REQUEST} (an example), synced by Argo CD ${syncedBy}`,
    });
  }
  return environments;
}

/** The preview of every cluster that has pull-request ApplicationSets (the development cluster's today), sorted by name. */
export function loadPreviewEnvironments(distDir: string): RenderedEnvironment[] {
  const clusters = fs.readdirSync(path.join(distDir, 'argocd'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return clusters.flatMap((cluster) => previewEnvironmentsOf(distDir, `argocd/${cluster}`, loadRenderedFolder(distDir, `argocd/${cluster}`))).sort((a, b) => a.name.localeCompare(b.name));
}
