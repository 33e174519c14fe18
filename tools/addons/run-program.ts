import { spawn } from 'child_process';

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the program's stdin, which is then closed. @default none (stdin ignored) */
  readonly input?: string;
}

/**
 * Runs a program to completion without blocking the event loop: its stdout, or an error naming
 * `what` with its stderr. Asynchronous on purpose: the local Helm repository is served by this
 * process, so a synchronous child (spawnSync) that fetches from it would wait for itself forever.
 */
export function runProgram(command: string, args: readonly string[], what: string, options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    child.stdin?.end(options.input);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new Error(`${what} failed: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) {
        resolve(Buffer.concat(stdout).toString('utf8'));
      } else {
        reject(new Error(`${what} failed (exit ${code}): ${Buffer.concat(stderr).toString('utf8').trim()}`));
      }
    });
  });
}
