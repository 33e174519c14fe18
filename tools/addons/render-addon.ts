import * as fs from 'fs';
import * as path from 'path';
import { parse, parseDocument, stringify } from 'yaml';
import { globToRegExp } from '../validation/cross-references/argocd-references';
import { record, text } from '../validation/json-access';
import { KUSTOMIZATION_FILE_NAMES } from '../validation/load-manifests';
import { AddonApplication, AddonSourceKind, kustomizeImages, kustomizePatches } from './addon-applications';
import { AddonLockEntry, LockedTree, TreeUse, verifiedTree } from './addon-lock';
import { copyTree, prepareChart } from './chart-preparation';
import { layerBinary } from './layer-binaries';
import { runProgram } from './run-program';

/** The Kubernetes version Argo CD reports for the clusters (`--kube-version`). */
export const CLUSTER_KUBE_VERSION = '1.27';

export interface RenderInput {
  readonly application: AddonApplication;
  readonly entry: AddonLockEntry;
  /** What `helm template --api-versions` gets (Helm sources only). */
  readonly apiVersions: readonly string[];
  /** An empty folder for this render's copies; the caller removes it. */
  readonly workDir: string;
  readonly mirrorDir?: string;
}

/**
 * The manifests Argo CD 2.10's repo server generates for an add-on Application, as YAML: Helm
 * charts with `helm template` (release name, destination namespace, values, `--include-crds`,
 * `--kube-version`, `--api-versions`), kustomizations with `kustomize edit set image`, the
 * Application's patches appended to the kustomization and `kustomize build`, directories as their
 * (included) YAML files. Every input is a checksum-verified tree of addons.lock.json.
 */
export async function renderAddon(input: RenderInput): Promise<string> {
  switch (input.application.kind) {
    case AddonSourceKind.HELM:
      return renderHelm(input);
    case AddonSourceKind.KUSTOMIZE:
      return renderKustomize(input);
    case AddonSourceKind.DIRECTORY:
      return renderDirectory(input);
  }
}

/** Argo CD 2.10 `ApplicationSourceHelm.ValuesYAML`: valuesObject when set, else the values string. */
export function helmValuesOf(application: AddonApplication): Record<string, unknown> {
  const helm = record(application.source.helm);
  if (helm.valuesObject !== undefined && helm.valuesObject !== null) {
    return record(helm.valuesObject);
  }
  return record(parse(text(helm.values) ?? '') ?? {});
}

function renderHelm({ application, entry, apiVersions, workDir, mirrorDir }: RenderInput): Promise<string> {
  const values = helmValuesOf(application);
  const chartDir = prepareChart(entry, values, workDir, mirrorDir);
  const args = ['template', chartDir, '--name-template', text(record(application.source.helm).releaseName) ?? application.name];
  args.push('--namespace', application.destinationNamespace, '--kube-version', CLUSTER_KUBE_VERSION);
  if (Object.keys(values).length > 0) {
    const valuesFile = path.join(workDir, 'values.yaml');
    fs.writeFileSync(valuesFile, stringify(values));
    args.push('--values', valuesFile);
  }
  args.push(...apiVersions.flatMap((apiVersion) => ['--api-versions', apiVersion]), '--include-crds');
  const home = path.join(workDir, 'helm-home');
  const env = { ...process.env, HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data') };
  return runProgram(layerBinary('helm/helm'), args, `helm template of ${describe(application)}`, { env });
}

function sourceTree(application: AddonApplication, entry: AddonLockEntry): LockedTree {
  const trees = entry.trees.filter((tree) => tree.use === TreeUse.SOURCE);
  if (trees.length !== 1) {
    throw new Error(`addons.lock.json entry of ${describe(application)}: a Git source needs exactly one "source" tree`);
  }
  return trees[0];
}

function renderKustomize({ application, entry, workDir, mirrorDir }: RenderInput): Promise<string> {
  const tree = sourceTree(application, entry);
  const appPath = application.lockedSource.path ?? '';
  if (appPath !== tree.path && !appPath.startsWith(`${tree.path}/`)) {
    throw new Error(`addons.lock.json entry of ${describe(application)}: the locked tree ${tree.path} does not hold the Application's path ${appPath}`);
  }
  const root = path.join(workDir, 'repository');
  copyTree(verifiedTree(tree, mirrorDir), path.join(root, ...tree.path.split('/')));
  const dir = path.join(root, ...appPath.split('/'));
  const name = KUSTOMIZATION_FILE_NAMES.find((candidate) => fs.existsSync(path.join(dir, candidate)));
  if (!name) {
    throw new Error(`${describe(application)}: ${appPath} has no kustomization`);
  }
  const file = path.join(dir, name);
  const kustomization = parseDocument(fs.readFileSync(file, 'utf8'));
  const images = kustomizeImages(application);
  if (images.length > 0) {
    kustomization.set('images', setImages(record(kustomization.toJS()).images, images));
  }
  const patches = kustomizePatches(application);
  if (patches.length > 0) {
    const existing = record(kustomization.toJS()).patches;
    kustomization.set('patches', [...(Array.isArray(existing) ? existing : []), ...patches]);
  }
  fs.writeFileSync(file, kustomization.toString());
  return runProgram(layerBinary('kubectl/kubectl'), ['kustomize', dir], `kustomize build of ${describe(application)}`);
}

interface KustomizeImage {
  readonly name: string;
  readonly newName?: string;
  readonly newTag?: string;
  readonly digest?: string;
}

/**
 * kustomize 5.2.1 `edit set image` (kustomize/commands/edit/set/setimage.go): each argument
 * (`[name=]newName[:tag|@digest]`, or `name:tag`, `name@digest`) replaces the entry of the same
 * name whole, others are kept, and the list is sorted by name; the build then applies the entries
 * in that order, one image transformer each.
 */
export function setImages(existing: unknown, argumentsList: readonly string[]): KustomizeImage[] {
  const byName = new Map<string, KustomizeImage>();
  const given = argumentsList.map(parseImageArgument);
  for (const image of Array.isArray(existing) ? (existing as KustomizeImage[]) : []) {
    byName.set(image.name, image);
  }
  for (const image of given) {
    byName.set(image.name, image);
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One `kustomize edit set image` argument: `name=newName[:tag|@digest]`, or `name:tag`, `name@digest`. */
function parseImageArgument(argument: string): KustomizeImage {
  const equals = argument.split('=');
  const renamed = equals.length === 2;
  const target = renamed ? equals[1] : argument;
  const at = target.split('@');
  const tagged = /^(.*):([a-zA-Z0-9._-]*)$/.exec(target);
  const reference = at.length > 1 ? { name: at[0], digest: at[1] } : tagged ? { name: tagged[1], newTag: tagged[2] } : renamed && target ? { name: target } : undefined;
  if (!reference) {
    throw new Error(`kustomize image "${argument}" is not [name=]newName[:tag|@digest]`);
  }
  const { name, ...change } = reference;
  const image: KustomizeImage = renamed ? { name: equals[0], newName: name, ...change } : { name, ...change };
  return Object.fromEntries(Object.entries(image).filter(([, value]) => value !== '')) as unknown as KustomizeImage;
}

/**
 * Argo CD 2.10 directory sources: the `.yaml`, `.yml` and `.json` files of the path (subfolders
 * only with `recurse`), filtered by the `include` and `exclude` globs on the relative path. The
 * locked tree is the path itself, or (when `include` names one file) that file.
 */
async function renderDirectory({ application, entry, workDir, mirrorDir }: RenderInput): Promise<string> {
  const tree = sourceTree(application, entry);
  const appPath = application.lockedSource.path ?? '';
  const directory = record(application.source.directory);
  const include = text(directory.include);
  if (tree.path !== appPath && !(include && tree.path === `${appPath}/${include}`)) {
    throw new Error(`addons.lock.json entry of ${describe(application)}: the locked tree ${tree.path} is neither the Application's path ${appPath} nor the one file it includes`);
  }
  const root = path.join(workDir, 'repository');
  copyTree(verifiedTree(tree, mirrorDir), path.join(root, ...tree.path.split('/')));
  const exclude = text(directory.exclude);
  const dir = path.join(root, ...appPath.split('/'));
  const files = listFiles(dir, directory.recurse === true).filter(
    (relative) => /\.(ya?ml|json)$/i.test(relative) && (!include || globToRegExp(include).test(relative)) && (!exclude || !globToRegExp(exclude).test(relative)),
  );
  return files
    .map((relative) => {
      const content = fs.readFileSync(path.join(dir, relative), 'utf8');
      return relative.endsWith('.json') ? stringify(JSON.parse(content)) : content;
    })
    .map((content) => (content.endsWith('\n') ? content : `${content}\n`))
    .join('---\n');
}

function listFiles(dir: string, recurse: boolean, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        return recurse ? listFiles(dir, recurse, relative) : [];
      }
      return [relative];
    })
    .sort();
}


function describe(application: AddonApplication): string {
  return `add-on ${application.name} (${application.file})`;
}
