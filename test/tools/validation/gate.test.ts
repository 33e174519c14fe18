import { spawnSync } from 'child_process';
import * as path from 'path';
import { PROJECT_ROOT } from '../../../tools/schemas/schema-lock';
import { PROJECT_DIST_DIR } from '../../../tools/validation/freshness';
import { validateDirectory } from '../../../tools/validation/validate-directory';
import { applyToFolder, canApply, DONE_WHEN_MUTATIONS } from './support/folder-mutations';
import { copyFolder, folderWith, ruleIdsOf, writePlatformFolder } from './support/platform-fixtures';

const platformFolder = writePlatformFolder();

describe('the gate over a synthesized platform folder', () => {
  test('passes the compliant platform in every environment', async () => {
    const result = await validateDirectory(platformFolder);
    expect(result.findings).toEqual([]);
    expect(result.environments).toEqual(['argocd', 'development', 'preview', 'production', 'staging']);
  });

  test.each(DONE_WHEN_MUTATIONS)('fails naming $ruleId for $breaks in a copy', async (mutation) => {
    const copy = copyFolder(platformFolder);
    const file = applyToFolder(copy, mutation);
    const { findings } = await validateDirectory(copy);
    expect(ruleIdsOf(findings)).toContain(mutation.ruleId);
    expect(findings.filter((finding) => finding.ruleId === mutation.ruleId).every((finding) => finding.file === file)).toBe(true);
  });
});

describe('the gate over the real, committed dist/', () => {
  test('gate passes on the real dist/', async () => {
    const result = await validateDirectory(PROJECT_DIST_DIR);
    expect(result.findings).toEqual([]);
  });

  const applicable = DONE_WHEN_MUTATIONS.filter((mutation) => canApply(PROJECT_DIST_DIR, mutation));

  test('every "Done when" breakage applies to dist/', () => {
    expect(applicable.map((m) => m.ruleId)).toEqual(DONE_WHEN_MUTATIONS.map((m) => m.ruleId));
  });
  test.each(applicable)('fails naming $ruleId for $breaks in a copy of dist/', async (mutation) => {
    const copy = copyFolder(PROJECT_DIST_DIR);
    applyToFolder(copy, mutation);
    expect(ruleIdsOf((await validateDirectory(copy)).findings)).toContain(mutation.ruleId);
  });
});

describe('npm run validate', () => {
  const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  const run = (...args: string[]) => spawnSync(tsx, [path.join(PROJECT_ROOT, 'scripts', 'validate.ts'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });

  test('exits 0 with a PASS summary as the last line', () => {
    const { status, stdout } = run(platformFolder);
    expect(status).toBe(0);
    expect(stdout.trim().split('\n').pop()).toMatch(/^validate: PASS — \d+ objects in 9 files across 5 environments/);
  });

  test('exits 1 with a table naming the rule, the object and the fix', () => {
    const copy = copyFolder(platformFolder);
    applyToFolder(copy, DONE_WHEN_MUTATIONS.find((mutation) => mutation.ruleId === 'PSS-RESTRICTED-PRIVILEGED')!);
    const { status, stdout } = run(copy);
    expect(status).toBe(1);
    expect(stdout).toContain('environment development');
    expect(stdout).toContain('Deployment generator-platform/web');
    expect(stdout).toMatch(/PSS-RESTRICTED-PRIVILEGED\s+spec\.template\.spec\.containers\[0\]\.securityContext\.privileged\s+container "web" is privileged/);
    expect(stdout).toContain('fix: Remove securityContext.privileged');
    expect(stdout.trim().split('\n').pop()).toMatch(/^validate: FAIL — 1 finding of 1 rule/);
  });

  test('prints machine-readable findings with --json', () => {
    const copy = copyFolder(platformFolder);
    applyToFolder(copy, DONE_WHEN_MUTATIONS.find((mutation) => mutation.ruleId === 'XREF-SERVICE-ACCOUNT')!);
    const { status, stdout } = run(copy, '--json');
    expect(status).toBe(1);
    const report = JSON.parse(stdout) as { passed: boolean; findings: { ruleId: string; fix: string }[] };
    expect(report.passed).toBe(false);
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(['XREF-SERVICE-ACCOUNT']);
  });

  test.each([
    ['malformed YAML', { 'production/web.yaml': 'kind: [unclosed\n' }],
    ['a folder without YAML', { 'notes.txt': 'nothing' }],
    ['a document that is not a Kubernetes object', { 'production/web.yaml': 'hello: world\n' }],
  ])('exits 2 with one clear error line and no stack trace for %s', (_name, files) => {
    const { status, stdout, stderr } = run(folderWith(files));
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^validate: error: /);
  });
});
