import * as fs from 'fs';
import * as path from 'path';
import { checkFreshness, compareRenderedFiles } from '../../../tools/validation/freshness';
import { validateDirectory } from '../../../tools/validation/validate-directory';
import { ARGOCD_FILE, CLUSTER_BASELINE_FILE, ENVIRONMENTS, writePlatformFolder } from './support/platform-fixtures';

const files = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('freshness: the folder equals a fresh synth', () => {
  test('passes when every file matches', () => {
    expect(compareRenderedFiles(files({ 'production/web.yaml': 'a\n' }), files({ 'production/web.yaml': 'a\n' }))).toEqual([]);
  });

  test('reports a file that differs, with the first differing line', () => {
    expect(compareRenderedFiles(files({ 'production/web.yaml': 'a\nb\n' }), files({ 'production/web.yaml': 'a\nc\n' }))).toEqual([
      { ruleId: 'FRESHNESS-DIFFERS', file: 'production/web.yaml', message: 'differs from a fresh synth at line 2: expected "b", found "c"' },
    ]);
  });

  test('reports a missing and an extra file', () => {
    const hits = compareRenderedFiles(files({ 'production/api.yaml': 'a' }), files({ 'production/old.yaml': 'a' }));
    expect(hits.map((hit) => [hit.ruleId, hit.file])).toEqual([
      ['FRESHNESS-MISSING', 'production/api.yaml'],
      ['FRESHNESS-EXTRA', 'production/old.yaml'],
    ]);
  });

  test('reports a render that cannot run instead of skipping the check', () => {
    const hits = checkFreshness(writePlatformFolder(), () => {
      throw new Error('chart exploded\nstack...');
    });
    expect(hits).toEqual([{ ruleId: 'FRESHNESS-UNCHECKED', file: '.', message: 'cannot render the project to compare: chart exploded' }]);
  });

  test('runs for a folder when asked, with findings in the report', async () => {
    const dir = writePlatformFolder();
    const baseline = ENVIRONMENTS.map((environment) => path.posix.join(path.posix.dirname(CLUSTER_BASELINE_FILE), `${environment}.yaml`));
    const onDisk = new Map(
      [...ENVIRONMENTS.flatMap((environment) => [`${environment}/kustomization.yaml`, `${environment}/platform.yaml`]), ARGOCD_FILE, ...baseline].map((file) => [file, fs.readFileSync(path.join(dir, file), 'utf8')]),
    );
    const stale = new Map([...onDisk, ['production/platform.yaml', `${onDisk.get('production/platform.yaml')}# changed\n`]]);
    expect((await validateDirectory(dir, { checkFreshness: true, render: () => onDisk })).findings).toEqual([]);
    const { findings } = await validateDirectory(dir, { checkFreshness: true, render: () => stale });
    expect(findings.map((finding) => [finding.ruleId, finding.environment, finding.file])).toEqual([['FRESHNESS-DIFFERS', 'production', 'production/platform.yaml']]);
  });

  test('is not checked for a folder other than dist/ by default', async () => {
    const render = jest.fn(() => new Map<string, string>());
    expect((await validateDirectory(writePlatformFolder(), { render })).findings).toEqual([]);
    expect(render).not.toHaveBeenCalled();
  });
});
