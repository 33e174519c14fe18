import { instance, Viz } from '@viz-js/viz';

let viz: Promise<Viz> | undefined;

/** Graphviz (compiled to WebAssembly by @viz-js/viz) lays out `dot` and returns the SVG; the instance is made once per process. */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  const result = (await viz).render(dot, { format: 'svg', engine: 'dot' });
  if (result.status !== 'success') {
    throw new Error(`Graphviz failed: ${result.errors.map((error) => error.message).join('; ')}`);
  }
  return result.output;
}
