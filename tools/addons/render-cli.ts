import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from './addon-lock';
import { renderAddons, writeRenderedAddons } from './render-addons';

/**
 * `node --import tsx tools/addons/render-cli.ts --out DIR [--dist DIR]`: copies dist/ (or --dist)
 * into DIR, which must be new or empty, and writes every add-on rendered as Argo CD would beside
 * it; `npm run validate -- DIR` then gates both. One error line and exit 1 on failure.
 */
async function main(args: readonly string[]): Promise<void> {
  const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const out = option('--out');
  if (!out) {
    throw new Error('usage: node --import tsx tools/addons/render-cli.ts --out DIR [--dist DIR]');
  }
  const dist = path.resolve(option('--dist') ?? path.join(PROJECT_ROOT, 'dist'));
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) {
    throw new Error(`${out} is not empty: give a new folder`);
  }
  fs.cpSync(dist, out, { recursive: true });
  const result = await renderAddons(dist);
  const folders = writeRenderedAddons(out, result.addons);
  console.log(
    `rendered ${result.addons.length} add-on Applications (${result.renders} distinct renders, ${result.cachedRenders} from .cache/addons) in ${result.milliseconds} ms into ${folders.length} folders of ${out}; gate them with: npm run validate -- ${out}`,
  );
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`render-cli: ${error.message.split('\n')[0]}`);
  process.exitCode = 1;
});
