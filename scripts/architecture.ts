/**
 * `npm run architecture [-- --dist DIR] [--out DIR] [--check]`: draws docs/architecture/<environment>.svg
 * from the rendered dist/ (every flow the NetworkPolicies allow, the routes in, the add-ons and
 * endpoints, the sync waves), with Graphviz compiled to WebAssembly; preview.svg is pull request 42
 * as its ApplicationSets make it (built with kubectl 1.27's kustomize). Run it after `npm run synth`
 * and commit the pictures with dist/. `--check` writes nothing and exits 1 when a picture is stale
 * (the test test/tools/architecture/architecture-freshness.test.ts does the same).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { ARCHITECTURE_DIR, renderArchitectureFiles } from '../tools/architecture/architecture-files';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { dist: { type: 'string', default: 'dist' }, out: { type: 'string', default: ARCHITECTURE_DIR }, check: { type: 'boolean', default: false } } });
  const started = Date.now();
  const files = await renderArchitectureFiles(values.dist!);
  const outDir = values.out!;
  const stale = [...files].filter(([file, svg]) => !fs.existsSync(path.join(outDir, file)) || fs.readFileSync(path.join(outDir, file), 'utf8') !== svg).map(([file]) => file);
  const extra = fs.existsSync(outDir) ? fs.readdirSync(outDir).filter((file) => file.endsWith('.svg') && !files.has(file)) : [];
  if (values.check) {
    if (stale.length + extra.length > 0) {
      console.error(`architecture: stale in ${outDir}/: ${[...stale, ...extra.map((file) => `${file} (no such environment)`)].join(', ')}. Fix: run npm run architecture and commit the result`);
      return 1;
    }
    console.log(`architecture: ${files.size} pictures in ${outDir}/ match dist/`);
    return 0;
  }
  fs.mkdirSync(outDir, { recursive: true });
  for (const [file, svg] of files) {
    fs.writeFileSync(path.join(outDir, file), svg);
  }
  extra.forEach((file) => fs.rmSync(path.join(outDir, file)));
  console.log(`architecture: wrote ${[...files.keys()].join(', ')} into ${outDir}/ (${stale.length} changed) in ${Date.now() - started} ms`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`architecture: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
