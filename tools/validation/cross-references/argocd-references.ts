import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { EnvironmentScope } from '../environment-scope';
import { list, record, records, text } from '../json-access';
import { PathSegment } from '../json-path';
import { ManifestObject } from '../manifest';
import { podTemplatesOf, runsPodsElsewhere } from '../pod-templates';
import { Rule, RuleViolation } from '../rule';
import { secretProducers } from './operator-conventions';
import { NamedReference, podReferences, reference } from './pod-references';
import { kindRule } from '../rule-builders';

/**
 * References of Argo CD objects (argoproj.io/v1alpha1 Application, ApplicationSet, AppProject).
 * The validated folder stands for the repository's dist/: an Application of this repository
 * syncs `dist/<folder>`, which must be a folder of the validated folder.
 */

import { ARGOCD_SYNC_WAVE as SYNC_WAVE_ANNOTATION } from '../../../lib/gitops/sync-policy';

export { SYNC_WAVE_ANNOTATION };
const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
const HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';
const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
const HOOKS: ReadonlySet<string> = new Set(['PreSync', 'Sync', 'PostSync', 'SyncFail', 'PostDelete', 'Skip']);
const HOOK_DELETE_POLICIES: ReadonlySet<string> = new Set(['HookSucceeded', 'HookFailed', 'BeforeHookCreation']);
/** Argo CD 2.10 sync options and their values; Argo CD compares them as exact strings and ignores any other. */
const SYNC_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  Prune: ['false', 'confirm', 'true'],
  Delete: ['false', 'confirm', 'true'],
  Validate: ['false', 'true'],
  SkipDryRunOnMissingResource: ['true', 'false'],
  Replace: ['true', 'false'],
  Force: ['true', 'false'],
  ServerSideApply: ['true', 'false'],
  PruneLast: ['true', 'false'],
  ApplyOutOfSyncOnly: ['true', 'false'],
  PrunePropagationPolicy: ['foreground', 'background', 'orphan'],
  CreateNamespace: ['true', 'false'],
  RespectIgnoreDifferences: ['true', 'false'],
  FailOnSharedResource: ['true', 'false'],
};

function syncOptionProblem(option: string): string | undefined {
  const [key, value, ...rest] = option.split('=');
  const allowed = SYNC_OPTIONS[key];
  if (!allowed || rest.length > 0 || value === undefined) {
    return `${JSON.stringify(option)} is not an Argo CD sync option (${Object.keys(SYNC_OPTIONS).join(', ')})`;
  }
  return allowed.includes(value) ? undefined : `${JSON.stringify(option)}: ${key} takes ${allowed.join(' or ')}`;
}

/** Comma-separated annotation values, as Argo CD splits them. */
function commaList(value: string): string[] {
  return value.split(',').map((entry) => entry.trim());
}
/** Sets this repository's URL when no Application in the folder names dist/ (any of `,`-separated URLs). */
export const REPOSITORY_URL_VARIABLE = 'GENERATOR_PLATFORM_REPOSITORY_URL';
const RENDERED_ROOT = 'dist';
const APPLICATION_KINDS = ['Application', 'ApplicationSet'];
const INTEGER = /^[+-]?[0-9]+$/;

export function isArgoCd(object: ManifestObject): boolean {
  return object.apiVersion.startsWith('argoproj.io/');
}

/** Whether a value is an ApplicationSet template placeholder, resolved only per generated Application. */
export function isTemplated(value: unknown): boolean {
  return typeof value === 'string' && value.includes('{{');
}

/** The Application spec an object declares: an Application's spec, an ApplicationSet's template spec. */
export function applicationSpecOf(object: ManifestObject): { spec: Record<string, unknown>; path: PathSegment[] } {
  if (object.kind === 'ApplicationSet') {
    return { spec: record(record(record(object.body.spec).template).spec), path: ['spec', 'template', 'spec'] };
  }
  return { spec: record(object.body.spec), path: ['spec'] };
}

interface Source {
  readonly source: Record<string, unknown>;
  readonly path: PathSegment[];
}

function sourcesOf(object: ManifestObject): Source[] {
  const { spec, path: specPath } = applicationSpecOf(object);
  const result: Source[] = [];
  if (spec.source !== undefined) {
    result.push({ source: record(spec.source), path: [...specPath, 'source'] });
  }
  records(spec.sources).forEach((source, index) => result.push({ source, path: [...specPath, 'sources', index] }));
  return result;
}

/** Argo CD's `git.NormalizeGitURL`: lower case, scp-style SSH as ssh://, no `.git` suffix, no `ssh://` prefix. */
export function normalizeRepositoryUrl(url: string): string {
  let repo = url.trim().toLowerCase();
  if (!repo.startsWith('ssh://') && /^[a-z0-9._-]+@[a-z0-9._-]+:/.test(repo)) {
    repo = `ssh://${repo.replace(':', '/')}`;
  }
  if (repo.endsWith('.git')) {
    repo = repo.slice(0, -'.git'.length);
  }
  return repo.replace(/^ssh:\/\//, '').replace(/\/+$/, '');
}

const REPOSITORY_URLS = new WeakMap<readonly ManifestObject[], Set<string>>();

/**
 * This repository's URLs: those of every Application source in the validated folder whose path is
 * under dist/ (only this repository renders dist/), and `$GENERATOR_PLATFORM_REPOSITORY_URL`.
 */
function repositoryUrls(scope: EnvironmentScope): Set<string> {
  let cached = REPOSITORY_URLS.get(scope.folderObjects);
  if (!cached) {
    cached = findRepositoryUrls(scope);
    REPOSITORY_URLS.set(scope.folderObjects, cached);
  }
  return cached;
}

function findRepositoryUrls(scope: EnvironmentScope): Set<string> {
  const urls = new Set((process.env[REPOSITORY_URL_VARIABLE] ?? '').split(',').filter((url) => url.trim() !== '').map(normalizeRepositoryUrl));
  for (const object of scope.folderObjects) {
    if (APPLICATION_KINDS.includes(object.kind) && isArgoCd(object)) {
      for (const { source } of sourcesOf(object)) {
        const repoUrl = text(source.repoURL);
        if (repoUrl && !isTemplated(repoUrl) && relativeSourcePath(source).startsWith(`${RENDERED_ROOT}/`)) {
          urls.add(normalizeRepositoryUrl(repoUrl));
        }
      }
    }
  }
  return urls;
}

function relativeSourcePath(source: Record<string, unknown>): string {
  const raw = text(source.path) ?? '';
  return path.posix.normalize(raw === '' ? '.' : raw).replace(/\/+$/, '');
}

/** What one Application source of this repository syncs: the objects, and kustomize's namespace override. */
interface SyncedFolder {
  readonly objects: ManifestObject[];
  readonly namespaceOverride?: string;
}

type ResolvedSource = { readonly problems: string[]; readonly synced?: SyncedFolder };

const REMOTE_RESOURCE = /^([a-z][a-z0-9+.-]*:\/\/|github\.com\/|git@)/i;

/**
 * Resolves a source of this repository the way Argo CD does: a folder with a kustomization (or a
 * source with `kustomize`) is built by kustomize from its `resources`; any other folder is a
 * directory source (its YAML files; subfolders only with `directory.recurse`).
 */
function resolveSource(source: Record<string, unknown>, scope: EnvironmentScope): ResolvedSource {
  const raw = text(source.path);
  if (raw === undefined && text(source.ref) !== undefined) {
    // A multi-source `ref` entry only names the repository for `$ref/...` value files; it syncs nothing.
    return { problems: [] };
  }
  if (raw === undefined) {
    return { problems: ['the source names this repository but no path, so Argo CD would sync the repository root'] };
  }
  if (isTemplated(raw)) {
    return { problems: [] };
  }
  const normalized = relativeSourcePath(source);
  if (!normalized.startsWith(`${RENDERED_ROOT}/`)) {
    return { problems: [`path ${JSON.stringify(raw)} is not a folder under ${RENDERED_ROOT}/, where the rendered manifests are`] };
  }
  const folder = normalized.slice(RENDERED_ROOT.length + 1);
  const files = scope.folder.files;
  const inFolder = (file: string, recurse: boolean) => (recurse ? file.startsWith(`${folder}/`) : path.posix.dirname(file) === folder);
  const kustomization = scope.folder.kustomizations.find((candidate) => candidate.folder === folder);
  if (kustomization || source.kustomize !== undefined) {
    if (!kustomization) {
      return { problems: [`source.kustomize is set, but ${RENDERED_ROOT}/${folder} has no kustomization for kustomize to build`] };
    }
    const problems: string[] = [];
    const listed: string[] = [];
    for (const resource of kustomization.resources) {
      if (REMOTE_RESOURCE.test(resource)) {
        continue;
      }
      const resolved = path.posix.normalize(path.posix.join(folder, resource));
      listed.push(resolved);
      if (!files.some((file) => file === resolved || file.startsWith(`${resolved}/`))) {
        problems.push(`${kustomization.file} lists resource ${JSON.stringify(resource)}, which is not in ${RENDERED_ROOT}/${folder}`);
      }
    }
    for (const object of scope.folderObjects) {
      if (inFolder(object.file, false) && !listed.includes(object.file) && !problems.some((problem) => problem.includes(object.file))) {
        problems.push(`${object.file} is not among the resources of ${kustomization.file}, so Argo CD does not sync it`);
      }
    }
    const objects = scope.folderObjects.filter((object) => listed.some((resource) => object.file === resource || object.file.startsWith(`${resource}/`)));
    const namespaceOverride = text(record(source.kustomize).namespace) ?? kustomization.namespace;
    return { problems: [...new Set(problems)], synced: { objects, namespaceOverride } };
  }
  const directory = record(source.directory);
  const recurse = directory.recurse === true;
  if (!files.some((file) => inFolder(file, recurse) && /\.(ya?ml|json)$/i.test(file))) {
    const deeper = files.some((file) => file.startsWith(`${folder}/`));
    return {
      problems: [
        deeper
          ? `path ${JSON.stringify(raw)} holds YAML only in subfolders, which Argo CD reads only with directory.recurse: true`
          : `path ${JSON.stringify(raw)} is not a folder with YAML in the rendered ${RENDERED_ROOT}/`,
      ],
    };
  }
  const include = text(directory.include);
  const exclude = text(directory.exclude);
  const objects = scope.folderObjects.filter((object) => {
    if (!inFolder(object.file, recurse)) {
      return false;
    }
    const relative = object.file.slice(folder.length + 1);
    return (!include || safeGlob(include, '').test(relative)) && (!exclude || !safeGlob(exclude, '').test(relative));
  });
  return { problems: [], synced: { objects } };
}

/** The sources of an Application (or ApplicationSet template) that come from this repository, resolved. */
const REPOSITORY_SOURCES = new WeakMap<readonly ManifestObject[], Map<ManifestObject, (Source & ResolvedSource)[]>>();

/** Resolved once per object and validated folder: four rules read them. */
export function repositorySources(object: ManifestObject, scope: EnvironmentScope): (Source & ResolvedSource)[] {
  let byObject = REPOSITORY_SOURCES.get(scope.folderObjects);
  if (!byObject) {
    byObject = new Map();
    REPOSITORY_SOURCES.set(scope.folderObjects, byObject);
  }
  let sources = byObject.get(object);
  if (!sources) {
    sources = resolveRepositorySources(object, scope);
    byObject.set(object, sources);
  }
  return sources;
}

function resolveRepositorySources(object: ManifestObject, scope: EnvironmentScope): (Source & ResolvedSource)[] {
  const urls = repositoryUrls(scope);
  return sourcesOf(object)
    .filter(({ source }) => {
      const repoUrl = text(source.repoURL);
      return repoUrl !== undefined && !isTemplated(repoUrl) && source.chart === undefined && urls.has(normalizeRepositoryUrl(repoUrl));
    })
    .map((entry) => ({ ...entry, ...resolveSource(entry.source, scope) }));
}

/** Cluster-scoped built-in kinds (Kubernetes 1.27); custom kinds named `Cluster<Something>` are taken as cluster-scoped too. */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass', 'CSIDriver', 'CSINode',
  'VolumeAttachment', 'PriorityClass', 'RuntimeClass', 'IngressClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService',
  'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
]);

/** Whether the API server keeps the object without a namespace (a namespace written on it is ignored). */
export function isClusterScoped(object: ManifestObject): boolean {
  return CLUSTER_SCOPED_KINDS.has(object.kind) || /^Cluster[A-Z]/.test(object.kind);
}

/** Argo CD 2.10 `AppProject.IsGroupKindPermitted` (kinds and groups are `filepath.Match` patterns). */
export function groupKindPermitted(project: ManifestObject, group: string, kind: string, namespaced: boolean): boolean {
  const spec = record(project.body.spec);
  const inList = (entries: unknown) => records(entries).some((entry) => safeGlob(text(entry.kind) ?? '', '/').test(kind) && safeGlob(text(entry.group) ?? '', '/').test(group));
  if (namespaced) {
    const whitelisted = spec.namespaceResourceWhitelist === undefined || spec.namespaceResourceWhitelist === null || (list(spec.namespaceResourceWhitelist).length > 0 && inList(spec.namespaceResourceWhitelist));
    return whitelisted && !inList(spec.namespaceResourceBlacklist);
  }
  return inList(spec.clusterResourceWhitelist) && !inList(spec.clusterResourceBlacklist);
}

/** The kinds and namespaces among `objects` that the project does not permit, one line each. */
function unpermittedResources(project: ManifestObject, synced: SyncedFolder, destination: { server: string; name: string; namespace: string }): string[] {
  const problems = new Map<string, string[]>();
  const add = (problem: string, object: ManifestObject) => problems.set(problem, [...(problems.get(problem) ?? []), object.name]);
  for (const object of synced.objects) {
    const namespaced = !isClusterScoped(object);
    const group = object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.indexOf('/')) : '';
    if (!groupKindPermitted(project, group, object.kind, namespaced)) {
      add(`${namespaced ? 'namespaced' : 'cluster-scoped'} kind ${group ? `${group}/` : ''}${object.kind} is not permitted by AppProject ${project.name}`, object);
    }
    const namespace = namespaced ? (synced.namespaceOverride ?? object.namespace ?? destination.namespace) : undefined;
    if (namespace !== undefined && !isTemplated(namespace) && !destinationPermitted(project, { ...destination, namespace })) {
      add(`namespace ${namespace} is not among the destinations of AppProject ${project.name}`, object);
    }
  }
  return [...problems].map(([problem, names]) => `${problem} (${names.length} object${names.length === 1 ? '' : 's'}, e.g. ${names[0]})`);
}

/** gobwas/glob as Argo CD uses it: `*` (not across separators), `**`, `?`, `[...]`, `{a,b}`. */
export function globToRegExp(pattern: string, separators = ''): RegExp {
  const notSeparator = separators ? `[^${separators.replace(/[\\\]^-]/g, '\\$&')}]` : '.';
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '*') {
      if (pattern[index + 1] === '*') {
        source += '.*';
        index++;
      } else {
        source += `${notSeparator}*`;
      }
    } else if (char === '?') {
      source += notSeparator;
    } else if (char === '[') {
      const end = pattern.indexOf(']', index + 1);
      if (end < 0) {
        source += '\\[';
      } else {
        const body = pattern.slice(index + 1, end);
        source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        index = end;
      }
    } else if (char === '{') {
      const end = pattern.indexOf('}', index + 1);
      if (end < 0) {
        source += '\\{';
      } else {
        source += `(?:${pattern
          .slice(index + 1, end)
          .split(',')
          .map((alternative) => alternative.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('|')})`;
        index = end;
      }
    } else if (char === '\\' && index + 1 < pattern.length) {
      source += `\\${pattern[++index]}`.replace(/^\\([A-Za-z0-9])$/, '$1');
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function isDenyPattern(pattern: string): boolean {
  return pattern.startsWith('!') && pattern !== '!';
}

/** Argo CD's `globMatch(pattern, value, allowNegation=true, separators...)`. */
function globMatch(pattern: string, value: string, separators = ''): boolean {
  if (isDenyPattern(pattern)) {
    return !safeGlob(pattern.slice(1), separators).test(value);
  }
  return pattern === '*' || safeGlob(pattern, separators).test(value);
}

function safeGlob(pattern: string, separators: string): RegExp {
  try {
    return globToRegExp(pattern, separators);
  } catch {
    return /(?!)/;
  }
}

/** Argo CD 2.10 `AppProject.isDestinationMatched`. */
export function destinationPermitted(project: ManifestObject, destination: { server: string; name: string; namespace: string }): boolean {
  let anyMatched = false;
  let noDenyMatched = true;
  for (const item of records(record(project.body.spec).destinations)) {
    const server = text(item.server) ?? '';
    const name = text(item.name) ?? '';
    const namespace = text(item.namespace) ?? '';
    const nameMatched = destination.name !== '' && globMatch(name, destination.name);
    const serverMatched = destination.server !== '' && globMatch(server, destination.server);
    const namespaceMatched = globMatch(namespace, destination.namespace);
    if ((serverMatched || nameMatched) && namespaceMatched) {
      anyMatched = true;
    } else if (((!nameMatched && isDenyPattern(name)) || (!serverMatched && isDenyPattern(server))) && namespaceMatched) {
      noDenyMatched = false;
    } else if ((serverMatched || nameMatched) && isDenyPattern(namespace) && !namespaceMatched) {
      noDenyMatched = false;
    }
  }
  return anyMatched && noDenyMatched;
}

/** Argo CD 2.10 `AppProject.IsSourcePermitted`. */
function sourcePermitted(project: ManifestObject, repoUrl: string): boolean {
  const normalized = normalizeRepositoryUrl(repoUrl);
  let anyMatched = false;
  for (const pattern of list(record(project.body.spec).sourceRepos).filter((entry): entry is string => typeof entry === 'string')) {
    const normalizedPattern = isDenyPattern(pattern) ? `!${normalizeRepositoryUrl(pattern.slice(1))}` : normalizeRepositoryUrl(pattern);
    const matched = pattern.trim() === '*' || globMatch(normalizedPattern, normalized, '/');
    if (matched) {
      anyMatched = true;
    } else if (isDenyPattern(normalizedPattern)) {
      return false;
    }
  }
  return anyMatched;
}

/**
 * The AppProject an Application or ApplicationSet names: rendered in the folder of the object's
 * file or a parent folder (within the validated folder) — the folder set one Argo CD applies.
 */
export function projectOf(object: ManifestObject, scope: EnvironmentScope): { name: string; project?: ManifestObject } {
  const name = text(applicationSpecOf(object).spec.project) ?? '';
  const directory = path.posix.dirname(object.file);
  const project = scope.folderObjects.find((candidate) => {
    if (candidate.kind !== 'AppProject' || !isArgoCd(candidate) || candidate.name !== name) {
      return false;
    }
    const candidateDirectory = path.posix.dirname(candidate.file);
    return candidateDirectory === '.' || directory === candidateDirectory || directory.startsWith(`${candidateDirectory}/`);
  });
  return { name, project };
}

/** The tokens of a JSON pointer (RFC 6901). */
function pointerTokens(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The parent container and last key of a JSON pointer in `document`, when the parent exists. */
function pointerParent(document: unknown, pointer: string): { parent: Record<string, unknown> | unknown[]; key: string } | undefined {
  const tokens = pointerTokens(pointer);
  if (tokens.length === 0) {
    return undefined;
  }
  let node: unknown = document;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) {
      node = node[Number(token)];
    } else if (typeof node === 'object' && node !== null) {
      node = (node as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return typeof node === 'object' && node !== null ? { parent: node as Record<string, unknown> | unknown[], key: tokens[tokens.length - 1] } : undefined;
}

function hasKey(parent: Record<string, unknown> | unknown[], key: string): boolean {
  return Array.isArray(parent) ? /^\d+$/.test(key) && Number(key) < parent.length : Object.prototype.hasOwnProperty.call(parent, key);
}

/**
 * Applies JSON 6902 operations to a copy of `document` as kustomize does, and returns why the
 * first failing one fails (kustomize build then fails, and Argo CD cannot sync).
 */
export function jsonPatchProblem(document: unknown, operations: unknown[]): string | undefined {
  const copy = JSON.parse(JSON.stringify(document)) as unknown;
  for (const [index, raw] of operations.entries()) {
    const operation = record(raw);
    const op = text(operation.op) ?? '';
    const pointer = text(operation.path) ?? '';
    const target = pointerParent(copy, pointer);
    const exists = target !== undefined && hasKey(target.parent, target.key);
    const describe = `operation ${index + 1} (${op} ${pointer})`;
    if (op === 'test') {
      const value = exists ? (Array.isArray(target.parent) ? target.parent[Number(target.key)] : target.parent[target.key]) : undefined;
      if (!exists || JSON.stringify(value) !== JSON.stringify(operation.value)) {
        return `${describe} fails: the value is ${exists ? JSON.stringify(value) : 'missing'}`;
      }
    } else if (op === 'replace' || op === 'remove') {
      if (!exists) {
        return `${describe} fails: the path does not exist`;
      }
      if (op === 'remove') {
        if (Array.isArray(target.parent)) {
          target.parent.splice(Number(target.key), 1);
        } else {
          delete target.parent[target.key];
        }
      } else if (Array.isArray(target.parent)) {
        target.parent[Number(target.key)] = operation.value;
      } else {
        target.parent[target.key] = operation.value;
      }
    } else if (op === 'add') {
      if (!target) {
        return `${describe} fails: the parent of the path does not exist`;
      }
      if (Array.isArray(target.parent)) {
        target.parent.splice(target.key === '-' ? target.parent.length : Number(target.key), 0, operation.value);
      } else {
        target.parent[target.key] = operation.value;
      }
    }
  }
  return undefined;
}

/** Whether a kustomize patch target selects the object (group, version and kind exact when set; name and namespace anchored regular expressions). */
function kustomizeTargetSelects(target: Record<string, unknown>, object: ManifestObject): boolean {
  const group = object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.indexOf('/')) : '';
  const version = object.apiVersion.includes('/') ? object.apiVersion.slice(object.apiVersion.indexOf('/') + 1) : object.apiVersion;
  const exact = (value: unknown, actual: string) => typeof value !== 'string' || value === '' || value === actual;
  const pattern = (value: unknown, actual: string) => {
    if (typeof value !== 'string' || value === '') {
      return true;
    }
    try {
      return new RegExp(`^(?:${value})$`).test(actual);
    } catch {
      return false;
    }
  };
  return exact(target.group, group) && exact(target.version, version) && exact(target.kind, object.kind) && pattern(target.name, object.name);
}

/** The image name of a kustomize `images` entry (`[old=]name:tag` or `name@digest`). */
function kustomizeImageName(entry: string): string {
  const image = entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry;
  const withoutDigest = image.includes('@') ? image.slice(0, image.indexOf('@')) : image;
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** Image names (without tag or digest) the objects' containers run. */
function containerImageNames(objects: readonly ManifestObject[]): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown, key: string) => {
    if (key === 'image' && typeof value === 'string') {
      names.add(kustomizeImageName(value));
    } else if (Array.isArray(value)) {
      value.forEach((entry) => visit(entry, ''));
    } else if (typeof value === 'object' && value !== null) {
      for (const [childKey, child] of Object.entries(value)) {
        visit(child, childKey);
      }
    }
  };
  objects.forEach((object) => visit(object.body.spec, 'spec'));
  return names;
}

function kustomizeViolations(source: Record<string, unknown>, sourcePath: PathSegment[], synced: SyncedFolder): RuleViolation[] {
  const kustomize = record(source.kustomize);
  const violations: RuleViolation[] = [];
  records(kustomize.patches).forEach((patch, index) => {
    const target = record(patch.target);
    if (Object.values(target).some(isTemplated) || typeof patch.patch !== 'string') {
      return;
    }
    const patchPath = [...sourcePath, 'kustomize', 'patches', index];
    const selected = synced.objects.filter((object) => kustomizeTargetSelects(target, object));
    if (selected.length === 0) {
      violations.push({ path: [...patchPath, 'target'], message: `the patch target ${[target.group, target.version, target.kind, target.name].filter((part) => part).join('/')} selects no synced object, so kustomize skips the patch` });
      return;
    }
    let operations: unknown;
    try {
      operations = parseYaml(patch.patch);
    } catch {
      violations.push({ path: [...patchPath, 'patch'], message: 'the patch is neither JSON nor YAML' });
      return;
    }
    if (!Array.isArray(operations)) {
      return;
    }
    for (const object of selected) {
      const problem = jsonPatchProblem(object.body, operations);
      if (problem) {
        violations.push({ path: [...patchPath, 'patch'], message: `on ${object.kind} ${object.name}: ${problem}` });
      }
    }
  });
  const images = containerImageNames(synced.objects);
  list(kustomize.images).forEach((entry, index) => {
    if (typeof entry === 'string' && !images.has(kustomizeImageName(entry))) {
      violations.push({ path: [...sourcePath, 'kustomize', 'images', index], message: `no synced container runs image ${kustomizeImageName(entry)}, so kustomize changes nothing` });
    }
  });
  return violations;
}

/** An object's Argo CD sync wave (0 when unset); undefined for hooks, which run in their own phase, and unreadable waves. */
export function syncWaveNumber(object: ManifestObject): number | undefined {
  const annotations = record(record(object.body.metadata).annotations);
  if (annotations[HOOK_ANNOTATION] !== undefined) {
    return undefined;
  }
  const value = annotations[SYNC_WAVE_ANNOTATION];
  if (value === undefined) {
    return 0;
  }
  return typeof value === 'string' && INTEGER.test(value) ? Number(value) : undefined;
}

function applicationRule(
  description: { id: string; requirement: string; fix: string },
  check: (object: ManifestObject, scope: EnvironmentScope) => RuleViolation[],
): Rule {
  return kindRule(description, APPLICATION_KINDS, (object, scope) => (isArgoCd(object) ? check(object, scope) : []));
}

export const ARGOCD_REFERENCE_RULES: readonly Rule[] = [
  applicationRule(
    {
      id: 'XREF-APPLICATION-PATH',
      requirement: 'every Argo CD Application (and ApplicationSet template) source of this repository has a path dist/<folder> that is a folder with YAML in the rendered dist/ (in subfolders only with directory.recurse); with a kustomization, its resources exist and list every YAML file of the folder',
      fix: 'Set source.path to the rendered folder, e.g. dist/production (run npm run synth if it is new), set directory.recurse: true, or list the file in the kustomization resources.',
    },
    (object, scope) => repositorySources(object, scope).flatMap(({ problems, path: sourcePath }) => problems.map((message) => ({ path: [...sourcePath, 'path'], message }))),
  ),
  applicationRule(
    {
      id: 'XREF-APPLICATION-PROJECT',
      requirement: "an Argo CD Application's (or ApplicationSet template's) spec.project names an AppProject rendered in its folder or a parent folder, in its namespace or listing it in sourceNamespaces; the built-in default project is never assumed",
      fix: 'Render the AppProject next to the Application (a restrictive project, not default), or correct spec.project.',
    },
    (object, scope) => {
      const { path: specPath } = applicationSpecOf(object);
      const { name, project } = projectOf(object, scope);
      if (isTemplated(name)) {
        return [];
      }
      if (!project) {
        const why = name === 'default' ? ': the built-in default project permits every repository and destination, so render a restrictive AppProject instead' : '';
        return [{ path: [...specPath, 'project'], message: `AppProject ${name || '(unset)'} is not rendered in ${path.posix.dirname(object.file)} or a parent folder${why}` }];
      }
      const sourceNamespaces = list(record(project.body.spec).sourceNamespaces).filter((entry): entry is string => typeof entry === 'string');
      if (project.namespace === object.namespace || sourceNamespaces.some((pattern) => globMatch(pattern, object.namespace ?? ''))) {
        return [];
      }
      return [{ path: ['metadata', 'namespace'], message: `AppProject ${name} is in namespace ${project.namespace ?? '(none)'} and does not list ${object.namespace ?? '(none)'} in sourceNamespaces` }];
    },
  ),
  applicationRule(
    {
      id: 'XREF-APPLICATION-DESTINATION',
      requirement: "an Argo CD Application's (or ApplicationSet template's) destination server or name and namespace are permitted by its AppProject's destinations",
      fix: "Add the destination (server or name, and namespace) to the AppProject's spec.destinations, or correct spec.destination.",
    },
    (object, scope) => {
      const { spec, path: specPath } = applicationSpecOf(object);
      const { project } = projectOf(object, scope);
      const destination = record(spec.destination);
      const values = { server: text(destination.server) ?? '', name: text(destination.name) ?? '', namespace: text(destination.namespace) ?? '' };
      if (!project || Object.values(values).some(isTemplated)) {
        return [];
      }
      return destinationPermitted(project, values)
        ? []
        : [{ path: [...specPath, 'destination'], message: `AppProject ${project.name} does not permit destination ${values.server || values.name || '(none)'} namespace ${values.namespace || '(none)'}` }];
    },
  ),
  applicationRule(
    {
      id: 'XREF-APPLICATION-SOURCE-REPO',
      requirement: "every repoURL of an Argo CD Application (or ApplicationSet template) is permitted by its AppProject's sourceRepos",
      fix: "Add the repository URL to the AppProject's spec.sourceRepos, or correct source.repoURL.",
    },
    (object, scope) => {
      const { project } = projectOf(object, scope);
      if (!project) {
        return [];
      }
      return sourcesOf(object).flatMap(({ source, path: sourcePath }) => {
        const repoUrl = text(source.repoURL) ?? '';
        return isTemplated(repoUrl) || sourcePermitted(project, repoUrl)
          ? []
          : [{ path: [...sourcePath, 'repoURL'], message: `AppProject ${project.name} does not permit repository ${repoUrl || '(unset)'}` }];
      });
    },
  ),
  applicationRule(
    {
      id: 'XREF-APPLICATION-RESOURCES',
      requirement: "every object an Argo CD Application (or ApplicationSet template) syncs from this repository is permitted by its AppProject: cluster-scoped kinds by clusterResourceWhitelist, namespaced kinds by namespaceResourceWhitelist/Blacklist, and each object's namespace by destinations",
      fix: "Add the kind to the AppProject's clusterResourceWhitelist (or take it off namespaceResourceBlacklist) and the namespace to its destinations, or move the object to an Application whose project permits it.",
    },
    (object, scope) => {
      const { spec } = applicationSpecOf(object);
      const { project } = projectOf(object, scope);
      if (!project) {
        return [];
      }
      const destination = record(spec.destination);
      const values = { server: text(destination.server) ?? '', name: text(destination.name) ?? '', namespace: text(destination.namespace) ?? '' };
      if (isTemplated(values.server) || isTemplated(values.name)) {
        return [];
      }
      return repositorySources(object, scope).flatMap(({ synced, path: sourcePath }) =>
        synced ? unpermittedResources(project, synced, values).map((message) => ({ path: [...sourcePath, 'path'], message })) : [],
      );
    },
  ),
  applicationRule(
    {
      id: 'XREF-APPLICATION-KUSTOMIZE',
      requirement: "every kustomize patch of an Argo CD Application (or ApplicationSet template) source of this repository selects a synced object and its JSON-patch operations apply to it (test values match, replaced and removed paths exist), and every kustomize image names an image a synced container runs",
      fix: 'Point the patch target at the object as rendered (group, version, kind, name; e.g. argoproj.io/v1alpha1 Rollout after a conversion), re-derive the operations from the rendered YAML, or correct the image name.',
    },
    (object, scope) => repositorySources(object, scope).flatMap(({ source, synced, path: sourcePath }) => (synced && source.kustomize !== undefined ? kustomizeViolations(source, sourcePath, synced) : [])),
  ),
  applicationRule(
    {
      id: 'XREF-APPLICATION-IGNORE-DIFFERENCES',
      requirement: 'every ignoreDifferences entry of an Argo CD Application (or ApplicationSet template) that names an object (group, kind, name, namespace) matches an object it syncs from this repository',
      fix: 'Point the entry at the object as rendered (e.g. group argoproj.io, kind Rollout after a Deployment became a Rollout), or remove the stale entry.',
    },
    (object, scope) => {
      const { spec, path: specPath } = applicationSpecOf(object);
      const sources = repositorySources(object, scope);
      if (sources.length === 0 || sources.some((source) => !source.synced) || sourcesOf(object).length !== sources.length) {
        return [];
      }
      const synced = sources.flatMap((source) => source.synced?.objects ?? []);
      const override = sources.map((source) => source.synced?.namespaceOverride).find((namespace) => namespace !== undefined);
      return records(spec.ignoreDifferences).flatMap((entry, index) => {
        const name = text(entry.name);
        if (name === undefined || [entry.group, entry.kind, entry.name, entry.namespace].some(isTemplated)) {
          return [];
        }
        const group = text(entry.group) ?? '';
        const kind = text(entry.kind) ?? '';
        const namespace = text(entry.namespace);
        const matches = synced.some(
          (candidate) =>
            candidate.name === name &&
            candidate.kind === kind &&
            (candidate.apiVersion.includes('/') ? candidate.apiVersion.slice(0, candidate.apiVersion.indexOf('/')) : '') === group &&
            (namespace === undefined || override !== undefined || (candidate.namespace ?? text(record(spec.destination).namespace)) === namespace),
        );
        return matches ? [] : [{ path: [...specPath, 'ignoreDifferences', index], message: `no synced object is ${group ? `${group}/` : ''}${kind} ${namespace ? `${namespace}/` : ''}${name}` }];
      });
    },
  ),
  {
    id: 'ARGOCD-SYNC-HOOK',
    requirement: 'argocd.argoproj.io/hook names Argo CD hooks (PreSync, Sync, PostSync, SyncFail, PostDelete, Skip) and hook-delete-policy names delete policies (HookSucceeded, HookFailed, BeforeHookCreation) of a hook',
    fix: 'Spell the hook and delete policy as Argo CD does (comma-separated, case-sensitive), and set hook-delete-policy only on an object with a hook.',
    check: (object) => {
      const annotations = record(record(object.body.metadata).annotations);
      const violations: RuleViolation[] = [];
      const hook = annotations[HOOK_ANNOTATION];
      const policy = annotations[HOOK_DELETE_POLICY_ANNOTATION];
      if (typeof hook === 'string') {
        commaList(hook)
          .filter((entry) => !HOOKS.has(entry))
          .forEach((entry) => violations.push({ path: ['metadata', 'annotations', HOOK_ANNOTATION], message: `${JSON.stringify(entry)} is not an Argo CD hook` }));
      }
      if (typeof policy === 'string') {
        if (typeof hook !== 'string') {
          violations.push({ path: ['metadata', 'annotations', HOOK_DELETE_POLICY_ANNOTATION], message: 'a hook-delete-policy without argocd.argoproj.io/hook does nothing' });
        }
        commaList(policy)
          .filter((entry) => !HOOK_DELETE_POLICIES.has(entry))
          .forEach((entry) => violations.push({ path: ['metadata', 'annotations', HOOK_DELETE_POLICY_ANNOTATION], message: `${JSON.stringify(entry)} is not an Argo CD hook delete policy` }));
      }
      return violations;
    },
  },
  {
    id: 'ARGOCD-SYNC-OPTIONS',
    requirement: 'every Argo CD sync option (argocd.argoproj.io/sync-options annotation, Application and ApplicationSet template syncPolicy.syncOptions) is one Argo CD knows, with a value it accepts',
    fix: 'Write the option exactly as Argo CD documents it, e.g. ServerSideApply=true or Prune=false; a misspelt option is silently ignored.',
    check: (object) => {
      const violations: RuleViolation[] = [];
      const annotation = record(record(object.body.metadata).annotations)[SYNC_OPTIONS_ANNOTATION];
      if (typeof annotation === 'string') {
        commaList(annotation).forEach((option) => {
          const problem = syncOptionProblem(option);
          if (problem) {
            violations.push({ path: ['metadata', 'annotations', SYNC_OPTIONS_ANNOTATION], message: problem });
          }
        });
      }
      if (APPLICATION_KINDS.includes(object.kind) && isArgoCd(object)) {
        const { spec, path: specPath } = applicationSpecOf(object);
        list(record(spec.syncPolicy).syncOptions).forEach((option, index) => {
          const problem = typeof option === 'string' && !isTemplated(option) ? syncOptionProblem(option) : undefined;
          if (problem) {
            violations.push({ path: [...specPath, 'syncPolicy', 'syncOptions', index], message: problem });
          }
        });
      }
      return violations;
    },
  },
  {
    id: 'ARGOCD-SYNC-WAVE-ORDER',
    requirement: 'what a pod needs to start (its ServiceAccount, ConfigMaps, claims, and the objects that produce its Secrets) is in the same or an earlier Argo CD sync wave than the workload, when the environment uses sync waves',
    fix: "Move the referenced object (or its ExternalSecret) to an earlier sync wave, or the workload to a later one: Argo CD waits for a wave to be healthy before it applies the next.",
    check: (object, scope) => {
      const wave = syncWaveNumber(object);
      if (wave === undefined || runsPodsElsewhere(object) || !scope.objects.some((candidate) => syncWaveNumber(candidate) !== 0)) {
        return [];
      }
      const secrets = secretProducers(scope, object.namespace);
      const byName = (kind: string) => (name: string) => scope.find(kind, name, object.namespace);
      return podTemplatesOf(object).flatMap((pod) => {
        const needed: { reference: NamedReference; producer: ManifestObject | undefined }[] = [
          ...reference(pod.spec.serviceAccountName, [...pod.path, 'spec', 'serviceAccountName']).map((entry) => ({ reference: entry, producer: byName('ServiceAccount')(entry.name) })),
          ...podReferences(pod, 'configMap').map((entry) => ({ reference: entry, producer: byName('ConfigMap')(entry.name) })),
          ...podReferences(pod, 'secret').map((entry) => ({ reference: entry, producer: secrets.get(entry.name) })),
          ...records(pod.spec.volumes).flatMap((volume, index) =>
            reference(record(volume.persistentVolumeClaim).claimName, [...pod.path, 'spec', 'volumes', index, 'persistentVolumeClaim', 'claimName']).map((entry) => ({ reference: entry, producer: byName('PersistentVolumeClaim')(entry.name) })),
          ),
        ];
        return needed.flatMap(({ reference: entry, producer }) => {
          const producerWave = producer ? syncWaveNumber(producer) : undefined;
          return producer && !entry.optional && producerWave !== undefined && producerWave > wave
            ? [{ path: entry.path, message: `${producer.kind} ${producer.name} is in sync wave ${producerWave}, after this workload's wave ${wave}, so the pods cannot start and the sync waits for them` }]
            : [];
        });
      });
    },
  },
  {
    id: 'ARGOCD-SYNC-WAVE',
    requirement: 'every argocd.argoproj.io/sync-wave annotation (also on an ApplicationSet template) is an integer written as a string, e.g. "-1" or "2"',
    fix: 'Write the wave as a quoted integer, e.g. argocd.argoproj.io/sync-wave: "1".',
    check: (object) => {
      const annotated: { annotations: unknown; path: PathSegment[] }[] = [{ annotations: record(object.body.metadata).annotations, path: ['metadata', 'annotations'] }];
      if (object.kind === 'ApplicationSet' && isArgoCd(object)) {
        annotated.push({ annotations: record(record(record(object.body.spec).template).metadata).annotations, path: ['spec', 'template', 'metadata', 'annotations'] });
      }
      return annotated.flatMap(({ annotations, path: annotationsPath }) => {
        const value = record(annotations)[SYNC_WAVE_ANNOTATION];
        if (value === undefined || (typeof value === 'string' && (INTEGER.test(value) || isTemplated(value)))) {
          return [];
        }
        return [{ path: [...annotationsPath, SYNC_WAVE_ANNOTATION], message: `sync wave ${JSON.stringify(value)} is not an integer string` }];
      });
    },
  },
  {
    id: 'ARGOCD-DROPPED-FALSE',
    requirement: 'an Application (or ApplicationSet template) sets no boolean that Argo CD declares omitempty to false (syncPolicy.automated.prune, selfHeal, allowEmpty; source.directory.recurse): the controller drops it when it writes the Application back, and the Application that syncs it stays OutOfSync for ever',
    fix: 'Leave the field out; false is its default.',
    check: (object) => {
      if (!isArgoCd(object) || (object.kind !== 'Application' && object.kind !== 'ApplicationSet')) {
        return [];
      }
      const specPath: PathSegment[] = object.kind === 'ApplicationSet' ? ['spec', 'template', 'spec'] : ['spec'];
      const spec = record(specPath.reduce<unknown>((value, key) => record(value)[key as string], object.body));
      const automated = record(record(spec.syncPolicy).automated);
      const sources: { source: unknown; path: PathSegment[] }[] = [
        { source: spec.source, path: [...specPath, 'source'] },
        ...records(spec.sources).map((source, index) => ({ source, path: [...specPath, 'sources', index] as PathSegment[] })),
      ];
      return [
        ...(['prune', 'selfHeal', 'allowEmpty'] as const).filter((key) => automated[key] === false).map((key) => ({ path: [...specPath, 'syncPolicy', 'automated', key], message: `${key}: false is dropped by Argo CD (omitempty)` })),
        ...sources.filter(({ source }) => record(record(source).directory).recurse === false).map(({ path: sourcePath }) => ({ path: [...sourcePath, 'directory', 'recurse'], message: 'recurse: false is dropped by Argo CD (omitempty)' })),
      ];
    },
  },
];
