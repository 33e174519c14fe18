import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The Application health check that docs/gitops.md tells a person to put into argocd-cm, run with
 * Lua 5.1 (Argo CD runs health checks in gopher-lua, a Lua 5.1) against the states an Application
 * goes through: it must hold a sync wave until the child synced, its operation succeeded and it
 * is healthy, and report a failed sync as Degraded.
 */
const DOCS = path.join(__dirname, '..', '..', 'docs', 'gitops.md');
const MARKER = '<!-- application-health-check -->';

function documentedCheck(): string {
  const text = fs.readFileSync(DOCS, 'utf8');
  const start = text.indexOf('```lua', text.indexOf(MARKER));
  const end = text.indexOf('```', start + 6);
  expect(text.indexOf(MARKER)).toBeGreaterThan(-1);
  const lines = text.slice(start + 6, end).split('\n').slice(1, -1);
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** `value` as a Lua table constructor (JSON's string escapes are Lua's too for ASCII). */
function lua(value: unknown): string {
  if (value === null || value === undefined) {
    return 'nil';
  }
  if (typeof value === 'object') {
    return `{ ${Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${JSON.stringify(k)}] = ${lua(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

function health(application: Record<string, unknown>): { status: string; message: string } {
  const program = `obj = ${lua(application)}\nlocal function check()\n${documentedCheck()}\nend\nlocal hs = check()\nio.write(hs.status, "\\n", hs.message)`;
  const result = spawnSync('lua5.1', ['-'], { input: program, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`lua5.1 failed: ${result.stderr || result.error?.message}`);
  }
  const [status, message] = result.stdout.split('\n');
  return { status, message };
}

const synced = { sync: { status: 'Synced' }, health: { status: 'Healthy' } };

describe('the Application health check of docs/gitops.md, run with Lua 5.1', () => {
  test.each([
    ['a new Application, no status yet', {}, 'Progressing', 'waiting for the first sync'],
    ['synced, its sync operation succeeded, healthy', { status: { ...synced, operationState: { phase: 'Succeeded' } } }, 'Healthy', ''],
    ['synced and healthy with no operation recorded (an automated sync found nothing to do)', { status: synced }, 'Healthy', ''],
    ['healthy but not synced with Git (its objects not applied yet)', { status: { ...synced, sync: { status: 'OutOfSync' } } }, 'Progressing', 'not synced with Git yet'],
    ['a sync still running', { status: { ...synced, operationState: { phase: 'Running' } } }, 'Progressing', 'sync Running'],
    ['a sync that failed (e.g. a manifest that does not render)', { status: { ...synced, operationState: { phase: 'Failed', message: 'one or more objects failed to apply' } } }, 'Degraded', 'sync Failed: one or more objects failed to apply'],
    ['a sync that errored', { status: { sync: { status: 'Unknown' }, operationState: { phase: 'Error', message: 'rpc error' } } }, 'Degraded', 'sync Error: rpc error'],
    ['synced but degraded', { status: { sync: { status: 'Synced' }, health: { status: 'Degraded', message: 'Deployment web: 0/2 ready' } } }, 'Degraded', 'Deployment web: 0/2 ready'],
    ['synced with no health yet', { status: { sync: { status: 'Synced' } } }, 'Progressing', 'waiting for the first sync'],
    [
      'the root Application while its own sync runs (it is one of its own resources: waiting on it would never end)',
      { metadata: { name: 'root-production', labels: { 'generator-platform.dev/root-application': 'true' } }, status: { ...synced, operationState: { phase: 'Running' } } },
      'Healthy',
      'the root Application: its own waves never wait on it',
    ],
    ['an Application labelled as the root with another value is judged as any other', { metadata: { name: 'x', labels: { 'generator-platform.dev/root-application': 'false' } }, status: { ...synced, operationState: { phase: 'Running' } } }, 'Progressing', 'sync Running'],
  ])('%s', (_title, application, status, message) => {
    expect(health({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'child' }, ...application })).toEqual({ status, message });
  });
});
