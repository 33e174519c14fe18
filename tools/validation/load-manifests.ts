import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments, parseDocument } from 'yaml';
import { ValidationInputError } from './input-error';
import { FolderContents, JsonObject, Kustomization, ManifestObject } from './manifest';

const YAML_FILE = /\.ya?ml$/i;
/** The names kustomize (and Argo CD, to pick kustomize) look for; such a file is build input, not a Kubernetes object. */
export const KUSTOMIZATION_FILE_NAMES: readonly string[] = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function isKustomizationFile(file: string): boolean {
  return KUSTOMIZATION_FILE_NAMES.includes(path.posix.basename(file));
}

/** Every YAML file under `dir` that holds Kubernetes objects (kustomizations excepted), relative with `/` separators, in a stable order. */
export function listYamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ValidationInputError(`${dir} is not a folder: pass the folder of rendered manifests, e.g. dist/`);
  }
  const files = listFiles(dir).filter((file) => YAML_FILE.test(file) && !isKustomizationFile(file));
  if (files.length === 0) {
    throw new ValidationInputError(`${dir} holds no .yaml or .yml file: run \`npm run synth\` first, or pass another folder`);
  }
  return files;
}

/** Every regular file under `dir`, relative with `/` separators, sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  const result: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      result.push(...listFiles(dir, relative));
    } else if (entry.isFile()) {
      result.push(relative);
    }
  }
  return result.sort();
}

/** Reads every Kubernetes object under `dir`; anything that is not one is a `ValidationInputError`. */
export function loadManifests(dir: string): ManifestObject[] {
  const objects = listYamlFiles(dir).flatMap((file) => parseManifestFile(file, fs.readFileSync(path.join(dir, file), 'utf8')));
  if (objects.length === 0) {
    throw new ValidationInputError(`the YAML files under ${dir} hold no Kubernetes object`);
  }
  return objects;
}

/** Parses one multi-document YAML text; `file` is its path relative to the validated folder. */
export function parseManifestFile(file: string, source: string): ManifestObject[] {
  const environment = file.includes('/') ? file.slice(0, file.indexOf('/')) : '.';
  const objects: ManifestObject[] = [];
  // YAML 1.1, as kubectl reads manifests: an unquoted `yes` or `on` is a boolean there.
  parseAllDocuments(source, { version: '1.1' }).forEach((document, documentIndex) => {
    const error = document.errors[0];
    if (error) {
      const line = error.linePos ? ` line ${error.linePos[0].line}` : '';
      throw new ValidationInputError(`${file}:${line} malformed YAML in document ${documentIndex + 1}: ${firstLine(error.message)}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) {
      return;
    }
    objects.push(toManifestObject(file, environment, documentIndex, value));
  });
  return objects;
}

function toManifestObject(file: string, environment: string, documentIndex: number, value: unknown): ManifestObject {
  const body = value as JsonObject;
  const isObject = typeof value === 'object' && !Array.isArray(value);
  if (!isObject || typeof body.apiVersion !== 'string' || typeof body.kind !== 'string' || !body.apiVersion || !body.kind) {
    throw new ValidationInputError(
      `${file}: document ${documentIndex + 1} is not a Kubernetes object (it needs string "apiVersion" and "kind" fields)`,
    );
  }
  const metadata = (typeof body.metadata === 'object' && body.metadata !== null ? body.metadata : {}) as JsonObject;
  return {
    environment: environmentOfObject(file, environment, metadata),
    file,
    documentIndex,
    apiVersion: body.apiVersion,
    kind: body.kind,
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
    body,
  };
}

/** Label an environment's objects carry (lib/platform/labels.ts); the environment chart sets it on every object. */
const ENVIRONMENT_LABEL = 'generator-platform.dev/environment';

/**
 * The environment an object belongs to: its top-level folder, except for an environment's objects
 * that a cluster-level Application syncs from a subfolder of `argocd/` (its cluster-scoped objects
 * in `<cluster>/cluster-baseline/`, a preview's namespace and guard rails in `<cluster>/preview-namespace/`): those
 * belong to the environment their label names, so that rules see them with the pods they govern.
 */
function environmentOfObject(file: string, folderEnvironment: string, metadata: JsonObject): string {
  const labels = (typeof metadata.labels === 'object' && metadata.labels !== null ? metadata.labels : {}) as JsonObject;
  const labelled = labels[ENVIRONMENT_LABEL];
  return folderEnvironment === 'argocd' && file.split('/').length >= 3 && typeof labelled === 'string' && labelled !== '' ? labelled : folderEnvironment;
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

/** Every file and kustomization under `dir`, for references to folders (Argo CD Application paths). */
export function loadFolderContents(dir: string): FolderContents {
  const files = listFiles(dir);
  const kustomizations = files.filter(isKustomizationFile).map((file) => parseKustomization(file, fs.readFileSync(path.join(dir, file), 'utf8')));
  return { files, kustomizations };
}

/** Parses a kustomization; its `resources` are what kustomize (and Argo CD) build from the folder. */
export function parseKustomization(file: string, source: string): Kustomization {
  const document = parseDocument(source);
  const error = document.errors[0];
  if (error) {
    throw new ValidationInputError(`${file}: malformed kustomization: ${firstLine(error.message)}`);
  }
  const value: unknown = document.toJS();
  const body = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as JsonObject;
  const resources = Array.isArray(body.resources) ? body.resources.filter((entry): entry is string => typeof entry === 'string') : [];
  return { file, folder: path.posix.dirname(file), resources, namespace: typeof body.namespace === 'string' ? body.namespace : undefined };
}
