import { SYNC_WAVE_ANNOTATION } from './budget-constants';
import { JsonObject, list, record, text } from './json';
import { annotationOf, RenderedObject } from './manifests';

/** The waves Argo CD syncs before a workload's own, at the Application level and inside its Application. */
export interface WavesAhead {
  readonly applicationWaves: number;
  readonly objectWaves: number;
}

/** The sync wave of an object or Application: its annotation as an integer, 0 without one. */
export function syncWaveOf(object: RenderedObject): number {
  const value = Number.parseInt(annotationOf(object, SYNC_WAVE_ANNOTATION) ?? '0', 10);
  return Number.isNaN(value) ? 0 : value;
}

/**
 * How many distinct waves sync before `workload`'s: among the objects of its environment, and
 * among the Argo CD Applications of the same folder (one parent, e.g. `argocd/production`) when one
 * of them deploys the workload's file (`spec.source.path` or `spec.sources[].path` is
 * `dist/<environment>`, narrowed by `directory.include` when set).
 */
export function wavesAhead(workload: RenderedObject, environmentObjects: readonly RenderedObject[], applications: readonly RenderedObject[]): WavesAhead {
  const ownWave = syncWaveOf(workload);
  const objectWaves = new Set(environmentObjects.map(syncWaveOf).filter((wave) => wave < ownWave)).size;
  const covering = applications.filter((application) => deploysFile(application, workload.file));
  if (covering.length === 0) {
    return { applicationWaves: 0, objectWaves };
  }
  const deciding = covering.reduce((latest, application) => (syncWaveOf(application) > syncWaveOf(latest) ? application : latest));
  // Waves order the Applications of one parent (one cluster's folder), not Applications elsewhere.
  const siblings = applications.filter((application) => application.environment === deciding.environment);
  const applicationWaves = new Set(siblings.map(syncWaveOf).filter((wave) => wave < syncWaveOf(deciding))).size;
  return { applicationWaves, objectWaves };
}

/** Whether an Application's source deploys `file` (`production/web.yaml`) from the rendered `dist/` folder. */
export function deploysFile(application: RenderedObject, file: string): boolean {
  const spec = record(application.body.spec);
  const sources = [record(spec.source), ...list(spec.sources).map(record)].filter((source) => text(source.path) !== undefined);
  const folder = file.slice(0, file.lastIndexOf('/'));
  const base = file.slice(file.lastIndexOf('/') + 1);
  return sources.some((source) => normalise(text(source.path) ?? '') === `dist/${folder}` && includes(record(source.directory), base));
}

function normalise(sourcePath: string): string {
  return sourcePath.replace(/^\.\//, '').replace(/\/+$/, '');
}

function includes(directory: JsonObject, base: string): boolean {
  const include = text(directory.include);
  const exclude = text(directory.exclude);
  return (include === undefined || globMatches(include, base)) && (exclude === undefined || !globMatches(exclude, base));
}

/** Argo CD's directory include/exclude globs: `*`, `?` and `{a,b}` alternatives. */
export function globMatches(glob: string, name: string): boolean {
  const pattern = glob
    .replace(/[.+^$()|[\]\\]/g, '\\$&')
    .replace(/\{([^}]*)\}/g, (_all, alternatives: string) => `(${alternatives.split(',').join('|')})`)
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${pattern}$`).test(name);
}
