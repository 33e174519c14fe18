import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

const WORKFLOW_FILE = path.resolve(__dirname, '..', '..', '.github', 'workflows', 'ci.yml');
const source = fs.readFileSync(WORKFLOW_FILE, 'utf8');
const workflow = parse(source) as any;
const jobs = workflow.jobs as Record<string, any>;
const steps = (job: string): any[] => jobs[job].steps;
const commands = (job: string): string => steps(job).map((step) => step.run ?? '').join('\n');

describe('the CI workflow', () => {
  test('runs on pull requests and on pushes to main', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.on.push.branches).toEqual(['main']);
  });

  test('verifies in order: install, type-check, lint, tests, synth freshness, validation, the deploy-time budget', () => {
    const script = commands('verify');
    const order = ['npm ci', 'npm run build', 'npm run lint', 'npm test', 'npm run synth', 'git diff --exit-code -- dist/', 'npm run validate', 'npm run report'];
    const positions = order.map((command) => script.indexOf(command));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(steps('verify').find((step) => String(step.uses).startsWith('actions/setup-node@')).with).toEqual({ 'node-version': 20, cache: 'npm' });
  });

  test('runs the tests as root on Debian, where scripts/ensure-test-tools.sh can install redis-server 7.0 and PostgreSQL 15', () => {
    expect(jobs.verify.container.image).toMatch(/^node:20-bookworm/);
  });

  test('scans dependencies with npm audit: runtime high/critical block, the full audit only reports', () => {
    const audits = steps('dependency-scan').filter((step) => String(step.run ?? '').startsWith('npm audit'));
    expect(audits.map((step) => [step.run, step['continue-on-error'] ?? false])).toEqual([
      ['npm audit --audit-level=high --omit=dev', false],
      ['npm audit', true],
    ]);
  });

  test('on pull requests posts the rendered diff against the base branch, and only that job may write to pull requests', () => {
    expect(jobs['rendered-diff'].if).toBe("github.event_name == 'pull_request'");
    expect(commands('rendered-diff')).toContain('npm run -s diff -- --base "origin/${BASE_REF}"');
    expect(steps('rendered-diff').find((step) => step.env?.BASE_REF).env.BASE_REF).toBe('${{ github.base_ref }}');
    expect(steps('rendered-diff')[0].with).toEqual({ 'fetch-depth': 0 });
    const comment = steps('rendered-diff').find((step) => String(step.uses).startsWith('actions/github-script@'));
    expect(comment.with.script).toContain('github.rest.issues.createComment');
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(jobs['rendered-diff'].permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    for (const [name, job] of Object.entries(jobs).filter(([name]) => name !== 'rendered-diff')) {
      expect(`${name}: ${JSON.stringify(job.permissions ?? null)}`).toBe(`${name}: null`);
    }
  });

  test('pins every action by full commit SHA with its version in a comment', () => {
    const uses = Object.values(jobs).flatMap((job: any) => job.steps.filter((step: any) => step.uses).map((step: any) => step.uses as string));
    expect(uses.length).toBeGreaterThan(0);
    for (const reference of uses) {
      expect(reference).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(source).toMatch(new RegExp(`uses: ${reference.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} # v\\d+\\.\\d+\\.\\d+`));
    }
  });
});
