import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDirsRemovedAfterAll } from '../support/files';

/** Temporary folders of this file, removed after it (also when a test fails). */
const makeTempDir = tempDirsRemovedAfterAll();

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const PROMETHEUS = 'https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/v0.72.0/example/prometheus-operator-crd';

function runImport(imports: string[]) {
  const dir = makeTempDir('import-');
  const config = path.join(dir, 'cdk8s.yaml');
  fs.writeFileSync(config, `imports:\n${imports.map((i) => `  - ${i}\n`).join('')}`);
  const output = path.join(dir, 'imports');
  const result = spawnSync(TSX, ['scripts/import-crds.ts', '--config', config, '--output', output], { cwd: ROOT, encoding: 'utf8' });
  return { result, output, config };
}

describe('npm run import', () => {
  test('imports the CRDs of one API group from the pinned mirror into a single module, offline', () => {
    const { result, output, config } = runImport([
      `${PROMETHEUS}/monitoring.coreos.com_servicemonitors.yaml`,
      `${PROMETHEUS}/monitoring.coreos.com_podmonitors.yaml`,
    ]);
    expect(result.stderr).not.toMatch(/error|failed/i);
    expect(result.status).toBe(0);
    expect(fs.readdirSync(output)).toEqual(['monitoring.coreos.com.ts']);
    const module = fs.readFileSync(path.join(output, 'monitoring.coreos.com.ts'), 'utf8');
    expect(module).toMatch(/export class ServiceMonitor extends ApiObject/);
    expect(module).toMatch(/export class PodMonitor extends ApiObject/);
    // The CLI must not have rewritten the config it was given.
    expect(fs.readFileSync(config, 'utf8')).not.toMatch(/crd-import-/);
  });

  test('imports/ is exactly what npm run import generates from cdk8s.yaml (run `npm run import` if this fails)', () => {
    const output = makeTempDir('imports-');
    const result = spawnSync(TSX, ['scripts/import-crds.ts', '--output', output], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const generated = fs.readdirSync(output).sort();
    const committed = fs.readdirSync(path.join(ROOT, 'imports')).filter((f) => f.endsWith('.ts')).sort();
    expect(committed).toEqual(generated);
    for (const file of generated) {
      expect({ file, same: fs.readFileSync(path.join(output, file), 'utf8') === fs.readFileSync(path.join(ROOT, 'imports', file), 'utf8') }).toEqual({ file, same: true });
    }
  });

  test('fails on a CRD URL that is not pinned in schemas.lock.json', () => {
    const { result } = runImport(['https://example.com/crds/widgets.yaml']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('import failed: https://example.com/crds/widgets.yaml is not pinned in schemas.lock.json: add an entry with its upstream URL and sha256\n');
  });
});
