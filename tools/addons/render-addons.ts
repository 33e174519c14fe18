import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ADDON_ORIGIN_FILE, AddonOrigin } from '../validation/addons/addon-origin';
import { JsonObject } from '../validation/manifest';
import { AddonApplication, AddonSourceKind, addonApplicationsIn } from './addon-applications';
import { AddonLock, lockEntryFor, readAddonLock, treeFiles, verifiedTree } from './addon-lock';
import { builtInApiVersions, installedApiVersions, unionOf } from './cluster-api-versions';
import { renderAddon } from './render-addon';
import { cachedRender, removeStaleRenders, RENDER_CACHE_DIR, renderKey } from './render-cache';

export interface RenderAddonsOptions {
  /** @default readAddonLock() (addons.lock.json) */
  readonly lock?: AddonLock;
  /** @default defaultAddonMirrorDir() */
  readonly mirrorDir?: string;
  /** @default os.availableParallelism() */
  readonly concurrency?: number;
  /**
   * Folder that keeps each render by the hash of all its inputs (render-cache.ts), or false to
   * render everything.
   * @default RENDER_CACHE_DIR (`.cache/addons`)
   */
  readonly cacheDir?: string | false;
}

export interface RenderedAddon {
  readonly application: AddonApplication;
  /** The manifests, as Argo CD's repo server generates them. */
  readonly yaml: string;
}

export interface RenderAddonsResult {
  readonly addons: readonly RenderedAddon[];
  /** Distinct renders (identical Applications of several clusters render once). */
  readonly renders: number;
  /** Of those, how many came from the cache. */
  readonly cachedRenders: number;
  readonly milliseconds: number;
}

/**
 * Renders every add-on Application of `<distDir>/argocd` as Argo CD 2.10 would once the cluster
 * runs all of them. Argo CD passes the APIs the cluster serves to `helm template`, and charts ask
 * for them (`.Capabilities.APIVersions`, e.g. to render ServiceMonitors), so the sources that can
 * install APIs (kustomize, directories, charts with CustomResourceDefinitions or APIServices)
 * render first with the Kubernetes 1.27 built-ins; then every chart renders with the built-ins and
 * what the cluster's add-ons install. A final check proves that set complete (a fixed point).
 * Identical sources render once; renders run side by side.
 */
export async function renderAddons(distDir: string, options: RenderAddonsOptions = {}): Promise<RenderAddonsResult> {
  const started = Date.now();
  const lock = options.lock ?? readAddonLock();
  const applications = addonApplicationsIn(distDir);
  const builtIn = builtInApiVersions();
  const renderer = new Renderer(lock, options);
  const isHelm = (application: AddonApplication) => application.kind === AddonSourceKind.HELM;
  const installing = applications.filter((application) => !isHelm(application) || chartMentions(lock, application, options.mirrorDir, /kind:\s*(CustomResourceDefinition|APIService)\b/));
  const firstPass = new Map(await Promise.all(installing.map(async (application) => [application, await renderer.render(application, builtIn)] as const)));
  const clusterApis = new Map<string, string[]>();
  for (const cluster of new Set(applications.map((application) => application.cluster))) {
    const yamls = [...firstPass].filter(([application]) => application.cluster === cluster).map(([, yaml]) => yaml);
    clusterApis.set(cluster, unionOf(builtIn, installedApiVersions(yamls.flatMap(apiInstallingObjects))));
  }
  const addons = await Promise.all(
    applications.map(async (application): Promise<RenderedAddon> => {
      const first = firstPass.get(application);
      const steady = first !== undefined && (!isHelm(application) || !chartMentions(lock, application, options.mirrorDir, /Capabilities\.APIVersions/));
      return { application, yaml: steady ? first : await renderer.render(application, clusterApis.get(application.cluster) ?? builtIn) };
    }),
  );
  for (const [cluster, apis] of clusterApis) {
    const installed = installedApiVersions(addons.filter((addon) => addon.application.cluster === cluster).flatMap((addon) => apiInstallingObjects(addon.yaml)));
    const missing = installed.filter((api) => !apis.includes(api));
    if (missing.length > 0) {
      throw new Error(`cluster ${cluster}: add-ons install ${missing.join(', ')}, which the first render did not find. Fix: make tools/addons/render-addons.ts render the add-on that installs them in the first pass`);
    }
  }
  if (options.cacheDir !== false) {
    removeStaleRenders(options.cacheDir ?? RENDER_CACHE_DIR);
  }
  return { addons, renders: renderer.renders, cachedRenders: renderer.cachedRenders, milliseconds: Date.now() - started };
}

/** Runs renders side by side, at most `concurrency` at a time, each distinct input once, through the cache. */
class Renderer {
  private readonly results = new Map<string, Promise<string>>();
  private readonly waiting: Array<() => void> = [];
  private readonly concurrency: number;
  private running = 0;
  public renders = 0;
  public cachedRenders = 0;

  public constructor(
    private readonly lock: AddonLock,
    private readonly options: RenderAddonsOptions,
  ) {
    this.concurrency = options.concurrency ?? os.availableParallelism();
  }

  public render(application: AddonApplication, apiVersions: readonly string[]): Promise<string> {
    const entry = lockEntryFor(this.lock, application.lockedSource);
    const inputs = [application.name, application.destinationNamespace, application.kind, application.source, entry, application.kind === AddonSourceKind.HELM ? apiVersions : []];
    const key = renderKey(inputs);
    let result = this.results.get(key);
    if (!result) {
      this.renders++;
      const render = () => this.limited(() => this.renderNow(application, apiVersions));
      result =
        this.options.cacheDir === false
          ? render()
          : cachedRender(key, render, this.options.cacheDir ?? RENDER_CACHE_DIR).then(({ yaml, cached }) => {
              this.cachedRenders += cached ? 1 : 0;
              return yaml;
            });
      this.results.set(key, result);
    }
    return result;
  }

  private async renderNow(application: AddonApplication, apiVersions: readonly string[]): Promise<string> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'addon-render-'));
    try {
      return await renderAddon({ application, entry: lockEntryFor(this.lock, application.lockedSource), apiVersions, workDir, mirrorDir: this.options.mirrorDir });
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/** Splits a YAML stream into its documents' text (at `---` lines). */
export function documentTexts(yaml: string): string[] {
  return yaml.split(/^---[ \t]*$/m).filter((text) => text.trim() !== '');
}

/** The objects of a rendered YAML stream (YAML 1.1, as kubectl reads it), without empty documents. */
export function objectsOf(yaml: string): JsonObject[] {
  return parseAllDocuments(yaml, { version: '1.1' })
    .map((document) => document.toJS() as unknown)
    .filter((value): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value));
}

const apiInstalling = new Map<string, JsonObject[]>();

/**
 * The CustomResourceDefinitions and APIServices of a rendered stream, each without its schemas
 * (only group, kind and versions matter here; the schemas are most of the bytes); the other
 * documents are not parsed. Memoised: several clusters render the same text.
 */
function apiInstallingObjects(yaml: string): JsonObject[] {
  let objects = apiInstalling.get(yaml);
  if (!objects) {
    objects = documentTexts(yaml)
      .filter((text) => /^kind:\s*(CustomResourceDefinition|APIService)\s*$/m.test(text))
      .flatMap((text) => objectsOf(withoutSchemas(text)))
      .filter((object) => object.kind === 'CustomResourceDefinition' || object.kind === 'APIService');
    apiInstalling.set(yaml, objects);
  }
  return objects;
}

/** A block-style YAML document with every `openAPIV3Schema:` mapping replaced by `{}` (the lines indented below it dropped). */
export function withoutSchemas(text: string): string {
  const kept: string[] = [];
  let schemaIndent = -1;
  for (const line of text.split('\n')) {
    const indent = line.search(/\S/);
    if (schemaIndent >= 0 && (indent === -1 || indent > schemaIndent)) {
      continue;
    }
    schemaIndent = -1;
    const schema = /^(\s*)openAPIV3Schema:\s*$/.exec(line);
    if (schema) {
      schemaIndent = schema[1].length;
      kept.push(`${schema[1]}openAPIV3Schema: {}`);
    } else {
      kept.push(line);
    }
  }
  return kept.join('\n');
}

/** Whether any file of the chart's locked trees (dependencies and release inputs included) matches `pattern`. */
function chartMentions(lock: AddonLock, application: AddonApplication, mirrorDir: string | undefined, pattern: RegExp): boolean {
  return lockEntryFor(lock, application.lockedSource).trees.some((tree) => treeMentions(verifiedTree(tree, mirrorDir), pattern));
}

const mentions = new Map<string, boolean>();

function treeMentions(target: string, pattern: RegExp): boolean {
  const key = `${target} ${pattern.source}`;
  let found = mentions.get(key);
  if (found === undefined) {
    const isFile = fs.statSync(target).isFile();
    found = treeFiles(target).some(
      (relative) => /\.(ya?ml|tpl|json)$/.test(relative) && pattern.test(fs.readFileSync(isFile ? target : path.join(target, ...relative.split('/')), 'utf8')),
    );
    mentions.set(key, found);
  }
  return found;
}

/**
 * Writes the rendered add-ons for the gate: each distinct render once, in
 * `<outDir>/addon-<application>[-<clusters>]/manifests.yaml` beside the ADDON_ORIGIN_FILE that
 * names every Application that renders it (the gate checks the objects against each one's
 * project). Returns the folders written.
 */
export function writeRenderedAddons(outDir: string, addons: readonly RenderedAddon[]): string[] {
  const groups = new Map<string, RenderedAddon[]>();
  for (const addon of addons) {
    const key = `${addon.application.name}\0${addon.yaml}`;
    groups.set(key, [...(groups.get(key) ?? []), addon]);
  }
  const names = [...groups.values()].map((group) => group[0].application.name);
  const renderedDifferently = new Set(names.filter((name, index) => names.indexOf(name) !== index));
  return [...groups.values()].map((group) => {
    const { name } = group[0].application;
    const folder = `addon-${name}${renderedDifferently.has(name) ? `-${group.map((addon) => addon.application.cluster).join('+')}` : ''}`;
    fs.mkdirSync(path.join(outDir, folder), { recursive: true });
    fs.writeFileSync(path.join(outDir, folder, 'manifests.yaml'), group[0].yaml);
    const origin: AddonOrigin = { applications: group.map((addon) => ({ file: addon.application.file, name: addon.application.name })) };
    fs.writeFileSync(path.join(outDir, folder, ADDON_ORIGIN_FILE), `${JSON.stringify(origin, null, 2)}\n`);
    return folder;
  });
}
