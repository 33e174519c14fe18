import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The dependency rules of .dependency-cruiser.cjs hold for the repository, and each rule fires on
 * the import it forbids (a fixture tree with one deliberate violation per case), so a rule that
 * silently stopped matching would fail here.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');

function cruise(cwd: string, targets: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(DEPCRUISE, [...targets, '--config', CONFIG, '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('architecture rules (dependency-cruiser)', () => {
  test('the repository breaks none: one direction of dependencies, no cycles', () => {
    const { status, output } = cruise(ROOT, ['main.ts', 'lib', 'charts', 'synth', 'tools', 'scripts']);
    expect(output).toMatch(/no dependency violations found/);
    expect(status).toBe(0);
  });

  /** [rule, the file that imports, what it imports]. */
  const violations: ReadonlyArray<readonly [string, string, string]> = [
    ['lib-not-to-outer-layers', 'lib/services/web-service.ts', 'charts/environment-chart.ts'],
    ['lib-not-to-outer-layers', 'lib/stores/redis-cluster.ts', 'tools/validation/validate-directory.ts'],
    ['lib-not-to-outer-layers', 'lib/platform/labels.ts', 'synth/render.ts'],
    ['charts-only-compose', 'charts/environment-chart.ts', 'synth/render.ts'],
    ['synth-not-to-tools', 'synth/render.ts', 'tools/validation/validate-directory.ts'],
    ['constructs-not-to-config', 'lib/stores/postgres-cluster.ts', 'lib/config/environment-config.ts'],
    ['platform-primitives-stand-alone', 'lib/platform/labels.ts', 'lib/services/web-service.ts'],
    ['environment-registry-only-from-entry-point', 'charts/argocd-chart.ts', 'lib/config/environments/index.ts'],
  ];

  test.each(violations)('fails with %s when %s imports %s', (rule, from, to) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'architecture-'));
    try {
      const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
      };
      write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node', strict: true } }));
      let specifier = path.relative(path.dirname(from), to).replace(/\.ts$/, '');
      specifier = specifier.startsWith('.') ? specifier : `./${specifier}`;
      write(to, 'export const target = 1;\n');
      write(from, `import { target } from '${specifier}';\nexport const user = target;\n`);
      const { status, output } = cruise(dir, [from]);
      expect(output).toContain(`error ${rule}: ${from} → ${to}`);
      expect(status).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fails with no-circular on an import cycle, type-only imports included', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'architecture-'));
    try {
      fs.mkdirSync(path.join(dir, 'lib', 'stores'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node' } }));
      fs.writeFileSync(path.join(dir, 'lib', 'stores', 'a.ts'), "import type { B } from './b';\nexport interface A { readonly b?: B }\n");
      fs.writeFileSync(path.join(dir, 'lib', 'stores', 'b.ts'), "import { A } from './a';\nexport class B { public a?: A; }\n");
      const { status, output } = cruise(dir, ['lib']);
      expect(output).toMatch(/error no-circular: lib\/stores\/(a|b)\.ts/);
      expect(status).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
