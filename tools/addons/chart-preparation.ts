import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { AddonLockEntry, TreeUse, verifiedTree } from './addon-lock';
import { runReleaseStep } from './chart-release-steps';

interface ChartDependency {
  readonly name: string;
  readonly alias?: string;
  readonly version?: string;
  readonly condition?: string;
}

interface ChartFile {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: readonly ChartDependency[];
}

/** Copies a tree file by file into `target`, writable (the mirror's files are read-only). */
export function copyTree(source: string, target: string): void {
  if (fs.statSync(source).isFile()) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, fs.readFileSync(source));
    return;
  }
  fs.mkdirSync(target, { recursive: true });
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    copyTree(path.join(source, entry.name), path.join(target, entry.name));
  }
}

export function readChartFile(chartDir: string): ChartFile {
  return (parse(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) ?? {}) as ChartFile;
}

/**
 * The chart of a Helm add-on as its published package holds it, in `<workDir>/<chart>`: the
 * verified `chart` tree, its release step, its `dependency` trees in `charts/<name>` (what
 * `helm dependency build` would download) and an empty stand-in for each stub dependency whose
 * condition is off in `values`. Fails when the result is not the chart and version the
 * Application names.
 */
export function prepareChart(entry: AddonLockEntry, values: Record<string, unknown>, workDir: string, mirrorDir?: string): string {
  const { chart, targetRevision } = entry.source;
  const chartTrees = entry.trees.filter((tree) => tree.use === TreeUse.CHART);
  if (chartTrees.length !== 1 || chart === undefined) {
    throw new Error(`addons.lock.json entry ${entry.source.repoURL} ${chart}: a Helm source needs exactly one "chart" tree`);
  }
  const chartDir = path.join(workDir, chart);
  copyTree(verifiedTree(chartTrees[0], mirrorDir), chartDir);
  if (entry.release) {
    const inputs = new Map(entry.trees.filter((tree) => tree.use === TreeUse.RELEASE_INPUT).map((tree) => [tree.path, verifiedTree(tree, mirrorDir)]));
    runReleaseStep(entry.release, { chartDir, inputs, version: targetRevision });
  }
  for (const tree of entry.trees.filter((candidate) => candidate.use === TreeUse.DEPENDENCY)) {
    const source = verifiedTree(tree, mirrorDir);
    copyTree(source, path.join(chartDir, 'charts', readChartFile(source).name ?? path.basename(source)));
  }
  const chartFile = readChartFile(chartDir);
  if (chartFile.name !== chart || chartFile.version !== targetRevision) {
    throw new Error(`add-on ${chart} ${targetRevision}: the locked tree is chart ${chartFile.name} ${chartFile.version}. Fix: lock the tag that publishes ${chart} ${targetRevision}`);
  }
  const defaults = (parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) ?? {}) as Record<string, unknown>;
  const merged = mergeValues(defaults, values);
  for (const name of entry.stubDependencies ?? []) {
    const dependency = (chartFile.dependencies ?? []).find((candidate) => candidate.name === name);
    if (!dependency) {
      throw new Error(`add-on ${chart} ${targetRevision}: stub dependency ${name} is not a dependency in Chart.yaml`);
    }
    if (conditionEnabled(dependency, merged)) {
      throw new Error(
        `add-on ${chart} ${targetRevision}: dependency ${name} is enabled (condition ${dependency.condition ?? '(none)'}), but only an empty stand-in is locked. Fix: turn it off in the Application's values, or lock its chart as a "dependency" tree`,
      );
    }
    fs.mkdirSync(path.join(chartDir, 'charts', name), { recursive: true });
    fs.writeFileSync(path.join(chartDir, 'charts', name, 'Chart.yaml'), stringify({ apiVersion: 'v2', name, version: dependency.version ?? '0.0.0' }));
  }
  return chartDir;
}

/** Helm's values merge: maps merge key by key, anything else is replaced. */
export function mergeValues(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = result[key];
    result[key] = isMap(current) && isMap(value) ? mergeValues(current, value) : value;
  }
  return result;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Helm's `processDependencyConditions`: the first `,`-separated path that holds a boolean decides;
 * a dependency whose paths hold none is enabled.
 */
export function conditionEnabled(dependency: ChartDependency, values: Record<string, unknown>): boolean {
  for (const condition of (dependency.condition ?? '').split(',').map((entry) => entry.trim()).filter(Boolean)) {
    let node: unknown = values;
    for (const key of condition.split('.')) {
      node = isMap(node) ? node[key] : undefined;
    }
    if (typeof node === 'boolean') {
      return node;
    }
  }
  return true;
}
