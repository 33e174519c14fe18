import * as path from 'path';
import { architectureDot } from './architecture-dot';
import { environmentGraph } from './environment-graph';
import { loadPreviewEnvironments } from './preview-environment';
import { loadRenderedEnvironments, RenderedEnvironment } from './rendered-environment';
import { renderSvg } from './render-svg';

/** Where the pictures are committed, relative to the project root. */
export const ARCHITECTURE_DIR = path.join('docs', 'architecture');

/** Every environment an Application syncs and the preview of an example pull request, sorted by name. */
export function loadAllEnvironments(distDir: string): RenderedEnvironment[] {
  return [...loadRenderedEnvironments(distDir), ...loadPreviewEnvironments(distDir)].sort((a, b) => a.name.localeCompare(b.name));
}

/** Every environment's picture, `<environment>.svg` -> SVG text, drawn from the rendered folder `distDir`. */
export async function renderArchitectureFiles(distDir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const environment of loadAllEnvironments(distDir)) {
    files.set(`${environment.name}.svg`, await renderSvg(architectureDot(environmentGraph(environment))));
  }
  return files;
}
