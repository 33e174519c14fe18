import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { AppliedExemption, Finding } from '../../../../tools/validation/finding';
import { parseKustomization, parseManifestFile } from '../../../../tools/validation/load-manifests';
import { validateObjects } from '../../../../tools/validation/validate-directory';
import { ARGOCD_KINDS, compliantPlatform, isClusterScopedFixture, K8sObject } from './builders';

/** Every temporary folder made here: the test file that made them removes them after its tests (also when one fails). */
const madeDirs: string[] = [];
afterAll(() => {
  for (const dir of madeDirs.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

export const ENVIRONMENTS = ['development', 'preview', 'staging', 'production'];
/** Each environment folder is also a kustomize base (as dist/preview is), listing its one file. */
export const KUSTOMIZATION = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - platform.yaml\n';
const PRODUCTION_KUSTOMIZATION = 'production/kustomization.yaml';
/** Where the fixtures put the Argo CD objects: a folder of its own, as dist/argocd/<cluster>/. */
export const ARGOCD_FILE = 'argocd/apps.yaml';

/** Multi-document YAML of `objects`, as the synth writes it. */
export function toYaml(objects: readonly K8sObject[]): string {
  return objects.map((object) => stringify(object, { version: '1.1' })).join('---\n');
}

/**
 * Argo CD objects go to the Argo CD folder, cluster-scoped objects to the cluster baseline folder
 * (labelled with their environment, as the synth renders them), everything else to the environment's folder.
 */
export function splitArgoCd(objects: readonly K8sObject[]): { platform: K8sObject[]; argoCd: K8sObject[]; clusterScoped: K8sObject[] } {
  const isArgoCd = (object: K8sObject) => ARGOCD_KINDS.includes(String(object.kind));
  const clusterScoped = objects.filter((object) => !isArgoCd(object) && isClusterScopedFixture(object));
  return {
    platform: objects.filter((object) => !isArgoCd(object) && !isClusterScopedFixture(object)),
    argoCd: objects.filter(isArgoCd),
    clusterScoped: clusterScoped.map((object) => {
      const metadata = object.metadata as K8sObject;
      return { ...object, metadata: { ...metadata, labels: { ...((metadata.labels as K8sObject | undefined) ?? {}), [ENVIRONMENT_LABEL]: 'production' } } };
    }),
  };
}

/** The label that puts an object of the Argo CD folder in its environment's scope (tools/validation/load-manifests.ts). */
const ENVIRONMENT_LABEL = 'generator-platform.dev/environment';
/** Where the fixtures put the cluster-scoped objects: the folder the cluster baseline Application syncs. */
export const CLUSTER_BASELINE_FILE = 'argocd/cluster-baseline/production.yaml';

/**
 * Schema, policy, cross-reference and exemption findings for objects of one environment, written
 * as `production/platform.yaml`; Argo CD objects are written as `argocd/apps.yaml`, whose
 * Application syncs `dist/production`.
 */
export async function findingsOf(objects: readonly K8sObject[]): Promise<Finding[]> {
  return (await validatePlatform(objects)).findings;
}

/** Findings and applied exemptions for objects laid out as `findingsOf` describes. */
export async function validatePlatform(objects: readonly K8sObject[]): Promise<{ findings: Finding[]; exemptions: AppliedExemption[] }> {
  const { platform, argoCd, clusterScoped } = splitArgoCd(objects);
  const manifests = [
    ...(argoCd.length > 0 ? parseManifestFile(ARGOCD_FILE, toYaml(argoCd)) : []),
    ...(clusterScoped.length > 0 ? parseManifestFile(CLUSTER_BASELINE_FILE, toYaml(clusterScoped)) : []),
    ...(platform.length > 0 ? parseManifestFile('production/platform.yaml', toYaml(platform)) : []),
  ];
  const kustomization = parseKustomization(PRODUCTION_KUSTOMIZATION, KUSTOMIZATION);
  return validateObjects(manifests, {}, { files: [...new Set(manifests.map((object) => object.file)), kustomization.file], kustomizations: [kustomization] });
}

export function ruleIdsOf(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((finding) => finding.ruleId))].sort();
}

/** The object of `kind` named `name`; throws when the fixture lacks it, so a typo cannot pass silently. */
export function objectNamed(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((object) => object.kind === kind && (object.metadata as K8sObject).name === name);
  if (!found) {
    throw new Error(`fixture has no ${kind} ${name}`);
  }
  return found;
}

/** Follows a path of keys and indices into a fixture object, throwing on a missing step. */
export function at(object: K8sObject, ...segments: (string | number)[]): K8sObject {
  let node: unknown = object;
  for (const segment of segments) {
    node = (node as Record<string | number, unknown>)[segment];
    if (node === undefined) {
      throw new Error(`fixture has no ${segments.join('.')}`);
    }
  }
  return node as K8sObject;
}

/** The first container of a workload's pod template (Deployment, StatefulSet or CronJob). */
export function podSpecOf(workload: K8sObject): K8sObject {
  const spec = workload.spec as K8sObject;
  const template = (workload.kind === 'CronJob' ? at(spec, 'jobTemplate', 'spec', 'template') : spec.template) as K8sObject;
  return template.spec as K8sObject;
}

export function firstContainerOf(workload: K8sObject): K8sObject {
  return at(podSpecOf(workload), 'containers', 0);
}

/**
 * Writes the compliant platform as `<environment>/platform.yaml` for each environment into a new
 * temporary folder, its Argo CD objects once as `argocd/apps.yaml` and its cluster-scoped objects
 * once in the cluster baseline folder.
 */
export function writePlatformFolder(): string {
  const dir = tempDir('validate-gate-');
  const { platform, argoCd, clusterScoped } = splitArgoCd(compliantPlatform());
  fs.mkdirSync(path.join(dir, path.dirname(CLUSTER_BASELINE_FILE)), { recursive: true });
  for (const environment of ENVIRONMENTS) {
    const labelled = clusterScoped.map((object) => {
      const metadata = object.metadata as K8sObject;
      return { ...object, metadata: { ...metadata, labels: { ...(metadata.labels as K8sObject), [ENVIRONMENT_LABEL]: environment } } };
    });
    fs.writeFileSync(path.join(dir, path.dirname(CLUSTER_BASELINE_FILE), `${environment}.yaml`), toYaml(labelled));
  }
  for (const environment of ENVIRONMENTS) {
    fs.mkdirSync(path.join(dir, environment));
    fs.writeFileSync(path.join(dir, environment, 'platform.yaml'), toYaml(platform));
    fs.writeFileSync(path.join(dir, environment, 'kustomization.yaml'), KUSTOMIZATION);
  }
  fs.writeFileSync(path.join(dir, ARGOCD_FILE), toYaml(argoCd));
  return dir;
}

/** Copies a folder to a new temporary one, the way the "Done when" checks mutate a copy of dist/. */
export function copyFolder(source: string): string {
  const target = tempDir('validate-copy-');
  fs.cpSync(source, target, { recursive: true });
  return target;
}

/** A new temporary folder holding exactly `files` (relative path → contents). */
export function folderWith(files: Record<string, string>): string {
  const dir = tempDir('validate-input-');
  for (const [file, contents] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), contents);
  }
  return dir;
}
