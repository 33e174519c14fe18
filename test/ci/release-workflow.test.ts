import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');
const source = fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8');
const workflow = parse(source) as any;
const jobs = workflow.jobs as Record<string, any>;
const allSteps = (): any[] => Object.values(jobs).flatMap((job: any) => job.steps);
const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts);
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** Runs the `run:` of the payload check as the runner does (bash -eo pipefail), with `env` as the payload. */
function checkPayload(env: Record<string, string>): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-workflow-'));
  const outputFile = path.join(dir, 'output');
  fs.writeFileSync(outputFile, '');
  const step = jobs.release.steps.find((candidate: any) => candidate.id === 'payload');
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], { cwd: dir, env: { PATH: process.env.PATH, GITHUB_OUTPUT: outputFile, ...env }, encoding: 'utf8' });
  const output = fs.readFileSync(outputFile, 'utf8');
  const injected = fs.existsSync(path.join(dir, 'injected'));
  fs.rmSync(dir, { recursive: true, force: true });
  if (injected) {
    throw new Error('the payload ran as a command');
  }
  return { status: result.status, output };
}

describe('the release workflow', () => {
  test('runs on the application build\'s repository_dispatch (release) and on a person\'s workflow_dispatch (promote), each job on its own event', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['repository_dispatch', 'workflow_dispatch']);
    expect(workflow.on.repository_dispatch.types).toEqual(['application-image-built']);
    expect(workflow.on.workflow_dispatch.inputs.from).toMatchObject({ type: 'choice', options: ['staging'] });
    expect(workflow.on.workflow_dispatch.inputs.to).toMatchObject({ type: 'choice', options: ['production'] });
    expect(Object.keys(jobs).sort()).toEqual(['promote', 'release']);
    expect(jobs.release.if).toBe("github.event_name == 'repository_dispatch'");
    expect(jobs.promote.if).toBe("github.event_name == 'workflow_dispatch'");
  });

  test('grants nothing by default; each job may write only contents and pull requests (its branch and its pull request)', () => {
    expect(workflow.permissions).toEqual({});
    for (const job of Object.values(jobs)) {
      expect(job.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    }
  });

  test('pins every action by full commit SHA with its version in a comment', () => {
    const uses = allSteps().filter((step) => step.uses).map((step) => step.uses as string);
    expect(uses.length).toBeGreaterThan(0);
    for (const reference of uses) {
      expect(reference).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(source).toMatch(new RegExp(`uses: ${reference.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} # v\\d+\\.\\d+\\.\\d+`));
    }
  });

  test('never splices an expression into a shell script: the payload and the inputs reach `run:` only through `env:`', () => {
    const runs = allSteps().filter((step) => step.run !== undefined);
    expect(runs.length).toBeGreaterThan(0);
    for (const step of runs) {
      expect(`${step.name}: ${step.run.includes('${{')}`).toBe(`${step.name}: false`);
    }
    const env = allSteps().flatMap((step) => Object.values(step.env ?? {}) as string[]);
    expect(env).toEqual(expect.arrayContaining(['${{ github.event.client_payload.image }}', '${{ github.event.client_payload.tag }}', '${{ inputs.from }}', '${{ inputs.to }}']));
  });

  test('runs only npm ci and package.json scripts: release for the dispatch, promote staging -> production for the person', () => {
    const commands = (job: string) => jobs[job].steps.map((step: any) => step.run ?? '').join('\n');
    // npm as a command (at the start of a line or after ; && ||), not inside a message.
    const npm = (job: string) => [...commands(job).matchAll(/(?:^|;|&&|\|\|)[ \t]*npm[ \t]+(\S+)(?:[ \t]+-s)?(?:[ \t]+([\w:-]+))?/gm)]
      .map((match) => (match[1] === 'run' ? match[2] : match[1]));
    expect(npm('release')).toEqual(['ci', 'release']);
    expect(npm('promote')).toEqual(['ci', 'promote']);
    expect(scripts).toEqual(expect.arrayContaining(['release', 'promote']));
    expect(commands('release')).toContain('npm run -s release -- "${args[@]}"');
    expect(commands('promote')).toContain('npm run -s promote -- --from "$PROMOTE_FROM" --to "$PROMOTE_TO"');
  });

  test('opens the pull request with the data files and dist/, and the printed rendered diff as its body', () => {
    const pullRequests = allSteps().filter((step) => String(step.uses).startsWith('peter-evans/create-pull-request@'));
    expect(pullRequests).toHaveLength(2);
    for (const step of pullRequests) {
      expect(step.with['add-paths'].trim().split('\n')).toEqual(['lib/config/images', 'dist']);
      expect(step.with['body-path']).toBe('${{ runner.temp }}/body.md');
      expect(step.with['sign-commits']).toBe(true);
    }
    for (const job of Object.values(jobs)) {
      const script = job.steps.map((step: any) => step.run ?? '').join('\n');
      expect(script).toMatch(/\| tee "\$RUNNER_TEMP\/output.txt"/);
      expect(script).toMatch(/head -c 60000 "\$output".*> "\$RUNNER_TEMP\/body.md"/s);
    }
  });

  describe('the payload check (its bash, run as the runner runs it)', () => {
    test('accepts a build of staging by digest, with and without a tag, and names the branch after the image', () => {
      expect(checkPayload({ RELEASE_ENVIRONMENT: 'staging', RELEASE_IMAGE: `ghcr.io/acme/generator-platform-web@${DIGEST}`, RELEASE_TAG: '1.5.0' }))
        .toEqual({ status: 0, output: 'branch=release/staging/generator-platform-web\n' });
      expect(checkPayload({ RELEASE_ENVIRONMENT: 'staging', RELEASE_IMAGE: `ghcr.io/acme/generator-platform-api:1.5.0@${DIGEST}`, RELEASE_TAG: '' }))
        .toEqual({ status: 0, output: 'branch=release/staging/generator-platform-api\n' });
    });

    test.each([
      ['production (promotion only)', { RELEASE_ENVIRONMENT: 'production', RELEASE_IMAGE: `ghcr.io/acme/generator-platform-web@${DIGEST}`, RELEASE_TAG: '' }],
      ['a tag without a digest', { RELEASE_ENVIRONMENT: 'staging', RELEASE_IMAGE: 'ghcr.io/acme/generator-platform-web:1.5.0', RELEASE_TAG: '' }],
      ['a command in the image', { RELEASE_ENVIRONMENT: 'staging', RELEASE_IMAGE: `ghcr.io/acme/x$(touch injected)@${DIGEST}`, RELEASE_TAG: '' }],
      ['a second line in the image', { RELEASE_ENVIRONMENT: 'staging', RELEASE_IMAGE: `ghcr.io/acme/generator-platform-web@${DIGEST}\nbranch=main`, RELEASE_TAG: '' }],
      ['a command in the tag', { RELEASE_ENVIRONMENT: 'staging', RELEASE_IMAGE: `ghcr.io/acme/generator-platform-web@${DIGEST}`, RELEASE_TAG: '1.5.0;touch injected' }],
    ])('refuses %s and writes no output', (_case, env) => {
      expect(checkPayload(env)).toEqual({ status: 1, output: '' });
    });
  });
});
