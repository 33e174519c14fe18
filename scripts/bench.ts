import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * `npm run bench`: wall-clock timings of whole commands, as users run them, each repeated and
 * reported as the median, with the targets the project holds itself to. Exits non-zero when a
 * target is missed.
 */
const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PREVIEW_COUNT = 100;

interface Measurement {
  readonly label: string;
  readonly medianMs: number;
  readonly runsMs: number[];
}

/** The command being timed, if any: a signal stops it (its whole process group) before the bench exits. */
let running: ChildProcess | undefined;

/** Runs a command to its end; resolves with its exit status (null when a signal ended it) and output. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that a stop reaches npm and the node it starts alike.
    const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.once('error', (error) => {
      running = undefined;
      reject(error);
    });
    child.once('close', (status) => {
      running = undefined;
      resolve({ status, output });
    });
  });
}

async function timeCommand(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Measurement> {
  const runsMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const result = await run(command, args, { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...env });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) {
      throw new Error(`${label} failed (exit ${result.status}): ${result.output}`);
    }
    runsMs.push(elapsed);
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  return { label, medianMs: sorted[Math.floor(sorted.length / 2)], runsMs };
}

function report(m: Measurement): void {
  console.log(`  ${m.label.padEnd(58)} median ${m.medianMs.toFixed(0).padStart(6)} ms   runs: ${m.runsMs.map((r) => r.toFixed(0)).join(', ')}`);
}

interface Target {
  readonly name: string;
  readonly value: number;
  readonly pass: boolean;
  readonly goal: string;
}

/**
 * The bench's scratch folder, removed on every way out: a normal end, an error, SIGINT (Ctrl-C),
 * SIGTERM and SIGHUP (the command being timed is stopped first).
 */
function scratchFolder(): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const remove = () => fs.rmSync(scratch, { recursive: true, force: true });
  process.once('exit', remove);
  for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}, stopping`);
      const child = running;
      const leave = () => {
        remove();
        process.exit(128 + number);
      };
      if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
        leave();
        return;
      }
      // The folder goes once the command has stopped writing into it; SIGKILL if it lingers.
      const kill = (sig: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, sig);
        } catch {
          // It ended meanwhile.
        }
      };
      child.once('close', leave);
      kill(signal);
      setTimeout(() => kill('SIGKILL'), 5_000).unref();
    });
  }
  return scratch;
}

async function main(): Promise<number> {
  const scratch = scratchFolder();
  const targets: Target[] = [];
  console.log(`bench: ${RUNS} runs each, on ${os.cpus().length} cores, node ${process.version}`);

  console.log('\n1. synth of all environments: npm run synth (tsx, no type-check) vs the default cdk8s synth (ts-node app)');
  const fast = await timeCommand('npm run synth', 'npm', ['run', '-s', 'synth', '--', '--out', path.join(scratch, 'fast')]);
  const slow = await timeCommand('cdk8s synth (app: npx ts-node main.ts)', path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth'], {
    CDK8S_OUTDIR: path.join(scratch, 'slow'),
  });
  report(fast);
  report(slow);
  const speedup = slow.medianMs / fast.medianMs;
  targets.push({ name: 'synth speed-up over cdk8s synth', value: speedup, pass: speedup >= 4, goal: '>= 4.0x' });

  console.log(`\n2. synth of ${PREVIEW_COUNT} generated preview environments vs one`);
  const ids = Array.from({ length: PREVIEW_COUNT }, (_, i) => `pr-${i + 1}`);
  const one = await timeCommand('npm run synth -- --preview pr-1', 'npm', ['run', '-s', 'synth', '--', '--preview', 'pr-1', '--out', path.join(scratch, 'one')]);
  const many = await timeCommand(`npm run synth -- --preview pr-1 ... pr-${PREVIEW_COUNT}`, 'npm', [
    'run', '-s', 'synth', '--', ...ids.flatMap((id) => ['--preview', id]), '--out', path.join(scratch, 'many'),
  ]);
  report(one);
  report(many);
  const previewRatio = many.medianMs / one.medianMs;
  const perPreviewMs = (many.medianMs - one.medianMs) / (PREVIEW_COUNT - 1);
  console.log(`  marginal cost per extra preview: ${perPreviewMs.toFixed(1)} ms`);
  targets.push({ name: `${PREVIEW_COUNT} previews vs one`, value: previewRatio, pass: previewRatio <= 10, goal: '<= 10.0x' });

  console.log('\n3. validation gate over the whole dist/ (schemas, policy, cross-references, freshness) vs synth');
  const validate = await timeCommand('npm run validate', 'npm', ['run', '-s', 'validate']);
  report(fast);
  report(validate);
  const validationRatio = validate.medianMs / fast.medianMs;
  targets.push({ name: 'validation vs synth', value: validationRatio, pass: validationRatio <= 2, goal: '<= 2.0x' });

  fs.rmSync(scratch, { recursive: true, force: true });
  console.log('\ntargets:');
  for (const t of targets) {
    console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.value.toFixed(2)}x (goal ${t.goal})`);
  }
  return targets.every((t) => t.pass) ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
